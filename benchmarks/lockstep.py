"""Renders in separate processes that take turns, a few steps each: A/B timing on a noisy host.

Separate runs on a shared machine move by 10-20 % from one minute to the next, so the ratio
of two renders timed one after the other is mostly noise. Here each render still runs in a
fresh process of its own (the original Lucid needs its own virtualenv), but all of a round's
renders are alive at once and take turns: the parent starts them one at a time (so cold
starts never overlap), then lets each run a block of ``block`` steps while the others wait
on a pipe, idle, in the order A B C, C B A, A B C ... Block ``b`` of every render thus runs
within a few hundred milliseconds of block ``b`` of the others, under the same host load, and
the median of the per-block ratios resolves a few percent.

The child side is one call, :func:`wait_turn`, before each optimisation step; the parent
side is :func:`run_turns`. :func:`paired_ratios` pairs two renders' step times block by block.
"""

import json
import subprocess
import sys
import tempfile
from typing import List
from typing import Optional
from typing import Sequence

import numpy as np

# The line a child prints when it stops to wait for its turn.
WAIT = "LOCKSTEP wait"


def turn_starts(completed_steps: int, block: int) -> bool:
    """Whether a render that has completed ``completed_steps`` steps waits before the next
    one: after its first step (which belongs to its cold start), then every ``block`` steps."""
    return completed_steps >= 1 and (completed_steps - 1) % block == 0


def wait_turn(completed_steps: int, block: int, stdin=None, stdout=None) -> None:
    """Child side: call before each step; at the start of a turn, tells the parent and blocks
    until the parent's go (a line on stdin). ``block`` 0 never waits."""
    if block and turn_starts(completed_steps, block):
        stdout = stdout or sys.stdout
        print(WAIT, file=stdout, flush=True)
        if not (stdin or sys.stdin).readline():
            raise SystemExit("lockstep: the parent closed the pipe; stopping")


class _Child:
    def __init__(self, command: Sequence[str], env: dict, cwd: str, label: str):
        self.label = label
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.lines: List[str] = []
        self.process = subprocess.Popen(
            [str(c) for c in command],
            env=env,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        self.alive = True

    def until_wait(self) -> None:
        """Reads the child's output until it waits for a turn or exits."""
        for line in self.process.stdout:
            if line.rstrip("\n") == WAIT:
                return
            self.lines.append(line)
        self.alive = False
        if self.process.wait() != 0:
            self.stderr.seek(0)
            raise RuntimeError(f"{self.label} failed:\n{self.stderr.read()[-4000:]}")

    def go(self) -> None:
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        self.until_wait()

    def result(self) -> dict:
        """The JSON object on the child's last line of output."""
        return json.loads(self.lines[-1])

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.stderr.close()


def run_turns(commands: Sequence[Sequence[str]], env: Sequence[dict], cwd: str,
              labels: Optional[Sequence[str]] = None) -> List[dict]:  # fmt: skip
    """Parent side: runs the commands' renders in turns (module docstring).

    Each command is a process that calls :func:`wait_turn` before its steps and prints one
    JSON object on its last line. Returns those objects, in the order of ``commands``.
    Raises RuntimeError (with the end of its stderr) if one exits with an error; the others
    are stopped.
    """
    labels = labels or [str(c[0]) for c in commands]
    children = []
    try:
        for command, child_env, label in zip(commands, env, labels):
            children.append(_Child(command, child_env, cwd, label))
            children[-1].until_wait()  # cold start and first step, alone
        turn = 0
        while any(child.alive for child in children):
            for child in children if turn % 2 == 0 else children[::-1]:
                if child.alive:
                    child.go()
            turn += 1
        return [child.result() for child in children]
    finally:
        for child in children:
            child.close()


def block_means(step_ms: Sequence[float], block: int, warmup: int, skip: int = 0) -> dict:
    """Mean step time of each turn's block of steps, keyed by block index, over the timed
    steps (from ``warmup`` on, less the last, threshold, step); step 0 is no block's.

    ``skip``: steps left out at the start of each turn. The first step after a switch finds
    the caches filled by the other process (1-3 ms more here, in every engine), a cost
    that taking turns adds and a render on its own does not have."""
    step_ms = list(step_ms)[:-1]
    means = {}
    for index in range(max(len(step_ms) - 2, -1) // block + 1):
        first = max(1 + index * block + skip, warmup)
        chunk = step_ms[first : 1 + (index + 1) * block]
        if chunk:
            means[index] = float(np.mean(chunk))
    return means


def paired_ratios(a_ms, b_ms, block: int, warmup: int, skip: int = 0) -> List[float]:
    """Per-block ratios ``a / b`` of two renders that took turns, for the blocks both timed
    (``skip`` as in :func:`block_means`)."""
    a, b = block_means(a_ms, block, warmup, skip), block_means(b_ms, block, warmup, skip)
    return [a[i] / b[i] for i in sorted(a) if i in b]


def summary(ratios: Sequence[float]) -> str:
    """``median (quartiles q1-q3, n blocks)`` of per-block ratios."""
    q1, median, q3 = np.percentile(ratios, [25, 50, 75])
    return f"{median:.3f} (quartiles {q1:.3f}-{q3:.3f}, {len(ratios)} blocks)"


__all__ = [
    "WAIT",
    "turn_starts",
    "wait_turn",
    "run_turns",
    "block_means",
    "paired_ratios",
    "summary",
]
