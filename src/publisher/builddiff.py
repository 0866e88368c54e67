"""``publish diff OLD NEW``: what changed between two finished builds, for the audit trail.

Each build is read through its manifest with the audit's rules (audit.py), because a build folder
may be hand-edited or foreign: a manifest of the wrong shape, or a path in it that is absolute,
climbs with ``..``, has a backslash or leads out through a symbolic link, is an error, and such a
file is never read. Files are compared by the sha256 of their bytes, read in chunks. Files that
no manifest entry lists (tag pages, CSS, images) are found without following symbolic links: a
link is compared by where it points, as git does, so nothing outside the folder is read.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Optional

from .audit import REBUILD, _disclaimers, _inside, _kind, _load_manifest, _usable, manifest_records
from .errors import Diagnostic, error, raise_if_errors
from .output import MANIFEST

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
SHORT = 12  # hex digits of a sha256 shown to people; the JSON has them all
RECORD_KEYS = {"slug", "disclaimers", "outputs", "fingerprint", "approvals"}  # compared one by one
MAX_MANIFEST_BYTES = 64 * 1024 * 1024  # read whole: some 50,000 articles' records


# What one build holds, as the comparison needs it.

@dataclass(frozen=True)
class Approval:
    role: str
    by: str
    on: str
    fingerprint: str

    def __str__(self) -> str:
        return f"{self.role} by {self.by} on {self.on}"

    def as_json(self) -> dict:
        return {"role": self.role, "by": self.by, "on": self.on, "fingerprint": self.fingerprint}


@dataclass(frozen=True)
class Record:
    outputs: dict  # output name -> (path, content or None when the listed file is missing)
    disclaimers: dict  # id -> sha256 of the wording
    fingerprint: Optional[str]
    approvals: dict  # role -> Approval
    fields: dict  # every other key of the record (title, date, ...)


@dataclass(frozen=True)
class Build:
    articles: dict  # slug -> Record
    site: dict  # path -> (content or None when listed but missing, manifest key or None when unlisted)


# What differs. "content" is a file's sha256; "symlink:TARGET" for a link (never followed);
# "special" for a device, socket or pipe (never opened).

@dataclass(frozen=True)
class OutputChange:
    name: str
    old_path: Optional[str]
    new_path: Optional[str]
    old: Optional[str]  # content
    new: Optional[str]

    @property
    def status(self) -> str:
        return ADDED if self.old_path is None else REMOVED if self.new_path is None else CHANGED

    def label(self) -> str:
        """'html', 'pdf (added)', 'summary_text (missing in the new build)'."""
        if self.status != CHANGED:
            return f"{self.name} ({self.status})"
        notes = [f"missing in the {side} build" for side, content in (("old", self.old), ("new", self.new))
                 if content is None]
        if self.old_path != self.new_path:
            notes.append(f"{self.old_path} -> {self.new_path}")
        return self.name + (f" ({'; '.join(notes)})" if notes else "")

    def as_json(self) -> dict:
        return {"name": self.name, "status": self.status,
                "old": None if self.old_path is None else {"path": self.old_path, "sha256": self.old},
                "new": None if self.new_path is None else {"path": self.new_path, "sha256": self.new}}


@dataclass(frozen=True)
class ApprovalChange:
    role: str
    old: Optional[Approval]
    new: Optional[Approval]

    def __str__(self) -> str:
        old, new = str(self.old or "(none)"), str(self.new or "(none)")
        if old == new:  # same reviewer and day, other words signed
            return f"{old} ({self.old.fingerprint[:SHORT + 7]} -> {self.new.fingerprint[:SHORT + 7]})"
        return f"{old} -> {new}"

    def as_json(self) -> dict:
        return {"role": self.role, "old": self.old and self.old.as_json(), "new": self.new and self.new.as_json()}


@dataclass(frozen=True)
class ArticleChange:
    slug: str
    status: str
    outputs: tuple[OutputChange, ...]  # only those that differ
    disclaimers: tuple[str, ...] = ()  # ids whose presence or wording differs for this article
    fingerprint: Optional[tuple[Optional[str], Optional[str]]] = None  # (old, new) when it differs
    approvals: tuple[ApprovalChange, ...] = ()
    fields: tuple[str, ...] = ()  # other record keys that differ

    def line(self) -> str:
        if self.status != CHANGED:
            names = ", ".join(o.name for o in self.outputs) or "no outputs"
            signed = [str(a.new or a.old) for a in self.approvals]
            return f"{self.slug}: {names}" + (f" (approvals: {', '.join(signed)})" if signed else "")
        notes = []
        if self.disclaimers:
            notes.append(f"disclaimers: {', '.join(self.disclaimers)}")
        if self.fingerprint:
            old, new = self.fingerprint
            notes.append(f"fingerprint {ADDED if old is None else REMOVED if new is None else CHANGED}")
        if self.approvals:
            notes.append(f"approvals: {', '.join(str(a) for a in self.approvals)}")
        if self.fields:
            notes.append(f"{', '.join(self.fields)} changed")
        head = ", ".join(o.label() for o in self.outputs) or "outputs unchanged"
        return f"{self.slug}: {head}" + (f" ({'; '.join(notes)})" if notes else "")

    def as_json(self) -> dict:
        return {"slug": self.slug, "status": self.status, "outputs": [o.as_json() for o in self.outputs],
                "disclaimers": list(self.disclaimers),
                "fingerprint": self.fingerprint and {"old": self.fingerprint[0], "new": self.fingerprint[1]},
                "approvals": [a.as_json() for a in self.approvals], "fields": list(self.fields)}


@dataclass(frozen=True)
class DisclaimerChange:
    id: str
    old: tuple[str, ...]  # the sha256 of each wording the old build's articles carry (one, normally)
    new: tuple[str, ...]
    articles: tuple[str, ...]  # the articles that carry it, in either build

    @property
    def status(self) -> str:
        return ADDED if not self.old else REMOVED if not self.new else CHANGED

    def line(self) -> str:
        old, new = (" / ".join(sha[:SHORT] for sha in shas) for shas in (self.old, self.new))
        versions = f"{old} -> {new}" if self.status == CHANGED else old or new
        return f"{self.id}: {versions} (carried by {', '.join(self.articles)})"

    def as_json(self) -> dict:
        return {"id": self.id, "status": self.status, "old": list(self.old), "new": list(self.new),
                "articles": list(self.articles)}


@dataclass(frozen=True)
class SiteFileChange:
    path: str
    status: str
    old: Optional[str]  # content, None when absent
    new: Optional[str]
    output: Optional[str] = None  # the manifest key that lists it ("index", "feeds.rss"); None: unlisted
    note: str = ""  # e.g. "listed in the new manifest but missing"

    def line(self) -> str:
        notes = "; ".join(n for n in (self.output, self.note) if n)
        return self.path + (f" ({notes})" if notes else "")

    def as_json(self) -> dict:
        return {"path": self.path, "status": self.status, "output": self.output, "note": self.note,
                "old": self.old, "new": self.new}


@dataclass(frozen=True)
class BuildDiff:
    articles: tuple[ArticleChange, ...] = ()  # sorted by slug
    disclaimers: tuple[DisclaimerChange, ...] = ()  # sorted by id
    site_files: tuple[SiteFileChange, ...] = ()  # sorted by path

    @property
    def changed(self) -> bool:
        return bool(self.articles or self.disclaimers or self.site_files)

    def as_text(self) -> str:
        """For people: one section per kind of change, one line per change."""
        if not self.changed:
            return "No differences."
        lines = []
        for title, changes in (("Articles", self.articles), ("Disclaimers", self.disclaimers),
                               ("Site files", self.site_files)):
            if changes:
                lines.append(f"{title}: {_counts(changes)}")
                lines += [_printable(f"  {c.status:<8} {c.line()}") for c in changes]
        return "\n".join(lines)

    def as_json(self) -> dict:
        return {"changed": self.changed,
                "articles": [a.as_json() for a in self.articles],
                "disclaimers": [d.as_json() for d in self.disclaimers],
                "site_files": {**{s: sum(f.status == s for f in self.site_files) for s in (ADDED, REMOVED, CHANGED)},
                               "files": [f.as_json() for f in self.site_files]}}


def _printable(line: str) -> str:
    """Names come from the folders (file names, slugs): a newline or a control character in one
    is shown escaped, so it cannot break a line in two or forge one."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode("ascii")
                   for c in line)


