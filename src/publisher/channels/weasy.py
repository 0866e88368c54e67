"""WeasyPrint's side of the PDF channel: render one leaflet, fetching only project files.

Kept apart from ``pdf.py`` so worker processes import WeasyPrint once and nothing else, and
so WeasyPrint is imported only when the ``pdf`` channel runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from ..bundles import svg_problem
from ..checks.references import MAX_IMAGE_BYTES, check_image_bounds, is_image
from .pdftags import mend


@dataclass(frozen=True)
class LeafletJob:
    slug: str
    html: str
    css: str
    html_base: str  # folder that the article's relative references resolve against
    css_base: str  # layouts/pdf: fonts and images named by the CSS
    allowed: tuple[str, ...]  # folders whose files may be read (content/, the project's layouts, the theme)
    overlay: tuple[str, str] = ("", "")  # (the project's layouts, the theme): a file the first lacks comes from the second
    project: str = ""  # files read are recorded relative to it, so a moved project keeps its cache
    variant: str = "pdf/ua-1"  # WeasyPrint's: tagged PDF for screen readers; pdf/x-4 for a print shop
    epoch: int = 0  # seconds since 1970 stamped into embedded fonts: the article's, never the clock's
    min_dpi: int = 0  # a print shop's leaflet: name each raster image printed at fewer pixels per inch
    key: str = ""  # hash of everything above and the files they embed: the cache key


@dataclass(frozen=True)
class LeafletResult:
    slug: str
    pdf: bytes = b""
    pages: int = 0
    refused: str | None = None  # a reference the fetcher would not serve
    reason: str | None = None
    failed: str | None = None  # WeasyPrint (or the step after it) raised: what it said
    reused: bool = False  # taken from the cache, not rendered
    inputs: tuple[tuple[str, str], ...] = ()  # (path in the project, sha256) of every file WeasyPrint read
    low_resolution: tuple[tuple[str, int], ...] = ()  # (src, pixels per inch as printed) under the job's min_dpi
    # (the SVG that draws it, or "", address, why): refused where WeasyPrint carries on without it,
    # as it does inside an SVG, leaving the whole drawing out
    dropped: tuple[tuple[str, str, str], ...] = ()


def make_fetcher(allowed: tuple[str, ...], project: str = "", overlay: tuple[str, str] = ("", "")):
    """A WeasyPrint URL fetcher that serves local files under ``allowed`` and nothing else; a
    layout file (a font) the project's layouts lack is the theme's (``overlay``)."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class Refused(FatalURLFetchingError):
        def __init__(self, url: str, reason: str):
            super().__init__(reason)
            self.url, self.reason = url, reason

    roots = [Path(a).resolve() for a in allowed]
    own, theme = (Path(folder).resolve() if folder else None for folder in overlay)
    project_root = Path(project).resolve() if project else None

    class ProjectFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__()
            self.served: list[tuple[str, str]] = []  # (path in the project, sha256): the leaflet's inputs
            self.profiles: list[bytes] = []  # ICC profiles, as read
            self.refusals: list[tuple[str, str]] = []  # (address, why), whether the render stopped or not
            self.svgs: dict[str, bytes] = {}  # address -> each SVG served, to tell which one drew a refused file

        def fetch(self, url, headers=None):
            try:
                return self._serve(url)
            except Refused as refused:
                self.refusals.append((refused.url, refused.reason))
                raise

        def _serve(self, url):
            parts = urlsplit(url)
            if parts.scheme != "file":
                raise Refused(url, "only files inside the project's content/ and layouts/ may be used; "
                                   "the network is never contacted")
            path = Path(unquote(parts.path)).resolve()
            if own and theme and not path.is_file() and path.is_relative_to(own):
                path = theme / path.relative_to(own)
            if not any(path.is_relative_to(root) for root in roots):
                raise Refused(url, "it points outside the project's content/ and layouts/ folders")
            if not path.is_file():
                raise Refused(url, "no such file")
            if is_image(path):  # what a stylesheet or an SVG names, too: never a decompression bomb
                problem = check_image_bounds(path, path.name)
                if problem:
                    raise Refused(url, problem[1])
            elif path.stat().st_size > MAX_IMAGE_BYTES:
                raise Refused(url, f"it is over {MAX_IMAGE_BYTES / 1e6:.0f} MB")
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            body = path.read_bytes()
            shown = path.relative_to(project_root) if project and path.is_relative_to(project_root) else path
            self.served.append((str(shown), hashlib.sha256(body).hexdigest()))
            if path.suffix.lower() == ".svg":
                self.svgs[url] = body
            if path.suffix.lower() in (".icc", ".icm"):
                self.profiles.append(body)  # LittleCMS re-encodes it (twice the size): embed the original
            return URLFetcherResponse(url, body=body, headers={"Content-Type": media_type})

    return ProjectFetcher(), Refused


