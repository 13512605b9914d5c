"""Which notices apply, and the hours they set for each department, channel and day."""

from __future__ import annotations

from datetime import date
from types import MappingProxyType
from typing import Mapping

from generator.model import Department, Notice, Override, superseded_slugs


def applying_notices(notices: tuple[Notice, ...]) -> tuple[Notice, ...]:
    """Return the hours notices whose changes apply: not cancelled and not superseded."""
    replaced = superseded_slugs(notices)
    return tuple(n for n in notices if n.type == "hours" and not n.cancelled and n.slug not in replaced)


def notice_cells(notice: Notice, departments: Mapping[str, Department]):
    """Yield ((department id, channel id, day), Override, change) for every cell a notice changes.

    A closed change closes every channel of the notice's departments; a change with
    hours gives the listed channels those hours and closes the others that day.
    """
    for change in notice.changes:
        given = dict(change.hours)
        days = change.days()    # once per change, not once per channel: at 10,000 notices, 18,000 calls fewer
        for dept_id in notice.departments:
            for channel in departments[dept_id].channels:
                intervals = () if change.closed else given.get(channel.id, ())
                override = Override(intervals, notice.slug, change.note)
                for day in days:
                    yield (dept_id, channel.id, day), override, change


def notice_overrides(notices: tuple[Notice, ...], departments: tuple[Department, ...]) -> Mapping[tuple[str, str, date], Override]:
    """Return the overrides of every applying notice; on a clash the later notice wins (validation reports it)."""
    by_id = {d.id: d for d in departments}
    cells: dict[tuple[str, str, date], Override] = {}
    # notice_cells written out: at 10,000 notices (15,000 cells) a generator's step for each cell cost 10 ms.
    for notice in sorted(applying_notices(notices), key=lambda n: (n.date, n.slug)):
        for change in notice.changes:
            given = dict(change.hours)
            days = change.days()
            for dept_id in notice.departments:
                for channel in by_id[dept_id].channels:
                    override = Override(() if change.closed else given.get(channel.id, ()), notice.slug, change.note)
                    channel_id = channel.id
                    for day in days:
                        cells[(dept_id, channel_id, day)] = override
    # Not sorted: every reader looks a cell up by its key, none walks them, and the order they were made in
    # follows the notices' order, the same in every build (sorting 15,000 keys cost 8 ms at 10,000 notices).
    return MappingProxyType(cells)
