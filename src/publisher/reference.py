"""The documentation's reference pages, generated from the code so they cannot drift: the
commands (from click), the front matter keys (the content schema), the ``publish.toml`` keys (the
config model and each channel's options) and the diagnostic codes (codes.py).

``python -m publisher.reference docs/reference`` writes them; ``make docs`` runs it before MkDocs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .codes import table
from .schema import Field, describe


def _fields(fields: dict[str, Field]) -> list[str]:
    rows = ["| key | value | required | default |", "| --- | --- | --- | --- |"]
    for key, spec in fields.items():
        default = "" if spec.default in (None, ()) else f"`{spec.default}`"
        if isinstance(spec.default, bool):
            default = f"`{str(spec.default).lower()}`"
        rows.append(f"| `{key}` | {describe(spec.convert)} | {'yes' if spec.required else ''} | {default} |")
    return rows


def front_matter() -> str:
    from .content import ARTICLE_FIELDS, CLAIM_REVIEW_FIELDS, DISCLAIMER_FIELDS, REFERENCE_FIELDS

    lines = ["# Front matter", "", "The YAML keys an article (`content/<slug>.md`) may have; any other key is an "
             "error that names the nearest known one.", "", *_fields(ARTICLE_FIELDS), "",
             "## Each entry of `sources`", "", *_fields(REFERENCE_FIELDS), "",
             "## Each entry of `claims_reviewed`", "", *_fields(CLAIM_REVIEW_FIELDS), "",
             "## A disclaimer (`content/disclaimers/<id>.md`)", "",
             "Its full text is the Markdown below the front matter.", "", *_fields(DISCLAIMER_FIELDS), "",
             "A translation (`content/disclaimers/<id>.<lang>.md`) has the same keys; `placement` and `required` "
             "are the original's.", ""]
    return "\n".join(lines)


def configuration() -> str:
    from .channels import default_channels
    from .config import DISCLAIMER_FIELDS, LANGUAGE_FIELDS, REVIEW_FIELDS, SITE_FIELDS

    from .checks.plain import PLAIN_FIELDS

    sections = {"site": SITE_FIELDS, "disclaimers": DISCLAIMER_FIELDS, "review": REVIEW_FIELDS, "plain": PLAIN_FIELDS,
                **default_channels().options()}
    lines = ["# publish.toml", "", "Every section and key is optional; an unknown one is an error. A setting in "
             "error keeps its default, and the rest of the file still counts.", ""]
    for name, fields in sections.items():
        lines += [f"## `[{name}]`", "", *_fields(fields), ""]
    lines += ["## `[languages]`", "", "`strict = true` makes a translation out of date an error (default: a "
              "warning). Each other language of the site has a table of its own, named by its lowercase code "
              "(`[languages.es]`); its pages live under `/<code>/`.", "", "## `[languages.<code>]`", "",
              *_fields(LANGUAGE_FIELDS), ""]
    return "\n".join(lines)


def commands() -> str:
    from .cli import main

    lines = ["# Commands", "", "Every command takes `-C DIR` (`--project DIR`) before its name: the project "
             "folder (default: the current folder).", ""]
    for name in sorted(main.commands):
        command = main.commands[name]
        context = click.Context(command, info_name=f"publish {name}")
        lines += [f"## `publish {name}`", "", "```", command.get_usage(context), "```", "",
                  (command.help or "").strip(), ""]
        options = [p for p in command.params if isinstance(p, click.Option)]
        arguments = [p for p in command.params if isinstance(p, click.Argument)]
        if arguments:
            lines += ["Arguments: " + ", ".join(f"`{a.human_readable_name}`" for a in arguments) + ".", ""]
        if options:
            lines += ["| option | what it does |", "| --- | --- |"]
            for option in options:
                names = ", ".join(f"`{o}`" for o in [*option.opts, *option.secondary_opts])
                text = (option.help or "").replace("|", "\\|")
                if option.show_default and option.default is not None and not option.is_flag:
                    text += f" Default: `{option.default}`."
                lines.append(f"| {names} | {text} |")
            lines.append("")
    return "\n".join(lines)


def errors() -> str:
    return "\n".join(["# Error codes", "", "Every problem is printed as `file:line: error: what is wrong [code]`. "
                      "These are all the codes, with what each means and how to fix it.", "", table()])


PAGES = {"commands.md": commands, "front-matter.md": front_matter, "configuration.md": configuration,
         "errors.md": errors}


def write(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, page in PAGES.items():
        (folder / name).write_text(page(), encoding="utf-8")
        written.append(folder / name)
    return written


if __name__ == "__main__":
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/reference")):
        print(path)
