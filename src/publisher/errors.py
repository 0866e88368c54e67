"""One diagnostic type and one printer, so every problem reads the same way.

Shape (as Sphinx does it): ``content/x.md:4: error: 'date' must be ... [frontmatter.date]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class Diagnostic:
    path: str | None
    line: int | None
    code: str
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        place = ""
        if self.path:
            place = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"{place}{self.severity}: {self.message} [{self.code}]"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def error(path, line, code, message) -> Diagnostic:
    return Diagnostic(str(path) if path else None, line, code, message, "error")


def warning(path, line, code, message) -> Diagnostic:
    return Diagnostic(str(path) if path else None, line, code, message, "warning")


class PublishError(Exception):
    """Raised with every problem found in one pass, so authors fix them all at once."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


def raise_if_errors(diagnostics: Iterable[Diagnostic]) -> None:
    errors = [d for d in diagnostics if d.is_error]
    if errors:
        raise PublishError(errors)
