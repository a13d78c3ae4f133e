"""Pacing arithmetic on a hand-driven clock: global rate, per-chat spacing, parked chats."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.clock import ManualClock

from bot.directives.pacing import Pacer, Pacing


def pacer(**changes) -> tuple[Pacer, ManualClock]:
    clock = ManualClock()
    return Pacer(Pacing(**changes), clock), clock


def test_the_defaults_stay_under_telegrams_limits():
    pacing = Pacing()
    assert pacing.per_second < 30
    assert 60 / pacing.group_interval < 20
    assert pacing.private_interval >= 1.0


def test_sends_to_different_chats_are_spaced_by_the_global_rate():
    p, clock = pacer(per_second=25.0)
    waits = [p.reserve(chat, private=False) for chat in range(5)]
    assert waits == pytest.approx([0.0, 0.04, 0.08, 0.12, 0.16])
    clock.now += 1.0  # time passes: the next slot is free at once
    assert p.reserve(99, private=False) == 0.0


def test_one_group_waits_its_interval_while_others_go_on():
    p, clock = pacer(per_second=25.0, group_interval=3.2)
    assert p.reserve(-1, private=False) == 0.0
    assert p.chat_wait(-1) == pytest.approx(3.2)
    assert p.chat_wait(-2) == 0.0
    clock.now += 1.0
    assert p.chat_wait(-1) == pytest.approx(2.2)
    assert p.reserve(-1, private=False) == pytest.approx(2.2)  # if asked anyway


def test_people_get_the_shorter_private_interval():
    p, _ = pacer(private_interval=1.0, group_interval=3.2)
    p.reserve(42, private=True)
    p.reserve(-42, private=False)
    assert p.chat_wait(42) == pytest.approx(1.0)
    assert p.chat_wait(-42) == pytest.approx(0.04 + 3.2)  # its slot came 1/25 s later


def test_a_parked_chat_waits_retry_after_and_only_it():
    p, clock = pacer(group_interval=0.0)
    p.park(-5, 7)
    assert p.chat_wait(-5) == pytest.approx(7)
    assert p.chat_wait(-6) == 0.0
    p.park(-5, 1)  # a shorter wait never shortens a longer one
    assert p.chat_wait(-5) == pytest.approx(7)
    clock.now += 7
    assert p.chat_wait(-5) == 0.0


@given(st.lists(st.tuples(st.integers(-5, 5), st.booleans(),
                          st.floats(0, 0.2, allow_nan=False)), max_size=200))
def test_no_one_second_window_exceeds_the_rate(calls):
    p, clock = pacer(per_second=25.0, group_interval=3.2, private_interval=1.0)
    starts: list[float] = []
    for chat, private, pause in calls:
        clock.now += pause
        starts.append(clock.now + p.reserve(chat, private=private))
    starts.sort()
    for i, start in enumerate(starts):
        assert sum(1 for s in starts[i:] if s < start + 1.0) <= 26


def test_backoff_doubles_up_to_a_ceiling():
    pacing = Pacing(backoff_base=5.0, backoff_max=30.0)
    assert [pacing.backoff(n) for n in range(1, 6)] == [5.0, 10.0, 20.0, 30.0, 30.0]


@pytest.mark.parametrize("changes", [
    {"per_second": 0}, {"group_interval": -1}, {"max_in_flight": 0}, {"max_errors": 0},
    {"forbidden_limit": 0},
])
def test_settings_that_would_stall_are_refused(changes):
    with pytest.raises(ValueError, match="must"):
        Pacing(**changes)
