"""papersite: a static site generator for machine-learning paper listings."""

__version__ = "0.1.0"