def warm_up() -> None:
    """Worker initialiser: pay WeasyPrint's import once per process, not once per leaflet."""
    import weasyprint  # noqa: F401


@contextlib.contextmanager
def _font_timestamps(epoch: int):
    """fontTools, which subsets fonts where HarfBuzz-Subset is not installed, writes the time of
    subsetting into each font's head table unless SOURCE_DATE_EPOCH says otherwise: the same
    leaflet would differ on every run. The variable is set only while fonts are written."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def render_leaflet(job: LeafletJob) -> LeafletResult:
    from weasyprint import CSS, HTML

    fetcher, refused = make_fetcher(job.allowed, job.project, job.overlay)
    try:
        html = HTML(string=job.html, base_url=Path(job.html_base).as_uri() + "/", url_fetcher=fetcher)
        profiles: dict = {}  # the CSS's @color-profile rules: the print shop's output intent
        css = CSS(string=job.css, base_url=Path(job.css_base).as_uri() + "/", url_fetcher=fetcher,
                  color_profiles=profiles)
        document = html.render(stylesheets=[css], color_profiles=profiles)
        with _font_timestamps(job.epoch):
            pdf = document.write_pdf(pdf_variant=job.variant, pdf_tags=True)
        # margin content as Artifacts, list markers as Lbl (pdftags.py); PDF/X mended (pdfx.py)
        pdf = mend(pdf, print_profile=fetcher.profiles[0] if job.variant.startswith("pdf/x") and fetcher.profiles else None)
    except refused as exc:
        return LeafletResult(job.slug, refused=exc.url, reason=exc.reason)
    except Exception as exc:  # noqa: BLE001 - a layout WeasyPrint trips on is the user's to fix, not a traceback
        return LeafletResult(job.slug, failed=f"{type(exc).__name__}: {exc}"[:300])
    return LeafletResult(job.slug, pdf=pdf, pages=len(document.pages), inputs=tuple(sorted(set(fetcher.served))),
                         low_resolution=low_resolution(document, job.min_dpi) if job.min_dpi else (),
                         dropped=dropped(fetcher.refusals, fetcher.svgs))


def dropped(refusals, svgs: dict[str, bytes]) -> tuple[tuple[str, str, str], ...]:
    """The refusals of a render that went on without them, each with the SVG that draws the file
    (one of the images it draws, as bundles.svg_problem reads them, resolves to the address), or
    "" when none does."""
    drawn = {svg: {urljoin(svg, path) for path in svg_problem(text)[1]} for svg, text in sorted(svgs.items())}
    return tuple((next((svg for svg, urls in drawn.items() if url in urls), ""), url, reason)
                 for url, reason in dict.fromkeys(refusals))


def low_resolution(document, minimum: int) -> tuple[tuple[str, int], ...]:
    """Each raster image of the laid-out leaflet printed at fewer than ``minimum`` pixels per inch
    (its pixels over its printed width: CSS px are 1/96 in), by its src, at its lowest."""
    from weasyprint.formatting_structure.boxes import ReplacedBox
    from weasyprint.images import RasterImage

    found: dict[str, int] = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            if isinstance(box, ReplacedBox) and isinstance(box.replacement, RasterImage) and box.width:
                dpi = int(box.replacement.width / (box.width / 96))
                src = box.element.get("src", "") if box.element is not None else ""
                if dpi < minimum:
                    found[src] = min(found.get(src, dpi), dpi)
    return tuple(sorted(found.items()))


def inputs_unchanged(inputs, project: str) -> bool:
    """True while every file a cached leaflet was made from still has the same bytes."""
    for path, digest in inputs:
        try:
            if hashlib.sha256((Path(project) / path).read_bytes()).hexdigest() != digest:
                return False
        except OSError:
            return False
    return True
