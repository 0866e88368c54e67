"""Which disclaimers an article gets, in which order.

Start from ``[disclaimers] default`` in publish.toml plus every disclaimer marked
``required: true``; the article's ``disclaimers:`` adds ids and drops defaults with ``-id``.
A required disclaimer can never be dropped. A disclaimer whose file failed to load (``broken``)
is not reported again as unknown: its file's own errors say what to fix.
"""

from __future__ import annotations

from typing import Mapping

from .config import Config
from .errors import Diagnostic, error
from .model import Article, Disclaimer
from .schema import suggest


def check_default_disclaimers(config: Config, disclaimers: Mapping[str, Disclaimer],
                              broken: frozenset[str] = frozenset()) -> list[Diagnostic]:
    line = config.lines.get("disclaimers.default")
    return [
        error(config.path or "publish.toml", line, "config.disclaimers",
              f"[disclaimers] default names unknown disclaimer {ref!r}{_known(ref, disclaimers)}")
        for ref in config.default_disclaimers if ref not in disclaimers and ref not in broken
    ]


def resolve_disclaimers(article: Article, config: Config, disclaimers: Mapping[str, Disclaimer],
                        broken: frozenset[str] = frozenset()):
    """Return (disclaimers in order, diagnostics)."""
    line = article.lines.get("disclaimers")
    chosen = [ref for ref in config.default_disclaimers if ref in disclaimers]
    chosen += [d.id for d in disclaimers.values() if d.required and d.id not in chosen]
    problems = []
    for ref in article.disclaimer_refs:
        ident = ref.lstrip("-")
        if ident in broken:
            continue
        if ident not in disclaimers:
            problems.append(error(article.source, line, "frontmatter.disclaimers",
                                  f"unknown disclaimer {ident!r}{_known(ident, disclaimers)}"))
        elif ref.startswith("-"):
            if disclaimers[ident].required:
                problems.append(error(article.source, line, "frontmatter.disclaimers",
                                      f"disclaimer {ident!r} is required and cannot be removed "
                                      f"(it is marked 'required: true' in {disclaimers[ident].source})"))
            elif ident not in chosen:
                problems.append(error(article.source, line, "frontmatter.disclaimers",
                                      f"'-{ident}' removes a disclaimer that is not a default; delete it"))
            else:
                chosen.remove(ident)
        elif ident not in chosen:
            chosen.append(ident)
    return tuple(disclaimers[ident] for ident in chosen), problems


def _known(ident: str, disclaimers: Mapping[str, Disclaimer]) -> str:
    if not disclaimers:
        return " (there are no disclaimers; add content/disclaimers/<id>.md)"
    hint = suggest(ident, disclaimers)
    return hint.replace("known keys", "known disclaimers")
