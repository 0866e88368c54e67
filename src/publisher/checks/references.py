"""Files an article embeds (images, media): they must exist inside content/ and be what they claim.

Runs in every build, whichever channels it writes: a missing or escaping image would be a broken
page, and a file that is not an image would break a leaflet.

Limits (checked before WeasyPrint or anything else decodes an image; sizes are read from the
file's header only, never by decoding it):

* a raster image (PNG, JPEG, GIF, WebP) may have at most MAX_IMAGE_PIXELS (40 million) pixels
  (a 12000 x 12000 PNG of a few KB would cost 1.2 GB and 10 s to decode; a full A4 page at
  300 dpi is 8.7 million), and a header whose size cannot be read is refused;
* an image file (raster or SVG) may be at most MAX_IMAGE_BYTES (20 MB);
* an SVG may be at most MAX_SVG_BYTES (1 MB) and may not declare a DOCTYPE or ENTITY
  (entity expansion: billion laughs). What an SVG may contain is checked in bundles.py.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ..errors import Diagnostic, error
from ..model import Entry

_REFERENCE = re.compile(r"""<(img|source|video|audio|embed|object)\b[^>]*?\s(?:src|data)="([^"]*)\"""", re.I)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")
MAX_IMAGE_PIXELS = 40_000_000  # width x height: 160 MB decoded as RGBA; a leaflet needs far less
MAX_IMAGE_BYTES = 20_000_000
MAX_SVG_BYTES = 1_000_000
SVG_DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.I)


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
        where = (entry.article.source, entry.article.line_of(ref.text))
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
        elif ref.tag == "img" or is_image(ref.path):
            problem = check_image_bounds(ref.path, ref.text)
            if problem:
                problems.append(error(*where, *problem))
    return problems


def check_image_bounds(path: Path, shown: str) -> tuple[str, str] | None:
    """(code, message) when an image is over a limit (see the module docstring), else None.

    Reads the file's size and at most its first 64 KB (the header); never decodes pixels."""
    size = path.stat().st_size
    if size > MAX_IMAGE_BYTES:
        return ("content.image-too-large", f"{shown!r} is {size / 1e6:.1f} MB; an image may be at most "
                f"{MAX_IMAGE_BYTES / 1e6:.0f} MB: export it smaller")
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if not head.startswith(_IMAGE_MAGIC) and not (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        if size > MAX_SVG_BYTES:
            return ("content.image-too-large", f"{shown!r} is an SVG of {size / 1e6:.1f} MB; an SVG may be at most "
                    f"{MAX_SVG_BYTES / 1e6:.0f} MB: simplify it or export it as PNG")
        if SVG_DECLARATION.search(path.read_bytes()):
            return ("content.svg-doctype", f"{shown!r} declares a DOCTYPE or ENTITY, which can expand without "
                    "bound (billion laughs); delete the <!DOCTYPE ...> declaration")
        return None
    dimensions = image_size(path, head)
    if dimensions is None:
        return ("content.image-header", f"{shown!r}: its size cannot be read from its header (damaged or "
                "truncated file); export it again as PNG or JPEG")
    width, height = dimensions
    if width * height > MAX_IMAGE_PIXELS:
        return ("content.image-too-large", f"{shown!r} is {width} x {height} pixels ({width * height / 1e6:.0f} "
                f"million); an image may have at most {MAX_IMAGE_PIXELS / 1e6:.0f} million pixels: scale it down "
                "(a leaflet needs at most about 2500 x 3500)")
    return None


def image_size(path: Path, head: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF, WebP or JPEG from its header (``head``: the file's first bytes),
    or None when the header is not one of those or is damaged. Linear in the file, never decodes."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return struct.unpack(">II", head[16:24]) if head[12:16] == b"IHDR" and len(head) >= 24 else None
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return _gif_size(head, path) if len(head) >= 10 else None
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _webp_size(head)
    if head.startswith(b"\xff\xd8"):
        return _jpeg_size(path)
    return None


def _gif_size(head: bytes, path: Path) -> tuple[int, int] | None:
    """The logical screen, widened by the first frame (a frame may lie partly outside it)."""
    width, height = struct.unpack("<HH", head[6:10])
    data = path.read_bytes() if len(head) == 1 << 16 else head  # at most MAX_IMAGE_BYTES
    position = 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0)
    while position < len(data):
        kind = data[position]
        if kind == 0x2C:  # image descriptor
            if position + 9 > len(data):
                return None
            left, top, w, h = struct.unpack("<HHHH", data[position + 1:position + 9])
            return max(width, left + w), max(height, top + h)
        if kind != 0x21 or position + 2 > len(data):  # only extensions may come before the first frame
            return None
        position += 2
        while position < len(data) and data[position]:  # sub-blocks
            position += data[position] + 1
        position += 1
    return None


def _webp_size(head: bytes) -> tuple[int, int] | None:
    chunk = head[12:16]
    if chunk == b"VP8 " and len(head) >= 30 and head[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", head[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(head) >= 25 and head[20] == 0x2F:
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(head) >= 30:
        return int.from_bytes(head[24:27], "little") + 1, int.from_bytes(head[27:30], "little") + 1
    return None


_JPEG_FRAMES = {*range(0xC0, 0xD0)} - {0xC4, 0xC8, 0xCC}  # start-of-frame markers (not DHT, JPG, DAC)


def _jpeg_size(path: Path) -> tuple[int, int] | None:
    """The first start-of-frame's size, found by skipping segments (each read by its length)."""
    with path.open("rb") as handle:
        handle.seek(2)
        while True:
            marker = handle.read(2)
            while len(marker) == 2 and marker[0] == 0xFF and marker[1] == 0xFF:  # fill bytes
                marker = marker[1:] + handle.read(1)
            if len(marker) < 2 or marker[0] != 0xFF or marker[1] in (0xD9, 0xDA):
                return None  # end of image or of the headers without a frame
            if 0xD0 <= marker[1] <= 0xD7 or marker[1] == 0x01:
                continue  # markers without a length
            length = handle.read(2)
            if len(length) < 2 or int.from_bytes(length, "big") < 2:
                return None
            if marker[1] in _JPEG_FRAMES:
                frame = handle.read(5)
                if len(frame) < 5:
                    return None
                height, width = struct.unpack(">HH", frame[1:5])
                return width, height
            handle.seek(int.from_bytes(length, "big") - 2, 1)


def is_image(path: Path) -> bool:
    with path.open("rb") as handle:  # the first 4 KB only: the file may be huge
        start = handle.read(4096)
    head = start[:512]
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return True
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in start.lower())


def check_leaflet_references(entry: Entry, content: Path) -> list[Diagnostic]:
    """WeasyPrint is never asked for a remote file: refused before rendering. (A local file that is
    missing or outside content/ is refused for every channel by check_embedded_files.)"""
    return [error(entry.article.source, entry.article.line_of(ref.text), "pdf.reference",
                  f"the leaflet refers to {ref.text!r}: only files inside the project's content/ may be used; "
                  "the network is never contacted")
            for ref in embedded_references(entry, content) if ref.remote]


def embedded_files(entry: Entry, content: Path) -> list[Path]:
    """The local files an article embeds (checked by the plan), sorted: part of a leaflet's cache key."""
    return sorted({ref.path for ref in embedded_references(entry, content) if not ref.remote and ref.path.is_file()})
