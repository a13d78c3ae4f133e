"""The command line starts without the ingest's or the sentence splitter's heavy libraries.

Regression (issue 10): trafilatura was imported at start-up by every command, so one
unresolved extra of a dependency of it (justext's ``lxml[html_clean]`` under the pip that
``python3 -m venv`` ships) crashed even ``haiquan-bot --help``.
"""

import subprocess
import sys

from support.paths import ROOT

HEAVY = ("trafilatura", "justext", "feedparser", "underthesea", "lxml", "scipy", "rank_bm25",
         "matplotlib")


def test_the_command_line_imports_none_of_the_heavy_optional_parts():
    probe = (
        "import sys, bot.__main__, corpus.ingest;"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,  # noqa: S603
                            text=True, check=True)
    assert result.stdout.strip() == ""
