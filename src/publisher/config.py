"""``publish.toml``: optional, typed and frozen; every problem reported in one go.

Precedence (as in Quarto): a channel's own defaults, then the channel's section of
``publish.toml``. Without a file every default applies, so ``publish build`` works bare.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping, Optional

from . import schema
from .errors import Diagnostic, error, raise_if_errors
from .frontmatter import read_text
from .schema import Field
from .checks.plain import PLAIN_FIELDS

CONFIG_NAME = "publish.toml"

SITE_FIELDS = {
    "title": Field(schema.plain_text, default="Articles"),
    "base_url": Field(schema.url),
    "language": Field(schema.language, default="en"),
    "description": Field(schema.plain_text),
    "author": Field(schema.plain_text),  # default author for 'publish new'
    "contact": Field(schema.plain_text),  # where readers send questions or feedback: shown in every channel
}
DISCLAIMER_FIELDS = {
    "default": Field(schema.list_of(schema.text, "disclaimer ids"), default=()),
}
LANGUAGE_FIELDS = {  # [languages.<code>]: an edition of the site in another language
    "title": Field(schema.plain_text),  # default: [site] title
    "description": Field(schema.plain_text),  # default: [site] description
    # The plain summary's least reading ease on the language's own scale (Spanish: Szigriszt-Pazos,
    # read on the INFLESZ scale, where 55 and over is "normal" and health texts should reach it).
    "min_reading_ease": Field(schema.within(schema.number, 0, 120), default=55.0),
    "max_words": Field(schema.within(schema.whole_number, 10, 2_000)),  # default: [summary] max_words
}
LANGUAGE_CODE_RE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*")
REVIEW_FIELDS = {
    "required": Field(schema.boolean, default=True),  # every published article needs reviewed_by and reviewed_on
    "max_age_days": Field(schema.within(schema.whole_number, 1, 36_500), default=365),  # an older review stops the article publishing
    "roles": Field(schema.list_of(schema.slug, "role names"), default=()),  # approvals each article needs (publish approve)
}


@dataclass(frozen=True)
class ReviewConfig:
    required: bool = True
    max_age_days: int = 365
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class LanguageConfig:
    """One edition besides the default: its pages live under /<code>/."""

    code: str
    title: Optional[str] = None
    description: Optional[str] = None
    min_reading_ease: float = 55.0
    max_words: Optional[int] = None


@dataclass(frozen=True)
class SiteConfig:
    title: str = "Articles"
    base_url: Optional[str] = None
    language: str = "en"
    description: Optional[str] = None
    author: Optional[str] = None
    contact: Optional[str] = None


@dataclass(frozen=True)
class Config:
    site: SiteConfig = SiteConfig()
    default_disclaimers: tuple[str, ...] = ()
    review: ReviewConfig = ReviewConfig()
    plain: Mapping[str, Any] = field(default_factory=lambda: _defaults(PLAIN_FIELDS))  # [plain]: checks.plain
    channels: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))
    languages: Mapping[str, LanguageConfig] = field(default_factory=lambda: MappingProxyType({}))  # besides the default
    strict_translations: bool = False  # [languages] strict: a translation out of date is an error
    path: Optional[str] = None  # shown in diagnostics; None when there is no file
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)  # "section.key" -> line

    def channel(self, name: str) -> Mapping[str, Any]:
        return self.channels.get(name, MappingProxyType({}))

    def edition_of(self, lang: str) -> Optional[str]:
        """The edition an article in ``lang`` belongs to: "" for the default language (an 'en-GB'
        article in an 'en' site too), the code of an enabled language, or None for neither."""
        default = self.site.language.lower()
        wanted = lang.lower()
        for candidate in (wanted, wanted.split("-")[0]):
            if candidate == default or candidate == default.split("-")[0]:
                return ""
            if candidate in self.languages:
                return candidate
        return None


def load_config(project: Path, channel_options: Mapping[str, Mapping[str, Field]]) -> Config:
    """Read ``publish.toml`` if present; raise PublishError listing every problem."""
    config, problems = read_config(project, channel_options)
    raise_if_errors(problems)
    return config


def read_config(project: Path, channel_options: Mapping[str, Mapping[str, Field]]) -> tuple[Config, list[Diagnostic]]:
    """(the configuration, every problem in it); a value in error has its default, so the rest of a
    run is still checked as the file says (an unreadable file: every default)."""
    path = project / CONFIG_NAME
    defaults = Config(channels=MappingProxyType({name: _defaults(options) for name, options in channel_options.items()}))
    if not path.is_file():
        return defaults, []
    shown = CONFIG_NAME
    text, problems = read_text(path, shown)
    if text is None:
        return defaults, problems
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        return defaults, [error(shown, int(match.group(1)) if match else None, "config.toml", f"not valid TOML: {exc}")]
    lines = _key_lines(text)
    sections = {"site": SITE_FIELDS, "disclaimers": DISCLAIMER_FIELDS, "review": REVIEW_FIELDS, "plain": PLAIN_FIELDS,
                **channel_options}
    languages, strict, diagnostics = _languages(data.get("languages", {}), lines, shown)
    values: dict[str, dict[str, Any]] = {}
    for name, table in data.items():
        if name == "languages":
            continue
        if name not in sections:
            diagnostics.append(error(shown, lines.get(name), "config.unknown",
                                     f"unknown section [{name}]{schema.suggest(name, sections)}"))
        elif not isinstance(table, dict):
            diagnostics.append(error(shown, lines.get(name), "config.section", f"[{name}] must be a table"))
    for name, fields in sections.items():
        table = data.get(name, {})
        if not isinstance(table, dict):
            continue
        section_lines = {key: lines.get(f"{name}.{key}") for key in table}
        clean, problems = schema.check_mapping(table, fields, path=shown, lines=section_lines,
                                               code=f"config.{name}", first_line=lines.get(name))
        values[name] = clean
        diagnostics += [_prefix(d, name) for d in problems]
    for name, fields in sections.items():  # a key in error has its default (schema.py); a section, its defaults
        values.setdefault(name, {key: spec.default for key, spec in fields.items()})
    channels = {name: MappingProxyType(values[name]) for name in channel_options}
    default = str(values["site"]["language"]).lower()
    for code in [c for c in languages if c in (default, default.split("-")[0])]:
        diagnostics.append(error(shown, lines.get(f"languages.{code}"), "config.languages",
                                 f"[languages.{code}] is the site's own language ([site] language = "
                                 f"{values['site']['language']!r}); remove the table, or change [site] language"))
        del languages[code]
    return Config(
        site=SiteConfig(**values["site"]),
        default_disclaimers=tuple(values["disclaimers"]["default"]),
        review=ReviewConfig(**values["review"]),
        plain=MappingProxyType(values["plain"]),
        channels=MappingProxyType(channels),
        languages=MappingProxyType(languages),
        strict_translations=strict,
        path=shown,
        lines=lines,
    ), diagnostics


def _languages(table: Any, lines: dict, shown: str) -> tuple[dict, bool, list[Diagnostic]]:
    """``[languages]``: ``strict``, and a table per enabled language (``[languages.es]``)."""
    if not isinstance(table, dict):
        return {}, False, [error(shown, lines.get("languages"), "config.languages", "[languages] must be a table")]
    found, strict, problems = {}, False, []
    for key, value in table.items():
        line = lines.get(f"languages.{key}") or lines.get("languages")
        if key == "strict":
            if isinstance(value, bool):
                strict = value
            else:
                problems.append(error(shown, line, "config.languages", "[languages] strict must be true or false"))
        elif not isinstance(key, str) or not LANGUAGE_CODE_RE.fullmatch(key):
            problems.append(error(shown, line, "config.languages",
                                  f"[languages.{key}]: a language must be a lowercase language code such as 'es' "
                                  "or 'pt-br' (it names the folder of that edition)"))
        elif not isinstance(value, dict):
            problems.append(error(shown, line, "config.languages",
                                  f"[languages] {key} must be a table: write [languages.{key}] with its title"))
        else:
            section_lines = {k: lines.get(f"languages.{key}.{k}") for k in value}
            clean, found_problems = schema.check_mapping(value, LANGUAGE_FIELDS, path=shown, lines=section_lines,
                                                         code="config.languages", first_line=line)
            problems += [_prefix(d, f"languages.{key}") for d in found_problems]
            found[key] = LanguageConfig(code=key, **clean)
    return dict(sorted(found.items())), strict, problems


def _defaults(options: Mapping[str, Field]) -> Mapping[str, Any]:
    return MappingProxyType({key: spec.default for key, spec in options.items()})


def _prefix(diagnostic: Diagnostic, section: str) -> Diagnostic:
    return Diagnostic(diagnostic.path, diagnostic.line, diagnostic.code,
                      f"[{section}] {diagnostic.message}", diagnostic.severity)


def _key_lines(text: str) -> dict[str, int]:
    """Best-effort line numbers for ``[section]`` headers and their ``key =`` lines."""
    lines: dict[str, int] = {}
    section = ""
    for number, line in enumerate(text.split("\n"), 1):
        header = re.match(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]", line)
        if header:
            section = header.group(1)
            lines.setdefault(section, number)
            continue
        key = re.match(r"^\s*([A-Za-z0-9_-]+)\s*=", line)
        if key:
            lines.setdefault(f"{section}.{key.group(1)}" if section else key.group(1), number)
    return lines
