"""The last build of one output folder, and what of it may stand in this one.

Two things are taken from it, both decided by the declared inputs (inputs.py):

- **One-channel builds** (``publish build --channel rss``, the hourly feed job) start the staging
  folder as the last build minus the outputs of the channels they rebuild, and keep the rest with
  their manifest entries. A channel whose inputs changed since its outputs were made (its digest
  differs), or any channel when the published articles or their disclaimers changed, is rebuilt
  too: no kept page outlives its article, its layout or its settings.
- **Unchanged renders** of channels that render alone (the article page, the summary page and
  text) are hard-linked from the last build when the digest of what the render read is the same
  and its files are still as written (inode, size and mtime).

The record of what each render read and wrote, and of each channel's digest, is the ledger in
``.cache/publisher/rendered/``; without a cache only the manifest is read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath

from .cache import write_atomically
from .output import MANIFEST, StagingFolder, output_key, read_manifest, signature

LEDGERS = "rendered"
CORE_KEYS = {"slug", "title", "source", "date", "updated", "id", "disclaimers", "outputs", "fingerprint", "approvals"}  # the pipeline writes these


class PreviousBuild:
    def __init__(self, out: Path, cache_dir: Path | None) -> None:
        self.out = out
        self.manifest = read_manifest(out) if out.is_dir() else None
        self.path = cache_dir / LEDGERS / f"{output_key(out)}.json" if cache_dir is not None else None
        ledger = _read_ledger(self.path)
        self.digests: dict[str, str] = ledger["channels"]  # channel -> digest of the inputs its outputs came from
        self._renders: dict[str, dict] = ledger["articles"]  # slug -> channel -> record of its render
        self._next: dict[str, dict[str, dict]] = {}
        self.linked: set[str] = set()  # outputs linked from the last build (noted by the pipeline's merge)

    # --- one-channel builds ---------------------------------------------------------------------

    def published_set(self) -> set:
        """What a kept output depends on beyond its own channel: which articles, with which disclaimers."""
        return published_set(self.manifest.get("articles", []) if self.manifest else [])

    def stale(self, name: str, digest: str) -> bool:
        """True when the channel's outputs in the last build came from other inputs than today's."""
        return name in self.digests and self.digests[name] != digest

    def carry_over(self, staging: StagingFolder, rebuilt: set[str], unlisted: bool) -> None:
        """Start the staging folder as the last build minus the outputs this build replaces.

        Files the manifest does not list (tag pages, layout assets, bundle files: the HTML channel's)
        are kept with ``unlisted``, when no channel that writes such files is rebuilt; else they are
        left to it, so a tag no article has any more leaves no page behind.
        """
        previous = self.manifest
        replaced = {PurePosixPath(p).as_posix() for p in manifest_files(previous, rebuilt) | {MANIFEST}
                    if isinstance(p, str)}
        if unlisted:
            relpaths = (os.path.relpath(os.path.join(folder, name), self.out)
                        for folder, _, files in os.walk(self.out) for name in files)
        else:
            relpaths = manifest_files(previous, _all_keys(previous) - rebuilt)
        for relpath in relpaths:
            relpath = PurePosixPath(relpath).as_posix() if isinstance(relpath, str) else ""
            source = self.out / relpath
            if relpath in replaced or relpath in staging.carried or not plain_relative(relpath) or source.is_symlink() \
                    or not source.is_file():
                continue
            staging.carry(source, relpath)

    def kept_outputs(self, rebuilt: set[str], staging: StagingFolder) -> dict[str, dict]:
        """Outputs of channels not rebuilt, from the last manifest, where the files were kept.

        Keyed by slug; key "" holds the site-wide entries (index, leaflets, feeds).
        """
        def present(path) -> bool:
            return isinstance(path, str) and path in staging.carried

        kept: dict[str, dict] = {"": {}}
        for key, value in self.manifest.items():
            if key == "articles" or key in rebuilt:
                continue
            if present(value) or (isinstance(value, dict) and value and all(present(v) for v in value.values())):
                kept[""][key] = value
        for article in self.manifest["articles"]:
            outputs = article.get("outputs", {}) if isinstance(article, dict) else {}
            kept[str(article.get("slug"))] = {k: v for k, v in outputs.items() if k not in rebuilt and present(v)}
        return kept

    def kept_fields(self, rebuilt: set[str]) -> dict[str, dict]:
        """Per-article manifest keys that channels add (e.g. summary_source), for channels not rebuilt."""
        return {
            str(article.get("slug")): {k: v for k, v in article.items() if k not in CORE_KEYS and k not in rebuilt}
            for article in self.manifest["articles"] if isinstance(article, dict)
        }

    # --- unchanged renders ----------------------------------------------------------------------

    def reuse(self, channel: str, slug: str, digest: str, staging: StagingFolder) -> dict | None:
        """The last build's record of a render from the same inputs, its files linked into staging;
        or None (render it again)."""
        if self.path is None:
            return None
        last = self._renders.get(slug, {}).get(channel) if isinstance(self._renders.get(slug), dict) else None
        if not (isinstance(last, dict) and last.get("digest") == digest and isinstance(last.get("files"), dict)
                and isinstance(last.get("warnings"), list) and isinstance(last.get("fields"), dict)):
            return None
        for relpath, recorded in last["files"].items():
            if recorded is None or signature(str(self.out / relpath)) != recorded or relpath in staging.written:
                return None  # changed or gone since it was written
        for relpath in last["files"]:
            staging.link(self.out / relpath, relpath)
        return last

    def note(self, channel: str, slug: str, digest: str, files: list[str], fields: dict, warnings: list) -> dict:
        """Record what one render read (its digest) and left, for the next build."""
        record = {"digest": digest, "files": {path: None for path in files}, "fields": fields,
                  "warnings": [[d.path, d.line, d.code, d.message] for d in warnings if not d.is_error]}
        self.keep(channel, slug, record)
        return record

    def keep(self, channel: str, slug: str, record: dict) -> None:
        self._next.setdefault(slug, {})[channel] = record

    def save(self, digests: dict[str, str]) -> None:
        """After the swap: the channels built (with their digests), where every file now is, and the
        other channels' records as they were."""
        if self.path is None:
            return
        articles: dict[str, dict] = {}
        for slug, channels in self._renders.items():
            if isinstance(channels, dict):
                kept = {name: record for name, record in channels.items() if name not in digests}
                if kept:
                    articles[slug] = kept
        for slug, channels in self._next.items():
            for name, record in channels.items():
                files = {path: signature(str(self.out / path)) for path in record["files"]}
                articles.setdefault(slug, {})[name] = {**record, "files": files}
        ledger = {"channels": {**self.digests, **digests}, "articles": articles}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, json.dumps(ledger, sort_keys=True).encode("utf-8"))


