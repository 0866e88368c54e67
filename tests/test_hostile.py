"""Hostile and broken input: every bad file is refused with a 'file:line: error:' message, in bounded
time and memory, without a traceback, without touching the previous build, and without writing
anywhere but the output folder.

The corpus lives in tests/fixtures/bad/<case>/: the files of the case (``content/...``, and
``publish.toml`` or ``layouts/...`` when the case needs them), an optional ``expand.json`` (large
inputs are generated, not stored: ``[{"file": ..., "append": text, "times": n}]``), and
``expected.txt``: the exit code on the first line, then one line per message that must be printed,
either exact or ``re:`` and a regular expression searched in each printed line.

Each case starts from a copy of one good build (made once per module: the repository's layouts,
disclaimers, claims, glossary and publish.toml, plus a known-good article, built on every channel),
snapshots it, copies the case's files over the copy (a case's ``content/disclaimers/`` files join
the repository's), and runs ``publish build --as-of 2027-01-01`` as a real process
(``python -m publisher``), so that a crash shows as it would to a user and its peak memory can be read.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import AS_OF, REPO, tree_bytes
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from publisher.content import load_article
from publisher.markdown import MarkdownConverter
from publisher.model import Article

CORPUS = Path(__file__).resolve().parent / "fixtures" / "bad"
TIME_BOUND = 20.0  # seconds for one `publish build`; a good build of the base project takes about 2 s
MEMORY_BOUND = 1 << 30  # bytes: the peak resident memory of a build and every process it waited for
PWNED = Path("/tmp/pwned")

# Cases that show a bug in src/: each must fail until the bug is fixed (strict xfail).
BUGS: dict[str, str] = {}  # none open; a case that shows a bug goes here until it is fixed

GOOD_ARTICLE = """\
---
id: 6a1f3c2e-8b4d-4e5f-9a7b-1c2d3e4f5a6b
title: Drinking Enough Water
date: 2026-06-01
author: Editorial team
description: Why water matters and how much to drink each day.
tags: [water, health]
plain_summary: |-
  Your body needs water to work well. Drink a glass of water with each meal. Drink more on hot days.
---

Water helps your body stay cool and keeps your joints moving.

## How much to drink

Most adults do well with six to eight glasses a day. You may need more when it is hot.
"""


def small_article(number: int, body: str = "") -> str:
    """A valid article that builds on every channel (plain summary, no risky claims)."""
    body = body or "".join(
        f"\n## Part {part}\n\nDrink a glass of water with each meal, number {number}. "
        "Water helps your body stay cool. Sip more on hot days and when you walk a lot.\n"
        for part in range(1, 4)
    )
    return (
        "---\n"
        f"title: Water Note {number}\n"
        f"date: 2026-05-{1 + number % 28:02d}\n"
        "author: Editorial team\n"
        f"description: A short note about water, number {number}.\n"
        "plain_summary: Drink water each day. It helps you feel well.\n"
        "---\n\nWater is good for you.\n" + body
    )


# --- running publish as a process ------------------------------------------------------------


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    maxrss: int  # bytes
    timed_out: bool

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _env() -> dict:
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)
    return env


def _high_water(pid: int) -> int:
    """The peak resident memory (VmHWM, bytes) of a living process, else 0."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children", encoding="ascii") as handle:
                    children = [int(c) for c in handle.read().split()]
            except (OSError, ValueError):
                continue
            found += children
            todo += children
    return found


