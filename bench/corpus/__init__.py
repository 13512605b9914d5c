"""A corpus of Portuguese support notices, shared by the benchmarks.

Each notice is a few paragraphs that an internet provider's support staff would
write: public holidays (closed, or a reduced shift), staff training, stocktaking, a
day without the telephone, longer hours at the end of the month, Christmas and New
Year; and announcements: a new channel, night work on the network, a scam warning,
the yearly price adjustment, new neighbourhoods, an outage report, an e-mail
migration.  They are published between January 2023 and November 2026, drawn from
a seeded generator: the same count and seed give the same bytes everywhere.

About 45% are hours notices with structured changes; no two change one department
on one day, every weekday written in the text matches its date, and every date in
an hours notice's text is one of its changes, so `build.py check` finds neither
errors nor warnings.

    from corpus import make_notices, write_expediente_site
    write_expediente_site(Path("/tmp/site"), make_notices(1000, seed=1))

bench/peers/ writes the same notices for Hugo and Pelican; bench/make_notices_site.py
puts them into a copy of the example site for bench_notices.py.
"""

from corpus.expediente import our_front_matter, quoted, write_expediente_site, write_notices
from corpus.notices import FIRST_DAY, LAST_DAY, Notice, make_notices
from corpus.site import BASE_URL, DEPARTMENTS, SITE_NAME, ZONE, hours_yaml, site_yaml, write_site_files

__all__ = ["BASE_URL", "DEPARTMENTS", "FIRST_DAY", "LAST_DAY", "SITE_NAME", "ZONE", "Notice", "make_notices",
           "hours_yaml", "our_front_matter", "quoted", "site_yaml", "write_expediente_site", "write_notices",
           "write_site_files"]
