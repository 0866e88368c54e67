"""Many articles' renders across one process per core, for channels that render alone.

Rendering the pages of a thousand articles is Python work for one core while the others idle.
For a channel with ``renders_alone`` the articles are cut into one contiguous share per core;
forked children render theirs (writing their files into the same staging folder) while this
process renders the first, and each child sends back the outcome of each render: the files it
wrote, diagnostics, manifest fields, reuse counts and ledger records. They are merged in article
order, so the result, messages included, is the one rendering in one process gives.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
import traceback
from typing import Callable, TypeVar

from .errors import PublishError, error
from .signals import held

T, R = TypeVar("T"), TypeVar("R")

FANOUT_FROM = 200  # articles: fewer render quicker than processes start


def render_all(channel, entries: list, renders) -> None:
    """Render (or link, see previous.py) every entry on ``channel``, reporting progress."""
    progress = renders.ctx.report_progress
    workers = min(os.cpu_count() or 1, 8)
    if (not getattr(channel, "renders_alone", False) or workers < 2 or len(entries) < FANOUT_FROM
            or threading.active_count() > 1):  # forking beside other threads (publish serve's) is unsafe
        for done, entry in enumerate(entries, 1):
            renders.merge(channel, renders.article(channel, entry))
            progress(channel.name, done, len(entries))
        return
    size = -(-len(entries) // workers)
    shares = [entries[start:start + size] for start in range(0, len(entries), size)]
    children: list = []
    try:
        with held():  # a forked child is always one in ``children``
            children += [_fork(lambda share=share: [renders.article(channel, entry) for entry in share], channel.name)
                         for share in shares[1:]]
        for done, entry in enumerate(shares[0], 1):
            renders.merge(channel, renders.article(channel, entry))
            progress(channel.name, done, len(entries))
    except BaseException:
        _kill(children)  # this build has failed or is interrupted: the children's work is wasted
        raise
    finally:
        results = _collect_all(children)  # never leave a child behind
    done = len(shares[0])
    for result in results:
        if result[0] == "error":
            raise PublishError(result[1])
        if result[0] == "crash":  # an exception in our code: show it, as one in this process would be
            raise RuntimeError(f"a render process failed:\n{result[1]}")
        if result[0] == "killed":
            raise PublishError([error(None, None, "build.render-process",
                                      f"a render process ended before finishing ({result[1]}: killed, or out of "
                                      "memory?); the output folder is unchanged: run the build again")])
        for outcome in result[1]:
            renders.merge(channel, outcome, from_child=True)
        done += len(result[1])
        progress(channel.name, done, len(entries))


def map_across(function: Callable[[T], R], items: list[T], least: int | None = None) -> list[R]:
    """``[function(item) for item in items]``, cut into one share per core (forked children do
    all but the first) when there are at least ``least`` items (FANOUT_FROM unless given) and
    forking is safe here.

    For work that reads what the build wrote (the gate reading leaflets back): a child inherits
    the items, so only the results travel, pickled, over a pipe.
    """
    workers = min(os.cpu_count() or 1, 8, len(items))
    if workers < 2 or len(items) < (FANOUT_FROM if least is None else least) or threading.active_count() > 1:
        return [function(item) for item in items]
    size = -(-len(items) // workers)
    shares = [items[start:start + size] for start in range(0, len(items), size)]
    children: list = []
    try:
        with held():
            children += [_fork(lambda share=share: [function(item) for item in share], function.__name__)
                         for share in shares[1:]]
        results = [function(item) for item in shares[0]]
    except BaseException:
        _kill(children)
        raise
    finally:
        outcomes = _collect_all(children)
    for outcome in outcomes:
        if outcome[0] == "killed":
            raise PublishError([error(None, None, "build.read-process",
                                      f"a process reading the outputs back ended before finishing ({outcome[1]}: "
                                      "killed, or out of memory?); the output folder is unchanged: run the build again")])
        if outcome[0] != "ok":  # an exception in our code: show it, as one in this process would be
            raise RuntimeError(f"a process reading the outputs back failed:\n{outcome[1]}")
        results += outcome[1]
    return results


def _fork(work: Callable[[], list], label: str):
    """A child that runs ``work`` (``label``: what for) and sends back what it returns (or its
    error), and this end of its pipe."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid:
        os.close(writer)
        return pid, os.fdopen(reader, "rb")
    os.close(reader)  # the child: do the work, send the outcome, and leave without cleanup
    try:
        result = ("ok", work())
    except PublishError as exc:
        result = ("error", exc.diagnostics)
    except BaseException:
        result = ("crash", traceback.format_exc())
    try:
        with os.fdopen(writer, "wb") as pipe:
            pipe.write(pickle.dumps(result))
    finally:
        os._exit(0)


def _kill(children: list) -> None:
    for pid, _ in children:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def _collect_all(children: list) -> list:
    """Each child's result; interrupted (signals.py), the rest are killed and still waited for."""
    results = []
    try:
        for pid, pipe in children:
            results.append(_collect(pid, pipe))
    except BaseException:
        rest = children[len(results):]
        _kill(rest)
        for pid, pipe in rest:
            pipe.close()
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        raise
    return results


def _collect(pid: int, pipe):
    with pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    try:
        return pickle.loads(data)  # from our own child, over a private pipe
    except Exception:
        code = os.waitstatus_to_exitcode(status)
        return ("killed", f"signal {-code}" if code < 0 else f"exit status {code}")