class Publish:
    """``python -m publisher -C project ARGS`` in its own process group, measured as it runs.

    Its peak memory: Linux counts a forked child's memory before exec (all of pytest's, grown by
    the tests before) in the ru_maxrss that wait4 reports, so that figure is used only when it is
    clearly above pytest's own size; otherwise the peak is the high-water mark (VmHWM) of the
    build and each of its descendants, sampled at every poll (a high-water mark keeps the peak
    between samples)."""

    def __init__(self, project: Path, *args: str):
        # closed in _finish, once the process has ended
        self._out = tempfile.TemporaryFile()  # noqa: SIM115
        self._err = tempfile.TemporaryFile()  # noqa: SIM115
        self.started = time.monotonic()
        self.inherited = _high_water(os.getpid())  # at most what the child holds of pytest at its fork
        self.peak = 0
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "publisher", "-C", str(project), *args],
            stdout=self._out, stderr=self._err, stdin=subprocess.DEVNULL, cwd=project, env=_env(),
            start_new_session=True,
        )
        self.result: Run | None = None

    def poll(self) -> bool:
        """True once the process has ended (and its result is recorded)."""
        if self.result is None:
            self._sample()
            pid, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                self._finish(status, usage, False)
        return self.result is not None

    def _sample(self) -> None:
        for pid in [self.proc.pid, *_descendants(self.proc.pid)]:
            self.peak = max(self.peak, _high_water(pid))

    def stderr_so_far(self) -> str:
        self._err.flush()
        with open(f"/proc/self/fd/{self._err.fileno()}", "rb") as again:
            return again.read().decode("utf-8", "replace")

    def kill(self) -> None:
        """SIGKILL the build itself (only its main process), as a power cut or OOM killer would."""
        os.kill(self.proc.pid, signal.SIGKILL)

    def wait(self, bound: float = TIME_BOUND) -> Run:
        while not self.poll():
            if time.monotonic() - self.started > bound:
                self._kill_group()
                _, status, usage = os.wait4(self.proc.pid, 0)
                self._finish(status, usage, True)
                break
            time.sleep(0.01)
        return self.result

    def _kill_group(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def _finish(self, status, usage, timed_out: bool) -> None:
        seconds = time.monotonic() - self.started
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        self._kill_group()  # helpers left behind by the build (pandoc, WeasyPrint workers), if any
        texts = []
        for handle in (self._out, self._err):
            handle.seek(0)
            texts.append(handle.read().decode("utf-8", "replace"))
            handle.close()
        # ru_maxrss (KiB on Linux) counts the build and every process it waited for, and pytest's
        # pages the child held before it ran publisher: telling only when clearly above those.
        reported = usage.ru_maxrss * 1024
        measured = reported if reported > self.inherited + (64 << 20) else 0
        self.result = Run(self.proc.returncode, texts[0], texts[1], seconds, max(self.peak, measured), timed_out)


def publish(project: Path, *args: str, bound: float = TIME_BOUND) -> Run:
    return Publish(project, *args).wait(bound)


def build(project: Path, *args: str, bound: float = TIME_BOUND) -> Run:
    return publish(project, "build", "--as-of", AS_OF, *args, bound=bound)


def ok(run: Run) -> None:
    assert not run.timed_out, f"still running after {run.seconds:.1f} s:\n{run.output}"
    assert run.code == 0, run.output
    assert "Traceback" not in run.output, run.output


# --- trees -------------------------------------------------------------------------------------


def project_tree(project: Path) -> dict[str, bytes | None]:
    """Every path in the project except the output folder and the cache; folders map to None."""
    tree: dict[str, bytes | None] = {}
    for path in sorted(project.rglob("*")):
        rel = path.relative_to(project)
        if rel.parts[0] in ("build", ".cache"):
            continue
        tree[rel.as_posix()] = path.read_bytes() if path.is_file() and not path.is_symlink() else None
    return tree


def leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in project.iterdir() if p.name.startswith(".build."))


