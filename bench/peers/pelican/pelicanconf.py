"""Pelican's settings for the peers benchmark: the notices as articles at our paths, an index, RSS and Atom."""

SITENAME = "Example Networks"
SITEURL = "https://status.example.net"
AUTHOR = "Example Networks"
# Pelican reads these relative to this file (the site's folder, where run.py copies it).
PATH = "content"
THEME = "theme"
TIMEZONE = "America/Sao_Paulo"
DEFAULT_LANG = "pt-BR"
DEFAULT_DATE_FORMAT = "%d/%m/%Y %H:%M"
ARTICLE_PATHS = ["notices"]
PAGE_PATHS = []
STATIC_PATHS = []
ARTICLE_URL = "notices/{slug}/"
ARTICLE_SAVE_AS = "notices/{slug}/index.html"
INDEX_SAVE_AS = "notices/index.html"
DIRECT_TEMPLATES = ["index"]
DEFAULT_PAGINATION = False
# The same pages as ours: no category, tag, author or archive pages.
CATEGORY_SAVE_AS = CATEGORIES_SAVE_AS = TAG_SAVE_AS = TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = AUTHORS_SAVE_AS = ARCHIVES_SAVE_AS = ""
FEED_DOMAIN = SITEURL
FEED_ALL_RSS = "feed.xml"
FEED_ALL_ATOM = "atom.xml"
FEED_MAX_ITEMS = 50
CATEGORY_FEED_ATOM = AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = TRANSLATION_FEED_ATOM = None
