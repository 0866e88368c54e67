"""``publish init``: a new project that builds at once, as ``hugo new site`` or ``pelican-quickstart``.

It writes a commented ``publish.toml`` and a ``content/`` folder with one example article (a
fresh id, today's date), two standard disclaimers marked ``placeholder: true`` (builds and
``publish check`` warn until a reviewer approves the wording), a glossary and a claims list. The
layouts are the built-in theme's (layouts.py): no ``layouts/`` folder is needed.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from .dates import Moment
from .errors import PublishError, error
from .frontmatter import write_source

STARTER = Path(__file__).with_name("starter_project")


def init_project(folder: Path, now: Moment, force: bool = False) -> tuple[list[str], list[str]]:
    """Write the starter files into ``folder``: (written, kept). A folder that holds anything is
    refused unless ``force``; even then no file that exists is replaced."""
    if folder.exists() and not folder.is_dir():
        raise PublishError([error(str(folder), None, "init.not-folder", "is a file; choose a new or empty folder")])
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise PublishError([error(str(folder), None, "init.not-empty", "is not empty; choose a new or empty folder, or "
                                  "pass --force to add the starter files it lacks (none that exists is replaced)")])
    written, kept = [], []
    for source in sorted(p for p in STARTER.rglob("*") if p.is_file()):
        relpath = source.relative_to(STARTER).as_posix()
        target = folder / relpath
        if target.exists() or target.is_symlink():
            kept.append(relpath)
            continue
        text = source.read_text(encoding="utf-8")
        text = text.replace("{id}", str(uuid.uuid4())).replace("{date}", now.instant.date().isoformat())
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PublishError([error(str(target.parent), None, "init.write", f"cannot be made ({exc.strerror})")]) from None
        write_source(target, text.encode("utf-8"), str(target), new=True)
        written.append(relpath)
    return written, kept
