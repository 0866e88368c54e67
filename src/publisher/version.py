"""The version of publisher, in a module of its own so any part can read it while the package loads."""

__version__ = "0.1.0"
