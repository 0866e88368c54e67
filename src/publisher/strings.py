"""The theme's words per language: ``layouts/i18n/<lang>.toml`` catalogues and Babel dates.

As in Hugo (``i18n/es.toml``), every string a layout shows is looked up by its key in the
catalogue of the page's language, so a Spanish page says "Publicado" without a Spanish copy of
any template. The default language's catalogue (the theme has ``en``) names every key; another
language's catalogue must have them all (``check_catalogues``), so no page mixes languages.
Dates are written the way the locale writes them ("28 de noviembre de 2026"), by Babel.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

from .errors import Diagnostic, error

FOLDER = "i18n"
BASE = "en"  # the theme's catalogue that names every key
_FIELD = re.compile(r"\{([a-z_]+)\}")


def catalogue_names(lang: str) -> list[str]:
    """The catalogue files a language may use, most specific first: 'pt-BR' -> pt-br, pt."""
    tag = lang.lower()
    return list(dict.fromkeys([f"{FOLDER}/{tag}.toml", f"{FOLDER}/{tag.split('-')[0]}.toml"]))


@dataclass(frozen=True)
class Strings:
    """``t`` in the layouts: ``t("published")``, ``t("articles_count", count=3)``, ``t.date(moment)``."""

    lang: str
    words: dict

    def __call__(self, key: str, **values) -> str:
        if "count" in values and f"{key}_one" in self.words:
            key = f"{key}_{_plural(self.lang, values['count'])}"
        try:
            text = self.words[key]
        except KeyError:
            raise KeyError(f"no string {key!r} in the {self.lang!r} catalogue (layouts/{FOLDER}/)") from None
        if any(isinstance(v, Markup) for v in values.values()):  # a <time> element: escape the rest around it
            return Markup(_FIELD.sub(lambda m: str(escape(values.get(m.group(1), m.group(0)))), str(escape(text))))
        return _FIELD.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)

    def date(self, moment) -> str:
        """'28 November 2026' (en-GB), 'November 28, 2026' (en), '28 de noviembre de 2026' (es); a
        date-time adds its UTC time."""
        from babel.dates import format_date, format_time

        locale = _locale(self.lang)
        day = format_date(moment.instant.date(), format=self.words.get("date_format", "long"), locale=locale)
        if not moment.has_time:
            return day
        return f"{day}, {format_time(moment.instant.time(), format='HH:mm', locale=locale)} UTC"

    def review(self, review, time_element: bool = True) -> str:
        """'Medically reviewed by Dr A on 28 November 2026' in the page's language, the date in a
        ``<time>`` element (``time_element``: a web page; a leaflet prints it as text)."""
        label = self("review_medical") if review.role == "medical" else self("review_role", role=review.role.replace("-", " "))
        if not review.on:
            return self("reviewed", label=label, by=review.by)
        return self("reviewed_on", label=label, by=review.by, date=self._day(review.on, time_element))

    def byline(self, article) -> str:
        """'By Dr A, MD, psychiatrist.': the author, with their credentials when the article gives them."""
        if article.credentials:
            return self("byline_credentials", author=article.author, credentials=article.credentials)
        return self("byline", author=article.author)

    def review_due(self, moment, time_element: bool = True) -> str:
        """'Next review due 28 November 2027.', the date in a ``<time>`` element on a web page."""
        return self("review_due", date=self._day(moment, time_element))

    def _day(self, moment, time_element: bool):
        """The date in words; on a web page (``time_element``) inside ``<time datetime>``."""
        day = self.date(moment)
        return Markup('<time datetime="{}">{}</time>').format(moment.isoformat(), day) if time_element else day

    def css_counters(self, key: str) -> str:
        """A catalogue string with {page} and {pages} as a CSS ``content`` value of quoted text and
        page counters: 'página ' counter(page) ' de ' counter(pages)."""
        from .templates import css_string

        parts = []
        for index, piece in enumerate(re.split(r"\{(page|pages)\}", self(key))):
            if index % 2:
                parts.append(f"counter({piece})")
            elif piece:
                parts.append(css_string(piece))
        return " ".join(parts)


def strings_for(layouts, lang: str) -> Strings:
    """The strings of ``lang``: the theme's catalogue, with the project's file of the same name
    over it string by string (so a project changes one word without copying the file); 'es-mx'
    over 'es'."""
    return _load(tuple((p, _stamp(p)) for p in catalogue_files(layouts, lang)), lang)


def catalogue_files(layouts, lang: str) -> list[Path]:
    """The files ``lang`` reads, the one read last winning: theme then project, 'es' then 'es-mx'."""
    return [folder / name for name in reversed(catalogue_names(lang)) for folder in reversed(layouts.folders)
            if (folder / name).is_file()]


def _stamp(path: Path) -> tuple:
    """What tells an edited catalogue from the one read before (publish serve keeps running)."""
    try:
        stat = path.stat()
        return stat.st_mtime_ns, stat.st_size
    except OSError:
        return ()


@functools.lru_cache(maxsize=32)
def _load(files: tuple, lang: str) -> Strings:
    words = {}
    for path, _ in files:
        words.update(_read(path))
    return Strings(lang, words)


def _read(path: Path) -> dict:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)}


def check_catalogues(layouts, languages: list[str]) -> list[Diagnostic]:
    """Every language the build writes has a catalogue with every key of the theme's English one,
    each a string with the same {fields}: no page mixes languages, no layout asks for a missing string."""
    base = _read(layouts.theme / FOLDER / f"{BASE}.toml")
    problems = []
    for lang in dict.fromkeys(languages):
        files = catalogue_files(layouts, lang)
        shown = layouts.shown(catalogue_names(lang)[-1])
        if not files:
            problems.append(error(shown, None, "layout.strings",
                                  f"no catalogue of the theme's strings in {lang!r}: copy layouts/{FOLDER}/{BASE}.toml "
                                  f"of the theme to {shown} and translate each string"))
            continue
        for path in files:
            try:
                tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                problems.append(error(layouts.shown_file(path), None, "layout.strings",
                                      f"not a readable TOML catalogue: {exc}"))
        words = strings_for(layouts, lang).words
        missing = [key for key in base if key not in words]
        if missing:
            problems.append(error(shown, None, "layout.strings",
                                  f"the {lang!r} catalogue lacks {len(missing)} string(s): {', '.join(missing)}; "
                                  f"add them (the English ones are in the theme's {FOLDER}/{BASE}.toml)"))
        for key, text in words.items():
            if key in base and set(_FIELD.findall(text)) != set(_FIELD.findall(base[key])):
                problems.append(error(shown, None, "layout.strings",
                                      f"the string {key!r} must use the fields {sorted(set(_FIELD.findall(base[key])))}"
                                      f", as the English one does; it has {sorted(set(_FIELD.findall(text)))}"))
    return problems


@functools.lru_cache(maxsize=32)
def _locale(lang: str):
    from babel import Locale, UnknownLocaleError

    for tag in (lang.replace("-", "_"), lang.split("-")[0]):
        try:
            return Locale.parse(tag)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse(BASE)


def language_name(lang: str) -> str:
    """A language's name in itself, as a language switcher shows it: 'Español', 'English'."""
    locale = _locale(lang)
    name = locale.get_display_name(locale) or lang
    return name[:1].upper() + name[1:]


def _plural(lang: str, count: int) -> str:
    form = _locale(lang).plural_form(count)
    return "one" if form == "one" else "other"