def _counts(changes) -> str:
    return ", ".join(f"{sum(c.status == s for c in changes)} {s}" for s in (ADDED, REMOVED, CHANGED))


def diff_builds(old: Path, new: Path) -> BuildDiff:
    """Compare two build folders; every problem with either is raised at once (PublishError)."""
    old_build, problems = read_build(Path(old))
    new_build, more = read_build(Path(new))
    raise_if_errors(problems + more)
    return BuildDiff(
        articles=tuple(_article_changes(old_build.articles, new_build.articles)),
        disclaimers=tuple(_disclaimer_changes(old_build.articles, new_build.articles)),
        site_files=tuple(_site_changes(old_build.site, new_build.site)),
    )


# Reading a build

def read_build(folder: Path) -> tuple[Optional[Build], list[Diagnostic]]:
    """The build in ``folder``, or None and why it cannot be compared."""
    where = f"{folder}/{MANIFEST}"
    if not folder.is_dir():
        why = "it is not a folder" if folder.exists() else "it does not exist"
        return None, [error(folder, None, "diff.manifest", f"not a publisher build: {why}; give the folder "
                            "'publish build' wrote")]
    if not os.path.lexists(folder / MANIFEST):
        return None, [error(where, None, "diff.manifest", "not a publisher build: there is no manifest.json in "
                            "the folder; give the folder 'publish build' wrote")]
    if _manifest_size(folder) > MAX_MANIFEST_BYTES:
        return None, [error(where, None, "diff.manifest", f"not a publisher build: manifest.json is over "
                            f"{MAX_MANIFEST_BYTES // 2**20} MB; it was not read")]
    manifest, problems = _load_manifest(folder)
    if manifest is None:
        return None, [Diagnostic(d.path, d.line, "diff.manifest", d.message) for d in problems]
    tree = _tree(folder, problems)
    articles = _records(folder, manifest, tree, problems)
    listed = {path for record in articles.values() for path, _ in record.outputs.values()} | {MANIFEST}
    site = {path: (content, None) for path, content in tree.items() if path not in listed}
    for path, key in _site_outputs(folder, manifest, problems):
        if path not in listed:
            content = _listed_content(folder, path, tree, problems)
            named = site.get(path, (None, None))[1]
            site[path] = (content, f"{named}, {key}" if named else key)
    return Build(articles, site), problems


