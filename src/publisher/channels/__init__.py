"""The output channels. ``default_channels()`` is the one place that lists them."""

from .base import BuildContext, Channel, ChannelRegistry


def default_channels() -> ChannelRegistry:
    from .html import HtmlChannel

    return ChannelRegistry([HtmlChannel()])


__all__ = ["BuildContext", "Channel", "ChannelRegistry", "default_channels"]
