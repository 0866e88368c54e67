"""One-channel builds: what a build of some channels keeps from the previous build.

``publish build --channel rss`` (the hourly feed job) starts its staging folder as the previous
build, drops the outputs of the channels it rebuilds, and keeps the rest with their manifest
entries. When the published articles or their disclaimers changed, nothing is kept: every
channel is rebuilt, so no page outlives its article.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath

from .output import MANIFEST, StagingFolder

CORE_KEYS = {"slug", "title", "source", "date", "updated", "id", "disclaimers", "outputs"}  # the pipeline writes these


def _link_or_copy(source: str, target: str) -> None:
    """Hard-link kept files (the staging folder replaces, never edits, them), else copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def manifest_files(manifest: dict, keys: set[str]) -> set[str]:
    """Paths the manifest lists under ``keys``: article outputs and site-wide outputs alike."""
    files = set()
    for article in manifest.get("articles", []):
        files |= {path for key, path in article.get("outputs", {}).items() if key in keys}
    for key in keys & set(manifest):
        value = manifest[key]
        files |= set(value.values()) if isinstance(value, dict) else {value} if isinstance(value, str) else set()
    return files


def carry_over(out: Path, staging: StagingFolder, previous: dict, rebuilt: set[str], unlisted: bool) -> None:
    """Start the staging folder as the previous build minus the outputs this build replaces.

    So ``publish build --channel rss`` refreshes the feeds and keeps the pages and leaflets.
    Only files kept are linked (nor are folders made for the rest). Files the manifest does not
    list (tag pages, layout assets, bundle files: the HTML channel's) are kept with ``unlisted``,
    when no channel that writes such files is rebuilt; else they are left to it, so a tag no
    article has any more leaves no page behind.
    """
    replaced = {PurePosixPath(p).as_posix() for p in manifest_files(previous, rebuilt) | {MANIFEST} if isinstance(p, str)}
    if unlisted:
        relpaths = (os.path.relpath(os.path.join(folder, name), out)
                    for folder, _, files in os.walk(out) for name in files)
    else:
        relpaths = manifest_files(previous, _all_keys(previous) - rebuilt)
    carried = set()
    for relpath in relpaths:
        relpath = PurePosixPath(relpath).as_posix() if isinstance(relpath, str) else ""
        source = out / relpath
        if relpath in replaced or relpath in carried or not _inside(relpath) or source.is_symlink() \
                or not source.is_file():
            continue
        target = staging.root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        _link_or_copy(str(source), str(target))
        carried.add(relpath)
    staging.carried = carried


def _all_keys(manifest: dict) -> set[str]:
    keys = {key for key in manifest if key != "articles"}
    for article in manifest.get("articles", []):
        if isinstance(article, dict) and isinstance(article.get("outputs"), dict):
            keys |= set(article["outputs"])
    return keys


def _inside(relpath: str) -> bool:
    """A plain relative path: a manifest read from disk may not lead the build outside its folder."""
    pure = PurePosixPath(relpath)
    return bool(relpath) and not pure.is_absolute() and ".." not in pure.parts and "\\" not in relpath


def kept_outputs(previous: dict, rebuilt: set[str], staging) -> dict[str, dict]:
    """Outputs of channels not rebuilt, from the previous manifest, where the files are still there.

    Keyed by slug; key "" holds the site-wide entries (index, leaflets, feeds).
    """
    def present(path) -> bool:
        return isinstance(path, str) and path in staging.carried

    kept: dict[str, dict] = {"": {}}
    for key, value in previous.items():
        if key == "articles" or key in rebuilt:
            continue
        if present(value) or (isinstance(value, dict) and value and all(present(v) for v in value.values())):
            kept[""][key] = value
    for article in previous["articles"]:
        outputs = article.get("outputs", {}) if isinstance(article, dict) else {}
        kept[str(article.get("slug"))] = {k: v for k, v in outputs.items() if k not in rebuilt and present(v)}
    return kept


def manifest_articles(articles, resolved) -> list[dict]:
    """The parts of manifest records that _published_set compares, for this build's articles."""
    return [{"slug": a.slug, "disclaimers": [{"sha256": d.sha256} for d in resolved[a.slug]]} for a in articles]


def published_set(manifest_articles) -> set:
    """What a kept output depends on beyond its own channel: which articles, with which disclaimers."""
    if isinstance(manifest_articles, dict):
        manifest_articles = manifest_articles.get("articles", [])
    return {
        (str(a.get("slug")), tuple(str(d.get("sha256")) for d in a.get("disclaimers", []) if isinstance(d, dict)))
        for a in manifest_articles if isinstance(a, dict)
    }


def kept_fields(previous: dict, rebuilt: set[str]) -> dict[str, dict]:
    """Per-article manifest keys that channels add (e.g. summary_source), for channels not rebuilt."""
    return {
        str(article.get("slug")): {k: v for k, v in article.items() if k not in CORE_KEYS and k not in rebuilt}
        for article in previous["articles"] if isinstance(article, dict)
    }
