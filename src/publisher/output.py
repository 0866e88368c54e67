"""The output folder: a staging folder with path guards, then one swap into place.

A build writes everything into a fresh sibling folder; only when every output is written and
verified is it exchanged with the old one (atomically where Linux allows), so a failed build
leaves the previous output untouched.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path, PurePosixPath

from .errors import Diagnostic, PublishError, error

MANIFEST = "manifest.json"
REVIEW_DIR = "review"  # review copies (publish review): written beside a build, kept by every build
REPORT_DIR = "report"  # the content-health report (publish report, and every full build): beside the site
REPORT_FILES = ("index.html", "report.json", "report.csv")
REVIEW_COPY_RE = re.compile(r"(?:[a-z]{2,3}(?:-[a-z0-9]{2,8})*\.)?[a-z0-9]+(?:-[a-z0-9]+)*\.docx")  # es.<slug>: an edition's


def review_copy_name(slug: str) -> str:
    """The review copy's file name: 'es/lavado-de-manos' is es.lavado-de-manos.docx, one folder for all."""
    return slug.replace("/", ".") + ".docx"


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

    def adopt(self, relpath: str, linked: bool) -> None:
        """Note a file a render process wrote, or ``linked`` unchanged from the last build."""
        self.register(relpath)

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


class OverlayFolder(StagingFolder):
    """The staging folder of ``publish serve``'s rebuilds: only the files this build writes anew
    are in it. What the last build made and this one keeps (an unchanged page, a carried file)
    stays where it is in the output folder; ``apply`` then moves the new files in, one rename
    each, and deletes the files this build no longer makes. The folder ends as a swap would leave
    it, without making or deleting a tree of a thousand folders; a reader of one file sees its
    old bytes or its new ones, and the preview's pages reload once all are in place."""

    def __init__(self, root: Path, out: Path) -> None:
        super().__init__(root)
        self.out = out
        self.kept: set[str] = set()  # files of the output folder this build keeps as they are

    def path_for(self, relpath: str) -> Path:
        target = super().path_for(relpath)
        self.kept.discard(relpath)  # a carried file this build replaces
        return target

    def link(self, source: Path, relpath: str) -> None:
        if source != self.out / relpath:
            return super().link(source, relpath)
        self.register(relpath)
        self.kept.add(relpath)

    def adopt(self, relpath: str, linked: bool) -> None:
        self.register(relpath)
        if linked:  # a render process kept it where it is (link above), in its own copy of this object
            self.kept.add(relpath)

    def carry(self, source: Path, relpath: str) -> None:
        if source != self.out / relpath:
            return super().carry(source, relpath)
        self.carried.add(relpath)
        self.kept.add(relpath)

    def read_bytes(self, relpath: str) -> bytes:
        return (self.out if relpath in self.kept else self.root).joinpath(relpath).read_bytes()

    def read_text(self, relpath: str) -> str:
        return self.read_bytes(relpath).decode("utf-8")

    def apply(self) -> None:
        """Delete what this build no longer makes, then move its new files in. A link to a folder
        is never a build's (a build writes no links): it is removed, never written through."""
        wanted = self.written | self.kept
        for folder, folders, names in os.walk(self.out, topdown=False):
            for name in folders:
                if os.path.islink(os.path.join(folder, name)):
                    os.unlink(os.path.join(folder, name))
            for name in names:
                path = os.path.join(folder, name)
                if PurePosixPath(os.path.relpath(path, self.out)).as_posix() not in wanted:
                    os.unlink(path)
            if folder != str(self.out) and not os.listdir(folder):
                os.rmdir(folder)
        for relpath in self.order:
            if relpath not in self.kept:
                target = self.out.joinpath(*PurePosixPath(relpath).parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.root.joinpath(*PurePosixPath(relpath).parts), target)
        shutil.rmtree(self.root)


def link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def output_key(out: Path) -> str:
    """One name for an output folder, by its resolved path: its ledger of reusable renders."""
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
    """Refuse an output folder that is not ours to replace.

    A build replaces its output folder whole, so it must not be the project, hold it, or lie inside
    content/ or layouts/ (each build would swallow the last, and the sources would change). A folder
    that is a symbolic link is refused too: the swap would replace the link, not the folder it names.
    A folder with files but no manifest.json is someone else's.
    """
    resolved = Path(os.path.realpath(out))  # realpath never raises, even on a loop of links
    if out.is_symlink():
        fix = f"pass the real folder with --out {resolved}" if resolved.is_dir() else "remove it or choose another --out"
        return [error(str(out), None, "output.symlink", f"is a symbolic link (to {os.readlink(out)}); a build replaces "
                      f"its output folder whole and never through a link: {fix}")]
    for precious in (project, content, layouts):
        p = precious.resolve()
        if resolved == p or p.is_relative_to(resolved):
            return [error(str(out), None, "output.unsafe", f"the output folder would replace {precious}; choose another --out")]
    for sources in (content, layouts):
        if resolved.is_relative_to(sources.resolve()):
            return [error(str(out), None, "output.unsafe", f"the output folder is inside {sources}, whose files are "
                          "sources of the build; choose an --out outside it (the default is PROJECT/build)")]
    try:
        foreign = out.exists() and (not out.is_dir() or (any(p.name not in (REVIEW_DIR, REPORT_DIR) for p in out.iterdir())
                                                         and not (out / MANIFEST).is_file()))
    except OSError as exc:
        return [error(str(out), None, "output.unreadable", f"cannot be read ({exc.strerror}); make it readable for "
                      "you, or choose another --out")]
    if foreign:
        return [error(str(out), None, "output.foreign", "exists but is not a publisher build (no manifest.json); "
                      "move it away or choose another --out")]
    return []


