"""A content-addressed cache of rendered outputs, under ``<project>/.cache/publisher/``.

The key is a hash of everything that shapes an output, so a hit is always safe to reuse and
the whole folder is always safe to delete. Entries are written atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

CACHE_DIR = Path(".cache") / "publisher"


def cache_key(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))  # length-prefixed: parts cannot run together
        digest.update(data)
    return digest.hexdigest()


class Memo:
    """What a pure function made, kept in this process by a digest of all it reads, the newest
    ``size``: a long-lived process (``publish serve``) does not parse or sanitise again what did
    not change. Only the digest is kept as the key, never a copy of the input."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: dict[str, Any] = {}

    def get(self, parts: tuple, make):
        key = cache_key(*parts)
        if key in self._kept:
            value = self._kept[key] = self._kept.pop(key)  # the newest again
            return value
        value = self._kept[key] = make()
        if len(self._kept) > self.size:
            del self._kept[next(iter(self._kept))]
        return value


def kept_findings(cache, parts: tuple, make) -> list:
    """The diagnostics ``make()`` finds, kept in ``cache`` (a PackCache, or None: not kept) under a
    digest of ``parts``, which must hold everything the check reads (our code included)."""
    key = cache_key(*parts)
    found = cached_findings(cache, key)
    if found is None:
        found = make()
        keep_findings(cache, key, found)
    return found


def cached_findings(cache, key: str) -> list | None:
    """The diagnostics kept under ``key`` (see kept_findings), or None."""
    from .errors import Diagnostic

    hit = cache.get(key) if cache is not None else None
    return None if hit is None else [Diagnostic(*fields) for fields in json.loads(hit[0])]


def keep_findings(cache, key: str, found: list) -> None:
    if cache is not None:
        cache.put(key, json.dumps([[d.path, d.line, d.code, d.message, d.severity] for d in found]).encode(), {})


def folder_digest(folder: Path, skip: str | None = None) -> str:
    """One hash of every file below ``folder`` (names and bytes), leaving out folders named ``skip``."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and skip not in p.relative_to(folder).parts):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class OutputCache:
    """Rendered outputs of one kind by key; with ``root=None`` it keeps nothing (``--no-cache``)."""

    def __init__(self, root: Path | None, kind: str) -> None:
        self.folder = root / kind if root is not None else None

    def get(self, key: str) -> tuple[bytes, dict[str, Any]] | None:
        if self.folder is None:
            return None
        data_path, meta_path = self._paths(key)
        try:
            data, meta = data_path.read_bytes(), json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(meta, dict) or meta.get("sha256") != hashlib.sha256(data).hexdigest():
            return None  # damaged or half-written: render again
        return data, meta

    def put(self, key: str, data: bytes, meta: dict[str, Any]) -> None:
        if self.folder is None:
            return
        data_path, meta_path = self._paths(key)
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomically(data_path, data)
        meta = {**meta, "sha256": hashlib.sha256(data).hexdigest()}
        write_atomically(meta_path, json.dumps(meta).encode("utf-8"))  # written last: marks the entry complete

    def _paths(self, key: str) -> tuple[Path, Path]:
        return self.folder / f"{key}.bin", self.folder / f"{key}.json"


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` whole: a reader sees the old file or the new one, never half of one."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Verdicts:
    """Output checks that passed, by a hash of exactly what each read: the output's bytes and the
    texts it must hold. So a rebuild reads back only outputs whose bytes or required texts changed;
    an output that failed is never recorded, and is checked (and fails) again."""

    def __init__(self, root: Path | None) -> None:
        self.path = root / "verified.txt" if root is not None else None
        try:
            self._known = set(self.path.read_text(encoding="ascii").split()) if self.path else set()
        except (OSError, ValueError):
            self._known = set()
        self._passed: set[str] = set()

    def seen(self, key: str) -> bool:
        """True if this very check passed before (it is kept for the next build too)."""
        if key in self._known:
            self._passed.add(key)
            return True
        return False

    def passed(self, key: str) -> None:
        self._passed.add(key)

    def save(self) -> None:
        """Keep this build's verdicts (and earlier ones, up to a bound, for outputs kept as they were)."""
        if self.path is None:
            return
        kept = self._passed | self._known if len(self._known) < 200_000 else self._passed
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, "\n".join(sorted(kept)).encode("ascii"))


class PackCache:
    """Many small outputs of one kind (Markdown conversions) in one file, ``<kind>.pack``.

    One file read and, when something is new, one atomic write per build, instead of two small
    files per entry: creating thousands of files costs more than converting. Same interface as
    OutputCache; call ``save()`` once the build's lookups are done. A damaged pack (it fails to
    parse) is ignored whole; entries this build did not use are kept up to as many as it used.
    """

    def __init__(self, root: Path | None, kind: str) -> None:
        self.path = root / f"{kind}.pack" if root is not None else None
        self._old: dict[str, list] | None = None
        self._used: dict[str, list] = {}
        self._dirty = False

    def _load(self) -> dict[str, list]:
        if self._old is None:
            self._old = {}
            if self.path is not None:
                try:
                    pack = json.loads(self.path.read_text(encoding="utf-8"))
                    if isinstance(pack, dict) and pack.get("format") == 1 and isinstance(pack.get("entries"), dict):
                        self._old = pack["entries"]
                except (OSError, ValueError):
                    pass
        return self._old

    def get(self, key: str) -> tuple[bytes, dict[str, Any]] | None:
        if self.path is None:
            return None
        entry = self._used.get(key) or self._load().get(key)
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str) and isinstance(entry[1], dict)):
            return None
        self._used[key] = entry
        return entry[0].encode("utf-8"), entry[1]

    def put(self, key: str, data: bytes, meta: dict[str, Any]) -> None:
        if self.path is not None:
            self._used[key] = [data.decode("utf-8"), meta]
            self._dirty = True

    def save(self) -> None:
        if self.path is None or not self._dirty:
            return
        unused = [(k, v) for k, v in self._load().items() if k not in self._used][: len(self._used)]
        entries = dict(sorted({**dict(unused), **self._used}.items()))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, json.dumps({"format": 1, "entries": entries}, ensure_ascii=False).encode("utf-8"))
        self._old, self._used, self._dirty = entries, {}, False
