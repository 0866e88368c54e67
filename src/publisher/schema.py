"""Typed checks for mappings read from YAML or TOML: front matter, disclaimers and config.

Each field names a converter that returns the clean value or raises ValueError with the
reason ("must be a list of text"). ``check_mapping`` runs them all and collects every problem,
so one run reports everything wrong with a file.
"""

from __future__ import annotations

import difflib
import re
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .dates import parse_moment
from .errors import Diagnostic, error

Converter = Callable[[Any], Any]

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ARTICLE_KEY_RE = re.compile(r"(?:[a-z]{2,3}(?:-[a-z0-9]{2,8})*/)?[a-z0-9]+(?:-[a-z0-9]+)*")  # 'es/terapia': an edition's article
MAX_SLUG = 100  # characters: a slug names a folder and files ('<slug>-print.pdf'), and file names stop at 255 bytes
_URL_RE = re.compile(r"https?://[^\s/?#<>\"'`\\]+(?:[/?#][^\s<>\"'`\\]*)?")
LANG_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class Field:
    convert: Converter
    required: bool = False
    default: Any = None


def text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be non-empty text")
    return value.strip()


def plain_text(value: Any) -> str:
    """Text that readers see (titles, descriptions, disclaimer texts): cleaned of markup once."""
    from .sanitise import clean_text

    cleaned = clean_text(text(value)).strip()
    if not cleaned:
        raise ValueError("must be non-empty text (markup is removed from it)")
    return cleaned


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be a number")
    return value


def whole_number(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number")
    return value


def within(convert: Converter, low: float, high: float) -> Converter:
    """A number (``number`` or ``whole_number``) from ``low`` to ``high``: a limit of -1, nan or
    1e400 would switch a check off or overflow the dates it is added to."""
    def converted(value: Any):
        value = convert(value)
        if not low <= value <= high:  # false for nan too
            raise ValueError(f"must be from {low:g} to {high:g}")
        return value
    converted.described = f"{describe(convert)} from {low:g} to {high:g}"
    return converted


def moment(value: Any):
    return parse_moment(value if isinstance(value, str) else "")


def slug(value: Any) -> str:
    if not isinstance(value, str) or not SLUG_RE.fullmatch(value):
        raise ValueError("must use only lowercase letters a-z, digits and single hyphens (e.g. 'ketamine-therapy')")
    if len(value) > MAX_SLUG:
        raise ValueError(f"is {len(value)} characters long; the limit is {MAX_SLUG}, as it names folders and files")
    return value


def language(value: Any) -> str:
    if not isinstance(value, str) or not LANG_RE.fullmatch(value):
        raise ValueError("must be a language tag such as 'en' or 'en-GB'")
    return value


FINGERPRINT_RE = re.compile(r"sha256:[0-9a-f]{64}")


def fingerprint(value: Any) -> str:
    if not isinstance(value, str) or not FINGERPRINT_RE.fullmatch(value.strip()):
        raise ValueError("must be a fingerprint such as 'sha256:3f2b...' (64 hexadecimal digits), as the build's "
                         "'translation out of date' message or 'publish list' shows it")
    return value.strip()


def uuid_text(value: Any) -> str:
    try:
        if isinstance(value, str):
            return str(uuid.UUID(value))
    except ValueError:
        pass
    raise ValueError("must be a UUID such as '3f2b8c1e-5d4a-4e8b-9c7d-1a2b3c4d5e6f' ('publish new' writes one)") from None


def url(value: Any) -> str:
    if not isinstance(value, str) or not _URL_RE.fullmatch(value):
        raise ValueError("must be an absolute http(s) address, without spaces, quotes or angle brackets")
    return value


def one_of(*choices: str) -> Converter:
    def convert(value: Any) -> str:
        if value not in choices:
            raise ValueError("must be one of " + ", ".join(repr(c) for c in choices))
        return value
    convert.described = "one of " + ", ".join(f"`{c}`" for c in choices)
    return convert


def list_of(item: Converter, what: str) -> Converter:
    def convert(value: Any) -> tuple:
        if not isinstance(value, list):
            raise ValueError(f"must be a list of {what}")
        out = []
        for index, element in enumerate(value, 1):
            try:
                out.append(item(element))
            except ValueError as exc:
                raise ValueError(f"item {index} {exc}") from None
        return tuple(out)
    convert.described = f"a list of {what}"
    return convert


def record(fields: Mapping[str, Field], build: Callable[..., Any]) -> Converter:
    """A nested mapping (e.g. one entry of ``sources``) checked field by field."""
    def convert(value: Any):
        if not isinstance(value, dict):
            raise ValueError("must be a mapping with keys " + ", ".join(fields))
        clean, problems = _check(value, fields)
        if problems:
            raise ValueError("; ".join(problems))
        return build(**clean)
    return convert


_DESCRIBED = {
    "text": "text", "plain_text": "text (markup is removed)", "boolean": "`true` or `false`",
    "number": "a number", "whole_number": "a whole number", "moment": "an ISO 8601 date or date-time",
    "slug": "a slug: a-z, 0-9 and single hyphens, at most 100 characters", "language": "a language tag (`en`, `en-GB`)",
    "uuid_text": "a UUID (`publish new` writes one)", "url": "an absolute http(s) address",
}


def describe(convert: Converter) -> str:
    """What a converter accepts, in words: the reference pages of the documentation say it."""
    return getattr(convert, "described", None) or _DESCRIBED.get(getattr(convert, "__name__", ""), "a value")


def _problems(data: Mapping[str, Any], fields: Mapping[str, Field]):
    """Clean values, and (key, kind, message) for each problem; kind is 'unknown', 'missing' or the key."""
    clean: dict[str, Any] = {}
    problems: list[tuple[str, str, str]] = []
    for key in data:
        if key not in fields:
            problems.append((key, "unknown", f"unknown key {key!r}{suggest(key, fields)}"))
    for key, spec in fields.items():
        value = data.get(key)
        if value is None:
            if spec.required:
                problems.append((key, "missing", f"required key {key!r} is missing; add '{key}: ...'"))
            clean[key] = spec.default
            continue
        try:
            clean[key] = spec.convert(value)
        except ValueError as exc:
            problems.append((key, key, f"{key!r} {exc}, got {_show(value)}"))
            clean[key] = spec.default  # keep every key present, so later checks can still run
    return clean, problems


def _check(data: Mapping[str, Any], fields: Mapping[str, Field]) -> tuple[dict, list[str]]:
    clean, problems = _problems(data, fields)
    return clean, [message for _, _, message in problems]


def suggest(key: Any, known) -> str:
    close = difflib.get_close_matches(str(key), list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(known)})"


def _show(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def check_mapping(
    data: Mapping[str, Any],
    fields: Mapping[str, Field],
    *,
    path: str,
    lines: Mapping[str, int],
    code: str,
    first_line: int | None = None,
) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Check every key of ``data``; return clean values and one diagnostic per problem."""
    clean, problems = _problems(data, fields)
    diagnostics = [
        error(path, first_line if kind == "missing" else lines.get(key, first_line), f"{code}.{kind}", message)
        for key, kind, message in problems
    ]
    return clean, diagnostics
