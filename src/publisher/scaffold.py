"""``publish new``: a valid draft article with a fresh, permanent id."""

from __future__ import annotations

import uuid
from pathlib import Path

import yaml

from .addresses import slugify
from .dates import Moment
from .errors import PublishError, error
from .frontmatter import write_source
from .schema import MAX_SLUG, SLUG_RE


# What `publish new` writes for an author to replace: a published article that still holds one is
# refused with its line (content.py), so no scaffold text reaches a reader.
DESCRIPTION_PLACEHOLDER = "TODO: say in one or two sentences what"
BODY_PLACEHOLDER = "Write the article here, with sections starting at '##'."
PLACEHOLDERS = (DESCRIPTION_PLACEHOLDER, BODY_PLACEHOLDER)


def new_article(content: Path, title: str, *, slug: str | None, author: str | None,
                description: str | None, date: Moment) -> Path:
    if not title.strip():
        raise ValueError("the title must not be empty")
    slug = slug or slugify(title)
    if not SLUG_RE.fullmatch(slug) or len(slug) > MAX_SLUG:
        raise ValueError(f"cannot use {slug!r} as a slug; pass --slug with lowercase letters, digits and hyphens, "
                         f"at most {MAX_SLUG} characters")
    if not author:
        raise ValueError("no author: pass --author NAME or set [site] author in publish.toml")
    path = content / f"{slug}.md"
    if path.exists() or path.is_symlink() or (content / slug / "index.md").exists():
        raise PublishError([error(str(path), None, "new.exists", "an article with this slug exists; pass another --slug")])
    front_matter = {
        "id": str(uuid.uuid4()),
        "title": title.strip(),
        "date": date.isoformat(),
        "author": author,
        "description": description or f"{DESCRIPTION_PLACEHOLDER} {title.strip()!r} covers.",
        "status": "draft",
        "tags": [],
        "disclaimers": [],
    }
    text = "---\n" + yaml.safe_dump(front_matter, sort_keys=False, allow_unicode=True) + "---\n\n" \
        f"## First section\n\n{BODY_PLACEHOLDER}\n"
    content.mkdir(parents=True, exist_ok=True)
    write_source(path, text.encode("utf-8"), str(path), new=True)
    return path
