"""The built-in theme: a project needs no layouts/ folder, and its own layouts/<channel>/<file>
replaces the theme's file of that name and nothing else (as Hugo's themes and MkDocs' custom_dir).
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup
from conftest import REPO, build_cli, copy_repo, ok, tree_bytes


@pytest.fixture
def bare(tmp_path):
    """The repository's content and publish.toml, and no layouts folder."""
    project = copy_repo(tmp_path / "proj")
    shutil.rmtree(project / "layouts")
    return project


def manifest(project):
    return json.loads((project / "build" / "manifest.json").read_text(encoding="utf-8"))


def test_a_project_without_layouts_builds_every_channel(bare):
    ok(build_cli(bare))
    out = bare / "build"
    record = manifest(bare)["articles"][0]
    assert {"html", "pdf", "summary_html", "summary_text"} <= set(record["outputs"])
    for path in record["outputs"].values():
        assert (out / path).is_file(), path
    assert (out / "site" / "style.css").read_bytes() == (REPO / "layouts" / "html" / "style.css").read_bytes()
    page = BeautifulSoup((out / record["outputs"]["html"]).read_bytes(), "html5lib")
    assert page.find("main", id="main") and page.select(".disclaimer")
    text = subprocess.run(["pdftotext", str(out / record["outputs"]["pdf"]), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert record["title"] in " ".join(text.split())


@pytest.mark.parametrize("name,changed", [
    ("summary/summary.txt", lambda path: path.endswith("/summary.txt")),
    ("html/style.css", lambda path: path == "site/style.css"),
    ("pdf/leaflet.css", lambda path: path.endswith(".pdf")),
])
def test_overriding_one_layout_file_changes_its_outputs_only(bare, name, changed):
    ok(build_cli(bare, "--no-cache"))
    theme_build = tree_bytes(bare / "build")
    own = bare / "layouts" / name
    own.parent.mkdir(parents=True)
    text = (REPO / "layouts" / name).read_text(encoding="utf-8")
    marker = "Printed by the clinic." if name.endswith(".txt") else "h1 { letter-spacing: 0.3pt } /* the clinic's own */"
    own.write_text(f"{text}\n{marker}\n", encoding="utf-8")
    result = build_cli(bare, "--no-cache", "-v")
    ok(result)
    assert f"  {name}: layouts/{name}" in result.output
    overridden = tree_bytes(bare / "build")
    differ = sorted(path for path in theme_build if overridden.get(path) != theme_build[path])
    assert differ and all(changed(path) for path in differ), differ
    assert set(overridden) == set(theme_build)
    if not name.startswith("pdf"):
        assert any(marker.encode() in overridden[path] for path in differ)

    own.unlink()
    ok(build_cli(bare, "--no-cache"))
    assert tree_bytes(bare / "build") == theme_build  # removing it restores the theme's


def test_a_broken_override_is_named_by_its_project_path(bare):
    own = bare / "layouts" / "html" / "article.html"
    own.parent.mkdir(parents=True)
    own.write_text('{% extends "html/base.html" %}{% block content %}{{ oops( }}{% endblock %}\n', encoding="utf-8")
    result = build_cli(bare)
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "layouts/html/article.html:1: error: template syntax error" in result.output


def test_the_build_report_says_where_each_layout_file_comes_from(bare):
    own = bare / "layouts" / "html" / "tag.html"
    own.parent.mkdir(parents=True)
    shutil.copy2(REPO / "layouts" / "html" / "tag.html", own)
    result = build_cli(bare, "--format", "json")
    ok(result)
    layouts = json.loads(result.output)["layouts"]
    assert layouts["html/tag.html"] == "layouts/html/tag.html"
    assert layouts["html/article.html"] == "theme" and layouts["pdf/fonts/DejaVuSans.ttf"] == "theme"
