"""The generators we measure ourselves against, on the same corpus: Pelican (pip) and Hugo (Debian).

Used by bench/build.py --compare. Pelican goes into a throwaway virtualenv; Hugo is used only
when a `hugo` command is installed (Debian's package `hugo`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

PELICAN_CONF = """AUTHOR = "Bench"
SITENAME = "Bench"
SITEURL = ""
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
FEED_ALL_ATOM = "feeds/all.atom.xml"
LOAD_CONTENT_CACHE = True
CACHE_CONTENT = True
"""


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    """(seconds, peak MB) of one command: wall time, and the largest resident size of it and the
    processes it waited for (its own rusage from wait4, not a running maximum of every child)."""
    started = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, args)
    return seconds, usage.ru_maxrss / 1024


def pelican_site(root: Path, articles: list[tuple[str, str, str]]) -> Path:
    """A Pelican project of the same articles: (slug, title, Markdown body)."""
    site = root / "pelican"
    (site / "content").mkdir(parents=True)
    (site / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")
    for number, (slug, title, body) in enumerate(articles):
        (site / "content" / f"{slug}.md").write_text(
            f"Title: {title}\nDate: 2025-01-{number % 28 + 1:02d}\nSlug: {slug}\nAuthor: Bench\n"
            f"Summary: A generated article for benchmarks.\n\n{body}", encoding="utf-8")
    return site


def pelican_command(root: Path) -> list[str] | None:
    """Install Pelican into a throwaway virtualenv; None when that is not possible here."""
    env = root / "pelican-venv"
    venv.EnvBuilder(with_pip=True).create(env)
    python = env / "bin" / "python"
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                           "pelican[markdown]"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return [str(env / "bin" / "pelican")] if done.returncode == 0 else None


def pelican_cold(command: list[str], site: Path) -> tuple[float, float]:
    shutil.rmtree(site / "output", ignore_errors=True)
    shutil.rmtree(site / "cache", ignore_errors=True)
    return timed(command + ["content", "-o", "output", "-s", "pelicanconf.py", "-q"], site)


def hugo_site(root: Path, articles: list[tuple[str, str, str]]) -> Path | None:
    if shutil.which("hugo") is None:
        return None
    site = root / "hugo"
    (site / "content" / "posts").mkdir(parents=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text('baseURL = "http://localhost/"\ntitle = "Bench"\n', encoding="utf-8")
    (site / "layouts" / "_default" / "single.html").write_text(
        "<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body>{{ .Content }}</body></html>\n")
    (site / "layouts" / "_default" / "list.html").write_text(
        "<!DOCTYPE html><html><body>{{ range .Pages }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}"
        "</body></html>\n")
    for number, (slug, title, body) in enumerate(articles):
        (site / "content" / "posts" / f"{slug}.md").write_text(
            f"---\ntitle: \"{title}\"\ndate: 2025-01-{number % 28 + 1:02d}\nslug: {slug}\n---\n\n{body}", encoding="utf-8")
    return site


def hugo_build(site: Path, clean: bool) -> tuple[float, float]:
    if clean:
        shutil.rmtree(site / "public", ignore_errors=True)
    return timed(["hugo", "--quiet"], site)


if __name__ == "__main__":
    sys.exit("run bench/build.py --compare")