def lock_path(out: Path) -> Path:
    """The lock file of ``out``: beside it, where only those who may replace the folder can write."""
    out = Path(os.path.abspath(out))
    return out.parent / f".{out.name}.lock"


@contextlib.contextmanager
def output_lock(out: Path, on_wait=None):
    """Hold an advisory lock on ``out`` for a whole build: a second build of the same folder waits.

    The lock file ``.<name>.lock`` sits beside the output folder, is never followed through a
    link, and is deleted when the build ends. It is deleted only by a holder of the lock, and a
    build that locked a file which was deleted meanwhile locks the new one instead: two builds
    never hold two different files. Once held, leftovers of builds that were killed are removed.
    """
    path = lock_path(out)
    _create_folder(path.parent, "the output folder's parent")
    told = False
    while True:
        fd = _open_lock(path)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait and not told:
                    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                    on_wait(f"another publish build (pid {holder}) is writing {out}; waiting for it")
                    told = True
                fcntl.flock(fd, fcntl.LOCK_EX)
            if _same_file(fd, path):
                break
        except OSError as exc:
            os.close(fd)
            raise PublishError([_lock_error(path, exc)]) from None
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the build before us deleted the file we locked: lock the one there now
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        _remove_leftovers(out)
        yield
    finally:
        try:
            if _same_file(fd, path):
                os.unlink(path)  # while still holding it: a waiting build then retries, see above
        except OSError:
            pass  # a lock file left behind is harmless: the next build takes it and deletes it
        finally:
            os.close(fd)


def _open_lock(path: Path) -> int:
    """Open (or create) the lock file itself: never a link, a folder, a device or another file's name."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise PublishError([_lock_error(path, exc)]) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
        os.close(fd)
        what = "has other names (hard links)" if stat.S_ISREG(st.st_mode) else "is not a plain file"
        raise PublishError([error(str(path), None, "output.lock", f"the lock file {what}; a build only locks a "
                                  "plain file of its own: remove it (no build is using it) and build again")])
    return fd


def _same_file(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd`` (the holder before may have deleted it)."""
    try:
        named = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def _lock_error(path: Path, exc: OSError) -> Diagnostic:
    if exc.errno == errno.ELOOP:
        problem = "is a symbolic link; a build never follows one: remove the link and build again"
    elif exc.errno == errno.EISDIR:
        problem = "is a folder, not a lock file: remove it and build again"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        problem = (f"cannot be opened ({exc.strerror}): the build needs to write this file beside the output "
                   "folder; make that folder writable for you, or remove a lock file left by another user")
    else:
        problem = f"cannot be locked ({exc.strerror}); remove it if no build is running, or choose another --out"
    return error(str(path), None, "output.lock", f"the lock file {problem}")


