"""Expediente: a static site generator for the support pages of ISPs and hosting companies."""

__version__ = "0.1.0"
