"""`limits:` in site.yaml, and the counts a site is held to (see generator/limits.py).

The counts are taken on the YAML nodes, before anything is built from them, so
that an error points at the first value over a limit.
"""

from __future__ import annotations

from types import MappingProxyType

from generator.errors import SourceError
from generator.limits import LIMITS, Limits
from generator.read.sources import NoticeFile
from generator.read.yaml_nodes import Map, Node, Scalar, Seq
from generator.validate.fields import Problems, did_you_mean, expect_map, quote_list
from generator.validate.numbers import MAX_DIGITS, whole_number


def validate_limits(root: Node | None, problems: Problems) -> Limits:
    """Return the site's limits: the defaults, with the whole numbers site.yaml gives under `limits:`."""
    node = root.get("limits") if isinstance(root, Map) else None
    mapping = expect_map(node, problems, "limits") if node is not None else None
    if mapping is None:
        return Limits()
    values = {key: limit.default for key, limit in LIMITS.items()}
    where: dict[str, tuple[int, int]] = {}
    for key, value in mapping.pairs:
        limit = LIMITS.get(key.text)
        if limit is None:
            problems.error(key, f"unknown limit '{key.text}'",
                           did_you_mean(key.text, LIMITS) or f"limits are {quote_list(LIMITS, 'and')}")
            continue
        text = value.text.strip().replace("_", "") if isinstance(value, Scalar) and value.plain else ""
        number = whole_number(text)
        if len(text) > MAX_DIGITS and text.isascii() and text.isdigit():
            problems.error(value, f"limits: {key.text} may be at most {limit.ceiling:,}, not a number of "
                           f"{len(text):,} digits",
                           "a larger site needs a change to the generator's ceiling (generator/limits.py)")
            continue
        if not number:
            shown = f"'{value.text}'" if isinstance(value, Scalar) else "a list or a mapping"
            problems.error(value, f"limits: {key.text} must be a whole number above 0, not {shown}",
                           f"the default is {limit.default:,}")
            continue
        if number > limit.ceiling:
            problems.error(value, f"limits: {key.text} may be at most {limit.ceiling:,}, not {number:,}",
                           "a larger site needs a change to the generator's ceiling (generator/limits.py)")
            continue
        values[key.text] = number
        where[key.text] = (value.line, value.column)
    return Limits(MappingProxyType(values), MappingProxyType(where))


def _over(items: tuple[Node, ...], key: str, limits: Limits, problems: Problems, advice: str) -> bool:
    """Report the first item past a limit on how many there may be; tell whether there was one."""
    if len(items) <= limits[key]:
        return False
    problems.error(items[limits[key]], limits.over(key, len(items)), limits.hint(key, advice))
    return True


def _items(node: Node | None, key: str) -> tuple[Node, ...]:
    """Return the items of the list under `key` of a mapping node, or nothing."""
    value = node.get(key) if isinstance(node, Map) else None
    return value.items if isinstance(value, Seq) else ()


def check_intervals(hours: Node | None, limits: Limits, problems: Problems) -> None:
    """Report a day of a channel (a selector's or a notice channel's list) with too many intervals."""
    if not isinstance(hours, Map):
        return
    for _, value in hours.pairs:
        if isinstance(value, Seq):
            _over(value.items, "intervals_per_day", limits, problems, "merge intervals that touch")


def check_hours_counts(root: Node | None, limits: Limits, problems: Problems) -> None:
    """Report hours.yaml's departments, channels per department and intervals per day over their limits."""
    departments = _items(root, "departments")
    _over(departments, "departments", limits, problems, "merge departments")
    for department in departments[:limits["departments"]]:
        channels = _items(department, "channels")
        _over(channels, "channels", limits, problems, "split the department")
        for channel in channels[:limits["channels"]]:
            check_intervals(channel.get("hours") if isinstance(channel, Map) else None, limits, problems)


def check_site_counts(site_root: Node | None, status_root: Node | None, limits: Limits,
                      site_problems: Problems, status_problems: Problems) -> None:
    """Report site.yaml's languages and status.yaml's components over their limits."""
    _over(_items(site_root, "languages"), "languages", limits, site_problems, "publish fewer languages")
    _over(_items(status_root, "components"), "components", limits, status_problems, "group components")


def check_notice_count(files: tuple[NoticeFile, ...], limits: Limits) -> list[SourceError]:
    """Report the first notice past the limit on notices (translations are not counted)."""
    notices = [file for file in files if file.lang is None]
    if len(notices) <= limits["notices"]:
        return []
    return [SourceError(notices[limits["notices"]].rel, 1, 1, limits.over("notices", len(notices)),
                        limits.hint("notices", "move old notices out of notices/"))]
