"""Where test data lives; the shared corpus and dev set sit beside the repository."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
SHARED_CORPUS = Path(os.environ.get("HAIQUAN_SHARED_CORPUS", SHARED / "corpus" / "hddtvn"))
DEV_SET = SHARED / "eval" / "dev.jsonl"
TEST_DATA = ROOT / "tests" / "data"
SAMPLE_CORPUS = ROOT / "corpus" / "sample"
