"""Where every output lives: its path in the build folder and its public address.

The one place these rules are written: channels write to these paths and link with them, checks
resolve links and read feeds with them, and ``publish check`` knows what a full build writes.
Paths are relative to the output folder, posix style; slugs and tags are already validated.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

SITE = "site"
INDEX = f"{SITE}/index.html"
STYLESHEET = f"{SITE}/style.css"
TAGS = f"{SITE}/tags/index.html"
NOT_FOUND = f"{SITE}/404.html"
SITEMAP = f"{SITE}/sitemap.xml"
ROBOTS = f"{SITE}/robots.txt"
LEAFLETS = f"{SITE}/leaflets/index.html"
SEARCH = f"{SITE}/search/index.html"
PAGEFIND = f"{SITE}/pagefind"  # the search index Pagefind writes (search.py)
RSS = f"{SITE}/feed.xml"
ATOM = f"{SITE}/atom.xml"


def slugify(text: str) -> str:
    """Lowercase ASCII letters, digits and hyphens: a file or folder name that is safe anywhere."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def page_path(slug: str) -> str:
    return f"{SITE}/{slug}/index.html"


def bundle_file_path(slug: str, relpath: str) -> str:
    """A file of a page bundle goes beside the article's page."""
    return f"{SITE}/{slug}/{relpath}"


def summary_paths(slug: str) -> dict[str, str]:
    return {"summary_html": f"{SITE}/{slug}/summary/index.html", "summary_text": f"{SITE}/{slug}/summary.txt"}


LEAFLET_SUFFIXES = ("", "-print", "-large")  # the screen leaflet, the print shop's, the large-print one


def leaflet_path(slug: str, suffix: str = "") -> str:
    """'es/terapia' -> site/es/terapia/terapia.pdf (terapia-print.pdf, terapia-large.pdf)."""
    name = slug.rpartition("/")[2]
    return f"{SITE}/{slug}/{name}{suffix}.pdf"


def article_paths(slug: str) -> set[str]:
    """Every output an article may have, whichever channels a build writes: no bundle file may take one."""
    return {page_path(slug), *(leaflet_path(slug, s) for s in LEAFLET_SUFFIXES), *summary_paths(slug).values()}


def tag_slug(tag: str) -> str:
    """A tag's folder name, ASCII: 'C++' is 'c-plus-plus', not the page of 'C'; a tag with letters
    of another script ('вода') keeps a short hash of itself, so each such tag has a page of its own."""
    base = slugify(tag.replace("+", " plus ").replace("#", " sharp "))
    letters = unicodedata.normalize("NFKD", tag)
    if any(ch.isalnum() and not ch.isascii() for ch in letters):
        digest = hashlib.sha256(tag_identity(tag).encode("utf-8")).hexdigest()[:8]
        base = f"{base}-{digest}" if base else digest
    return base or "tag"


def tag_identity(tag: str) -> str:
    """Tags written alike ('Water', 'water') are one topic with one page."""
    return unicodedata.normalize("NFKC", tag).casefold()


def tag_path(tag: str, edition: str = "") -> str:
    return edition_path(edition, f"{SITE}/tags/{tag_slug(tag)}/index.html")


def edition_path(edition: str, path: str) -> str:
    """A site-wide output in an edition of the site: 'site/feed.xml' in 'es' is 'site/es/feed.xml'."""
    return f"{SITE}/{edition}/{path.removeprefix(SITE + '/')}" if edition else path


def edition_key(edition: str, key: str) -> str:
    """A site-wide manifest key in an edition: 'index' in 'es' is 'es/index'."""
    return f"{edition}/{key}" if edition else key


def edition_view(site_outputs: dict, edition: str) -> dict:
    """The site-wide outputs as a page of ``edition`` links to them: its own index, topics,
    leaflets, feeds and search under the plain names the layouts use."""
    plain = {k: v for k, v in site_outputs.items() if "/" not in k}
    if not edition:
        return plain
    own = {k.partition("/")[2]: v for k, v in site_outputs.items() if k.startswith(edition + "/")}
    shared = {k: v for k, v in plain.items() if k in ("not_found", "sitemap", "robots")}
    return {**shared, **own}


def page_url(base_url: str | None, slug: str | None = None) -> str | None:
    """The public address of the index (no slug) or of an article's page."""
    if not base_url:
        return None
    root = base_url if base_url.endswith("/") else base_url + "/"
    return f"{root}{slug}/" if slug else root


def summary_url(base_url: str | None, slug: str) -> str | None:
    address = page_url(base_url, slug)
    return f"{address}summary/" if address else None


def public_address(base_url: str, path: str) -> str:
    """The public address of an output: 'site/a/index.html' -> '<base>a/'."""
    root = base_url if base_url.endswith("/") else base_url + "/"
    relative = path.removeprefix(f"{SITE}/")
    return root + (relative[: -len("index.html")] if relative.endswith("index.html") else relative)


def site_relative(path: str) -> str:
    """An output's address relative to ``site/``, without a trailing ``index.html``: what links name."""
    return re.sub(r"(^|/)index\.html$", "", path.removeprefix(f"{SITE}/")).rstrip("/")


def item_id(slug: str, article_id: str | None, base_url: str) -> str:
    """The id feed readers key an item on: the article's permanent UUID, else its address."""
    return f"urn:uuid:{article_id}" if article_id else page_url(base_url, slug)
