"""Every time rule that the pages and `next-change` share: how far each output looks, and when it lets go.

The output depends on "now" through the rules below, and nothing else: the
renderers apply them, and commands/next_change.py finds the first instant after
"now" at which one of them flips.  Each rule is said here once, so that the two
can never disagree.

Windows of whole local days (they begin and end at a local midnight, so a new day
is all next-change needs to know of them):

- the hours page's table of the next days and its open-now schedule: HOURS_PAGE_DAYS;
- api/hours.json's days: HOURS_API_DAYS;
- the JSON-LD's dated hours (holidays, notices): SPECIAL_DAYS;
- the status page's bars and history and api/uptime.json's days: STATUS_DAYS;
- the calendar subscriptions look ahead to the same day a year later (`calendar_horizon`).

Rules between instants, each with the last instant on the earlier side of it (instants
in sources are whole seconds, so the rule flips within the second after):

- an announcement without days or a window is news for NEWS_DAYS after its
  publication (`is_news`, `news_until`);
- a calendar subscription keeps an event until CALENDAR_PAST_DAYS after its end
  (`calendar_keeps`, `calendar_drops_at`);
- a checked component's newest probe result speaks for it for the component's
  `stale_after` (model.DEFAULT_STALE_AFTER, 30 minutes, unless status.yaml says
  otherwise): then it is stale (`stale_since`, `fresh_until`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from generator.model import Component, ProbeResult

HOURS_PAGE_DAYS = 14
HOURS_API_DAYS = 90
SPECIAL_DAYS = 60
STATUS_DAYS = 90
NEWS_DAYS = 30
CALENDAR_PAST_DAYS = 90


# --- News ---------------------------------------------------------------------------

def is_news(published: datetime, now: datetime) -> bool:
    """Tell whether an announcement without days, published at `published`, is still news at `now`."""
    return now - published <= timedelta(days=NEWS_DAYS)


def news_until(published: datetime) -> datetime:
    """Return the last instant at which an announcement published at `published` is news."""
    return published + timedelta(days=NEWS_DAYS)


# --- Calendar subscriptions ---------------------------------------------------------

def calendar_keeps(end: datetime, now: datetime) -> bool:
    """Tell whether the subscriptions still hold, at `now`, an event that ends at the instant `end`."""
    return end > now - timedelta(days=CALENDAR_PAST_DAYS)


def calendar_drops_at(end: datetime) -> datetime:
    """Return the first instant at which the subscriptions no longer hold an event that ends at `end`."""
    return end + timedelta(days=CALENDAR_PAST_DAYS)


def calendar_horizon(today: date) -> date:
    """Return the first local day the subscriptions leave out: the same day a year later (28 February for 29)."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


# --- Probe results ------------------------------------------------------------------

def stale_since(component: Component, latest: ProbeResult | None, now: datetime) -> datetime | None:
    """Return the time of a checked component's newest probe row when it is older than `stale_after`, else None."""
    if component.check is None or latest is None or latest.time > now:
        return None
    return latest.time if now > fresh_until(component, latest) else None


def fresh_until(component: Component, latest: ProbeResult) -> datetime:
    """Return the last instant at which a component's probe result `latest` still speaks for it."""
    return latest.time + component.stale_after
