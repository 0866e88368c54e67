"""What shapes each output: declared once, read by every part that decides what may be kept.

``DECLARED`` names, per channel, the layout files and folders it reads besides its templates
(the templates it renders, and every one they extend, import or include, are found from the
templates themselves, so a designer's new include is an input at once), the publish.toml sections it
reads, the files of content/ besides articles it reads, and the installed renderers whose code
shapes its bytes (kept here, not on the channel classes, so that the up-to-date check can read it
without importing any renderer). Every channel also depends on ``COMMON``: our own code, pandoc, and
the site-wide settings. Per article, a render further depends on the article's source file, its
bundle's files, its disclaimers and its summary (``article_digest``).

Four parts read these declarations, and nothing else: the up-to-date check (uptodate.py stats
every declared renderer's module), the reuse of unchanged renders and the one-channel builds
(previous.py compares each channel's digest with the one its outputs were made with), and the
leaflet cache (its key starts from the pdf channel's digest). Adding an input means adding it
here, once; forgetting it would leave stale output, so the tests prove each kind of input.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from .version import __version__
from .cache import cache_key, folder_digest


@dataclass(frozen=True)
class Renderer:
    """An installed package whose code shapes outputs: its version for digests, its module's
    file for the up-to-date check (an upgrade replaces it)."""

    distribution: str
    module: str


@dataclass(frozen=True)
class Inputs:
    layouts: tuple[str, ...] = ()  # files or folders of layouts/ besides the channel's templates
    config: tuple[str, ...] = ()  # sections of publish.toml
    content: tuple[str, ...] = ()  # files of content/ besides articles and disclaimers
    renderers: tuple[Renderer, ...] = ()

    def __add__(self, other: "Inputs") -> "Inputs":
        return Inputs(*(tuple(dict.fromkeys(a + b)) for a, b in zip(
            (self.layouts, self.config, self.content, self.renderers),
            (other.layouts, other.config, other.content, other.renderers))))


# What every channel's outputs depend on, besides our own code and pandoc's version.
COMMON = Inputs(
    layouts=("i18n",),  # the theme's strings per language (strings.py)
    config=("site", "disclaimers", "languages", "review"),  # [review] max_age_days: the review due date
    renderers=(Renderer("pypandoc-binary", "pypandoc"), Renderer("Jinja2", "jinja2"),
               Renderer("MarkupSafe", "markupsafe"), Renderer("PyYAML", "yaml"), Renderer("nh3", "nh3"),
               Renderer("babel", "babel")),  # dates per locale
)


# One leaflet: what WeasyPrint renders it with, besides its own HTML, CSS and the files they embed
# (the leaflet cache's key): the fonts and images of layouts/pdf, which the print CSS names.
LEAFLET = Inputs(layouts=("pdf",), config=("pdf",), renderers=(
    Renderer("weasyprint", "weasyprint"), Renderer("pydyf", "pydyf"), Renderer("fonttools", "fontTools"),
    Renderer("segno", "segno"), Renderer("pyphen", "pyphen"), Renderer("pikepdf", "pikepdf")))

DECLARED: dict[str, Inputs] = {
    "html": Inputs(layouts=("html",), config=("html",),  # html/: the stylesheet, icons and search.js it copies
                   renderers=(Renderer("pagefind_bin", "pagefind_bin"),)),  # the search index (search.py)
    "pdf": LEAFLET + Inputs(renderers=(Renderer("pypdfium2", "pypdfium2"),)),  # the gate reads leaflets with PDFium
    "rss": Inputs(config=("feed",), renderers=(Renderer("feedgen", "feedgen"), Renderer("lxml", "lxml"))),
    "summary": Inputs(config=("summary",), renderers=(Renderer("textstat", "textstat"),)),
}


def declared(name: str) -> Inputs:
    """A channel's own inputs (Digests adds the common ones)."""
    return DECLARED.get(name, Inputs())


