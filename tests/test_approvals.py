"""Approvals bound to the text (publish approve, content/approvals.yaml, [review] roles): the
build, the pages and the manifest see a review only while the words it covers are unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import AS_OF, build_cli, copy_repo, edit_file, failed, ok, parse_html, run_cli, visible_text

ARTICLE = "content/ketamine-therapy.md"
SLUG = "ketamine-therapy"
PAGE = f"build/site/{SLUG}/index.html"


def _require(project: Path, roles: str = '["medical"]') -> None:
    config = project / "publish.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("required = false", f"required = true\nroles = {roles}"),
                      encoding="utf-8")


def _approve(project: Path, role: str = "medical", by: str = "Dr A. Reviewer", on: str = "2026-11-28") -> str:
    return ok(run_cli(project, "approve", SLUG, "--role", role, "--by", by, "--on", on, "--as-of", AS_OF))


def _html_build(project: Path, *args: str):
    return build_cli(project, "--channel", "html", *args)


def _reviews(project: Path) -> list[str]:
    return [visible_text(p) for p in parse_html(project / PAGE).select("p.review")]


def _structured(project: Path) -> dict:
    return json.loads(parse_html(project / PAGE).find("script", type="application/ld+json").string)


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    project = copy_repo(tmp_path / "proj")
    _require(project)
    return project


def test_an_article_needs_an_approval_of_each_required_role(proj):
    text = failed(_html_build(proj))
    assert f"{ARTICLE}:1: error: no medical approval" in text
    assert f"publish approve {SLUG} --role medical --by NAME" in text


def test_approve_build_change_one_word_refused_approve_again(proj):
    said = _approve(proj)
    assert "Recorded the medical approval of ketamine-therapy by Dr A. Reviewer on 2026-11-28" in said
    ok(_html_build(proj))
    assert _reviews(proj) == ["Medically reviewed by Dr A. Reviewer on 28 November 2026."]
    data = _structured(proj)
    assert data["reviewedBy"] == {"@type": "Person", "name": "Dr A. Reviewer"}
    assert data["lastReviewed"] == "2026-11-28"
    manifest = json.loads((proj / "build/manifest.json").read_text(encoding="utf-8"))["articles"][0]
    assert manifest["fingerprint"].startswith("sha256:")
    assert manifest["approvals"] == [{"role": "medical", "by": "Dr A. Reviewer", "on": "2026-11-28",
                                      "fingerprint": manifest["fingerprint"]}]

    edit_file(proj, ARTICLE, "severe depression", "serious depression")  # one word of the body
    text = failed(_html_build(proj))
    body_line = next(n for n, line in enumerate((proj / ARTICLE).read_text().split("\n"), 1) if line == "---" and n > 1) + 1
    assert (f"{ARTICLE}:{body_line}: error: changed since the medical approval of 2026-11-28 by Dr A. Reviewer "
            "(the body changed): review and approve again") in text
    assert "[approval.changed]" in text
    assert (proj / PAGE).exists() and _reviews(proj)  # the refused build left the last one in place

    _approve(proj, on="2026-12-01")
    ok(_html_build(proj))
    assert _reviews(proj) == ["Medically reviewed by Dr A. Reviewer on 1 December 2026."]


def test_a_changed_disclaimer_needs_a_new_approval_and_is_named(proj):
    _approve(proj)
    edit_file(proj, "content/disclaimers/crisis-help.md", "988", "9 8 8")
    text = failed(_html_build(proj))
    assert "changed since the medical approval of 2026-11-28 by Dr A. Reviewer (the disclaimer crisis-help changed)" in text


def test_changed_title_and_description_are_named_at_their_lines(proj):
    _approve(proj)
    edit_file(proj, ARTICLE, "title: The Potential Benefits", "title: The Possible Benefits")
    edit_file(proj, ARTICLE, "  An overview of", "  A summary of")
    text = failed(_html_build(proj))
    title_line = next(n for n, line in enumerate((proj / ARTICLE).read_text().split("\n"), 1) if line.startswith("title:"))
    assert f"{ARTICLE}:{title_line}: error: changed since the medical approval" in text
    assert "(the title and the description changed)" in text


def test_a_changed_layout_needs_no_new_approval(proj):
    _approve(proj)
    ok(_html_build(proj))
    edit_file(proj, "layouts/html/base.html", "</body>", "<!-- a new footer --></body>")
    ok(_html_build(proj))
    assert _reviews(proj) == ["Medically reviewed by Dr A. Reviewer on 28 November 2026."]


def test_an_outdated_optional_approval_warns_and_is_not_shown(proj):
    _approve(proj)
    _approve(proj, role="legal", by="L. Counsel")
    ok(_html_build(proj))
    assert _reviews(proj) == ["Medically reviewed by Dr A. Reviewer on 28 November 2026.",
                              "Reviewed (legal) by L. Counsel on 28 November 2026."]
    edit_file(proj, ARTICLE, "severe depression", "serious depression")
    _approve(proj, on="2026-12-01")  # the required role only
    text = ok(_html_build(proj))
    assert "warning: changed since the legal approval of 2026-11-28 by L. Counsel" in text
    assert "[approval.outdated]" in text
    assert _reviews(proj) == ["Medically reviewed by Dr A. Reviewer on 1 December 2026."]


def test_front_matter_review_still_shows_until_an_approval_exists(tmp_path):
    project = copy_repo(tmp_path / "proj")  # [review] roles not set
    edit_file(project, ARTICLE, "title:", "reviewed_by: Dr F. Matter\nreviewed_on: 2026-11-29\ntitle:")
    ok(_html_build(project))
    assert _reviews(project) == ["Medically reviewed by Dr F. Matter on 29 November 2026."]
    _approve(project)
    edit_file(project, ARTICLE, "severe depression", "serious depression")  # the approval no longer matches
    ok(_html_build(project))
    assert _reviews(project) == []  # neither the outdated approval nor the unbound front matter review
    assert "reviewedBy" not in _structured(project)


def test_max_age_counts_from_the_approval(proj):
    _approve(proj, on="2025-06-01")
    text = failed(_html_build(proj))
    assert "error: the medical review of 2025-06-01 by Dr A. Reviewer is 579 days old as of 2027-01-01" in text
    assert "[review.stale]" in text


def test_an_approval_dated_after_now_is_refused(proj):
    _approve(proj, on="2026-12-20")
    text = failed(_html_build(proj, "--as-of", "2026-12-10"))
    assert "content/approvals.yaml:6: error: the medical approval of ketamine-therapy is dated 2026-12-20" in text
    result = run_cli(proj, "approve", SLUG, "--role", "medical", "--by", "X", "--on", "2027-02-01", "--as-of", AS_OF)
    assert result.exit_code == 2 and "is after today" in result.output


def test_approve_usage_and_unknown_article(proj):
    result = run_cli(proj, "approve", SLUG, "--role", "Medical Team", "--by", "  ", "--on", "soon")
    assert result.exit_code == 2
    for option in ("--role", "--by", "--on"):
        assert f"error: {option} " in result.output  # every bad option at once
    assert "Traceback" not in result.output
    text = failed(run_cli(proj, "approve", "no-such-article", "--role", "medical", "--by", "X"))
    assert "no article has the slug 'no-such-article' (articles: ketamine-therapy)" in text


def test_approvals_file_is_stable_and_errors_point_at_lines(proj):
    _approve(proj, role="medical")
    _approve(proj, role="legal", by="L. Counsel")
    text = (proj / "content/approvals.yaml").read_text(encoding="utf-8")
    assert text.index("  legal:") < text.index("  medical:")  # sorted: a diff shows only what changed
    _approve(proj, role="legal", by="L. Counsel")
    assert (proj / "content/approvals.yaml").read_text(encoding="utf-8") == text  # the same approval, the same bytes
    (proj / "content/approvals.yaml").write_text(text.replace("fingerprint: sha256:", "fingerprint: md5:", 1), encoding="utf-8")
    text = failed(_html_build(proj))
    assert "content/approvals.yaml:" in text and "'fingerprint' must be 'sha256:' and 64 hexadecimal digits" in text
    (proj / "content/approvals.yaml").write_text("ketamine-therapy: [medical]\n", encoding="utf-8")
    text = failed(_html_build(proj))
    assert "content/approvals.yaml:1: error: 'ketamine-therapy' must be an article's slug mapping each role" in text


def test_check_built_verifies_the_approvals(proj):
    _approve(proj)
    ok(_html_build(proj))
    ok(run_cli(proj, "check", "--built", "build", "--as-of", AS_OF))
    manifest_path = proj / "build/manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["articles"][0]["approvals"][0]["by"] = "Someone Else"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    text = failed(run_cli(proj, "check", "--built", "build", "--as-of", AS_OF))
    assert "shows the medical approval by Someone Else of 2026-11-28, which content/approvals.yaml does not hold" in text
    manifest["articles"][0]["approvals"] = []
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert "was built without a medical approval" in failed(run_cli(proj, "check", "--built", "build", "--as-of", AS_OF))


def test_the_leaflet_shows_the_approval(proj):
    from pypdf import PdfReader

    _approve(proj)
    ok(build_cli(proj, "--channel", "pdf"))
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(proj / f"build/site/{SLUG}/{SLUG}.pdf").pages)
    assert "Medically reviewed by Dr A. Reviewer on 28 November 2026." in text
    assert "medically reviewed: 2026-11-28" in text