def _read_ledger(path: Path | None) -> dict:
    empty = {"channels": {}, "articles": {}}
    if path is None:
        return empty
    try:
        ledger = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return empty
    if not isinstance(ledger, dict) or not isinstance(ledger.get("articles"), dict):
        return empty
    channels = ledger.get("channels")
    return {"channels": channels if isinstance(channels, dict) else {}, "articles": ledger["articles"]}


def manifest_files(manifest: dict, keys: set[str]) -> set[str]:
    """Paths the manifest lists under ``keys``: article outputs and site-wide outputs alike."""
    files = set()
    for article in manifest.get("articles", []):
        files |= {path for key, path in article.get("outputs", {}).items() if key in keys}
    for key in keys & set(manifest):
        value = manifest[key]
        files |= set(value.values()) if isinstance(value, dict) else {value} if isinstance(value, str) else set()
    return files


def manifest_articles(articles, resolved, reviews=None) -> list[dict]:
    """The parts of manifest records that published_set compares, for this build's articles;
    ``reviews``: slug -> the reviews its pages show."""
    return [{"slug": a.slug, "disclaimers": [{"sha256": d.sha256} for d in resolved[a.slug]],
             "approvals": [{"role": r.role, "by": r.by, "on": r.on.isoformat()}
                           for r in (reviews or {}).get(a.slug, ()) if r.fingerprint]} for a in articles]


def published_set(manifest_articles: list) -> set:
    """Which articles, with which disclaimers and which approvals shown: what a kept page of another
    channel states beyond its own article."""
    return {
        (str(a.get("slug")), tuple(str(d.get("sha256")) for d in a.get("disclaimers", []) if isinstance(d, dict)),
         tuple(tuple(str(r.get(k)) for k in ("role", "by", "on")) for r in a.get("approvals", []) if isinstance(r, dict)))
        for a in manifest_articles if isinstance(a, dict)
    }


def _all_keys(manifest: dict) -> set[str]:
    keys = {key for key in manifest if key != "articles"}
    for article in manifest.get("articles", []):
        if isinstance(article, dict) and isinstance(article.get("outputs"), dict):
            keys |= set(article["outputs"])
    return keys


def plain_relative(relpath: str) -> bool:
    """A plain relative path: a manifest read from disk may not lead the build outside its folder."""
    pure = PurePosixPath(relpath)
    return bool(relpath) and not pure.is_absolute() and ".." not in pure.parts and "\\" not in relpath
