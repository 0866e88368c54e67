"""The output channels, by the names the command line and the manifest give them: the one list.

The command line reads the names without importing the channels (and their renderers) just to
parse options; ``default_channels()`` imports each from its module and gives it its name.
"""

from importlib import import_module

CHANNELS = {  # name: (module, class)
    "html": ("html", "HtmlChannel"),
    "pdf": ("pdf", "PdfChannel"),
    "rss": ("feed", "FeedChannel"),  # RSS and Atom
    "summary": ("summary", "SummaryChannel"),
}
CHANNEL_NAMES = tuple(CHANNELS)


def default_channels():
    from .base import ChannelRegistry

    channels = []
    for name, (module, cls) in CHANNELS.items():
        channel = getattr(import_module(f".{module}", __name__), cls)()
        channel.name = name
        channels.append(channel)
    return ChannelRegistry(channels)


def __getattr__(name: str):
    if name in ("BuildContext", "Channel", "ChannelRegistry"):
        from . import base

        return getattr(base, name)
    raise AttributeError(f"module 'publisher.channels' has no attribute {name!r}")


__all__ = ["BuildContext", "Channel", "ChannelRegistry", "CHANNELS", "CHANNEL_NAMES", "default_channels"]
