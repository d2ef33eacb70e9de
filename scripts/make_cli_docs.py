"""Write ``docs/cli.md``, the command-line reference, from the argparse parsers of ``ldenrich``.

Usage::

    python3 scripts/make_cli_docs.py          # rewrite docs/cli.md
    python3 scripts/make_cli_docs.py --check  # exit 1 if docs/cli.md is stale

``tests/test_docs_examples.py`` runs the check, so the page cannot drift from the options.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

PAGE = Path(__file__).resolve().parents[1] / "docs" / "cli.md"

HEADER = """# Command-line reference

Generated from the argument parsers by `scripts/make_cli_docs.py` (a test fails when this page
and the parsers disagree). `ldenrich COMMAND --help` prints the same. Every command prints errors
as one line, `ldenrich: error: MESSAGE [ErrorClass]`, and exits with status 1 (see
[Errors](errors.md)); `ldenrich --version` names the version and the gzip back end.
"""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _help(action: argparse.Action) -> str:
    text = action.help or ""
    try:
        text = text % {**vars(action), "prog": "ldenrich"}
    except (KeyError, TypeError, ValueError):
        pass
    return _cell(text)


def _default(action: argparse.Action) -> str:
    if action.required:
        return "required"
    d = action.default
    if d is None or d is argparse.SUPPRESS or isinstance(action, argparse._StoreTrueAction):
        return ""
    if isinstance(d, (list, tuple)):
        return f"`{','.join(map(str, d))}`" if d else ""
    return f"`{d}`"


def _option(action: argparse.Action) -> str:
    names = ", ".join(f"`{o}`" for o in action.option_strings) or f"`{action.dest}`"
    if action.nargs != 0 and action.option_strings:
        choices = "{" + ",".join(map(str, action.choices)) + "}" if action.choices else None
        metavar = action.metavar or choices or action.dest.upper()
        if isinstance(metavar, tuple):
            metavar = " ".join(metavar)
        names += f" `{metavar}`"
    return names


def render() -> str:
    """The Markdown of the page."""
    from ldenrich.cli import build_parser

    # Usage lines wrap at the terminal width; fix it so the page is the same everywhere, and
    # leave the environment as it was (the tests call this in-process).
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        return _render(build_parser())
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved


def _render(parser: argparse.ArgumentParser) -> str:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {c.dest: c.help for c in sub._choices_actions}
    out = [HEADER]
    for name, cmd in sub.choices.items():
        out.append(f"## `ldenrich {name}`\n")
        # A description repeats the one-line help and adds to it.
        text = " ".join((cmd.description or helps.get(name) or "").split())
        out.append(text[:1].upper() + text[1:].rstrip(".") + ".\n")
        out.append("```text\n" + cmd.format_usage().strip() + "\n```\n")
        for group in cmd._action_groups:
            actions = [a for a in group._group_actions if not isinstance(a, argparse._HelpAction)]
            if not actions:
                continue
            out.append(f"**{group.title}**\n")
            out.append("| option | default | meaning |\n|---|---|---|")
            for a in actions:
                out.append(f"| {_option(a)} | {_default(a)} | {_help(a)} |")
            out.append("")
        if cmd.epilog:
            out.append(cmd.epilog.strip() + "\n")
    return "\n".join(out).rstrip() + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if the page is stale")
    args = ap.parse_args()
    text = render()
    if args.check:
        if PAGE.read_text() != text:
            print(f"{PAGE} is stale: run python3 scripts/make_cli_docs.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
