"""Up-to-date builds: a rebuild with nothing changed costs a few thousand stat calls, not a build.

After a build succeeds, a stamp in ``.cache/publisher/stamps/`` records what it was asked (the
options), what it read (every file under the content and layouts folders, publish.toml, and the
code and converters that render them: inode, size and modification time, the way git and ninja
tell a change), what it wrote (every file and folder of the output, the same way), the span of
"now" in which its result stays the same (up to the next scheduled article, expiry or review
deadline) and its report. A build asked the same, whose inputs and outputs are all as recorded
and whose "now" falls in that span, would write the same bytes again: it returns the recorded
report instead. Deleting ``.cache/`` is always safe; ``--no-cache`` skips the check.

A file changed in the last seconds before a build is not trusted to have been read as it is now
(git's "racily clean" rule): the next build takes the long way.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from .layouts import THEME
from typing import Optional

from .cache import write_atomically
from .inputs import all_renderers
from .output import signature

STAMPS = Path(".cache") / "publisher" / "stamps"
RACY_NS = 2_000_000_000
Signatures = dict  # absolute path -> [inode, size, mtime_ns], or None where it cannot be trusted


@dataclass(frozen=True)
class Request:
    """One build's options, with every folder resolved: what a stamp is filed under."""

    root: Path
    content: Path
    layouts: Path
    out: Path
    channels: Optional[tuple[str, ...]]
    drafts: bool
    future: bool

    @property
    def stamp(self) -> Path:
        key = json.dumps([str(self.out.resolve()), str(self.content), str(self.layouts),
                          sorted(set(self.channels)) if self.channels else None, self.drafts, self.future])
        return self.root / STAMPS / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"

    def inputs(self) -> Optional[Signatures]:
        """Every file the build may read, as it is now; None when they cannot be listed safely."""
        found: Signatures = {}
        for folder in (self.content, self.layouts, THEME, Path(__file__).parent):
            if not _walk(str(folder), found):
                return None
        found[str(self.root / "publish.toml")] = signature(str(self.root / "publish.toml"))
        for renderer in all_renderers():  # the installed code that shapes outputs: an upgrade replaces it
            spec = find_spec(renderer.module)
            origin = spec.origin if spec is not None else None
            found[renderer.module] = signature(origin) if origin else [0, -1, 0]  # not installed: recorded as absent
        racy = time.time_ns() - RACY_NS
        return {path: None if sig is not None and sig[2] > racy else sig for path, sig in found.items()}

    def recorded(self, inputs: Optional[Signatures], now_us: int) -> Optional[dict]:
        """The recorded report, if the last build so asked read exactly ``inputs``, its output is
        untouched since, and ``now_us`` (microseconds since 1970) is in its span; else None."""
        if inputs is None:
            return None
        try:
            stamp = json.loads(self.stamp.read_text(encoding="utf-8"))
            start, end = stamp["window"]
            if (start is not None and now_us < start) or (end is not None and now_us >= end):
                return None
            if None in inputs.values() or stamp["inputs"] != inputs:
                return None
            if any(signature(path) != sig for path, sig in stamp["outputs"].items()):
                return None
            return stamp["report"]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def record(self, inputs: Optional[Signatures], window: tuple, report: dict) -> None:
        """Write the stamp of a build that just succeeded (atomically; best effort)."""
        if inputs is None or None in inputs.values():
            self.stamp.unlink(missing_ok=True)  # racy inputs: the next build checks them the long way
            return
        outputs: Signatures = {str(self.out): signature(str(self.out))}
        if not _walk(str(self.out), outputs, folders=True):
            return
        text = json.dumps({"window": list(window), "inputs": inputs, "outputs": outputs, "report": report})
        self.stamp.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.stamp, text.encode("utf-8"))


def _walk(root: str, into: Signatures, folders: bool = False) -> bool:
    """Signatures of every file below ``root`` (and of every folder, with ``folders``: a folder's
    mtime changes when an entry is added or removed). False if a link leads to a folder."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            into[folder] = [0, -1, 0]
            continue
        except OSError:
            return False
        for entry in entries:
            if entry.name == "__pycache__":  # Python's own caches beside our code, not inputs
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
                if folders:
                    into[entry.path] = signature(entry.path)
            elif entry.is_symlink() and entry.is_dir():
                return False
            else:
                into[entry.path] = signature(entry.path)
    return True