def _manifest_size(folder: Path) -> int:
    """0 when it cannot be told; _load_manifest then says why."""
    path = folder / MANIFEST
    try:
        return path.stat().st_size if path.is_file() and _inside(folder, path) else 0
    except OSError:
        return 0


def _records(folder: Path, manifest: dict, tree: dict, problems: list[Diagnostic]) -> dict[str, Record]:
    bad = _reporter(folder, problems)
    records = {}
    for at, slug, record in manifest_records(manifest, bad):
        at = f"{at} (article {slug!r})"
        disclaimers = _disclaimers(record.get("disclaimers", []), f"{at}.disclaimers", bad) or []
        if len(dict(disclaimers)) != len(disclaimers):
            bad(f"{at}.disclaimers lists one disclaimer twice")
        outputs = record.get("outputs", {})
        if not isinstance(outputs, dict):
            bad(f"{at}.outputs is {_kind(outputs)}, not an object of output paths")
            outputs = {}
        files = {}
        for name, value in outputs.items():
            path = _safe_path(folder, value, f"{at}.outputs.{name}", problems)
            if path is not None:
                files[name] = (path, _listed_content(folder, path, tree, problems))
        fingerprint = record.get("fingerprint")
        if fingerprint is not None and not isinstance(fingerprint, str):
            bad(f"{at}.fingerprint is {_kind(fingerprint)}, not a string")
        records[slug] = Record(files, dict(disclaimers), fingerprint if isinstance(fingerprint, str) else None,
                               _approvals(record.get("approvals", []), f"{at}.approvals", bad),
                               {k: v for k, v in record.items() if k not in RECORD_KEYS})
    return records


