"""Every address of the output, said once: where each page, feed, calendar, API file and badge lives.

An address is a POSIX path inside the output folder.  Pages are folders holding an
`index.html`; the default language's pages sit at the root and another language's
under its lower-case tag (`pt-pt/`), so a page's place is written in two parts: its
language's folder (`language_folder`) and its folder inside it (`page_folder`,
`notice_folder`).  Feeds are written in every language; the department and
component feeds, the calendars, the APIs and the badges in the default language
only, at the root.

Links between pages are relative (frame.py joins them to the way up from a page);
feeds, calendars and the APIs carry absolute URLs (`absolute`).  A renderer names
an address through a function of this module, never by writing its path itself,
so that moving a file is one edit here and every link to it follows.
"""

from __future__ import annotations

from generator.model import Site

PAGE_FILE = "index.html"
# The pages of a language, by the name frame.page_frame knows them by: their folder inside the language's.
PAGE_FOLDERS = {"hours": "", "status": "status/", "notices": "notices/"}
STATUSPAGE_API = "api/v2/"


# --- The site's own address ---------------------------------------------------------

def site_url(site: Site) -> str:
    """Return the site's base URL ending in one slash."""
    return site.base_url.rstrip("/") + "/"


def absolute(site: Site, path: str) -> str:
    """Return the absolute URL of an address of the output (a path from its root)."""
    return site_url(site) + path


def subscription(site: Site, path: str) -> dict:
    """Return a calendar's addresses: webcal:// (calendar apps subscribe) and https:// (to copy or download)."""
    url = absolute(site, path)
    return {"webcal": "webcal://" + url.split("://", 1)[1], "https": url}


# --- Pages --------------------------------------------------------------------------

def language_folder(site: Site, lang: str) -> str:
    """Return the folder of a language's pages: '' for the default language, else e.g. 'pt-pt/'."""
    return "" if lang == site.default_language else lang.lower() + "/"


def page_folder(page: str) -> str:
    """Return the folder of a page ('hours', 'status' or 'notices') inside its language's folder: '', 'status/'..."""
    return PAGE_FOLDERS[page]


def notice_folder(slug: str) -> str:
    """Return the folder of a notice's page inside its language's folder: 'notices/<slug>/'."""
    return f"{PAGE_FOLDERS['notices']}{slug}/"


def page_file(folder: str) -> str:
    """Return the file of the page whose folder is `folder` (a path from the output's root)."""
    return folder + PAGE_FILE


def notices_page_url(site: Site, lang: str) -> str:
    """Return the absolute URL of the notice index in `lang`."""
    return absolute(site, language_folder(site, lang) + page_folder("notices"))


def notice_page_url(site: Site, lang: str, slug: str) -> str:
    """Return the absolute URL of a notice's page in `lang`: its feeds' link and permanent id, its events' URL."""
    return absolute(site, language_folder(site, lang) + notice_folder(slug))


def favicon() -> str:
    """Return the address of the site's icon."""
    return "favicon.svg"


# --- Feeds --------------------------------------------------------------------------

def rss_feed(site: Site, lang: str) -> str:
    """Return the address of the RSS feed of every notice in `lang`: 'feed.xml', 'pt-pt/feed.xml'."""
    return language_folder(site, lang) + "feed.xml"


def atom_feed(site: Site, lang: str) -> str:
    """Return the address of the Atom feed of every notice in `lang`: 'atom.xml', 'pt-pt/atom.xml'."""
    return language_folder(site, lang) + "atom.xml"


def department_feed(department_id: str) -> str:
    """Return the address of a department's RSS feed (default language)."""
    return f"feeds/{department_id}.xml"


def component_feed(component_id: str) -> str:
    """Return the address of a status component's RSS feed (default language)."""
    return f"feeds/components/{component_id}.xml"


# --- Calendars ----------------------------------------------------------------------

def hours_calendar() -> str:
    """Return the address of the calendar of every department's closures and changed hours."""
    return "calendar.ics"


def department_calendar(department_id: str) -> str:
    """Return the address of one department's calendar."""
    return f"calendar/{department_id}.ics"


def notice_calendar(slug: str) -> str:
    """Return the address of an hours notice's own calendar, beside the default language's page of the notice."""
    return notice_folder(slug) + "notice.ics"


def maintenance_calendar() -> str:
    """Return the address of the calendar of maintenance windows."""
    return "maintenance.ics"


# --- APIs and badges ----------------------------------------------------------------

def hours_api() -> str:
    """Return the address of the hours API."""
    return "api/hours.json"


def statuspage_api(name: str) -> str:
    """Return the address of a Statuspage v2 file by its name there ('summary.json', 'incidents/unresolved.json')."""
    return STATUSPAGE_API + name


def uptime_api() -> str:
    """Return the address of the measured uptime of every component."""
    return "api/uptime.json"


def status_badge() -> str:
    """Return the address of the badge of the overall state."""
    return "badges/status.svg"


def component_badge(component_id: str) -> str:
    """Return the address of a component's badge."""
    return f"badges/{component_id}.svg"
