"""Files an article embeds (images, media): they must exist inside content/ and be what they claim.

Runs in every build, whichever channels it writes: a missing or escaping image would be a broken
page, and a file that is not an image would break a leaflet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ..errors import Diagnostic, error
from ..model import Entry

_REFERENCE = re.compile(r"""<(img|source|video|audio|embed|object)\b[^>]*?\s(?:src|data)="([^"]*)\"""", re.I)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


@dataclass(frozen=True)
class Reference:
    text: str  # as written in the article
    tag: str
    remote: bool  # has a scheme (http:, file:, data:, ...) or is protocol-relative
    path: Path | None  # the local file it names, resolved (None when remote)


def embedded_references(entry: Entry, content: Path, raw: bool = False) -> list[Reference]:
    """References in the sanitised body (what channels use), or with ``raw`` in pandoc's own HTML."""
    base = Path(entry.article.bundle_dir or content)
    found = []
    for tag, text in _REFERENCE.findall(entry.raw_html if raw else entry.body_html):
        text = text.strip()
        if _SCHEME.match(text) or text.startswith("//"):
            found.append(Reference(text, tag.lower(), True, None))
        else:
            found.append(Reference(text, tag.lower(), False, (base / unquote(text.split("#")[0].split("?")[0])).resolve()))
    return found


def check_embedded_files(entry: Entry, content: Path) -> list[Diagnostic]:
    """Local references must stay inside content/, exist, and (for images) be images."""
    problems = []
    root = content.resolve()
    for ref in embedded_references(entry, content, raw=True):
        where = (entry.article.source, _line_of(entry, ref.text))
        if ref.remote and ref.text.lower().startswith("file:"):
            problems.append(error(*where, "content.reference", f"{ref.text!r}: file: addresses are never read; "
                                  "put the file beside the article and name it by a relative path"))
        if ref.remote:
            continue
        if not ref.path.is_relative_to(root):
            problems.append(error(*where, "content.reference", f"{ref.text!r} points outside the content folder; "
                                  "put the file beside the article (content/<slug>/index.md and its images)"))
        elif not ref.path.is_file():
            problems.append(error(*where, "content.reference", f"{ref.text!r}: no such file"))
        elif ref.tag == "img" and not is_image(ref.path):
            problems.append(error(*where, "content.not-image", f"{ref.text!r} is not a PNG, JPEG, GIF, WebP or SVG "
                                  "image; export it again as one of those"))
    return problems


def is_image(path: Path) -> bool:
    head = path.read_bytes()[:512]
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return True
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in path.read_bytes()[:4096].lower())


def _line_of(entry: Entry, needle: str) -> int | None:
    for number, line in enumerate(entry.article.body.split("\n"), entry.article.body_line):
        if needle in line:
            return number
    return None


def check_leaflet_references(entry: Entry, content: Path) -> list[Diagnostic]:
    """WeasyPrint is never asked for a remote file: refused before rendering. (A local file that is
    missing or outside content/ is refused for every channel by check_embedded_files.)"""
    return [error(entry.article.source, _line_of(entry, ref.text), "pdf.reference",
                  f"the leaflet refers to {ref.text!r}: only files inside the project's content/ may be used; "
                  "the network is never contacted")
            for ref in embedded_references(entry, content) if ref.remote]


def embedded_files(entry: Entry, content: Path) -> list[Path]:
    """The local files an article embeds (checked by the plan), sorted: part of a leaflet's cache key."""
    return sorted({ref.path for ref in embedded_references(entry, content) if not ref.remote and ref.path.is_file()})
