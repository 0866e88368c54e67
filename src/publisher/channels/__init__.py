"""The output channels. ``default_channels()`` is the one place that lists them."""

from .base import BuildContext, Channel, ChannelRegistry


def default_channels() -> ChannelRegistry:
    from .feed import FeedChannel
    from .html import HtmlChannel
    from .pdf import PdfChannel
    from .summary import SummaryChannel

    return ChannelRegistry([HtmlChannel(), PdfChannel(), FeedChannel(), SummaryChannel()])


__all__ = ["BuildContext", "Channel", "ChannelRegistry", "default_channels"]
