"""The README's command line and settings say what the program takes: a command or an
option added without its line in the README fails here, and so does a README line for
one that is gone."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from indicators import settings
from indicators.cli import build_parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
# Said once for every command in the paragraph above the table.
GENERAL = {"-h", "--help", "--db"}


def _section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end >= 0 else None]


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _rows(command: str) -> str:
    """The README table rows (their first cell) of one command."""
    cells = re.findall(r"^\| `([^`]+)` \|", _section("Command line"), re.MULTILINE)
    return "\n".join(c for c in cells if c.split()[0] in (command, "..."))


@pytest.mark.parametrize("command", sorted(_commands()))
def test_every_command_and_option_is_in_the_readme(command: str) -> None:
    rows = _rows(command)
    assert rows, f"README's command table has no row for `{command}`"
    parser = _commands()[command]
    for action in parser._actions:
        options = [o for o in action.option_strings if o.startswith("--")]
        if options and not GENERAL & set(options):
            assert any(o in rows for o in options), f"`{command} {options[0]}` is not in README"
        if not action.option_strings and action.choices:
            for choice in action.choices:
                assert choice in rows, f"`{command} {choice}` is not in README"


def test_every_readme_command_exists() -> None:
    cells = re.findall(r"^\| `([^`]+)` \|", _section("Command line"), re.MULTILINE)
    named = {cell.split()[0] for cell in cells} - {"..."}
    assert named <= set(_commands()), (
        f"README names commands the CLI lacks: {named - set(_commands())}"
    )


def test_every_setting_is_in_the_readme() -> None:
    table = _section("Settings and limits")
    for item in settings.SETTINGS:
        assert f"`{item.name}`" in table, f"{item.name} is not in README's settings table"
