"""Markdown to HTML through pandoc (pypandoc-binary), always sandboxed.

``--sandbox`` stops pandoc from reading files or fetching URLs that content names;
``--wrap=none`` keeps output independent of pandoc's line-width default.
"""

from __future__ import annotations

import logging

import pypandoc

from .errors import PublishError, error

PANDOC_ARGS = ("--sandbox", "--wrap=none", "--syntax-highlighting=none")
PANDOC_FORMAT = "markdown"


class MarkdownConverter:
    """Converts Markdown to HTML fragments; remembers results, since disclaimers repeat."""

    def __init__(self) -> None:
        self._done: dict[str, str] = {}
        logging.getLogger("pypandoc").setLevel(logging.ERROR)

    def to_html(self, text: str, source: str, line: int | None = None) -> str:
        if text not in self._done:
            try:
                self._done[text] = pypandoc.convert_text(
                    text, "html5", format=PANDOC_FORMAT, extra_args=list(PANDOC_ARGS)
                )
            except (RuntimeError, OSError) as exc:
                raise PublishError([error(source, line, "markdown.pandoc", f"pandoc could not convert it: {exc}")])
        return self._done[text]

    @staticmethod
    def version() -> str:
        return pypandoc.get_pandoc_version()