def assert_valid_build(out: Path, slugs: set[str]) -> dict:
    """manifest.json lists exactly ``slugs`` and every file it lists exists."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {a["slug"] for a in manifest["articles"]} == slugs
    listed = [path for a in manifest["articles"] for path in a["outputs"].values()]
    listed += list(manifest.get("feeds", {}).values())
    listed += [manifest[key] for key in ("index", "leaflets") if key in manifest]
    assert listed
    missing = [path for path in listed if not (out / path).is_file()]
    assert not missing, missing
    return manifest


# --- the base project --------------------------------------------------------------------------


def make_base(folder: Path) -> Path:
    """The repository's layouts, disclaimers, claims, glossary and publish.toml, and one good article."""
    folder.mkdir(parents=True)
    shutil.copytree(REPO / "layouts", folder / "layouts")
    (folder / "content").mkdir()
    shutil.copytree(REPO / "content" / "disclaimers", folder / "content" / "disclaimers")
    for name in ("claims.yaml", "glossary.yaml"):
        shutil.copy2(REPO / "content" / name, folder / "content" / name)
    shutil.copy2(REPO / "publish.toml", folder / "publish.toml")
    (folder / "content" / "good.md").write_text(GOOD_ARTICLE, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built_base(tmp_path_factory) -> Path:
    """The base project after a good build (all channels); tests copy it, build folder and cache included."""
    base = make_base(tmp_path_factory.mktemp("base") / "proj")
    ok(build(base))
    assert_valid_build(base / "build", {"good"})
    return base


def copy_base(built_base: Path, dest: Path) -> Path:
    shutil.copytree(built_base, dest, symlinks=True)
    return dest


# --- the corpus --------------------------------------------------------------------------------


def read_expected(case: Path) -> tuple[int, list[str]]:
    lines = [line for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
    return int(lines[0]), lines[1:]


def line_matching(text: str, expected: str) -> str | None:
    for line in text.splitlines():
        if expected.startswith("re:"):
            if re.search(expected[3:], line):
                return line
        elif line == expected:
            return line
    return None


def apply_case(case: Path, project: Path) -> list[str]:
    """Copy the case's files over the project; return the case's files (relative posix paths)."""
    files = []
    for path in sorted(case.rglob("*")):
        rel = path.relative_to(case)
        if path.is_dir() or rel.as_posix() in ("expected.txt", "expand.json"):
            continue
        target = project / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        files.append(rel.as_posix())
    expand = case / "expand.json"
    if expand.is_file():
        for step in json.loads(expand.read_text(encoding="utf-8")):
            with open(project / step["file"], "ab") as handle:
                handle.write(step["append"].encode("utf-8") * step["times"])
    return files


def _case_params():
    for case in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        marks = [pytest.mark.xfail(strict=True, reason=BUGS[case.name])] if case.name in BUGS else []
        yield pytest.param(case.name, id=case.name, marks=marks)


def test_corpus_is_complete():
    names = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    assert set(BUGS) <= names
    for name in names:
        code, messages = read_expected(CORPUS / name)
        assert code in (0, 1, 2) and messages, name
        assert any((CORPUS / name / part).exists() for part in ("content", "layouts", "publish.toml")), name


@pytest.mark.parametrize("name", list(_case_params()))
def test_bad_input(name, built_base, tmp_path):
    """One case of tests/fixtures/bad/: ``publish build --as-of 2027-01-01`` after a good build.

    Bounds: the build ends before a deadline of TIME_BOUND (20 s; past it, it is killed and the case
    fails) and its peak resident memory, with every process it waited for (os.wait4's ru_maxrss),
    stays under MEMORY_BOUND (1 GiB).
    Asserts: the exit code; each expected message is printed and names a file of the case (with
    its line where the message gives one); no 'Traceback'; on failure the previous build is
    byte-identical; nothing is written in the project outside the output folder and .cache/, no
    staging or old folder is left, and nothing beside the project.
    """
    case = CORPUS / name
    code, messages = read_expected(case)
    project = copy_base(built_base, tmp_path / "proj")
    before_build = tree_bytes(project / "build")
    assert "manifest.json" in before_build
    case_files = apply_case(case, project)
    before_project = project_tree(project)
    pwned_before = PWNED.exists() and PWNED.stat().st_mtime_ns

    run = build(project)

    assert not run.timed_out, f"{name}: the build was still running after {TIME_BOUND} s and was killed"
    assert run.maxrss < MEMORY_BOUND, f"{name}: peak memory {run.maxrss / 2**20:.0f} MiB"
    assert "Traceback" not in run.output, run.output
    assert run.code == code, run.output
    for expected in messages:
        line = line_matching(run.output, expected)
        assert line is not None, f"no printed line matches {expected!r} in:\n{run.output}"
        if code != 0:
            assert any(line.startswith(f"{f}:") for f in case_files), f"{line!r} names none of {case_files}"
    if code != 0:
        assert "error:" in run.stderr
        assert re.search(r"^Build failed: \d+ errors?\.$", run.stderr, re.MULTILINE), run.stderr
        assert tree_bytes(project / "build") == before_build, "a failed build changed the previous build"
    else:
        built = assert_valid_build(project / "build", {"good", *(Path(f).stem for f in case_files)})
        assert len(built["articles"]) == 2
    assert project_tree(project) == before_project, "the build wrote outside its output folder"
    assert leftovers(project) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj"]
    assert (PWNED.exists() and PWNED.stat().st_mtime_ns) == pwned_before
    assert_check_refuses_the_same(project, run)


def assert_check_refuses_the_same(project: Path, run: Run) -> None:
    """``publish check`` validates what ``build`` does: every error a build printed, check reports
    with the same place, message and code (and exits 1 when the build did)."""
    check = publish(project, "check", "--as-of", AS_OF, "--format", "json")
    assert "Traceback" not in check.output, check.output
    reported = set()
    for d in json.loads(check.stdout)["diagnostics"]:
        place = (f"{d['path']}:{d['line']}: " if d["line"] else f"{d['path']}: ") if d["path"] else ""
        reported.add(f"{place}{d['severity']}: {d['message']} [{d['code']}]")
    refused = [line for line in run.stderr.splitlines() if re.search(r"(^|: )error: .*\[[a-z.-]+\]$", line)]
    assert [line for line in refused if line not in reported] == [], check.stdout
    if run.code == 1:
        assert check.code == 1, check.output


def test_python_tag_runs_nothing(built_base, tmp_path):
    """The !!python/object/apply tag is refused and its command never runs (bound: TIME_BOUND, 20 s)."""
    if PWNED.exists():
        PWNED.unlink()
    project = copy_base(built_base, tmp_path / "proj")
    apply_case(CORPUS / "yaml-python-tag", project)
    run = build(project)
    assert run.code == 1 and not run.timed_out, run.output
    assert "[frontmatter.yaml]" in run.stderr
    assert not PWNED.exists(), "the YAML tag ran a shell command"


# --- unsafe HTML in content --------------------------------------------------------------------

UNSAFE_BODY = """
Some text about water.

<script>alert("page")</script>

<iframe src="https://example.org/frame"></iframe>

<object data="https://example.org/movie.swf"></object>

<p onclick="alert('click')">Click this paragraph.</p>

[A script link](javascript:alert(1)) and [a data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==).

![A data image](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==)

<p style="background:url(../../etc/passwd)">Styled paragraph.</p>
"""


def theme_search_script(element, where: str) -> bool:
    """The theme's own search script (layouts/html/search.js), on a search page, which holds no content."""
    return (element.name == "script" and element.get("type") == "module" and not element.get_text().strip()
            and re.fullmatch(r"(\.\./)+search\.js", element.get("src", "")) is not None
            and re.search(r"(^|/)search/index\.html$", where) is not None)


def _unsafe_in(soup: BeautifulSoup, where: str, allow_json_ld: bool = False) -> list[str]:
    problems = []
    for element in soup.find_all(["script", "iframe", "object", "embed"]):
        if allow_json_ld and element.name == "script" and element.get("type") == "application/ld+json":
            continue
        if theme_search_script(element, where):
            continue
        problems.append(f"{where}: <{element.name}>")
    for element in soup.find_all(True):
        for attribute, value in element.attrs.items():
            values = value if isinstance(value, list) else [value]
            if attribute.lower().startswith("on"):
                problems.append(f"{where}: {attribute}= on <{element.name}>")
            if attribute.lower() == "style":
                problems.append(f"{where}: style= on <{element.name}>")
            if attribute.lower() in ("href", "src", "data", "action", "poster", "srcset"):
                for v in values:
                    if re.match(r"\s*(javascript|data|vbscript):", str(v), re.IGNORECASE):
                        problems.append(f"{where}: {attribute}={v[:30]!r} on <{element.name}>")
    return problems


def _feed_html(path: Path) -> list[str]:
    """The HTML an RSS or Atom reader shows: each item's content and description, unescaped."""
    found = []
    for element in ET.parse(path).getroot().iter():
        local = element.tag.rsplit("}", 1)[-1]
        if local in ("encoded", "content", "description", "summary") and element.text:
            found.append(element.text)
    return found


def test_unsafe_content_is_neutralised(built_base, tmp_path):
    """Raw script, iframe, object, event handlers, javascript:/data: URLs and style attributes never
    reach a reader: not the HTML page, not either feed; the leaflet still builds.
    Bounds: the build ends within TIME_BOUND (20 s) and stays under MEMORY_BOUND (1 GiB)."""
    raw = BeautifulSoup(MarkdownConverter().to_html(UNSAFE_BODY), "html5lib")
    assert len(_unsafe_in(raw, "pandoc")) >= 8  # the checker sees what pandoc lets through
    project = copy_base(built_base, tmp_path / "proj")
    (project / "content" / "unsafe.md").write_text(small_article(1, UNSAFE_BODY), encoding="utf-8")
    run = build(project)
    ok(run)
    assert run.maxrss < MEMORY_BOUND
    out = project / "build"
    manifest = assert_valid_build(out, {"good", "unsafe"})
    outputs = next(a["outputs"] for a in manifest["articles"] if a["slug"] == "unsafe")
    page = BeautifulSoup((out / outputs["html"]).read_bytes(), "html5lib")
    assert "Click this paragraph." in page.get_text() and "Styled paragraph." in page.get_text()
    problems = _unsafe_in(page, "page", allow_json_ld=True)
    for script in page.find_all("script"):  # the one script allowed is structured data, and it is JSON
        json.loads(script.string)
    feeds = manifest["feeds"]
    assert set(feeds) == {"rss", "atom"}
    for kind, rel in feeds.items():
        texts = _feed_html(out / rel)
        assert any("Styled paragraph." in text for text in texts), kind
        for text in texts:
            problems += _unsafe_in(BeautifulSoup(text, "html5lib"), kind)
    assert not problems, problems
    leaflet = out / outputs["pdf"]
    assert leaflet.read_bytes().startswith(b"%PDF-")


# --- nothing is fetched ------------------------------------------------------------------------


def test_remote_image_is_never_fetched(built_base, tmp_path, server):
    """A remote image: html, rss and summary build without contacting it (pandoc never fetches);
    the pdf channel refuses it (exit 1, pdf.reference) and still contacts nothing.
    Bounds: each build ends within TIME_BOUND (20 s) and stays under MEMORY_BOUND (1 GiB)."""
    port = server.server_address[1]
    address = f"http://127.0.0.1:{port}/a.png"
    project = copy_base(built_base, tmp_path / "proj")
    # No previous build: a one-channel build over a changed set of articles would widen to every
    # channel (build.widened), pdf included, and this part is about the other channels.
    shutil.rmtree(project / "build")
    (project / "content" / "remote.md").write_text(small_article(2, f"\nA picture.\n\n![x]({address})\n"),
                                                   encoding="utf-8")
    web = build(project, "--channel", "html", "--channel", "rss", "--channel", "summary")
    ok(web)
    assert web.maxrss < MEMORY_BOUND
    assert server.seen == []
    before = tree_bytes(project / "build")
    leaflet = build(project, "--channel", "pdf")
    assert leaflet.code == 1 and not leaflet.timed_out, leaflet.output
    assert "Traceback" not in leaflet.output
    line = line_matching(leaflet.stderr, r"re:^content/remote\.md.*error: .*\[pdf\.reference\]")
    assert line and address in line, leaflet.stderr
    assert tree_bytes(project / "build") == before
    time.sleep(0.2)  # a late connection would still be recorded
    assert server.seen == []


# --- concurrent builds -------------------------------------------------------------------------


def lock_path(out: Path) -> Path:
    """The lock file output.output_lock takes for ``out``: ``.<name>.lock`` beside it."""
    return out.parent / f".{out.name}.lock"


def test_build_waits_for_the_lock(built_base, tmp_path):
    """While another build holds the output folder's lock, a build waits and says so; once the lock
    is released it completes. Bounds: it finishes within TIME_BOUND (20 s) of the release."""
    import fcntl

    project = copy_base(built_base, tmp_path / "proj")
    (project / "content" / "extra.md").write_text(small_article(3), encoding="utf-8")
    path = lock_path(project / "build")
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            waiting = Publish(project, "build", "--as-of", AS_OF)
            time.sleep(1.0)
            assert not waiting.poll(), waiting.result
            deadline = time.monotonic() + 5
            while "waiting" not in waiting.stderr_so_far() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert "waiting" in waiting.stderr_so_far()
            assert "another publish build" in waiting.stderr_so_far()
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
        waiting.started = time.monotonic()
        run = waiting.wait()
    ok(run)
    assert_valid_build(project / "build", {"good", "extra"})
    assert leftovers(project) == []


def test_two_builds_at_once(built_base, tmp_path):
    """Two `publish build` processes started together on one project and output folder: both end
    with exit 0 and the output is one complete, valid build. Bound: both within 2 x TIME_BOUND."""
    project = copy_base(built_base, tmp_path / "proj")
    for number in range(10):
        (project / "content" / f"note-{number}.md").write_text(small_article(number), encoding="utf-8")
    first = Publish(project, "build", "--as-of", AS_OF)
    second = Publish(project, "build", "--as-of", AS_OF)
    runs = [first.wait(2 * TIME_BOUND), second.wait(2 * TIME_BOUND)]
    for run in runs:
        ok(run)
    assert any("waiting" in run.stderr for run in runs), [run.stderr for run in runs]  # they did overlap
    slugs = {"good", *(f"note-{n}" for n in range(10))}
    assert_valid_build(project / "build", slugs)
    assert leftovers(project) == []


# --- crash safety ------------------------------------------------------------------------------


def test_killed_build_leaves_previous_build(built_base, tmp_path):
    """SIGKILL during a build (its staging folder exists) leaves the previous build byte-identical; the
    next build succeeds and removes the leftovers. Bounds: each build within TIME_BOUND (20 s)."""
    project = copy_base(built_base, tmp_path / "proj")
    before = tree_bytes(project / "build")
    for number in range(20):
        (project / "content" / f"note-{number}.md").write_text(small_article(number), encoding="utf-8")
    victim = Publish(project, "build", "--as-of", AS_OF, "--no-cache", "--channel", "pdf")
    staging = []
    while not staging and not victim.poll() and time.monotonic() - victim.started < TIME_BOUND:
        staging = list(project.glob(".build.staging-*"))
        time.sleep(0.005)
    assert staging, f"no staging folder appeared: {victim.result}"
    victim.kill()
    run = victim.wait()
    assert run.code == -signal.SIGKILL, run
    assert leftovers(project), "the kill came too late: nothing was left to clean up"
    assert tree_bytes(project / "build") == before, "a killed build changed the previous build"
    again = build(project)
    ok(again)
    assert leftovers(project) == []
    assert_valid_build(project / "build", {"good", *(f"note-{n}" for n in range(20))})


# --- properties of the article loader ---------------------------------------------------------

SHOWN = "content/x.md"
KNOWN_KEYS = ["title", "date", "author", "description", "id", "slug", "updated", "reviewed_by", "reviewed_on",
              "tags", "lang", "status", "expires", "disclaimers", "sources", "plain_summary", "claims_reviewed"]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("prop") / "x.md"


def check_loader(path: Path, data: bytes) -> None:
    """load_article never raises: an Article without errors, or None with an error naming the file."""
    path.write_bytes(data)
    article, diagnostics = load_article(path, SHOWN)
    errors = [d for d in diagnostics if d.is_error]
    if article is not None:
        assert isinstance(article, Article)
        assert not errors, [str(d) for d in errors]
    else:
        assert errors, [str(d) for d in diagnostics]
        assert all(SHOWN in str(d) for d in errors), [str(d) for d in errors]


PROPERTY = settings(max_examples=200, deadline=None, database=None,  # no .hypothesis/ folder in the repository
                    suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.text(max_size=30), st.integers(), st.floats(allow_nan=True), st.booleans(), st.none(),
    st.sampled_from(["2026-06-01", "2025-13-01", "0000-01-01", "2025-02-30", "9999-12-31T23:59:59-01:00",
                     "yesterday", "Drink Water", "drink-water", "../x", "w\u0430ter", "6a1f3c2e-8b4d-4e5f-9a7b-1c2d3e4f5a6b",
                     "not-medical-advice", "-not-medical-advice", "en-GB", "draft", "published", "http://x.org/"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=10), inner, max_size=4)),
                      max_leaves=12)
keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=12))

