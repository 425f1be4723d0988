"""The documents stay true to the code: every CLI flag in docs/cli.md, a short README with CI's test command,
and no link to a file or heading that is not there."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def section(text: str, heading: str) -> str:
    """The text under `heading` (a whole line), up to the next heading of any level."""
    start = text.index(heading + "\n") + len(heading)
    end = re.search(r"^#", text[start:], flags=re.M)
    return text[start:start + end.start()] if end else text[start:]


def subparsers() -> dict[str, argparse.ArgumentParser]:
    from playground.cli import build_parser

    (action,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def test_every_flag_of_every_command_is_in_docs_cli_md():
    """Each sub-command has a "### Flags of `NAME`" table in docs/cli.md listing each of its flags."""
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = {}
    for name, parser in subparsers().items():
        heading = f"### Flags of `{name}`"
        if heading + "\n" not in text:
            missing[name] = [heading]
            continue
        table = section(text, heading)
        flags = [flag for action in parser._actions for flag in action.option_strings if flag.startswith("--") and flag != "--help"]
        absent = [flag for flag in flags if not re.search(rf"`{re.escape(flag)}[ `,]", table)]  # `--lora` is not `--lora-r`
        if absent:
            missing[name] = absent
    assert missing == {}, f"document these in docs/cli.md: {missing}"


def test_readme_is_short_and_keeps_cis_test_command():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250
    # .ci/run runs the first line of the ```bash fence after the marker.
    at = next(i for i, line in enumerate(lines) if "ci:test-command" in line)
    assert lines[at + 1] == "```bash" and lines[at + 2].startswith("pip install -r requirements-dev.txt && python -m pytest")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_relative_links_reach_their_file_and_heading(doc):
    broken = []
    for target, anchor in re.findall(r"\]\(([^)#\s]*)(?:#([^)\s]*))?\)", doc.read_text(encoding="utf-8")):
        if target.startswith(("http://", "https://")):
            continue
        path = (doc.parent / target).resolve() if target else doc
        if not path.exists():
            broken.append(target)
        elif anchor and path.suffix == ".md":
            headings = {slug(line.lstrip("#")) for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")}
            if anchor not in headings:
                broken.append(f"{target}#{anchor}")
    assert broken == []
