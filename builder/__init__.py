"""gongshi: a static-site generator for consumer-complaint disclosure."""

__version__ = "0.1.0"