def _approvals(value, at: str, bad) -> dict[str, Approval]:
    """role -> Approval; the key is optional (builds before approvals have none)."""
    if not isinstance(value, list):
        bad(f"{at} is {_kind(value)}, not a list")
        return {}
    found = {}
    for index, item in enumerate(value):
        keys = ("role", "by", "on", "fingerprint")
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in keys):
            bad(f"{at}[{index}] is {_kind(item)}, not an object with 'role', 'by', 'on' and 'fingerprint' strings")
        elif item["role"] in found:
            bad(f"{at}[{index}] lists the {item['role']!r} approval a second time")
        else:
            found[item["role"]] = Approval(*(item[k] for k in keys))
    return found


def _site_outputs(folder: Path, manifest: dict, problems: list[Diagnostic]):
    """(path, manifest key) of every site-wide output: top-level keys other than 'articles'."""
    bad = _reporter(folder, problems)
    for key, value in sorted(manifest.items()):
        if key == "articles":
            continue
        if isinstance(value, str):
            named = [(key, value)]
        elif isinstance(value, dict):
            named = [(f"{key}.{name}", path) for name, path in sorted(value.items())]
        else:
            bad(f"{key} is {_kind(value)}, not an output path or an object of output paths")
            continue
        for at, value in named:
            path = _safe_path(folder, value, at, problems)
            if path is not None:
                yield path, at


def _safe_path(folder: Path, value, at: str, problems: list[Diagnostic]) -> Optional[str]:
    """``value`` as a plain relative path inside ``folder``, or None and an error. A listed file
    that is missing is no error here: it is a difference, reported as such."""
    refused = []
    _usable(folder, value, at, f"the {at} output", refused.append, [])
    if refused:
        code = "diff.path" if isinstance(value, str) else "diff.manifest"
        problems.append(error(f"{folder}/{MANIFEST}", None, code, f"{refused[0]}; {REBUILD}"))
        return None
    return PurePosixPath(value).as_posix()


def _reporter(folder: Path, problems: list[Diagnostic]):
    def bad(message: str) -> None:
        problems.append(error(f"{folder}/{MANIFEST}", None, "diff.manifest", f"{message}; {REBUILD}"))
    return bad


def _tree(folder: Path, problems: list[Diagnostic]) -> dict[str, str]:
    """Relative path -> content of everything under ``folder`` but the manifest; no link is followed."""
    found, pending = {}, [""]
    while pending:
        relative = pending.pop()
        try:
            with os.scandir(folder / relative) as entries:
                entries = list(entries)
        except OSError as exc:
            problems.append(error(f"{folder}/{relative}", None, "diff.unreadable",
                                  f"the folder cannot be listed ({exc.strerror})"))
            continue
        for entry in entries:
            path = f"{relative}/{entry.name}" if relative else entry.name
            try:
                if entry.is_symlink():
                    found[path] = "symlink:" + os.readlink(entry.path)
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(path)
                elif entry.is_file(follow_symlinks=False):
                    found[path] = _sha256(entry.path, follow=False)
                else:
                    found[path] = "special"
            except OSError as exc:
                problems.append(error(f"{folder}/{path}", None, "diff.unreadable",
                                      f"the file cannot be read ({exc.strerror})"))
    found.pop(MANIFEST, None)
    return found


