"""The pandoc floor of a cold build: pandoc alone converting the same documents, batched the same way.

    .venv/bin/python bench/floor.py PROJECT AS_OF     # prints the seconds pandoc took

The documents are exactly those a cold build of html, rss and summary hands pandoc (each
article's body, each disclaimer's text, each plain summary as HTML and plain text), found by
loading the project as the build does; they are converted by the build's own batching (one
``pandoc lua`` per core, each with its share in one batch file) with no cache. Only the
conversion is timed, from the first batch file written to the last result read.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from publisher.api import resolve_now
from publisher.cache import OutputCache
from publisher.channels import default_channels
from publisher.markdown import MarkdownConverter
from publisher.model import Project, Selection
from publisher.plan import _documents, _summary_forms, load_site, select_articles


def main(project: str, as_of: str) -> int:
    paths = Project.at(Path(project))
    problems: list = []
    site = load_site(paths, default_channels(), problems)
    articles = select_articles(site.content.articles, Selection(resolve_now(as_of), False, False))
    forms = _summary_forms(True)
    documents = list(_documents(articles, site, forms, bool(site.config.channel("summary").get("auto"))))
    converter = MarkdownConverter(OutputCache(None, "markdown"))
    started = time.perf_counter()
    converter.prefetch(documents)
    print(f"{time.perf_counter() - started:.4f} {len(documents)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
