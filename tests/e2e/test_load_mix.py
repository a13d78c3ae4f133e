"""The load benchmark's scenario mix, short and untimed: 20 users, zero errors.

`benchmarks/bot_load.py --mix` times the same code (`support.load_mix`) with more
questions; this keeps it working and asserts what the benchmark reports as errors is
zero: no rejected request but flood-limit 429s, no 5xx, no ERROR log record, no
unanswered question, button or inline query, every subscriber's card exactly once.
"""

from __future__ import annotations

import pytest
from support.bot_harness import sample_queries
from support.load_mix import run_mix

pytestmark = pytest.mark.e2e

QUESTIONS = [q["query"] for q in sample_queries().values()]


async def test_twenty_users_running_the_scenario_mix_see_no_error(tmp_path):
    result = await run_mix(tmp_path, users=20, questions=QUESTIONS, count=3, patience=30)
    assert result.errors == []
    assert len(result.latencies) == 20 * 3  # every private and group question answered
    assert result.inline == 20  # the second question of each user, typed inline too
    assert result.pages > 0  # some answers had a "more" button, and it was served
    assert result.cards == 20  # one directive card per subscriber
