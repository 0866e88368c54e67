"""What every channel is, and the explicit registry the build picks channels from.

A channel is a pure renderer: it returns what it made (``Rendered``) and writes nothing; the
pipeline writes, once, into the staging folder, and any error a channel reports fails the build.
A channel keeps no state between calls: every call gets all it needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Protocol

import jinja2

from ..config import Config
from ..dates import Moment
from ..errors import Diagnostic
from ..model import Article, Entry
from ..schema import Field


@dataclass
class BuildContext:
    """Everything a channel may read; passed in, never global, never written by a channel."""

    project: Path
    config: Config
    now: Moment
    templates: jinja2.Environment
    layouts: Any  # layouts.Layouts: the project's own layout files over the theme's
    content: Path
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)  # slug -> output name -> path
    site_outputs: dict[str, Any] = field(default_factory=dict)  # e.g. index, feeds
    progress: Optional[Callable[[str, int, int], None]] = None  # channel, done, total
    cache_dir: Optional[Path] = None  # where rendered outputs are kept for reuse; None: no cache
    digests: Any = None  # inputs.Digests: what each channel's declared inputs hash to

    def report_progress(self, channel: str, done: int, total: int) -> None:
        if self.progress:
            self.progress(channel, done, total)

    def options(self, channel: str) -> Mapping[str, Any]:
        return self.config.channel(channel)


@dataclass
class Rendered:
    """What one render made: files by their path in the output folder, its diagnostics, and the
    manifest keys it adds to articles. Only the pipeline writes the files."""

    files: dict[str, bytes] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)  # slug -> extra manifest keys
    reused: int = 0  # outputs taken from a cache instead of rendered

    def add(self, path: str, data: str | bytes) -> None:
        self.files[path] = data.encode("utf-8") if isinstance(data, str) else data


class Channel(Protocol):
    name: str  # as chosen with --channel: given by the one list of channels, channels/__init__.py
    section: str  # its section of publish.toml
    options: Mapping[str, Field]  # the keys of that section, with defaults
    manifest_keys: tuple[str, ...]  # the output names and site-wide manifest keys it writes
    templates: tuple[str, ...]  # the layouts it renders, checked by the plan before anything renders
    # True when render(entry) reads only that entry and the channel's inputs, and finish() does not
    # depend on it: an unchanged article's outputs may then be linked from the last build.
    renders_alone: bool
    # True when it writes files the manifest does not list; a build of some channels then keeps
    # such files from the last build only when this channel is not built.
    unlisted_outputs: bool

    def outputs(self, article: Article, ctx: BuildContext) -> dict[str, str]:
        """Output name -> path in the build folder, known before anything renders."""

    def site_outputs(self, ctx: BuildContext) -> dict[str, Any]:
        """Top-level manifest keys this channel fills (e.g. ``index``, ``feeds``), before rendering."""

    def check(self, config: Config, requested: bool) -> list[Diagnostic]:
        """What stops this channel building, found while planning (``requested``: named with --channel)."""

    def render(self, entry: Entry, ctx: BuildContext) -> Rendered:
        """This article's outputs."""

    def finish(self, entries: list[Entry], ctx: BuildContext) -> Rendered:
        """Site-wide outputs (index pages, feeds), and what is rendered for all articles at once."""


class ChannelRegistry:
    """Channels by name, in a fixed order; refuses two channels with one name."""

    def __init__(self, channels: Iterable[Channel] = ()) -> None:
        self._channels: dict[str, Channel] = {}
        for channel in channels:
            self.add(channel)

    def add(self, channel: Channel) -> None:
        if channel.name in self._channels:
            raise ValueError(f"two channels are named {channel.name!r}")
        self._channels[channel.name] = channel

    def names(self) -> list[str]:
        return list(self._channels)

    def all(self) -> list[Channel]:
        return list(self._channels.values())

    def select(self, names: Iterable[str] | None) -> list[Channel]:
        """Channels to build, in registry order; unknown names raise KeyError."""
        wanted = set(self.names() if names is None else names)
        unknown = wanted - set(self._channels)
        if unknown:
            raise KeyError(", ".join(sorted(unknown)))
        return [c for name, c in self._channels.items() if name in wanted]

    def options(self) -> dict[str, Mapping[str, Field]]:
        """publish.toml section -> its fields, for every channel."""
        return {channel.section: channel.options for channel in self._channels.values()}
