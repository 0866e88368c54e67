"""The built-in theme, and a project's own layouts over it, file by file.

Every project gets the theme that ships inside the package (the repository's ``layouts/``, one
copy, packaged as ``publisher/theme``); a project needs no layouts folder at all. As with Hugo's
themes and MkDocs' ``custom_dir``, a file at ``layouts/<channel>/<file>`` in the project replaces
the theme's file of that name and nothing else; removing it brings the theme's back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_PACKAGED = Path(__file__).with_name("theme")  # in an installed wheel
_SOURCE = Path(__file__).resolve().parents[2] / "layouts"  # in a checkout (an editable install)
THEME = _PACKAGED if _PACKAGED.is_dir() else _SOURCE


@dataclass(frozen=True)
class Layouts:
    """Where each layout file comes from: the project's own folder first, then the theme."""

    own: Path  # the project's layouts folder (it may not exist)
    root: Path  # the project, for the paths messages show
    theme: Path = THEME

    @property
    def folders(self) -> list[Path]:
        """The project's own layouts (when it has them and they are not the theme itself), then the theme."""
        own = [self.own] if self.own.is_dir() and self.own != self.theme else []
        return own + [self.theme]

    def find(self, relpath: str) -> Path | None:
        """The file a layout name stands for, or None."""
        for folder in self.folders:
            path = folder / relpath
            if path.is_file():
                return path
        return None

    def files(self, under: str = "") -> dict[str, Path]:
        """Every layout file below ``under`` (a channel's folder), by name: the project's own
        where it has one, else the theme's; sorted."""
        found: dict[str, Path] = {}
        for folder in reversed(self.folders):  # the theme first, so the project's files replace its
            base = folder / under if under else folder
            if base.is_dir():
                found.update({p.relative_to(folder).as_posix(): p for p in base.rglob("*") if p.is_file()})
        return dict(sorted(found.items()))

    def provenance(self) -> dict[str, str]:
        """Every layout file -> "theme", or the project's own file that replaces the theme's."""
        return {name: self._shown(path) if self.own != self.theme and path.is_relative_to(self.own) else "theme"
                for name, path in self.files().items()}

    def shown(self, relpath: str) -> str:
        """A layout file as messages name it: relative to the project when it is inside it (the
        project's own, or a missing one it could add), else the theme's file where it is installed."""
        return self._shown(self.find(relpath) or self.own / relpath)

    def shown_file(self, path: Path) -> str:
        """A layout file, found at ``path``, as messages name it."""
        return self._shown(path)

    def _shown(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def __str__(self) -> str:
        return " over ".join(str(folder) for folder in self.folders)
