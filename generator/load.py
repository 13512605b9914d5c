"""Loading a site: pipeline.load_site, where the pipeline composes reading and validation."""

from generator.pipeline import load_site

__all__ = ["load_site"]
