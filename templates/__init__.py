"""The default theme, installed as the package `generator.theme` (see pyproject.toml); holds no code."""
