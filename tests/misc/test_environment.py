"""is_notebook_environment with and without (fake) IPython shells."""

import sys
import types

import pytest

from lucid.misc.environment import is_notebook_environment


def fake_ipython(shell):
    module = types.ModuleType("IPython")
    module.get_ipython = lambda: shell
    return module


def shell_of(class_name, base=object):
    return type(class_name, (base,), {})()


def test_plain_interpreter(monkeypatch):
    monkeypatch.setitem(sys.modules, "IPython", None)
    assert is_notebook_environment() is False
    monkeypatch.setitem(sys.modules, "IPython", fake_ipython(None))
    assert is_notebook_environment() is False


@pytest.mark.parametrize(
    "name, expected",
    [("ZMQInteractiveShell", True), ("Shell", True), ("TerminalInteractiveShell", False)],
)
def test_shell_classes(monkeypatch, name, expected):
    monkeypatch.setitem(sys.modules, "IPython", fake_ipython(shell_of(name)))
    assert is_notebook_environment() is expected


def test_subclass_of_a_jupyter_shell(monkeypatch):
    jupyter = type("ZMQInteractiveShell", (), {})
    monkeypatch.setitem(sys.modules, "IPython", fake_ipython(shell_of("CustomShell", jupyter)))
    assert is_notebook_environment() is True
