"""Starting the app (`python app.py`, `gpt2-playground`): gradio's environment variables and a Space's SPACE_ID
set the defaults, flags win; a sub-command runs the CLI."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from playground import launcher


def args(argv=(), **env):
    a = launcher.parse_args(list(argv), env=env)
    return a.host, a.port, a.hosted


def test_local_defaults():
    assert args() == ("127.0.0.1", 7860, False)


def test_gradio_server_name_and_port_are_honoured_and_flags_win():
    assert args(GRADIO_SERVER_NAME="0.0.0.0", GRADIO_SERVER_PORT="8123") == ("0.0.0.0", 8123, False)
    assert args(["--host", "127.0.0.1", "--port", "9000"], GRADIO_SERVER_NAME="0.0.0.0",
                GRADIO_SERVER_PORT="8123") == ("127.0.0.1", 9000, False)
    assert args(GRADIO_SERVER_NAME="", GRADIO_SERVER_PORT=" ") == ("127.0.0.1", 7860, False)  # empty: unset


def test_a_space_is_hosted_on_all_interfaces_unless_told_otherwise():
    assert args(SPACE_ID="someone/playground") == ("0.0.0.0", 7860, True)
    # The Space's own GRADIO_SERVER_NAME / GRADIO_SERVER_PORT, and a flag, still win.
    assert args(SPACE_ID="someone/playground", GRADIO_SERVER_NAME="::", GRADIO_SERVER_PORT="7861") == ("::", 7861, True)
    assert args(["--host", "127.0.0.1"], SPACE_ID="someone/playground") == ("127.0.0.1", 7860, True)


@pytest.mark.parametrize("argv, env, message", [
    ([], {"GRADIO_SERVER_PORT": "http"}, "GRADIO_SERVER_PORT must be a port number, not 'http'"),
    (["--port", "70000"], {}, "--port must be between 1 and 65535, not 70000"),
])
def test_a_bad_port_is_one_sentence_and_exit_2(argv, env, message, capsys):
    with pytest.raises(SystemExit) as e:
        launcher.parse_args(argv, env=env)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_app_py_takes_the_launchers_flags(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent))
    import app

    assert app.parse_args is launcher.parse_args and app.main is launcher.main


def test_console_runs_any_cli_command_and_otherwise_the_app(monkeypatch):
    """The dispatch follows playground.cli.COMMANDS: a command added there (as `push` is) works at once."""
    from playground import cli

    module = types.ModuleType("fake_command")
    module.add_arguments = lambda p: p.add_argument("--times", type=int, default=1)
    module.run = lambda a: 40 + a.times
    monkeypatch.setitem(sys.modules, "fake_command", module)
    monkeypatch.setitem(cli.COMMANDS, "fake", ("fake_command", "a command for this test"))
    assert launcher.console(["fake", "--times", "2"]) == 42

    started = []
    monkeypatch.setattr(launcher, "main", started.append)
    assert launcher.console(["--port", "8000"]) == 0 and launcher.console([]) == 0
    assert started == [["--port", "8000"], []]


def test_console_refuses_an_unknown_command(capsys):
    with pytest.raises(SystemExit) as e:
        launcher.console(["tarin"])
    assert e.value.code == 2
    assert "unknown command 'tarin'; use one of train, eval, generate" in capsys.readouterr().err
