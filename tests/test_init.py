"""`publish init`: a new project that builds at once on every channel, with no layouts folder."""

from __future__ import annotations

import json
import subprocess

import feedparser
from bs4 import BeautifulSoup
from conftest import AS_OF, failed, ok, run_cli, tree_bytes


def test_init_then_build_publishes_the_example_on_every_channel(tmp_path):
    folder = tmp_path / "clinic"
    result = run_cli(None, "init", str(folder), "--as-of", "2026-12-01")
    ok(result)
    assert "Next steps" in result.output and "publish serve" in result.output
    assert not (folder / "layouts").exists()  # the built-in theme
    built = run_cli(folder, "build", "--as-of", AS_OF)
    text = ok(built)
    assert ": error:" not in text
    out = folder / "build"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    [record] = manifest["articles"]
    assert {"html", "pdf", "summary_html", "summary_text"} <= set(record["outputs"])
    page = BeautifulSoup((out / record["outputs"]["html"]).read_bytes(), "html5lib")
    assert page.h1.get_text() == record["title"] and page.select(".disclaimer")
    leaflet = subprocess.run(["pdftotext", str(out / record["outputs"]["pdf"]), "-"], capture_output=True, text=True,
                             check=True).stdout
    assert "not medical advice" in " ".join(leaflet.split())
    feed = feedparser.parse((out / manifest["feeds"]["rss"]).read_bytes())
    assert [entry.title for entry in feed.entries] == [record["title"]]
    assert "Drink a glass of water" in (out / record["outputs"]["summary_text"]).read_text(encoding="utf-8")


def test_the_starter_disclaimers_are_marked_for_review(tmp_path):
    folder = tmp_path / "clinic"
    ok(run_cli(None, "init", str(folder), "--as-of", "2026-12-01"))
    check = run_cli(folder, "check", "--as-of", AS_OF, "--format", "json")
    assert check.exit_code == 0, check.output
    warned = {d["path"] for d in json.loads(check.output)["diagnostics"] if d["code"] == "disclaimer.placeholder"}
    assert warned == {"content/disclaimers/not-medical-advice.md", "content/disclaimers/crisis-help.md"}


def test_each_project_gets_a_fresh_article_id(tmp_path):
    ids = set()
    for name in ("one", "two"):
        ok(run_cli(None, "init", str(tmp_path / name), "--as-of", "2026-12-01"))
        text = (tmp_path / name / "content" / "drinking-water.md").read_text(encoding="utf-8")
        ids.add(next(line for line in text.splitlines() if line.startswith("id: ")))
    assert len(ids) == 2


def test_init_refuses_a_folder_that_is_not_empty_unless_forced(tmp_path):
    folder = tmp_path / "existing"
    folder.mkdir()
    (folder / "publish.toml").write_text("[site]\ntitle = \"Ours\"\n", encoding="utf-8")
    before = tree_bytes(folder)
    output = failed(run_cli(None, "init", str(folder)))
    assert f"{folder}: error: is not empty" in output and "[init.not-empty]" in output
    assert tree_bytes(folder) == before
    forced = run_cli(None, "init", str(folder), "--force", "--as-of", "2026-12-01")
    ok(forced)
    assert "Kept as they were: publish.toml" in forced.output
    assert (folder / "publish.toml").read_bytes() == before["publish.toml"]
    assert (folder / "content" / "drinking-water.md").is_file()


def test_init_in_the_current_project_folder(tmp_path):
    folder = tmp_path / "here"
    folder.mkdir()
    ok(run_cli(folder, "init", "--as-of", "2026-12-01"))
    assert (folder / "publish.toml").is_file() and (folder / "content" / "claims.yaml").is_file()
