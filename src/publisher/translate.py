"""``publish translate SLUG --lang es``: a draft translation that already says what it follows.

It starts as a copy of the original (its words to translate, its tags, disclaimers, sources and
summary) with ``lang``, ``translation_of`` and ``translated_from`` (the original's fingerprint
now) filled in, ``status: draft`` and an id of its own, at ``content/<lang>/<slug>.md``.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import yaml

from .dates import Moment
from .editions import original_fingerprint
from .errors import PublishError, error
from .frontmatter import write_source
from .model import Article

NOTE = ("# A draft translation of {source}: translate every text below (title, description, tags,\n"
        "# summary and body). translated_from says which version of the original it follows: when the\n"
        "# original changes, the build says so and gives the new fingerprint.\n")


class _Dumper(yaml.SafeDumper):
    """Safe YAML, with text of several lines (a summary) as a literal block, as authors write it."""


_Dumper.add_representer(str, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None))


def translation_draft(original: Article, lang: str, slug: str, date: Moment) -> str:
    front = {
        "id": str(uuid.uuid4()),
        "title": original.title,
        "date": date.isoformat(),
        "author": original.author,
        "description": original.description,
        "lang": lang,
        "translation_of": original.slug,
        "translated_from": original_fingerprint(original),
        "status": "draft",
        "tags": list(original.tags),
        "disclaimers": list(original.disclaimer_refs),
    }
    if original.plain_summary:
        front["plain_summary"] = original.plain_summary
    if original.sources:
        front["sources"] = [{k: v for k, v in (("title", s.title), ("url", s.url), ("publisher", s.publisher),
                                               ("year", s.year)) if v is not None} for s in original.sources]
    if slug != original.slug:
        front["slug"] = slug
    dumped = yaml.dump(front, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return "---\n" + NOTE.format(source=original.source) + dumped + "---\n" + original.body


def write_translation(content: Path, shown_folder: str, original: Article, lang: str, slug: str | None,
                      date: Moment) -> tuple[Path, str]:
    """Write the draft; (its path, as messages show it). Refuses to replace any file."""
    slug = slug or original.slug
    path = content / lang / f"{slug}.md"
    shown = f"{shown_folder}/{lang}/{slug}.md"
    if path.exists() or path.is_symlink() or (content / lang / slug / "index.md").exists():
        raise PublishError([error(shown, None, "translate.exists", "a file of this name exists; edit it, or pass "
                                  "another --slug")])
    if (content / lang).is_symlink():
        raise PublishError([error(f"{shown_folder}/{lang}", None, "file.link", "is a symbolic link, and publish "
                                  "never writes through one: make it a folder")])
    (content / lang).mkdir(parents=True, exist_ok=True)
    write_source(path, translation_draft(original, lang, slug, date).encode("utf-8"), shown, new=True)
    return path, shown