def _listed_content(folder: Path, path: str, tree: dict, problems: list[Diagnostic]) -> Optional[str]:
    """A listed file's sha256, None when it is missing. Its path was checked (_safe_path), so a
    link in it leads inside the folder and is followed, as readers of the build follow it."""
    found = tree.get(path)
    if found is not None and not found.startswith(("symlink:", "special")):  # hashed by _tree already
        return found
    try:
        return _sha256(folder / path) if (folder / path).is_file() else None
    except OSError as exc:
        problems.append(error(f"{folder}/{path}", None, "diff.unreadable", f"the file cannot be read ({exc.strerror})"))
        return None


def _sha256(path, follow: bool = True) -> str:
    """Streamed: memory stays bounded however large the file."""
    flags = os.O_RDONLY | (0 if follow else getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(os.open(path, flags), "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


# Comparing two builds

def _article_changes(old: dict[str, Record], new: dict[str, Record]):
    for slug in sorted(old.keys() | new.keys()):
        before, after = old.get(slug), new.get(slug)
        if before is None or after is None:
            record = before or after
            status = ADDED if before is None else REMOVED
            outputs = tuple(OutputChange(name, *((None, path, None, content) if status == ADDED
                                                 else (path, None, content, None)))
                            for name, (path, content) in sorted(record.outputs.items()))
            approvals = tuple(ApprovalChange(role, None, a) if status == ADDED else ApprovalChange(role, a, None)
                              for role, a in sorted(record.approvals.items()))
            yield ArticleChange(slug, status, outputs, approvals=approvals)
            continue
        change = ArticleChange(
            slug, CHANGED,
            outputs=tuple(OutputChange(name, *_pair(before.outputs, after.outputs, name))
                          for name in sorted(before.outputs.keys() | after.outputs.keys())
                          if before.outputs.get(name) != after.outputs.get(name)),
            disclaimers=_differing(before.disclaimers, after.disclaimers),
            fingerprint=(before.fingerprint, after.fingerprint) if before.fingerprint != after.fingerprint else None,
            approvals=tuple(ApprovalChange(role, before.approvals.get(role), after.approvals.get(role))
                            for role in _differing(before.approvals, after.approvals)),
            fields=_differing(before.fields, after.fields),
        )
        if change.outputs or change.disclaimers or change.fingerprint or change.approvals or change.fields:
            yield change


def _pair(old: dict, new: dict, name: str) -> tuple:
    """(old path, new path, old content, new content) of one output."""
    (old_path, old_content), (new_path, new_content) = old.get(name, (None, None)), new.get(name, (None, None))
    return old_path, new_path, old_content, new_content


def _differing(old: dict, new: dict) -> tuple[str, ...]:
    return tuple(sorted(key for key in old.keys() | new.keys() if old.get(key, KeyError) != new.get(key, KeyError)))


def _disclaimer_changes(old: dict[str, Record], new: dict[str, Record]):
    def versions(records: dict[str, Record]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for record in records.values():
            for id_, sha in record.disclaimers.items():
                found.setdefault(id_, set()).add(sha)
        return found

    before, after = versions(old), versions(new)
    for id_ in sorted(before.keys() | after.keys()):
        if before.get(id_) != after.get(id_):
            carriers = {slug for records in (old, new) for slug, r in records.items() if id_ in r.disclaimers}
            yield DisclaimerChange(id_, tuple(sorted(before.get(id_, ()))), tuple(sorted(after.get(id_, ()))),
                                   tuple(sorted(carriers)))


def _site_changes(old: dict, new: dict):
    for path in sorted(old.keys() | new.keys()):
        (before, old_key), (after, new_key) = old.get(path, (None, None)), new.get(path, (None, None))
        if before == after:
            continue
        status = ADDED if before is None else REMOVED if after is None else CHANGED
        missing = [side for side, content, key in (("old", before, old_key), ("new", after, new_key))
                   if key is not None and content is None]
        note = f"listed in the {missing[0]} manifest but missing" if missing else ""
        yield SiteFileChange(path, status, before, after, new_key or old_key, note)
