"""Drafts first: `publish new` writes a draft, the preview shows drafts with a Draft banner, and a
published article that still holds the scaffold's placeholder text is an error naming its line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from bs4 import BeautifulSoup
from conftest import AS_OF, build_cli, copy_repo, failed, free_port, http_get, ok, run_cli, wait_for_page


def _new(project, title="Fresh Water"):
    result = run_cli(project, "new", title, "--as-of", "2026-06-01")
    ok(result)
    return project / "content" / "fresh-water.md"


def test_publish_new_writes_a_draft_that_a_build_leaves_out(tmp_path):
    project = copy_repo(tmp_path / "proj", auto_summary=True)
    path = _new(project)
    assert "\nstatus: draft\n" in path.read_text(encoding="utf-8")
    ok(build_cli(project))
    assert not (project / "build" / "site" / "fresh-water").exists()
    ok(build_cli(project, "--drafts", "--channel", "html"))
    page = BeautifulSoup((project / "build" / "site" / "fresh-water" / "index.html").read_bytes(), "html5lib")
    banner = page.select_one(".article-header .draft")
    assert banner is not None and banner.get_text().startswith("Draft:")
    published = BeautifulSoup((project / "build" / "site" / "ketamine-therapy" / "index.html").read_bytes(), "html5lib")
    assert published.select_one(".draft") is None


def test_a_published_article_with_scaffold_text_is_an_error_naming_each_line(tmp_path):
    project = copy_repo(tmp_path / "proj", auto_summary=True)
    path = _new(project)
    text = path.read_text(encoding="utf-8").replace("status: draft", "status: published")
    path.write_text(text, encoding="utf-8")
    lines = text.split("\n")
    description = next(i for i, line in enumerate(lines, 1) if line.startswith("description:") and "TODO: say" in line)
    body = next(i for i, line in enumerate(lines, 1) if line.startswith("Write the article here"))
    output = failed(build_cli(project))
    for number in (description, body):
        assert f"content/fresh-water.md:{number}: error: still holds the text 'publish new' wrote" in output, output
    check = run_cli(project, "check", "--as-of", AS_OF)
    assert check.exit_code == 1 and "[content.placeholder]" in check.output

    lines[body - 1] = "Water helps your body stay cool. Drink a glass with each meal."
    lines[description - 1] = "description: Why water matters, and how much to drink."
    path.write_text("\n".join(lines), encoding="utf-8")
    ok(build_cli(project))
    assert (project / "build" / "site" / "fresh-water" / "index.html").is_file()


def test_the_preview_shows_drafts_with_a_banner(tmp_path):
    project = copy_repo(tmp_path / "proj", auto_summary=True)
    _new(project)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "publisher", "-C", str(project), "serve", "--port", str(port), "--channel", "html"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1798761600"},
    )
    try:
        url = f"http://127.0.0.1:{port}/fresh-water/"
        assert wait_for_page(url, "<h1>", 60) is not None, "the preview never served the draft"
        banner = BeautifulSoup(http_get(url), "html5lib").select_one(".article-header .draft")
        assert banner is not None and "Draft:" in banner.get_text()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
