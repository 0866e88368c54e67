"""The Jinja2 environment every channel renders with: strict, autoescaped, with our filters."""

from __future__ import annotations

import functools
import json
import posixpath
from pathlib import Path

import jinja2

from .errors import PublishError, error


@functools.lru_cache(maxsize=8192)
def relative_url(target: str, page: str) -> str:
    """Link from one output (e.g. 'site/a/index.html') to another, relative to the page's folder.

    Output paths are plain ('a/b/c', no '.', '..' or empty parts): those are worked out by
    comparing parts, which is what posixpath.relpath does after looking up the current folder."""
    folder = posixpath.dirname(page)
    here, there = folder.split("/") if folder else [], target.split("/")
    if any(part in ("", ".", "..") for part in here + there):
        return posixpath.relpath(target, folder or ".")
    common = 0
    while common < min(len(here), len(there)) and here[common] == there[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:]) or "."


def json_ld(data) -> str:
    """JSON for a <script> element: '<', '>' and '&' are escaped so content cannot close it."""
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def css_string(value: str) -> str:
    """A quoted CSS string (for ``content:``) that text cannot break out of."""
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'


def make_environment(layouts: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(layouts)),
        autoescape=jinja2.select_autoescape(["html", "xml", "j2"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["relative_url"] = relative_url
    env.filters["json_ld"] = json_ld
    env.filters["css_string"] = css_string
    return env


def render(env: jinja2.Environment, name: str, layouts_shown: str, **context) -> str:
    """Render one template; template mistakes become diagnostics naming the template file and line."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        where = f"{layouts_shown}/{exc.name or name}"
        raise PublishError([error(where, exc.lineno, "layout.syntax", f"template syntax error: {exc.message}")])
    except jinja2.TemplateNotFound as exc:
        raise PublishError([error(f"{layouts_shown}/{name}", None, "layout.missing",
                                  f"template {exc.name!r} not found in {layouts_shown}/")])
    except jinja2.UndefinedError as exc:
        template, line = _innermost_template(exc, env, name)
        raise PublishError([error(f"{layouts_shown}/{template}", line, "layout.undefined",
                                  f"template uses an undefined value: {exc.message}")])


def _innermost_template(exc: BaseException, env: jinja2.Environment, name: str) -> tuple[str, int | None]:
    """The template file and line where rendering failed (Jinja puts them in the traceback)."""
    roots = [Path(p).resolve() for p in env.loader.searchpath]
    found: tuple[str, int | None] = (name, None)
    tb = exc.__traceback__
    while tb is not None:
        filename = Path(tb.tb_frame.f_code.co_filename)
        for root in roots:
            if filename.is_relative_to(root):
                found = (filename.relative_to(root).as_posix(), tb.tb_lineno)
        tb = tb.tb_next
    return found
