"""The notices: drawn from a seeded generator, the same bytes for the same count and seed everywhere."""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import holidays

from corpus.announcements import Announcements
from corpus.hours_kinds import HoursKinds
from corpus.site import CHANNEL_WORDS, DEPARTMENTS, ZONE

FIRST_DAY, LAST_DAY = date(2023, 1, 9), date(2026, 11, 20)   # when the notices are published


@dataclass(frozen=True, slots=True)
class Notice:
    """One notice as every generator gets it; `changes` are ours alone (date or range, weekday, hours, note)."""

    slug: str
    published: datetime
    title: str
    body: str
    kind: str                      # "hours" or "info"
    departments: tuple[str, ...]   # empty: every department
    changes: tuple[dict, ...]
    period: tuple[date, date] | None
    updated: datetime | None
    cancelled: bool



class NoticeWriter(HoursKinds, Announcements):
    """Draws notices from a seeded generator, keeping the days each department changes apart."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.taken: set[tuple[str, date]] = set()
        self.holidays = holidays.country_holidays("BR", subdiv="SP", years=range(2023, 2028), language="pt_BR")

    def take(self, departments: tuple[str, ...], days: list[date]) -> bool:
        """Take these days for these departments if no notice changes them yet; tell whether it did."""
        if any((dep, d) in self.taken for dep in departments for d in days):
            return False
        self.taken.update((dep, d) for dep in departments for d in days)
        return True

    def free_days(self, departments: tuple[str, ...], first: date, count: int) -> list[date] | None:
        """Take and return `count` consecutive working days from `first` or a little later that are still free."""
        for shift in range(30):
            days = [first + timedelta(days=shift + n) for n in range(count)]
            if not any(d.weekday() >= 5 or d in self.holidays for d in days) and self.take(departments, days):
                return days
        return None

    def some_departments(self, pool=tuple(DEPARTMENTS)) -> tuple[str, ...]:
        """Return one or two departments, in the site's order."""
        chosen = set(self.rng.sample(pool, self.rng.choice((1, 1, 1, 2))))
        return tuple(d for d in DEPARTMENTS if d in chosen)

    def common_channels(self, departments: tuple[str, ...]) -> list[str]:
        """Return the channels every one of these departments has."""
        return [c for c in CHANNEL_WORDS if all(c in DEPARTMENTS[d][2] for d in departments)]

    # The kinds (hours_kinds.py, announcements.py) return (title, paragraphs, departments, changes),
    # or None when no days are free.
    HOURS_KINDS = ("holiday", "training", "stocktaking", "extended", "phone_outage", "year_end")
    INFO_KINDS = ("new_channel", "network_work", "scam_warning", "price_change", "coverage", "incident_report",
                  "mail_migration")

    def notice(self, published: datetime, used_slugs: set[str]) -> Notice:
        """Return one notice published at `published`: hours (about 45%) or info."""
        drawn = None
        if self.rng.random() < 0.45:
            for kind in ("year_end", "holiday", *self.rng.sample(self.HOURS_KINDS[1:5], 4)):
                if kind in ("year_end", "holiday") and self.rng.random() < 0.4:
                    continue
                drawn = getattr(self, kind)(published.date())
                if drawn:
                    break
        kind = "hours" if drawn else "info"
        if not drawn:
            drawn = getattr(self, self.rng.choice(self.INFO_KINDS))(published.date())
        title, paragraphs, departments, changes = drawn
        base = f"{published.date().isoformat()}-{slugify(title)}"
        slug, number = base, 2
        while slug in used_slugs:
            slug, number = f"{base}-{number}", number + 1
        used_slugs.add(slug)
        days = [c["date"] for c in changes if "date" in c] + [d for c in changes if "dates" in c for d in c["dates"]]
        period = (min(days), max(days)) if days and self.rng.random() < 0.6 else None
        updated = published + timedelta(hours=self.rng.randint(2, 48)) if self.rng.random() < 0.1 else None
        return Notice(slug, published, title, "\n\n".join(paragraphs) + "\n", kind, tuple(departments),
                      tuple(changes), period, updated, cancelled=kind == "hours" and self.rng.random() < 0.02)


def slugify(title: str) -> str:
    """Return the title in lower-case ASCII words joined by hyphens, at most about 60 characters."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    slug = ""
    for word in words:
        if len(slug) + len(word) > 60:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug


def make_notices(count: int, seed: int) -> list[Notice]:
    """Return `count` notices published between FIRST_DAY and LAST_DAY, oldest first."""
    rng = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days
    stamps = sorted((rng.randrange(span + 1), rng.randrange(8 * 60, 19 * 60)) for _ in range(count))
    writer, used = NoticeWriter(seed), set()
    return [writer.notice(datetime.combine(FIRST_DAY + timedelta(days=d), datetime.min.time(), ZONE)
                          + timedelta(minutes=m), used) for d, m in stamps]

