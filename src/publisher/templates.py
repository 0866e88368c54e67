"""The Jinja2 environment every channel renders with: strict, autoescaped, with our filters."""

from __future__ import annotations

import functools
import json
import posixpath
import re
from pathlib import Path

import jinja2
import jinja2.meta

from .cache import Memo
from .errors import PublishError, error


_CSS_SPECIAL = re.compile(r'["\\\x00-\x1f\x7f-\x9f<>]')


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
    """A quoted CSS string (for ``content:``) that text cannot break out of: quotes, backslashes and
    every control character (a newline, a carriage return) are written as CSS escapes."""
    escaped = _CSS_SPECIAL.sub(lambda m: f"\\{ord(m.group(0)):X} ", str(value))
    return f'"{escaped}"'


def make_environment(layouts) -> jinja2.Environment:
    """Templates from ``layouts`` (layouts.Layouts): the project's own first, then the theme's."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(folder) for folder in layouts.folders]),
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


_ENVIRONMENTS = Memo(4)  # by every layout file's name, place and bytes: ``publish serve`` compiles once


def environment_for(layouts) -> tuple[jinja2.Environment, dict]:
    """The environment of ``layouts`` and the memo of what each template refers to (see
    ``template_closure``): the same ones again while no layout file changes, so a long-lived
    process does not compile the templates again for every build."""
    import hashlib

    files = [[name, str(path), hashlib.sha256(path.read_bytes()).hexdigest()] for name, path in layouts.files().items()]
    folders = [str(folder) for folder in layouts.folders]
    return _ENVIRONMENTS.get(("layouts", json.dumps([folders, files])), lambda: (make_environment(layouts), {}))


def render(env: jinja2.Environment, name: str, layouts, **context) -> str:
    """Render one template; any mistake in it becomes a diagnostic naming the template file and line.
    ``t``, the theme's strings in the page's language (strings.py), comes with every page's ``lang``."""
    if "lang" in context and "t" not in context:
        from .strings import strings_for

        context["t"] = strings_for(layouts, context["lang"])
    try:
        return env.get_template(name).render(**context)
    except (jinja2.TemplateSyntaxError, jinja2.TemplateNotFound) as exc:
        raise PublishError(template_problems(exc, name, layouts))
    except Exception as exc:  # anything raised from a template frame: {{ title + 1 }}, a filter given a wrong type
        template, line = _innermost_template(exc, env, name)
        if template is None:
            raise  # not the template's doing: our own bug, shown as one
        code, what = ("layout.undefined", "template uses an undefined value") \
            if isinstance(exc, jinja2.UndefinedError) else ("layout.error", f"template error ({type(exc).__name__})")
        raise PublishError([error(layouts.shown(template), line, code, f"{what}: {exc}")]) from None


def template_problems(exc: Exception, name: str, layouts) -> list:
    """Diagnostics naming the template file (layouts.Layouts.shown) and line."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return [error(layouts.shown(exc.name or name), exc.lineno, "layout.syntax",
                      f"template syntax error: {exc.message}")]
    missing = getattr(exc, "name", None) or name
    return [error(layouts.shown(missing), None, "layout.missing",
                  f"template {missing!r} is neither in the project's layouts nor in the theme")]


def check_templates(env: jinja2.Environment, names: list[str], layouts, memo: dict | None = None) -> list:
    """Every template a build will render, and those they extend, import or include, compiled now:
    each missing file or syntax error is reported before anything renders."""
    memo = {} if memo is None else memo
    found, _ = template_closure(env, names, memo)
    problems = []
    for name in sorted(found):
        try:
            if isinstance(memo[name], Exception):
                raise memo[name]
            env.get_template(name)  # compiled once: the build renders with this environment
        except (jinja2.TemplateSyntaxError, jinja2.TemplateNotFound) as exc:
            problems += template_problems(exc, name, layouts)
    return problems


def template_closure(env: jinja2.Environment, names, memo: dict | None = None) -> tuple[set, bool]:
    """(``names`` and every template they extend, import or include, followed; whether some
    reference is only known while rendering). ``memo`` keeps what each template refers to (or
    the error reading it), so that templates shared by several channels are read once."""
    memo = {} if memo is None else memo
    pending = list(names)
    while pending:
        name = pending.pop(0)
        if name in memo:
            continue
        try:
            source = env.loader.get_source(env, name)[0]
            memo[name] = list(jinja2.meta.find_referenced_templates(env.parse(source, name)))
        except (jinja2.TemplateSyntaxError, jinja2.TemplateNotFound) as exc:
            memo[name] = exc
            continue
        pending += [ref for ref in memo[name] if ref]
    return _reached(names, memo)


def _reached(names, memo: dict) -> tuple[set, bool]:
    found, dynamic, pending = set(), False, list(names)
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found.add(name)
        references = memo.get(name)
        if isinstance(references, list):
            dynamic = dynamic or None in references
            pending += [ref for ref in references if ref]
    return found, dynamic


def _innermost_template(exc: BaseException, env: jinja2.Environment, name: str) -> tuple[str | None, int | None]:
    """The template file and line where rendering failed (Jinja puts them in the traceback)."""
    roots = [Path(p).resolve() for p in env.loader.searchpath]
    found: tuple[str | None, int | None] = (name if isinstance(exc, jinja2.UndefinedError) else None, None)
    tb = exc.__traceback__
    while tb is not None:
        filename = Path(tb.tb_frame.f_code.co_filename)
        for root in roots:
            if filename.is_relative_to(root):
                found = (filename.relative_to(root).as_posix(), tb.tb_lineno)
        tb = tb.tb_next
    return found
