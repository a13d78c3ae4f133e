"""Where test data lives; the shared corpus and dev set sit beside the repository.

``HAIQUAN_SHARED`` points at another ``shared/`` folder (CI runs the tests from a fresh
clone outside the checkout); ``HAIQUAN_SHARED_CORPUS`` at another article directory.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("HAIQUAN_SHARED", ROOT.parent / "shared"))
SHARED_CORPUS = Path(os.environ.get("HAIQUAN_SHARED_CORPUS", SHARED / "corpus" / "hddtvn"))
DEV_SET = SHARED / "eval" / "dev.jsonl"
TEST_DATA = ROOT / "tests" / "data"
SAMPLE_CORPUS = ROOT / "corpus" / "sample"