def _create_folder(folder: Path, what: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PublishError([error(str(folder), None, "output.folder", f"{what} cannot be created ({exc.strerror}); "
                                  "create it yourself or choose another --out")]) from None


def _remove_leftovers(out: Path) -> None:
    """Staging and old folders of earlier builds that were killed before they could clean up."""
    if out.parent.is_dir():
        for pattern in (f".{out.name}.staging-*", f".{out.name}.old-*"):
            for leftover in out.parent.glob(pattern):
                shutil.rmtree(leftover, ignore_errors=True)


def new_staging(out: Path, overlay: bool = False) -> StagingFolder:
    """A fresh staging folder beside ``out``; with ``overlay``, one that updates ``out`` in place
    (OverlayFolder: ``publish serve``)."""
    try:
        root = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
        return OverlayFolder(root, out) if overlay else StagingFolder(root)
    except OSError as exc:
        raise PublishError([error(str(out.parent), None, "output.staging", f"the staging folder for {out.name} "
                                  f"cannot be created here ({exc.strerror}); make this folder writable for you, "
                                  "or choose another --out")]) from None


def carry_review_copies(out: Path, staging: "StagingFolder") -> None:
    """A build replaces its folder whole but keeps the review copies ``publish review`` wrote there
    (plain files named after an article, never links)."""
    _carry_files(out, staging, REVIEW_DIR, REVIEW_COPY_RE.fullmatch)


def carry_report(out: Path, staging: "StagingFolder") -> None:
    """A build of some channels keeps the last full build's (or ``publish report``'s) report."""
    _carry_files(out, staging, REPORT_DIR, REPORT_FILES.__contains__)


def _carry_files(out: Path, staging: "StagingFolder", folder: str, wanted) -> None:
    """Carry the plain files of ``out/<folder>`` whose names are ``wanted`` (never links, never a
    linked folder) into the staging folder, unless already there."""
    source = out / folder
    if source.is_symlink() or not source.is_dir():
        return
    for path in sorted(source.iterdir()):
        relpath = f"{folder}/{path.name}"
        if wanted(path.name) and relpath not in staging.carried and not path.is_symlink() and path.is_file():
            staging.carry(path, relpath)


def replace_folder(out: Path, name: str, files: dict[str, bytes]) -> None:
    """Write ``files`` as the folder ``out/<name>``, swapped in whole; the rest of ``out`` is left
    as it is (``publish report`` beside a build). Never through a link."""
    for folder in (out, out / name):
        if folder.is_symlink():
            raise PublishError([error(str(folder), None, "output.symlink", "is a symbolic link; publish never "
                                      "writes through one: remove it")])
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{name}.staging-", dir=out))
    except OSError as exc:
        raise PublishError([error(str(out), None, "output.write", f"cannot be written ({exc.strerror}); make it "
                                  "writable for you, or choose another --out")]) from None
    target = out / name
    try:
        for file_name, data in files.items():
            (staging / file_name).write_bytes(data)
        os.chmod(staging, 0o755)
        if not target.exists():
            os.rename(staging, target)
            return
        if not exchange(staging, target):  # no atomic exchange here: the old folder steps aside first
            aside = staging.with_name(staging.name.replace(".staging-", ".old-"))
            os.rename(target, aside)
            os.rename(staging, target)
            staging = aside
    except OSError as exc:
        raise PublishError([error(exc.filename or str(target), None, "output.write",
                                  f"the report could not be written ({exc.strerror or exc}); free some space or fix "
                                  "the permissions, then run it again")]) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def swap_in(staging: StagingFolder, out: Path, remove_old: bool = True) -> Path | None:
    """Put the staged build in place of ``out`` and delete the old one (or, with ``remove_old``
    false, return it for ``remove_build`` once the new pages are served).

    Every folder of the old build is checked first, so a build that could not delete it fails
    while the old build is still in place, not halfway through deleting it.
    """
    new = staging.root
    try:
        os.chmod(new, 0o755)  # mkdtemp makes it private; a build folder is meant to be served
        if not out.exists():
            os.rename(new, out)
            return None
        _check_removable(out)
        old = new if exchange(new, out) else _move_aside(new, out)  # ``old`` holds the previous build
    except OSError as exc:
        raise PublishError([error(str(out), None, "output.replace", f"cannot be replaced with the new build "
                                  f"({exc.strerror}: {exc.filename}); it is unchanged: make it and the folder "
                                  "it is in writable for you, and build again")]) from None
    if not remove_old:
        return old
    remove_build(old, out)
    return None


def remove_build(old: Path, out: Path) -> None:
    """Delete the previous build, swapped out of ``out``."""
    try:
        shutil.rmtree(old)
    except OSError as exc:
        raise PublishError([error(str(old), None, "output.old", f"the new build is in {out}, but this copy of "
                                  f"the previous one cannot be deleted ({exc.strerror}: {exc.filename}); "
                                  "delete it yourself")]) from None


def _check_removable(out: Path) -> None:
    """Raise OSError for the first folder of the old build that this user cannot empty."""
    for folder, _, _ in os.walk(out, onerror=_raise):
        if not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, "the previous build has a folder you cannot change", folder)


def _raise(exc: OSError) -> None:
    raise exc


def _move_aside(new: Path, out: Path) -> Path:
    """Where renameat2 cannot swap: move ``out`` into a hidden folder, then ``new`` in its place."""
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    try:
        os.rename(out, old / "build")
    except OSError:
        old.rmdir()
        raise
    try:
        os.rename(new, out)
    except OSError:
        os.rename(old / "build", out)  # put the previous build back before reporting
        old.rmdir()
        raise
    return old


def discard(staging: StagingFolder) -> None:
    shutil.rmtree(staging.root, ignore_errors=True)


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux renameat2(RENAME_EXCHANGE); False where unsupported."""
    import ctypes  # only here: most commands never swap a build in

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2  # the C library this process runs on
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0
