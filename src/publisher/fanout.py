"""Many articles' renders across one process per core, for channels that render alone.

Rendering the pages of a thousand articles is Python work for one core while the others idle.
For a channel with ``renders_alone`` (see reuse.py) the articles are cut into one contiguous
share per core; forked children render theirs into the same staging folder while this process
renders the first, and each child sends back what else its renders left: the files it wrote,
diagnostics, manifest fields, reuse counts and ledger records. They are merged in article order,
so the result, messages included, is the one rendering in one process gives.
"""

from __future__ import annotations

import os
import pickle
import threading
import traceback

from .errors import PublishError, error

FANOUT_FROM = 200  # articles: fewer render quicker than processes start


def render_all(channel, entries: list, ctx, ledger) -> None:
    """Render (or link, see reuse.py) every entry on ``channel``, reporting progress."""
    workers = min(os.cpu_count() or 1, 8)
    if (not getattr(channel, "renders_alone", False) or workers < 2 or len(entries) < FANOUT_FROM
            or threading.active_count() > 1):  # forking beside other threads (publish serve's) is unsafe
        for done, entry in enumerate(entries, 1):
            ledger.render(channel, entry, ctx)
            ctx.report_progress(channel.name, done, len(entries))
        return
    size = -(-len(entries) // workers)
    shares = [entries[start:start + size] for start in range(0, len(entries), size)]
    children = [_fork(channel, share, ctx, ledger) for share in shares[1:]]
    try:
        for done, entry in enumerate(shares[0], 1):
            ledger.render(channel, entry, ctx)
            ctx.report_progress(channel.name, done, len(entries))
    finally:
        results = [_collect(pid, reader) for pid, reader in children]  # never leave a child behind
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
        _merge(result[1], channel, ctx, ledger)
        done += len(result[1]["slugs"])
        ctx.report_progress(channel.name, done, len(entries))


def _fork(channel, share: list, ctx, ledger) -> tuple[int, int]:
    reader, writer = os.pipe()
    pid = os.fork()
    if pid:
        os.close(writer)
        return pid, reader
    os.close(reader)  # the child: render the share, send what it left, and leave without cleanup
    try:
        ctx.progress = None
        written, noted, linked = len(ctx.staging.order), len(ctx.diagnostics), set(ledger.linked)
        reused = ctx.reused.get(channel.name, 0)
        for entry in share:
            ledger.render(channel, entry, ctx)
        slugs = [entry.article.slug for entry in share]
        result = ("ok", {
            "slugs": slugs,
            "files": ctx.staging.order[written:],
            "diagnostics": ctx.diagnostics[noted:],
            "fields": {slug: ctx.article_fields[slug] for slug in slugs if slug in ctx.article_fields},
            "reused": ctx.reused.get(channel.name, 0) - reused,
            "records": {slug: ledger.record(slug, channel.name) for slug in slugs},
            "linked": ledger.linked - linked,
        })
    except PublishError as exc:
        result = ("error", exc.diagnostics)
    except BaseException:
        result = ("crash", traceback.format_exc())
    try:
        with os.fdopen(writer, "wb") as pipe:
            pipe.write(pickle.dumps(result))
    finally:
        os._exit(0)


def _collect(pid: int, reader: int):
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    try:
        return pickle.loads(data)  # from our own child, over a private pipe
    except Exception:
        code = os.waitstatus_to_exitcode(status)
        return ("killed", f"signal {-code}" if code < 0 else f"exit status {code}")


def _merge(result: dict, channel, ctx, ledger) -> None:
    for relpath in result["files"]:
        ctx.staging.written.add(relpath)
        ctx.staging.order.append(relpath)
        ctx.staging.carried.discard(relpath)
    ctx.diagnostics += result["diagnostics"]
    for slug, fields in result["fields"].items():
        ctx.article_fields.setdefault(slug, {}).update(fields)
    if result["reused"]:
        ctx.reused[channel.name] = ctx.reused.get(channel.name, 0) + result["reused"]
    for slug, record in result["records"].items():
        if record is not None:
            ledger.keep(slug, channel.name, record)
    ledger.linked |= result["linked"]
