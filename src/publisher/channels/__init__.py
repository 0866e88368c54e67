"""The output channels. ``default_channels()`` is the one place that lists them.

``CHANNEL_NAMES`` repeats their names for the command line, which must not import the channels
(and their renderers) just to parse options; a test holds the two equal.
"""

CHANNEL_NAMES = ("html", "pdf", "rss", "summary")


def default_channels():
    from .base import ChannelRegistry
    from .feed import FeedChannel
    from .html import HtmlChannel
    from .pdf import PdfChannel
    from .summary import SummaryChannel

    return ChannelRegistry([HtmlChannel(), PdfChannel(), FeedChannel(), SummaryChannel()])


def __getattr__(name: str):
    if name in ("BuildContext", "Channel", "ChannelRegistry"):
        from . import base

        return getattr(base, name)
    raise AttributeError(f"module 'publisher.channels' has no attribute {name!r}")


__all__ = ["BuildContext", "Channel", "ChannelRegistry", "CHANNEL_NAMES", "default_channels"]
