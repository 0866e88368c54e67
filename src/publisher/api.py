"""The library's build entry point, light to import: the CLI, ``publish serve`` and tests call it.

``build`` takes the output folder's lock, returns at once when the last build so asked is still
up to date (see uptodate.py), and otherwise runs the pipeline; heavy modules load only then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

from . import dates
from .errors import Diagnostic, PublishError, error, warning
from .output import output_lock, read_manifest
from .uptodate import Request

Progress = Callable[[str, int, int], None]  # channel, done, total


@dataclass(frozen=True)
class Project:
    """Where a project's parts live; defaults follow the standard layout."""

    root: Path
    content: Path
    layouts: Path

    @classmethod
    def at(cls, root, content=None, layouts=None) -> "Project":
        root = Path(root).resolve()
        return cls(root, Path(content or root / "content").resolve(), Path(layouts or root / "layouts").resolve())


@dataclass
class BuildReport:
    out: Path
    articles: list[str] = field(default_factory=list)  # slugs, in manifest order
    outputs: dict[str, int] = field(default_factory=dict)  # channel -> files written
    reused: dict[str, int] = field(default_factory=dict)  # channel -> outputs taken from the cache
    warnings: list[Diagnostic] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)
    up_to_date: bool = False  # nothing changed since the last build so asked: nothing was written
    span: tuple = (None, None)  # "now" may move within this span (see uptodate.py) for the same result

    def as_json(self) -> dict:
        return {
            "out": str(self.out),
            "articles": self.articles,
            "files": self.outputs,
            "reused": self.reused,
            "up_to_date": self.up_to_date,
            "warnings": [{"path": d.path, "line": d.line, "code": d.code, "message": d.message} for d in self.warnings],
            "manifest": self.manifest,
        }


def build(
    project,
    out=None,
    channels: Optional[Iterable[str]] = None,
    as_of=None,
    *,
    content=None,
    layouts=None,
    drafts: bool = False,
    future: bool = False,
    registry=None,
    progress: Optional[Progress] = None,
    use_cache: bool = True,
    on_wait: Optional[Callable[[str], None]] = None,
) -> BuildReport:
    """Build ``project`` into ``out`` (default ``<project>/build``) and return a report.

    Conversions and leaflets are kept in ``<project>/.cache/publisher/`` and reused while nothing
    that shapes them changes; ``use_cache=False`` renders everything afresh and keeps nothing.
    Two builds of one output folder never interleave: the second waits (``on_wait`` hears why).
    """
    paths = Project.at(project, content, layouts)
    out = Path(out) if out else paths.root / "build"
    channels = tuple(channels) if channels else None
    with output_lock(out, on_wait):
        now = resolve_now(as_of)
        request = Request(paths.root, paths.content, paths.layouts, out, channels, drafts, future) \
            if use_cache and registry is None else None
        inputs = request.inputs() if request else None
        recorded = request.recorded(inputs, dates.microseconds(now.instant)) if request else None
        if recorded is not None:
            return _replayed(out, recorded)
        from .pipeline import run

        report = run(paths, out, channels, now, drafts=drafts, future=future, registry=registry,
                     progress=progress, use_cache=use_cache)
        if request:
            request.record(inputs, report.span, _recordable(report))
        return report


def resolve_now(as_of) -> dates.Moment:
    try:
        return dates.now(as_of)
    except ValueError as exc:
        raise PublishError([error(None, None, "usage.as-of", f"--as-of {exc}, got {as_of!r}")])


def _recordable(report: BuildReport) -> dict:
    return {"articles": report.articles, "files": report.outputs,
            "warnings": [[d.path, d.line, d.code, d.message] for d in report.warnings]}


def _replayed(out: Path, recorded: dict) -> BuildReport:
    files = recorded["files"]  # every output is kept as it is: all of them reused
    return BuildReport(out=out, articles=recorded["articles"], outputs=files, reused=dict(files),
                       warnings=[warning(*fields) for fields in recorded["warnings"]],
                       manifest=read_manifest(out) or {}, up_to_date=True)
