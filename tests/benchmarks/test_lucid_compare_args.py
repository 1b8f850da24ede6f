"""benchmarks/lucid_compare.py refuses contradictory timing arguments before it starts
anything (it times, so its figures are not tested)."""

import sys

import pytest

from tests.benchmarks.scripts import script_fixture

lucid_compare = script_fixture("lucid_compare")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--lockstep", "-1"], "--lockstep must be 0 (off) or a number of steps per turn"),
        (["--lockstep", "4", "--turn-skip", "4"], "--turn-skip must be at least 0 and less"),
        (["--turn-skip", "-1"], "--turn-skip must be at least 0 and less"),
        (["--steps", "24"], "leaves fewer than one step per window"),
    ],
)
def test_bad_timing_arguments_are_refused(lucid_compare, monkeypatch, capsys, argv, message):
    monkeypatch.setattr(sys, "argv", ["lucid_compare.py", *argv])
    with pytest.raises(SystemExit) as exit_info:
        lucid_compare.parse_args()
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_turns_are_on_by_default_and_off_keeps_the_old_way(lucid_compare, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["lucid_compare.py"])
    args = lucid_compare.parse_args()
    assert (args.lockstep, args.turn_skip) == (8, 1)
    monkeypatch.setattr(sys, "argv", ["lucid_compare.py", "--lockstep", "0", "--turn-skip", "5"])
    assert lucid_compare.parse_args().lockstep == 0  # skip is unused without turns
