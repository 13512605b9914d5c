"""Durations typed in YAML, each with a ceiling: support response times (hours.yaml) and the probe's seconds
(status.yaml).

Both files are pushed. Without a ceiling a number of 5,000 digits ended `check` in "internal error" (int()
refuses more than 4,300 digits; float() reads inf and timedelta overflows), `99999999999d` passed the check and
failed the build where the pages word it, and a check's `timeout: 100000h` held every probe run for years.
"""

from __future__ import annotations

import re

from generator.model import ResponseTime
from generator.read.yaml_nodes import Node
from generator.validate.fields import Problems, expect_text

DASHES = re.compile(r"\s*[-–—]\s*")          # between the ends of a range, of hours or of response times
RESPONSE = re.compile(r"^(\d+)\s*(m|min|h|d)$")
RESPONSE_MINUTES = {"m": 1, "min": 1, "h": 60, "d": 1440}
LONGEST_RESPONSE = 366 * 1440                 # minutes: a response time is a support target, not a calendar
SECONDS = re.compile(r"^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$")
SECONDS_OF = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
# A check's timeout bounds a probe run, whose checks run at once; beyond 90 days no probe row is recent.
CHECK_CEILING = (60.0, "60 s")
HISTORY_CEILING = (90 * 86_400.0, "90 days (2160h)")


def shortened(text: str, width: int = 20) -> str:
    """Return `text` stripped, cut to `width` characters with '…': a message need not repeat 5,000 digits."""
    text = text.strip()
    return text if len(text) <= width else text[:width - 1] + "…"


def parse_response_time(node: Node, problems: Problems) -> ResponseTime | None:
    """Read a response-time target: `30m`, `4h`, `1d` or a range such as `5m-4h`, a year at most."""
    text = expect_text(node, problems, "response_time")
    if text is None:
        return None
    values = []
    for part in DASHES.split(text.strip()):
        found = RESPONSE.match(part.strip().lower())
        if not found:
            problems.error(node, f"'{text}' is not a response time", "write 30m, 4h, 1d or a range such as 5m-4h")
            return None
        # The length first: int() of 4,300 digits raises.
        if len(found[1]) > 6 or int(found[1]) * RESPONSE_MINUTES[found[2]] > LONGEST_RESPONSE:
            problems.error(node, f"the response time '{shortened(part)}' is longer than a year",
                           "write the time in which staff answer, e.g. 30m, 4h or 2d")
            return None
        values.append(int(found[1]) * RESPONSE_MINUTES[found[2]])
    if len(values) > 2:
        problems.error(node, f"'{text}' is not a response time", "a range has two ends, such as 5m-4h")
        return None
    if values[-1] < values[0]:
        problems.error(node, f"the response time range '{text}' runs backwards")
        return None
    return ResponseTime(values[0], values[-1], text.strip())


def parse_seconds(node: Node, problems: Problems, what: str, ceiling: tuple[float, str], hint: str) -> float | None:
    """Read a duration such as `10s`, `500ms` or `1m` into seconds, at most `ceiling` (seconds, in words);
    return None after a located error, with `hint` for one too long."""
    text = expect_text(node, problems, what)
    if text is None:
        return None
    found = SECONDS.match(text.strip())
    if not found or float(found[1]) <= 0:
        problems.error(node, f"{what} '{text}' is not a duration", "write it with its unit: 500ms, 10s or 1m")
        return None
    # float() reads any number of digits (inf past 1e308): compared before timedelta or a lock's wait sees it.
    seconds = float(found[1]) * SECONDS_OF[found[2]]
    if seconds > ceiling[0]:
        problems.error(node, f"{what} '{shortened(text)}' is longer than {ceiling[1]}", hint)
        return None
    return seconds
