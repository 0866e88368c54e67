"""The files of a page bundle that are published beside its page, and why the others are not.

A bundle (``content/<slug>/index.md`` and its files) often arrives as an agency's folder, so its
files are not trusted: a file is published only when the article references it (an image, a
link to a PDF), only when it is a passive type (images, PDF, audio, video, text), never when it
would take the address of one of the article's own outputs (its page, leaflet or summary), and
never from outside the project. An SVG is refused when it holds anything a browser would run or
fetch: it is served from the site's own origin, so a script in it would run as the site.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .addresses import article_paths, bundle_file_path
from .checks.references import MAX_SVG_BYTES, SVG_DECLARATION
from .errors import Diagnostic, error, warning
from .frontmatter import outside
from .model import Entry

PUBLISHED_TYPES = {
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg",  # images
    ".pdf", ".txt", ".csv",  # documents a browser shows without running anything
    ".mp3", ".m4a", ".ogg", ".oga", ".wav", ".mp4", ".m4v", ".webm", ".ogv", ".vtt",  # media, captions
}
_URL_ATTRIBUTES = ("src", "href", "poster")
_SCRIPTED = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}
_ANIMATION = {"set", "animate", "animatemotion", "animatetransform"}
_DRAWING = {"image", "feimage"}  # elements that may draw another image
_IMAGE_DATA = ("data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp")
_EXTERNAL_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.I)


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.found += [value for name, value in attrs if name in _URL_ATTRIBUTES and value]


def referenced_files(body_html: str) -> list[str]:
    """Relative paths (inside the bundle, normalised) of what a sanitised body references."""
    parser = _References()
    parser.feed(body_html)
    paths = []
    for url in parser.found:
        parts = urlsplit(url.strip())
        if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
            continue
        path = posixpath.normpath(unquote(parts.path))
        if path != "." and not path.startswith("../") and path != ".." and path not in paths:
            paths.append(path)
    return paths


def bundle_files(entry: Entry, project: Path) -> tuple[tuple[tuple[str, str], ...], list[Diagnostic]]:
    """((path in the bundle, source file), ...) to publish, and why a referenced file is refused.
    What the body references, and what those SVGs draw in turn (``<image href="dot.svg">``)."""
    article = entry.article
    if not article.bundle_dir:
        return (), []
    bundle = Path(article.bundle_dir)
    reserved = article_paths(article.slug)
    files, problems, seen = [], [], set()
    todo = [(relpath, None) for relpath in referenced_files(entry.body_html)]
    while todo:
        relpath, drawn_by = todo.pop(0)
        source = bundle.joinpath(*relpath.split("/"))
        if drawn_by and relpath not in seen and not (source.exists() or source.is_symlink()):
            seen.add(relpath)
            problems.append(warning(article.source, article.line_of(drawn_by, posixpath.basename(drawn_by)),
                                    "bundle.svg-missing",
                                    f"{posixpath.dirname(article.source)}/{drawn_by} draws {relpath!r}, which is not in "
                                    "the bundle: the page shows the drawing without it and the leaflet leaves the "
                                    "drawing out; add the file, or export the drawing again without it"))
            continue
        if relpath in seen or relpath == "index.md" or not (source.is_file() or source.is_symlink()):
            continue  # done, the article itself, a folder, or missing (checks/references.py and links.py say so)
        seen.add(relpath)
        shown = f"{posixpath.dirname(article.source)}/{relpath}"
        refused = outside(source, project, shown)
        if refused:
            problems.append(refused)
            continue
        named = drawn_by or relpath
        line = article.line_of(named, posixpath.basename(named))
        problem, drawn = _refusal(relpath, source, article.slug, reserved)
        if problem:
            problems.append(error(article.source, line, problem[0], f"{shown}: {problem[1]}"))
            continue
        files.append((relpath, str(source)))
        todo += [(path, drawn_by or relpath) for path in drawn]
    return tuple(sorted(files)), problems


def _refusal(relpath: str, source: Path, slug: str, reserved: set[str]) -> tuple[tuple[str, str] | None, list[str]]:
    """((code, why and how to fix it) when a referenced bundle file must not be published, else None;
    the bundle files it draws in turn)."""
    if bundle_file_path(slug, relpath) in reserved or relpath.split("/")[0] == "summary":
        return ("bundle.address", f"its name would replace the article's own {relpath} (its page, leaflet or plain "
                                  "summary); rename the file and its reference"), []
    suffix = source.suffix.lower()
    if suffix not in PUBLISHED_TYPES:
        kind = f"a {suffix} file" if suffix else "a file without a type"
        return ("bundle.type", f"is {kind}; a bundle publishes only images, PDF, audio, video, text and CSV files, "
                               "so nothing it holds runs on the site: convert it to one of those"), []
    if suffix != ".svg":
        return None, []
    problem, drawn = svg_problem(source.read_bytes())
    if problem is None:
        folder = posixpath.dirname(relpath)
        drawn = [posixpath.normpath(posixpath.join(folder, unquote(path))) for path in drawn]
        outside_bundle = [path for path in drawn if path.startswith("../")]
        problem = f"the SVG draws {outside_bundle[0]!r}, outside its bundle" if outside_bundle else None
    if problem:
        return ("bundle.svg", f"{problem}; a browser would run or fetch it as this site. Export the drawing again as "
                              "plain SVG (shapes and text only), or as a PNG"), []
    return None, drawn


def svg_problem(data: bytes) -> tuple[str | None, list[str]]:
    """(what in an SVG would run or fetch something, or None when it is shapes, text and styles;
    the relative addresses of the images it draws: files of the same bundle, checked in turn)."""
    if len(data) > MAX_SVG_BYTES:
        return f"the SVG is {len(data) / 1e6:.1f} MB (the limit is {MAX_SVG_BYTES / 1e6:.0f} MB)", []
    if SVG_DECLARATION.search(data):
        return "the SVG declares a DOCTYPE or entities", []
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return f"the SVG is not well-formed XML ({exc})", []
    if _local(root.tag) != "svg":
        return f"the file is not an SVG drawing (its root element is <{_local(root.tag)}>)", []
    drawn = []
    for element in root.iter():
        name = _local(element.tag).lower()
        if name in _SCRIPTED:
            return f"the SVG holds a <{_local(element.tag)}> element", []
        if name == "style" and (_EXTERNAL_URL.search(element.text or "") or "@import" in (element.text or "")):
            return "the SVG's stylesheet loads another file (url() or @import)", []
        for attribute, value in element.attrib.items():
            local, value = _local(attribute).lower(), value.strip()
            if local.startswith("on"):
                return f"the SVG has an event handler ({_local(attribute)}= on <{_local(element.tag)}>)", []
            if local == "href" and not value.startswith("#"):
                parts = urlsplit(value)
                if name in _DRAWING and not parts.scheme and not parts.netloc and parts.path \
                        and not parts.path.startswith("/"):
                    drawn.append(parts.path)  # an image of its own bundle: published, and checked, too
                elif not (name in _DRAWING and value.lower().startswith(_IMAGE_DATA)):
                    return f"the SVG links to {value[:60]!r} (only '#id' links and images of its bundle)", []
            if _EXTERNAL_URL.search(value):
                return f"the SVG's {_local(attribute)}= loads another file (url())", []
            if name in _ANIMATION and local == "attributename" and "href" in value.lower():
                return f"the SVG animates a link (<{_local(element.tag)} attributeName={value!r}>)", []
    return None, drawn


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]

