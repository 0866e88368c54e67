"""Unchanged articles are not rendered again: their outputs are linked from the last build.

A channel whose render of one article reads only that article's entry and the build's shared
inputs says so with ``renders_alone = True`` (the article page, the summary page and text; not
the leaflets, whose list page needs every render). For those, a ledger in
``.cache/publisher/rendered/`` records per article and channel a digest of everything the render
read, the files it wrote (with their inode, size and mtime in the output folder) and what else it
left (manifest fields, warnings). A later build whose digest is the same, and whose files from the
last build are still as written, hard-links them into its staging folder instead of rendering.

Shared inputs: our code, the renderers' versions, the layouts, publish.toml, the glossary, the
channels built and the site-wide outputs. Per article: its slug, source file (by hash) and bundle
files, its disclaimers (by hash), its outputs and its summary. "Now" is not one: no per-article
render reads it (the feeds and index, which do, are written every build).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from . import __version__
from .cache import cache_key, folder_digest
from .errors import warning
from .model import Entry
from .uptodate import signature

LEDGERS = "rendered"
RENDERERS = ("jinja2", "markupsafe", "nh3", "textstat", "PyYAML")


class Ledger:
    """What each article's renders wrote in the last build of one output folder."""

    def __init__(self, cache_dir: Path | None, out: Path) -> None:
        key = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:24]
        self.path = cache_dir / LEDGERS / f"{key}.json" if cache_dir is not None else None
        self.out = out
        self.shared = ""
        self._previous: dict = {}
        self._next: dict[str, dict[str, dict]] = {}
        self.linked: set[str] = set()  # outputs linked from the last build: its gate passed them as they are

    def start(self, ctx, chosen: list[str], markdown_version: str) -> None:
        """Work out the shared digest (once the site-wide outputs are known) and read the ledger."""
        if self.path is None:
            return
        self.shared = cache_key(
            __version__, _code_digest(), markdown_version, *_versions(), folder_digest(ctx.layouts),
            _read(ctx.project / "publish.toml"), _read(ctx.content / "glossary.yaml"), str(ctx.project),
            ctx.layouts_shown, json.dumps(sorted(chosen)), json.dumps(sorted(ctx.requested)),
            json.dumps(ctx.site_outputs, sort_keys=True, default=str),
        )
        try:
            ledger = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(ledger, dict) and isinstance(ledger.get("articles"), dict):
            self._previous = ledger["articles"]

    def render(self, channel, entry: Entry, ctx) -> None:
        """Render ``entry`` on ``channel``, or link what the last build wrote for the same inputs."""
        if self.path is None or not getattr(channel, "renders_alone", False):
            channel.render(entry, ctx)
            return
        slug = entry.article.slug
        digest = cache_key(self.shared, channel.name, _article_digest(entry, ctx))
        last = self._previous.get(slug, {}).get(channel.name)
        if isinstance(last, dict) and last.get("digest") == digest and self._link(last, ctx):
            ctx.diagnostics += [warning(*fields) for fields in last["warnings"]]
            if last["fields"]:
                ctx.article_fields.setdefault(slug, {}).update(last["fields"])
            ctx.reused[channel.name] = ctx.reused.get(channel.name, 0) + len(last["files"])
            self._next.setdefault(slug, {})[channel.name] = last
            return
        written, noted = len(ctx.staging.order), len(ctx.diagnostics)
        fields_before = dict(ctx.article_fields.get(slug, {}))
        channel.render(entry, ctx)
        fields = {k: v for k, v in ctx.article_fields.get(slug, {}).items() if fields_before.get(k, object()) != v}
        self._next.setdefault(slug, {})[channel.name] = {
            "digest": digest,
            "files": {path: None for path in ctx.staging.order[written:]},
            "fields": fields,
            "warnings": [[d.path, d.line, d.code, d.message] for d in ctx.diagnostics[noted:] if not d.is_error],
        }

    def record(self, slug: str, channel: str) -> dict | None:
        """What this build noted for one article's render (for fanout.py to pass between processes)."""
        return self._next.get(slug, {}).get(channel)

    def keep(self, slug: str, channel: str, record: dict) -> None:
        self._next.setdefault(slug, {})[channel] = record

    def _link(self, last: dict, ctx) -> bool:
        files = last.get("files")
        if not isinstance(files, dict) or not isinstance(last.get("warnings"), list) \
                or not isinstance(last.get("fields"), dict):
            return False
        sources = {}
        for relpath, recorded in files.items():
            source = self.out / relpath
            if recorded is None or signature(str(source)) != recorded or relpath in ctx.staging.written:
                return False  # changed or gone since it was written: render it again
            sources[relpath] = source
        for relpath, source in sources.items():
            target = ctx.staging.path_for(relpath)
            try:
                os.link(source, target)
            except OSError:
                shutil.copy2(source, target)
        self.linked.update(sources)
        return True

    def save(self, chosen: list[str]) -> None:
        """After the swap: note where every file now is, keep other channels' records, write."""
        if self.path is None:
            return
        articles: dict[str, dict] = {}
        for slug, channels in self._previous.items():
            if isinstance(channels, dict):
                kept = {name: record for name, record in channels.items() if name not in chosen}
                if kept:
                    articles[slug] = kept
        for slug, channels in self._next.items():
            for name, record in channels.items():
                files = {path: signature(str(self.out / path)) for path in record["files"]}
                articles.setdefault(slug, {})[name] = {**record, "files": files}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps({"articles": articles}, sort_keys=True), encoding="utf-8")
        os.replace(partial, self.path)


def _article_digest(entry: Entry, ctx) -> str:
    article = entry.article
    bundle = []
    if article.bundle_dir:
        folder = Path(article.bundle_dir)
        bundle = [(p.relative_to(folder).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest())
                  for p in sorted(folder.rglob("*")) if p.is_file()]
    return cache_key(
        article.slug, article.source, article.sha256, json.dumps(bundle),
        json.dumps([[d.id, d.sha256] for d in entry.disclaimers]),
        json.dumps(ctx.outputs.get(article.slug, {}), sort_keys=True),
        entry.summary or "", entry.summary_source or "",
    )


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


_CODE: list[str] = []


def _code_digest() -> str:
    """Our own code, by content: an edited channel or template filter renders everything again."""
    if not _CODE:
        _CODE.append(folder_digest(Path(__file__).parent, skip="__pycache__"))
    return _CODE[0]


def _versions() -> list[str]:
    from importlib import metadata

    found = []
    for name in RENDERERS:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} absent")
    return found
