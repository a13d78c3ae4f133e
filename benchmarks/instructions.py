"""Instructions per bot's answer, counted by valgrind: a figure that does not drift.

    python benchmarks/instructions.py --corpus ../shared/corpus/hddtvn \
        --data /tmp/instructions --queries ../shared/eval/dev.jsonl

The development machine's speed drifts by a fifth within minutes, which hides a change
of a few percent in any timing. This counts the CPU instructions of the bot's answer
(`Searcher.search(q, 20, shown=slice(0, 3))`) instead: it runs a child under
`valgrind --tool=callgrind` twice, once loading the index and answering every question
once (the warm-up), once doing the same and then answering every question `--passes`
more times, and prints the difference per answer. The cache in `--data` is built first,
outside valgrind, so both children start warm; give each version of the code its own
data directory (the index cache is keyed by the code).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True, help="cache directory to use")
    parser.add_argument("--queries", type=Path, required=True, help="JSONL with a 'query'")
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    questions = [json.loads(line)["query"]
                 for line in args.queries.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    if args.child is not None:
        _answer(args.corpus, args.data, questions, args.child)
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 1
    _answer(args.corpus, args.data, questions, 0)  # build the cache, outside valgrind
    warm = _count(args, 0)
    timed = _count(args, args.passes)
    per_answer = (timed - warm) / (args.passes * len(questions))
    print(f"{len(questions)} questions x {args.passes}: "
          f"{per_answer / 1e6:.2f} M instructions per bot's answer "
          f"(load and warm-up: {warm / 1e9:.2f} G)")
    return 0


def _count(args: argparse.Namespace, passes: int) -> int:
    command = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, __file__, "--corpus", str(args.corpus), "--data", str(args.data),
        "--queries", str(args.queries), "--child", str(passes),
    ]
    # Our own interpreter and script, with our arguments: nothing from outside.
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    found = _COLLECTED.search(done.stderr)
    if found is None:
        raise RuntimeError(f"valgrind printed no count:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def _answer(corpus: Path, data: Path, questions: list[str], passes: int) -> None:
    from retrieval.build import build_searcher

    searcher, _, _ = build_searcher(corpus, data, progress=False)
    for _ in range(1 + passes):
        for question in questions:
            searcher.search(question, 20, shown=slice(0, 3))


if __name__ == "__main__":
    sys.exit(main())
