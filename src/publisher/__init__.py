"""publisher: one command turns every health article into every channel, with its disclaimers.

The library API the ``publish`` CLI is thin over::

    from publisher import build
    report = build("path/to/project", out="build", channels=["html"], as_of="2025-03-05")
"""

from .api import build
from .errors import Diagnostic, PublishError
from .model import BuildReport
from .version import __version__

__all__ = ["build", "BuildReport", "Diagnostic", "PublishError", "__version__"]
