"""Benchmark: time `publish build` on a generated corpus and print the figures.

    .venv/bin/python bench/build.py                      # 1,000 articles, 3 runs each
    .venv/bin/python bench/build.py --articles 50 --repeat 1 --leaflets 10   # what CI runs

Each article is about 900 words in the project's format, with a plain-language summary, the
repository's disclaimers and layouts. Each measure runs `publish build` in a fresh process (as a
user would) and reports the median wall time and the peak memory (max RSS) of the build:

- cold: HTML + feeds + summaries, with an empty cache;
- no-op: the same again, nothing changed;
- edit one: one article's text changed;
- cold PDF: leaflets for --leaflets articles, empty cache (seconds per leaflet per core);
- pandoc floor: pandoc alone converting the documents of the cold build, batched as the build
  batches them, on all cores (bench/floor.py), and the cold build's ratio to it;
- preview: with `publish serve` running, from saving an article to the new page being served;
- check: `publish check` with an empty cache, and its ratio to the cold build's validation stage
  (bench/validate.py: the build's own plan stage, timed in a fresh process, nothing cached).
With --compare it also builds the same articles with Pelican (installed with pip into a throwaway
virtualenv) and Hugo (when Debian's `hugo` is installed), cold and no-op, and prints the ratios
the targets are stated in. It prints figures only; it never fails on timing.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import others as other  # noqa: E402  (bench/others.py)

REPO = Path(__file__).resolve().parents[1]
PARAGRAPH = (
    "Regular check-ups help people and their clinicians notice changes early. A clinician can explain "
    "what a result means, which options exist and what is still uncertain. Treatments work differently "
    "for different people, so a plan is made together and reviewed over time. Side effects, other "
    "medicines and personal goals all shape that plan, and questions are always welcome. "
)
SUMMARY = "Check-ups help you and your doctor spot changes early. Ask about your options. Your plan is made with you."


def make_corpus(root: Path, count: int) -> None:
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(REPO / "content" / "disclaimers", root / "content" / "disclaimers")
    shutil.copy(REPO / "publish.toml", root / "publish.toml")
    for number in range(count):
        write_article(root, number, "")
    # As if written a minute ago, the way sources are when someone builds: a build does not trust
    # files changed in the last two seconds to be up to date (see src/publisher/uptodate.py).
    past = time.time() - 60
    for path in root.rglob("*"):
        os.utime(path, (past, past))


def article_body(number: int, extra: str = "") -> str:
    sections = "\n".join(f"## Section {s} of article {number}\n\n{PARAGRAPH * 3}\n\n{PARAGRAPH * 2}{extra}\n"
                         for s in range(1, 4))
    return f"{PARAGRAPH}\n\n{sections}"


def write_article(root: Path, number: int, extra: str) -> None:
    (root / "content" / f"article-{number:04d}.md").write_text(
        f"---\nid: {uuid.UUID(int=number + 1)}\ntitle: Sample article {number}\n"
        f"date: 2025-01-{number % 28 + 1:02d}\nauthor: Bench\n"
        f"description: A generated article for benchmarks.\ntags: [bench]\nplain_summary: {SUMMARY}\n---\n\n"
        f"{article_body(number, extra)}",
        encoding="utf-8",
    )


def run_build(project: Path, channels: list[str]) -> tuple[float, float]:
    """(seconds, peak MB) of one `publish build` in a fresh process."""
    args = [sys.executable, "-m", "publisher", "-C", str(project), "build", "--quiet", "--as-of", AS_OF]
    for channel in channels:
        args += ["--channel", channel]
    return other.timed(args, REPO)


AS_OF = "2026-01-01"


def pandoc_floor(project: Path) -> tuple[float, float]:
    """(seconds pandoc took to convert the cold build's documents, 0): bench/floor.py, fresh process."""
    out = subprocess.run([sys.executable, str(REPO / "bench" / "floor.py"), str(project), AS_OF],
                         check=True, capture_output=True, text=True, cwd=REPO).stdout
    return float(out.split()[0]), 0.0


def validation_stage(project: Path) -> tuple[float, float]:
    """(seconds a cold build spends validating, 0): bench/validate.py, fresh process, no cache."""
    out = subprocess.run([sys.executable, str(REPO / "bench" / "validate.py"), str(project), AS_OF],
                         check=True, capture_output=True, text=True, cwd=REPO).stdout
    return float(out.split()[0]), 0.0


def check(project: Path) -> tuple[float, float]:
    """(seconds, peak MB) of `publish check` in a fresh process, with an empty cache as a cold build has."""
    shutil.rmtree(project / ".cache", ignore_errors=True)
    return other.timed([sys.executable, "-m", "publisher", "-C", str(project), "check", "--as-of", AS_OF], REPO)


def preview(project: Path, run: int) -> tuple[float, float]:
    """(seconds from saving an article to `publish serve` serving its new page, 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "publisher", "-C", str(project), "serve", "--port", str(port),
                               "--channel", "html", "--channel", "rss", "--channel", "summary"],
                              cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/article-0001/"
    try:
        _served_with(url, "Sample article 1", 600)
        time.sleep(2.5)  # past the two seconds in which a build does not trust a file's stamp
        marker = f"Previewed in run {run}."
        started = time.perf_counter()
        write_article(project, 1, f" {marker}")
        _served_with(url, marker, 600)
        return time.perf_counter() - started, 0.0
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=60)


def _served_with(url: str, text: str, limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if text in response.read().decode("utf-8", "replace"):
                    return
        except OSError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"{url} never showed {text!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--leaflets", type=int, default=100, help="articles in the cold PDF measure")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare", action="store_true", help="also time Pelican and Hugo on the same corpus")
    args = parser.parse_args()
    site_channels = ["html", "rss", "summary"]
    results: dict[str, list[tuple[float, float]]] = {"cold": [], "no-op": [], "edit one": [], "cold PDF": [],
                                                     "pandoc floor": [], "preview": [],
                                                     "validation": [], "check": []}
    with tempfile.TemporaryDirectory() as folder:
        project, leaflets = Path(folder) / "site", Path(folder) / "leaflets"
        make_corpus(project, args.articles)
        make_corpus(leaflets, args.leaflets)
        others = _prepare_others(Path(folder), args) if args.compare else {}
        for run in range(args.repeat):  # alternate the measures, so load on the machine spreads evenly
            shutil.rmtree(project / "build", ignore_errors=True)
            results["validation"].append(validation_stage(project))
            results["check"].append(check(project))
            shutil.rmtree(project / ".cache", ignore_errors=True)
            results["cold"].append(run_build(project, site_channels))
            results["no-op"].append(run_build(project, site_channels))
            write_article(project, run % args.articles, f" Edited in run {run}.")
            results["edit one"].append(run_build(project, site_channels))
            results["pandoc floor"].append(pandoc_floor(project))
            results["preview"].append(preview(project, run))
            shutil.rmtree(leaflets / ".cache", ignore_errors=True)
            shutil.rmtree(leaflets / "build", ignore_errors=True)
            results["cold PDF"].append(run_build(leaflets, ["pdf"]))
            if "pelican" in others:
                results.setdefault("Pelican cold", []).append(other.pelican_cold(others["pelican"], others["pelican site"]))
            if "hugo" in others:
                results.setdefault("Hugo full", []).append(other.hugo_build(others["hugo"], clean=True))
                results.setdefault("Hugo no-op", []).append(other.hugo_build(others["hugo"], clean=False))
    cores = os.cpu_count() or 1
    print(f"publisher benchmark: {args.articles} articles ({args.leaflets} for PDF), {args.repeat} runs, "
          f"{cores} cores, {platform.machine()}, Python {platform.python_version()}")
    medians, peaks = {}, {}
    for label, runs in results.items():
        seconds = medians[label] = statistics.median(r[0] for r in runs)
        peak = peaks[label] = max(r[1] for r in runs)
        count = args.leaflets if label == "cold PDF" else args.articles
        per = f"{seconds / count * cores:.3f} s per leaflet per core" if label == "cold PDF" \
            else "" if label in ("preview", "validation") else f"{seconds / count * 1000:.1f} ms per article"
        memory = f"peak {peak:6.0f} MB" if peak else " " * 14
        print(f"  {label:13} median {seconds:7.2f} s   {memory}   {per}".rstrip())
    print(f"  ratio cold / pandoc floor: {medians['cold'] / medians['pandoc floor']:.2f} (target at most 1.3)")
    print(f"  ratio check / validation: {medians['check'] / medians['validation']:.2f} (target at most 1.2)")
    for ours, theirs, target in (("cold", "Pelican cold", None), ("no-op", "Hugo no-op", 0.3),
                                 ("edit one", "Hugo full", 0.5), ("preview", "Hugo full", 0.3)):
        if theirs in medians:
            goal = f" (target at most {target})" if target else ""
            print(f"  ratio {ours} / {theirs}: {medians[ours] / medians[theirs]:.2f}{goal}")
    if "Pelican cold" in peaks:
        ours = max(peaks["cold"], peaks["cold PDF"])
        print(f"  peak memory: ours {ours:.0f} MB, Pelican {peaks['Pelican cold']:.0f} MB "
              f"(target: at most Pelican's + 150 MB = {peaks['Pelican cold'] + 150:.0f} MB)")
    if args.compare and "Pelican cold" not in medians:
        print("  Pelican: could not be installed here; not compared")
    if args.compare and "Hugo full" not in medians:
        print("  Hugo: not installed (Debian package 'hugo'); not compared")
    return 0


def _prepare_others(root: Path, args) -> dict:
    articles = [(f"article-{n:04d}", f"Sample article {n}", article_body(n)) for n in range(args.articles)]
    found: dict = {}
    command = other.pelican_command(root)
    if command:
        found["pelican"], found["pelican site"] = command, other.pelican_site(root, articles)
    hugo = other.hugo_site(root, articles)
    if hugo:
        found["hugo"] = hugo
    return found


if __name__ == "__main__":
    sys.exit(main())
