"""Renderers: pure functions from the model to Outputs (a path inside the output folder and its bytes)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Output:
    """One file to write: a POSIX path relative to the output folder and its content."""

    path: str
    data: bytes
