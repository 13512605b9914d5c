"""Finding dates written in prose and checking them against the calendar.

Staff write "fechado em 17 de Setembro de 2017, Terça-Feira" and get the weekday or
the month wrong.  `find_dates` reads the dates of a text in the notice's language and
in English, with any weekday written right beside them; `check_dates` turns what cannot
be right into SourceErrors.  A false alarm teaches people to ignore the checker, so
anything that is not clearly a date (a version, an IP address, `24/7`, `3ª via`) is
left alone rather than guessed at.

Rules, each tested in tests/test_dates_in_text.py:
- Names of weekdays and months come from CLDR (Babel: wide and abbreviated, format and
  stand-alone), compared without case or accents; only informal spellings are added
  here ("tues", "2ª-feira", "3.ª feira", "terca feira", "setiembre").  Abbreviations that
  are also words ("ter", "dom", "mar", "sun", "sat", "wed", "may") count only when
  capitalised or followed by their dot, or next in a list of weekdays or of weekdays with
  days ("seg, ter e qua", "Sáb 21 y dom 22").  A bare ordinal ("3ª") is a weekday only when no
  word follows it.
- Numeric dates follow the order of the language's CLDR short date format: month first
  for `en` and `en-US`, day first for `pt-BR`, `pt-PT`, `es` and `en-GB`.  A date with a
  year that is impossible in that order but possible in the other ("17/10/2017" in an
  `en-US` notice) is read in the other order.  ISO dates are year-month-day everywhere;
  dotted dates (`17.10.2017`) are always day first and need two-digit day and month and
  a four-digit year.  Without a year the month needs two digits ("3/10" is a fraction),
  unless the date follows "dia" or has a weekday beside it; `24/7` is never a date.
- A number glued to letters, `/ . : # @ + $ % & = -`, right after a word such as
  versão, nota, página, chamado, Rua, Av., Ponte, Windows, or right before a unit such
  as Mbps, is not a date.  Code, addresses, e-mail and HTML are not read at all.
- A date without a year takes the reference's year, the one before or the one after,
  whichever puts it nearest to the reference; at equal distance, the later one.
- A weekday belongs to a date only when written right beside it: nothing between them
  but spaces, a line break inside one Markdown block, `, : ( ) [ ] | * _ - – —` and the
  words de, del, dia, el, on, the, em, no, na.  Weekdays joined as a range or list
  ("de segunda a sexta") belong to dates joined the same way and pair off in order
  (a range's ends with a list's ends); otherwise they belong to none.  A weekday between
  two dates goes to the one it fits, else to the date before "(" it closes, else to the
  side without punctuation, else to the date before it.
- Bare days before a dated day share its month and year: "19 a 30 de outubro",
  "21 e 22/10", "17, 18 e 19 de outubro"; "de X a Y", "X–Y" and "entre X e Y" are ranges.
- A day number alone is a date only right beside a weekday word ("na quinta, dia 12",
  "el viernes día 13", "Monday the 15th", "de segunda, 9, a quarta, 11 de março"); its
  month comes from the date its range or list ends on, the notice's period, or the
  notice's date (bare_days.py has the rules).  The informal words beside CLDR's are data
  in words.py, listed for users in docs/format.md.

Modules, in the order a text goes through them: text (fold, mask, blocks), reading (the
date shapes), tying (weekday words and which date each belongs to), bare_days, finding
(find_dates puts them together), checking (check_dates and its hints); times (check_times: a
time of day that cannot be one, read on its own); vocabulary builds
the regexes of each language from CLDR and words.
"""

from __future__ import annotations

from generator.validate.dates_in_text.checking import check_dates, weekday_mismatch_hint
from generator.validate.dates_in_text.finding import ProseDate, find_dates
from generator.validate.dates_in_text.reading import infer_year
from generator.validate.dates_in_text.times import check_times
from generator.validate.dates_in_text.vocabulary import parse_weekday

__all__ = ["ProseDate", "check_dates", "check_times", "find_dates", "infer_year", "parse_weekday", "weekday_mismatch_hint"]
