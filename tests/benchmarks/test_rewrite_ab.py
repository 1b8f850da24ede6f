"""benchmarks/rewrite_ab.py refuses bad arguments before it builds anything (it times, so
its figures are not tested)."""

import importlib
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def rewrite_ab():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        yield importlib.import_module("rewrite_ab")
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--without", "no_such_rewrite"], "unknown rewrite(s) ['no_such_rewrite']"),
        (["--without", "fast_lrn", "--steps", "10", "--warmup", "9"], "must exceed --warmup 9"),
    ],
)
def test_bad_arguments_are_refused_with_the_fix(rewrite_ab, capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        rewrite_ab.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
