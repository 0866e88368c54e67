"""publisher: one command turns every health article into every channel, with its disclaimers.

The library API the ``publish`` CLI is thin over::

    from publisher import build
    report = build("path/to/project", out="build", channels=["html"], as_of="2025-03-05")
"""

from .api import BuildReport, build
from .errors import Diagnostic, PublishError


def __getattr__(name: str):
    if name == "load_site":  # the pipeline loads its renderers: import it only when asked
        from .pipeline import load_site

        return load_site
    raise AttributeError(f"module 'publisher' has no attribute {name!r}")

__version__ = "0.1.0"

__all__ = ["build", "load_site", "BuildReport", "Diagnostic", "PublishError", "__version__"]
