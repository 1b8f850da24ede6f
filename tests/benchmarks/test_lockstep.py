"""benchmarks/lockstep.py: children take turns in the order A B C, C B A, ..., one at a time,
and the per-block pairing of step times is exact on hand-made numbers (no timing asserted)."""

import io
import json
import sys
import textwrap

import pytest

from tests.benchmarks.scripts import BENCHMARKS
from tests.benchmarks.scripts import script_fixture

# A child that "renders" 8 steps, waiting for its turn like lucid_compare's children, and
# appends "<name> <step>" to a shared log while it holds the turn.
CHILD = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, {benchmarks!r})
    import lockstep
    name, log = sys.argv[1], sys.argv[2]
    for step in range(8):
        lockstep.wait_turn(step, 3)
        with open(log, "a") as f:
            f.write(f"{{name}} {{step}}\\n")
    print("some other output")
    print(json.dumps({{"name": name}}))
    """
)


lockstep = script_fixture("lockstep")


def test_turn_starts_after_the_first_step_then_every_block(lockstep):
    assert [n for n in range(12) if lockstep.turn_starts(n, 4)] == [1, 5, 9]


def test_wait_turn_prints_and_blocks_on_a_line(lockstep):
    out = io.StringIO()
    lockstep.wait_turn(1, 4, stdin=io.StringIO("go\n"), stdout=out)
    lockstep.wait_turn(2, 4, stdin=io.StringIO(""), stdout=out)  # not a turn: no read
    lockstep.wait_turn(1, 0, stdin=io.StringIO(""), stdout=out)  # lockstep off
    assert out.getvalue() == lockstep.WAIT + "\n"
    with pytest.raises(SystemExit, match="parent closed the pipe"):
        lockstep.wait_turn(1, 4, stdin=io.StringIO(""), stdout=io.StringIO())


def test_children_take_turns_in_alternating_order(lockstep, tmp_path):
    script, log = tmp_path / "child.py", tmp_path / "log"
    script.write_text(CHILD.format(benchmarks=str(BENCHMARKS)))
    commands = [[sys.executable, str(script), name, str(log)] for name in "ABC"]
    results = lockstep.run_turns(commands, [None] * 3, str(tmp_path))
    assert results == [{"name": "A"}, {"name": "B"}, {"name": "C"}]
    lines = log.read_text().splitlines()
    cold = ["A 0", "B 0", "C 0"]  # cold starts, one at a time

    def turn(name, steps):
        return [f"{name} {step}" for step in steps]

    first, second, last = range(1, 4), range(4, 7), [7]
    assert lines == (
        cold
        + turn("A", first) + turn("B", first) + turn("C", first)
        + turn("C", second) + turn("B", second) + turn("A", second)
        + turn("A", last) + turn("B", last) + turn("C", last)
    )  # fmt: skip


def test_a_failing_child_stops_the_run_with_its_error(lockstep, tmp_path):
    script = tmp_path / "bad.py"
    script.write_text("import sys\nsys.exit('the render broke')\n")
    good = tmp_path / "good.py"
    good.write_text(CHILD.format(benchmarks=str(BENCHMARKS)))
    commands = [
        [sys.executable, str(good), "A", str(tmp_path / "log")],
        [sys.executable, str(script)],
    ]
    with pytest.raises(RuntimeError, match="(?s)bad failed.*the render broke"):
        lockstep.run_turns(commands, [None] * 2, str(tmp_path), labels=["good", "bad"])


def test_block_means_and_paired_ratios(lockstep):
    # 11 steps: step 0 (cold), blocks of 3 from step 1: [1-3], [4-6], [7-9]; step 10 is the
    # threshold step and never timed; warm-up 5 drops steps 1-4.
    a = [100.0, 1, 1, 1, 1, 2, 4, 3, 3, 3, 50]
    b = [200.0, 9, 9, 9, 9, 4, 4, 6, 6, 6, 90]
    assert lockstep.block_means(a, 3, 5) == {1: 3.0, 2: 3.0}
    assert lockstep.block_means(a, 3, 0) == {0: 1.0, 1: 7 / 3, 2: 3.0}
    assert lockstep.paired_ratios(a, b, 3, 5) == [0.75, 0.5]
    # skip 1: each turn's first step (1, 4, 7) left out as well
    assert lockstep.block_means(a, 3, 0, skip=1) == {0: 1.0, 1: 3.0, 2: 3.0}
    assert lockstep.paired_ratios(a, b, 3, 0, skip=1) == [1 / 9, 0.75, 0.5]
    assert lockstep.summary([0.5, 0.75]) == "0.625 (quartiles 0.562-0.688, 2 blocks)"
    json.dumps(lockstep.block_means(a, 3, 5))  # plain floats