def all_renderers() -> list[Renderer]:
    """Every renderer any channel declares, once: what the up-to-date check watches."""
    return list(dict.fromkeys(COMMON.renderers + tuple(r for i in DECLARED.values() for r in i.renderers)))


@functools.lru_cache(maxsize=64)
def renderer_version(distribution: str) -> str:
    from importlib import metadata  # only when digests are made: not for the up-to-date check

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """Our own code, by content: an edited channel or template filter renders everything again."""
    return folder_digest(Path(__file__).parent, skip="__pycache__")


def config_section(config, name: str):
    """The values of one publish.toml section as the build reads them (defaults included)."""
    if name == "site":
        return asdict(config.site)
    if name == "disclaimers":
        return list(config.default_disclaimers)
    if name == "languages":
        return {"strict": config.strict_translations, **{code: asdict(lang) for code, lang in config.languages.items()}}
    return dict(config.channel(name))


class Digests:
    """The digest of each channel's declared inputs in one project, worked out once per run."""

    def __init__(self, project, config, pandoc_version: str, templates, references: dict, layouts) -> None:
        self.project, self.config, self.pandoc, self.layouts = project, config, pandoc_version, layouts
        self.templates, self.references = templates, references  # the layouts' Jinja2 environment; what each refers to
        self._folders: dict[str, str] = {}
        self._done: dict[str, str] = {}

    def channel(self, channel) -> str:
        """The digest of everything a channel's outputs depend on besides its articles: its
        declared inputs, and its templates with every template they reach."""
        inputs = declared(channel.name)
        if channel.name not in self._done:
            from .templates import template_closure  # Jinja2: not for the up-to-date check

            found, dynamic = template_closure(self.templates, getattr(channel, "templates", ()), self.references)
            inputs = inputs + Inputs(layouts=("",) if dynamic else tuple(sorted(found)))  # "": all of layouts/
        return self.of(channel.name, inputs)

    def of(self, label: str, inputs: Inputs) -> str:
        if label not in self._done:
            inputs = COMMON + inputs
            self._done[label] = cache_key(
                __version__, code_digest(), self.pandoc, label,
                json.dumps([f"{r.distribution} {renderer_version(r.distribution)}" for r in inputs.renderers]),
                json.dumps({name: self._folder(name) for name in inputs.layouts}),
                json.dumps({name: config_section(self.config, name) for name in inputs.config}, default=str),
                json.dumps({name: _file_digest(self.project.content / name) for name in inputs.content}),
            )  # not the project's path: a moved project keeps its cache
        return self._done[label]

    def _folder(self, name: str) -> str:
        """A layout file's or folder's digest, from wherever each file comes (layouts.Layouts)."""
        if name not in self._folders:
            single = self.layouts.find(name) if name else None  # a template, or a folder such as "pdf"
            files = {name: single} if single else self.layouts.files(name)
            self._folders[name] = cache_key(*(f"{rel}:{_file_digest(path)}" for rel, path in files.items()))
        return self._folders[name]


def article_digest(entry, outputs: dict, site_outputs: dict) -> str:
    """What one article's render reads besides its channel's inputs: the article's source file
    and the bundle files it publishes, its disclaimers, its summary, the reviews it shows (approvals.yaml),
    the addresses its page links to, and its editions in other languages (hreflang)."""
    article = entry.article
    bundle = [(relpath, _file_digest(Path(source))) for relpath, source in entry.bundle_files]
    return cache_key(
        article.slug, article.source, article.sha256, json.dumps(bundle),
        json.dumps([[d.id, d.sha256] for d in entry.disclaimers]),
        json.dumps(outputs, sort_keys=True), json.dumps(site_outputs, sort_keys=True, default=str),
        entry.summary or "", entry.summary_source or "",
        json.dumps([[r.role, r.by, r.on.isoformat() if r.on else None, r.fingerprint] for r in entry.reviews]),
        json.dumps(entry.editions), entry.review_due.isoformat() if entry.review_due else "",
    )


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "absent"