yaml_snippets = st.one_of(
    st.sampled_from([
        "title: x", "title: [a, b]", "title: {a: b}", "date: 2026-06-01", "date: 2026-06-01T10:00:00+25:00",
        "tags: water", "tags: [a, [b]]", "- a", "? a", ": b", "a: &x 1", "b: *x", "<<: {a: 1}", "a: !!str 1",
        "a: !!binary aGk=", "a: !!set {x}", "a: !!omap [{a: 1}]", "a: !!python/name:os.system", "a: !custom x",
        "\ta: 1", "  a: 1", "a: 'unclosed", 'a: "\\x"', "a: |", "a: >-", "%YAML 1.1", "--- x", "...", "#", "a: b: c",
        "[", "{", "]", "}", "a:", "a: ~", "~: a", "1: a", "[a]: b", "a: 0x1F", "a: 1e400", "a: .nan",
        "title: x\ntitle: y", "a:\n  - 1\n - 2", "\ufeffa: 1", "a: \x00", "a: \x85", "a: \u2028",
    ]),
    st.builds(lambda k, v: f"{k}: {v}", keys, st.text(max_size=20)),
)
markdown_pieces = st.one_of(
    st.sampled_from([
        "# Title", "## Section", "Title\n=====", "text", "```\n# not a heading\n```", "~~~", "    code",
        "- a\n  - b\n    - c", "> quote", "<h1>raw</h1>", "<script>x</script>", "\t\ttabbed", "[link](../x/)",
        "![img](x.png)", "---", "***", "| a | b |\n|---|---|", "", " " * 80 + "deep", ">" * 40 + " deep",
    ]),
    st.text(max_size=40),
)


