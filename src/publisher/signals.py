"""SIGTERM and SIGINT (Ctrl-C) stop a build cleanly: no traceback, no orphan, no half-made output.

Within ``interruptible()`` a signal kills every process the build started, then raises
``Interrupted`` in the main thread, so every ``finally`` runs: the staging folder is deleted, the
lock released, the previous build left as it was. Children are killed from the handler itself
because WeasyPrint's process pool would otherwise render every queued leaflet before the
exception could leave it. Forked children ignore SIGINT (Ctrl-C reaches the whole process
group; their parent stops them) and die at SIGTERM; the first signal only: later ones are
ignored while the build cleans up. Outside ``interruptible()`` (the library, ``publish serve``)
nothing here changes how signals behave.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Interrupted(BaseException):
    """A BaseException, like KeyboardInterrupt, so no ``except Exception`` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.exit_code = 128 + signum  # the shell's convention: 143 for SIGTERM, 130 for SIGINT


class _State:
    active = False  # handlers installed, in this process (never in a forked child)
    held = 0  # inside held(): a signal waits for the block to end
    finishing = False  # the build is being put in place: a signal waits for it to end
    pending: int | None = None  # the signal received, if any


_state = _State()


@contextlib.contextmanager
def interruptible():
    """Within: SIGTERM and SIGINT end the child processes and raise Interrupted."""
    previous = {signum: signal.signal(signum, _handler) for signum in SIGNALS}
    previous_hook, sys.unraisablehook = sys.unraisablehook, _unraisable(sys.unraisablehook)
    _state.active, _state.held, _state.finishing, _state.pending = True, 0, False, None
    try:
        yield
    finally:
        _state.active = False
        sys.unraisablehook = previous_hook
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def held():
    """A signal received within waits until the block ends (a folder is never left half-made)."""
    _state.held += 1
    try:
        yield
    finally:
        _state.held -= 1
    if _state.active and not _state.held and not _state.finishing and _state.pending is not None:
        raise Interrupted(_state.pending)


def finishing() -> None:
    """From here on the build completes; a signal is only reported afterwards (see ``pending``).

    A signal received before, whose exception Python swallowed (see ``_unraisable``), stops it here.
    """
    if _state.active and not _state.finishing and _state.pending is not None:
        raise Interrupted(_state.pending)
    _state.finishing = True


def pending() -> int | None:
    """The signal received, if any."""
    return _state.pending


def unfinished() -> int | None:
    """The signal received before the build began finishing: it, not what it broke, ended the build."""
    return None if _state.finishing else _state.pending


def _handler(signum: int, frame) -> None:
    if _state.pending is not None:
        return  # already stopping: let the cleanup finish (SIGKILL still ends it at once)
    _state.pending = signum
    _kill_children()
    if not (_state.held or _state.finishing):
        raise Interrupted(signum)


def _unraisable(hook):
    """Python drops an exception raised where it cannot propagate (an at-fork hook, a ``__del__``)
    and prints a traceback. If that was ours, stay quiet: the signal is pending, its children are
    dead, and the build stops at the next checkpoint (a broken pool, ``held``, ``finishing``)."""
    def unraisable(args) -> None:
        if not isinstance(args.exc_value, Interrupted):
            hook(args)
    return unraisable


def _kill_children() -> None:
    """SIGKILL every process this one started, and theirs: renderers, whose output is discarded."""
    for pid in _descendants(os.getpid()):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass  # ended meanwhile


def _descendants(root: int) -> list[int]:
    """Living descendants of ``root`` from /proc; without /proc, the multiprocessing children."""
    try:
        entries = [e.name for e in os.scandir("/proc") if e.name.isdigit()]
    except OSError:
        multiprocessing = sys.modules.get("multiprocessing")
        return [p.pid for p in multiprocessing.active_children()] if multiprocessing else []
    children: dict[int, list[int]] = {}
    for name in entries:
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()  # after "pid (command)"
        except (OSError, IndexError):
            continue
        if fields[0] != b"Z":  # a zombie has ended already
            children.setdefault(int(fields[1]), []).append(int(name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _in_child() -> None:
    """A forked child (render process, pool worker) leaves stopping to its parent."""
    if _state.active:
        _state.active = False
        with contextlib.suppress(ValueError):  # only the main thread may set handlers
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)


os.register_at_fork(after_in_child=_in_child)
