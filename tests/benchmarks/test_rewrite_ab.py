"""benchmarks/rewrite_ab.py refuses bad arguments before it builds anything (it times, so
its figures are not tested)."""

import pytest

from tests.benchmarks.scripts import script_fixture

rewrite_ab = script_fixture("rewrite_ab")


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
