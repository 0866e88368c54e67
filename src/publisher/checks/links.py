"""Links and images in article bodies: internal links must resolve, images need alt text.

Links are checked against the site a full build writes: ``site/<slug>/`` pages and the ids of
their headings, each article's other outputs (summary page and text, leaflet, the files of its
bundle) and the site's own pages (index, topics, leaflets, feeds). External links are listed,
never fetched.
"""

from __future__ import annotations

import posixpath
import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from ..addresses import (
    ATOM,
    INDEX,
    LEAFLETS,
    NOT_FOUND,
    RSS,
    STYLESHEET,
    TAGS,
    bundle_file_path,
    leaflet_path,
    site_relative,
    summary_paths,
    tag_path,
)
from ..errors import Diagnostic, error
from ..model import Entry


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.images: list[tuple[str, str | None]] = []  # (src, alt)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("href") is not None:
            self.links.append(attributes["href"])
        if tag == "img":
            self.images.append((attributes.get("src") or "", attributes.get("alt")))


def _collect(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


def check_links(entries: list[Entry]) -> tuple[list[Diagnostic], list[tuple[str, str]]]:
    """(problems, external links as (article source, url))."""
    pages = {e.article.slug: _collect(e.body_html) for e in entries}
    addresses = site_addresses(entries)
    problems, external = [], []
    for entry in entries:
        source, found = entry.article.source, pages[entry.article.slug]

        def line_of(needle: str, article=entry.article) -> int | None:
            return article.line_of(needle) if needle else None

        for src, alt in found.images:
            if not (alt or "").strip():
                problems.append(error(source, line_of(src), "links.alt",
                                      f"image {src!r} has no alt text: describe it in ![...]({src})"))
        for href in found.links:
            parts = urlsplit(href)
            if parts.scheme or href.startswith("//"):
                if parts.scheme in ("http", "https"):
                    external.append((source, href))
                continue
            problem = _internal_problem(entry.article.slug, parts, pages, addresses)
            if problem:
                problems.append(error(source, line_of(href), "links.broken", f"link {href!r}: {problem}"))
    return problems, external


# A host as a browser's address bar takes it: dot-separated labels of letters and digits (any
# script's) with inner hyphens, an IPv4 address, or an IPv6 one in brackets; a port after it.
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_HOST = re.compile(rf"(?:(?:{_LABEL}\.)*{_LABEL}\.?|\d{{1,3}}(?:\.\d{{1,3}}){{3}}|\[[0-9A-Fa-f:.]+\])(?::\d{{0,5}})?")


_WEB_ADDRESS = re.compile(r'\s(?:href|src)="(https?:[^"]*)"', re.I)


def check_addresses(entry: Entry) -> list[Diagnostic]:
    """Web addresses (http, https) whose host is not a host name (``https://../``): a browser
    cannot follow them and the page would not be valid HTML. Checked by every build."""
    problems = []
    for html in (entry.body_html, entry.summary_html or ""):
        # sanitised HTML, as nh3 writes it: every attribute in double quotes, '&' as '&amp;'
        for href in map(unescape, _WEB_ADDRESS.findall(html)):
            parts = urlsplit(href)
            host = parts.netloc.rpartition("@")[2]
            if parts.scheme in ("http", "https") and not _HOST.fullmatch(host):
                problems.append(error(entry.article.source, entry.article.line_of(href), "links.address",
                                      f"the address {href!r} has no valid host name ({host!r}); write it as a "
                                      "browser's address bar shows it, such as https://example.org/page"))
    return problems


def site_addresses(entries: list[Entry]) -> set[str]:
    """Every address (relative to ``site/``, without a trailing ``index.html``) that a full build
    writes and an article may link to, besides the article pages themselves."""
    paths = {INDEX, STYLESHEET, LEAFLETS, TAGS, NOT_FOUND, RSS, ATOM}
    for entry in entries:
        article = entry.article
        paths |= {leaflet_path(article.slug), *summary_paths(article.slug).values(), *map(tag_path, article.tags)}
        paths |= {bundle_file_path(article.slug, relpath) for relpath, _ in entry.bundle_files}
    return {site_relative(path) for path in paths}


def _without_index(address: str) -> str:
    return re.sub(r"(^|/)index\.html$", "", address).rstrip("/")


def _internal_problem(slug: str, parts, pages, addresses: set[str]) -> str | None:
    """Why a relative link from site/<slug>/index.html does not resolve, or None when it does."""
    path, anchor = unquote(parts.path), unquote(parts.fragment)
    target = slug
    if path:
        resolved = _without_index(posixpath.normpath(posixpath.join(slug, path)))
        if resolved not in pages:
            if resolved in ("", "."):
                return None if not anchor else "the index page has no anchors to link to"
            if resolved in addresses:
                return None  # an article's summary or leaflet, a bundle's file, a site page
            return "no published article has that address (links to articles look like '../other-slug/')"
        target = resolved
    if anchor and anchor not in pages[target].ids:
        return f"there is no heading or anchor #{anchor} on {'this page' if target == slug else target + '/'}"
    return None