@PROPERTY
@given(text=st.text())
def test_loader_never_raises_on_any_text(scratch, text):
    """Bound: 200 examples, well under a second each (the whole module's property tests: < 30 s)."""
    check_loader(scratch, text.encode("utf-8", "surrogatepass"))


@PROPERTY
@given(data=st.binary())
@example(data=b"\xff\xfe---\n")
@example(data=b"---\ntitle: caf\xe9\n---\n")
def test_loader_never_raises_on_any_bytes(scratch, data):
    check_loader(scratch, data)


@PROPERTY
@given(front=st.dictionaries(keys, values, max_size=8), body=st.lists(markdown_pieces, max_size=8),
       newline=st.sampled_from(["\n", "\r\n"]), bom=st.booleans())
def test_loader_never_raises_on_structured_front_matter(scratch, front, body, newline, bom):
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n" + "\n\n".join(body)
    check_loader(scratch, (b"\xef\xbb\xbf" if bom else b"") + text.replace("\n", newline).encode("utf-8", "surrogatepass"))


@PROPERTY
@given(lines=st.lists(yaml_snippets, max_size=8), body=st.lists(markdown_pieces, max_size=8),
       closed=st.booleans())
def test_loader_never_raises_on_yaml_ish_snippets(scratch, lines, body, closed):
    text = "---\n" + "\n".join(lines) + ("\n---\n" if closed else "\n") + "\n\n".join(body)
    check_loader(scratch, text.encode("utf-8", "surrogatepass"))


explicit_tags = st.builds(
    lambda key, tag, value: f"{key}: !!{tag} {value}",
    st.sampled_from(KNOWN_KEYS), st.sampled_from(["int", "float", "bool", "timestamp", "binary", "null", "str"]),
    st.text(alphabet="abcxyz019-:. ", min_size=1, max_size=12).map(lambda s: s.strip() or "x"),
)


@PROPERTY
@given(lines=st.lists(st.one_of(explicit_tags, yaml_snippets), min_size=1, max_size=6))
@example(lines=["title: !!int abc"])
@example(lines=["tags: " + "[" * 3000 + "]" * 3000])
def test_loader_never_raises_on_explicit_tags(scratch, lines):
    check_loader(scratch, ("---\n" + "\n".join(lines) + "\n---\nText.\n").encode("utf-8"))
