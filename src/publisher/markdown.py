"""Markdown through pandoc (pypandoc-binary): batched, sandboxed, cached by content.

Many documents go through a few long-lived ``pandoc lua`` processes (one per core) running
``convert.lua``, never one process per article; each document is still read on its own, with
no file access, so the result equals converting it alone. Results are kept in the output cache
under a hash of the pandoc version, the conversion and the text.
"""

from __future__ import annotations

import functools
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import pypandoc

from .cache import OutputCache, cache_key
from .errors import PublishError, error

SCRIPT = Path(__file__).with_name("convert.lua")
BATCH_SECONDS = 6  # a batch may take this long, plus DOCUMENT_SECONDS per document per worker
DOCUMENT_SECONDS = 1.0  # an ordinary article takes about 25 ms
DOCUMENT_ALONE_SECONDS = 6  # to name the culprit of a batch out of time: bounds.py refuses the known slow shapes
MEMORY_LIMIT = "1g"  # pandoc's heap, per process


@functools.lru_cache(maxsize=1)
def _script() -> bytes:
    return SCRIPT.read_bytes()


def _batch(documents: list[tuple[str, "Conversion"]]) -> bytes:
    """Documents as convert.lua reads them: a header line, then the Markdown bytes."""
    parts = []
    for text, conversion in documents:
        data = text.encode("utf-8")
        parts += [f"{conversion.writer} {conversion.columns} {len(data)}\n".encode("ascii"), data]
    return b"".join(parts)


def _results(data: bytes):
    """The converted documents convert.lua wrote, in order, as far as it got."""
    position = 0
    while True:
        newline = data.find(b"\n", position)
        if newline < 0:
            return
        length = int(data[position:newline])
        if newline + 1 + length > len(data):
            return  # cut off: the process died writing it
        yield data[newline + 1:newline + 1 + length].decode("utf-8")
        position = newline + 1 + length


@dataclass(frozen=True)
class Conversion:
    writer: str = "html5"
    columns: int = 0  # 0: one line per paragraph


HTML = Conversion("html5")
PLAIN = Conversion("plain")


class MarkdownConverter:
    """Converts Markdown; remembers every result, and keeps them in ``cache`` for later builds."""

    def __init__(self, cache: OutputCache | None = None) -> None:
        self._done: dict[tuple[str, Conversion], str] = {}
        self._cache = cache or OutputCache(None, "markdown")
        self._pandoc = pypandoc.get_pandoc_path()
        self._version = pypandoc.get_pandoc_version()

    def prefetch(self, documents: Iterable[tuple], meanwhile: Callable[[], None] | None = None) -> None:
        """Convert every (text, conversion, source[, line]) not yet known, in one batch across the
        cores; a document pandoc cannot convert is named by its source file and the line it starts on.

        ``meanwhile`` runs in this process while pandoc converts, when the batch holds plain text
        (new summaries: their readability is measured next, and textstat takes a second to load).
        """
        missing: dict[tuple[str, Conversion], tuple[str, int | None]] = {}
        for text, conversion, source, *line in documents:
            key = (text, conversion)
            if key in self._done or key in missing:
                continue
            hit = self._cache.get(self._key(text, conversion))
            if hit is not None:
                self._done[key] = hit[0].decode("utf-8")
            else:
                missing[key] = (source, line[0] if line else None)
        if missing:
            plain = any(conversion.writer == "plain" for _, conversion in missing)
            converted = self._run(list(missing), list(missing.values()), meanwhile if plain else None)
            for key, html in zip(missing, converted):
                self._done[key] = html
                self._cache.put(self._key(*key), html.encode("utf-8"), {})

    def convert(self, text: str, conversion: Conversion = HTML, source: str = "", line: int | None = None) -> str:
        self.prefetch([(text, conversion, source, line)]) if (text, conversion) not in self._done else None
        return self._done[(text, conversion)]

    def to_html(self, text: str, source: str = "", line: int | None = None) -> str:
        return self.convert(text, HTML, source, line)

    def version(self) -> str:
        return self._version

    def save(self) -> None:
        """Keep this build's conversions for the next (a PackCache writes them now)."""
        if hasattr(self._cache, "save"):
            self._cache.save()

    def _command(self, batch: Path, results: Path) -> list[str]:
        """pandoc lua on a batch file, its heap capped (a runaway document cannot take the machine)."""
        return [self._pandoc, "lua", str(SCRIPT), str(batch), str(results), "+RTS", f"-M{MEMORY_LIMIT}", "-RTS"]

    def _slowest(self, documents: list[tuple[str, Conversion]], sources: list[str]):
        """After a batch ran out of time: convert each document alone, briefly, to name the culprit."""
        with tempfile.TemporaryDirectory(prefix="publisher-pandoc-") as folder:
            batch, results = Path(folder) / "batch", Path(folder) / "results"
            for document, (source, line) in zip(documents, sources):
                batch.write_bytes(_batch([document]))
                try:
                    subprocess.run(self._command(batch, results), timeout=DOCUMENT_ALONE_SECONDS,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                except subprocess.TimeoutExpired:
                    return error(source or None, line, "markdown.timeout",
                                 f"pandoc could not convert it within {DOCUMENT_ALONE_SECONDS} s; simplify its "
                                 "structure (deeply nested lists, quotes or brackets)")
        return error(None, None, "markdown.timeout", "pandoc ran out of time on this build's articles")

    def _key(self, text: str, conversion: Conversion) -> str:
        return cache_key(self._version, _script(), conversion.writer, str(conversion.columns), text)

    def _run(self, documents: list[tuple[str, Conversion]], sources: list[tuple], meanwhile=None) -> list[str]:
        workers = max(1, min(os.cpu_count() or 1, len(documents)))
        shares = [list(range(worker, len(documents), workers)) for worker in range(workers)]
        outputs: list[str | None] = [None] * len(documents)
        with tempfile.TemporaryDirectory(prefix="publisher-pandoc-") as folder:
            root = Path(folder)
            processes = []
            for worker, share in enumerate(shares):
                (root / f"batch-{worker}").write_bytes(_batch([documents[i] for i in share]))
                processes.append(subprocess.Popen(self._command(root / f"batch-{worker}", root / f"results-{worker}"),
                                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
            if meanwhile is not None:
                meanwhile()
            deadline = time.monotonic() + BATCH_SECONDS + DOCUMENT_SECONDS * len(documents) / workers
            failed = []
            for process, share in zip(processes, shares):
                try:
                    _, stderr = process.communicate(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    for other in processes:
                        other.kill()
                        other.wait()
                    raise PublishError([self._slowest([documents[i] for i in share], [sources[i] for i in share])])
                if process.returncode != 0:
                    failed.append(stderr.decode("utf-8", "replace"))
            for worker, share in enumerate(shares):
                results = root / f"results-{worker}"
                for index, converted in zip(share, _results(results.read_bytes() if results.is_file() else b"")):
                    outputs[index] = converted
        if failed or any(o is None for o in outputs):
            source, line = ([sources[i] for i, o in enumerate(outputs) if o is None][:1] or sources[:1])[0]
            raise PublishError([error(source or None, line, "markdown.pandoc",
                                      f"pandoc could not convert it: {(failed or ['no output'])[0].strip()[:500]}")])
        return outputs
