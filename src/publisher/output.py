"""The output folder: a staging folder with path guards, then one swap into place.

A build writes everything into a fresh sibling folder; only when every output is written and
verified is it exchanged with the old one (atomically where Linux allows), so a failed build
leaves the previous output untouched.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from .errors import Diagnostic, PublishError, error

MANIFEST = "manifest.json"


class StagingFolder:
    """Writes outputs under one root; refuses paths outside it and second writes to one path."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.written: set[str] = set()
        self.order: list[str] = []  # the same paths, in the order they were written
        self.carried: set[str] = set()  # files kept from the previous build; this build may replace them
        self._folders: set[Path] = set()  # made already: one mkdir per folder, not per file

    def path_for(self, relpath: str) -> Path:
        self.register(relpath)
        pure = PurePosixPath(relpath)
        target = self.root.joinpath(*pure.parts)
        if relpath in self.carried:  # a kept file may be a hard link to the previous build: replace, never edit
            self.carried.discard(relpath)
            target.unlink(missing_ok=True)
        self._folder(target.parent)
        return target

    def register(self, relpath: str) -> None:
        """Note ``relpath`` as written by this build (by this process, or a render process)."""
        pure = PurePosixPath(relpath)
        if pure.is_absolute() or ".." in pure.parts or "\\" in relpath or not pure.parts:
            raise PublishError([error(None, None, "output.path", f"refusing to write {relpath!r}: outside the output folder")])
        if relpath in self.written:
            raise PublishError([error(None, None, "output.twice", f"two outputs want the same file {relpath!r}")])
        self.written.add(relpath)
        self.order.append(relpath)
        self.carried.discard(relpath)

    def write_bytes(self, relpath: str, data: bytes) -> None:
        self.path_for(relpath).write_bytes(data)

    def write_text(self, relpath: str, text: str) -> None:
        self.write_bytes(relpath, text.encode("utf-8"))

    def link(self, source: Path, relpath: str) -> None:
        """An output of the last build, unchanged: hard-linked (never edited in place), else copied."""
        link_or_copy(source, self.path_for(relpath))

    def carry(self, source: Path, relpath: str) -> None:
        """A file kept from the last build that this build may still replace."""
        target = self.root.joinpath(*PurePosixPath(relpath).parts)
        self._folder(target.parent)
        link_or_copy(source, target)
        self.carried.add(relpath)

    def read_text(self, relpath: str) -> str:
        return (self.root / relpath).read_text(encoding="utf-8")

    def read_bytes(self, relpath: str) -> bytes:
        return (self.root / relpath).read_bytes()

    def _folder(self, folder: Path) -> None:
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)


def link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def output_key(out: Path) -> str:
    """One name for an output folder, by its resolved path: its lock, its ledger, its stamps."""
    return hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:24]


def signature(path: str) -> list:
    """How a file is told unchanged, the way git and ninja do: inode, size and mtime."""
    try:
        st = os.stat(path)
    except OSError:
        return [0, -1, 0]  # absent: recorded too, so a file that appears is a change
    return [st.st_ino, st.st_size, st.st_mtime_ns]


def read_manifest(out: Path) -> dict | None:
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and isinstance(manifest.get("articles"), list) else None


def manifest_json(manifest: dict) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def check_output_folder(out: Path, project: Path, content: Path, layouts: Path) -> list[Diagnostic]:
    """Refuse to replace a folder that is not ours: the project, its sources, or someone's files."""
    resolved = out.resolve()
    for precious in (project, content, layouts):
        p = precious.resolve()
        if resolved == p or p.is_relative_to(resolved):
            return [error(str(out), None, "output.unsafe", f"the output folder would replace {precious}; choose another --out")]
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MANIFEST).is_file())):
        return [error(str(out), None, "output.foreign", "exists but is not a publisher build (no manifest.json); "
                      "move it away or choose another --out")]
    return []


@contextlib.contextmanager
def output_lock(out: Path, on_wait=None):
    """Hold an advisory lock on ``out`` for a whole build: a second build of the same folder waits.

    The lock file lives in the temporary folder (named by a hash of the output path), so nothing
    is left beside the project. Once held, leftovers of builds that were killed are removed.
    """
    path = Path(tempfile.gettempdir()) / f"publisher-{output_key(out)}.lock"
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            if on_wait:
                on_wait(f"another publish build (pid {handle.read().strip() or '?'}) is writing {out}; waiting for it")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        _remove_leftovers(out)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_leftovers(out: Path) -> None:
    """Staging and old folders of earlier builds that were killed before they could clean up."""
    if out.parent.is_dir():
        for pattern in (f".{out.name}.staging-*", f".{out.name}.old-*"):
            for leftover in out.parent.glob(pattern):
                shutil.rmtree(leftover, ignore_errors=True)


def new_staging(out: Path) -> StagingFolder:
    out.parent.mkdir(parents=True, exist_ok=True)
    return StagingFolder(Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent)))


def swap_in(staging: StagingFolder, out: Path) -> None:
    """Put the staged build in place of ``out`` and delete the old one."""
    new = staging.root
    os.chmod(new, 0o755)  # mkdtemp makes it private; a build folder is meant to be served
    if not out.exists():
        os.rename(new, out)
        return
    if _exchange(new, out):
        shutil.rmtree(new)  # ``new`` now holds the previous build
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rename(out, old / "build")
    os.rename(new, out)
    shutil.rmtree(old)


def discard(staging: StagingFolder) -> None:
    shutil.rmtree(staging.root, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux renameat2(RENAME_EXCHANGE); False where unsupported."""
    import ctypes  # only here: most commands never swap a build in

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2  # the C library this process runs on
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0
