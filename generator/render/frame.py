"""The frame every HTML page shares: the Jinja2 environment, where a page lives, what base.html needs.

Templates receive plain values already resolved for one language (`page` from
`page_frame`, and what each page adds) plus `fmt`, the language's Babel formats,
and the language's gettext functions; the words of the pages live in the templates
and the gettext catalogs, the facts in these values.

Links between pages are relative, so that the output can be opened from disk or
served under any path; `page["root"]` leads from a page to the output's root and
`page["folder"]` to its language's folder.
"""

from __future__ import annotations

from datetime import datetime
from gettext import NullTranslations
from types import BuiltinMethodType, MethodType
from typing import Mapping

from jinja2 import BaseLoader, BytecodeCache, Environment, StrictUndefined, select_autoescape
from jinja2.compiler import CodeGenerator
from jinja2.environment import TemplateModule
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

try:    # markupsafe's own escaping of a plain string, the text of escape(s) without the Markup around it
    from markupsafe import _escape_inner
except ImportError:     # gone in some later markupsafe: escape() itself, whose text is the same
    _escape_inner = escape

from generator.model import (
    Build,
    Change,
    Channel,
    Component,
    Department,
    IncidentUpdate,
    Interval,
    Notice,
    Priority,
    ResponseTime,
    Site,
    Support,
    Text,
    TicketState,
    WeeklyHours,
)
from generator.render import urls
from generator.render.bounds import BoundedOperators
from generator.render.bytecode import CompiledStore, CompiledStores, bytecode_cache
from generator.render.folding import fold_messages
from generator.render.i18n import LocaleFormats, read_catalogs, template_gettext, translations_for

# --- The environment ---------------------------------------------------------

# What `dict` itself answers to (`items`, `get`, ...): Jinja gives those the attribute, not the item.
_DICT_NAMES = frozenset(dir(dict))
# Objects whose public attributes the sandbox gives as they are: the model's frozen values that
# templates reach through `site` and the pages' values, a template's module (`names`) and `loop`.
# None is a str, a function, method, type, code, frame or generator, nor a mutable set,
# mapping or sequence, the kinds the sandbox looks into (tests/security/test_template_attacks.py
# checks that the answers are the sandbox's own).
PLAIN_OBJECTS = frozenset({
    Site, Notice, Department, Channel, Text, Interval, WeeklyHours, ResponseTime, Support, Priority,
    TicketState, Change, Component, IncidentUpdate, TemplateModule, LoopContext,
})
# A value that is a bound method is still checked by the sandbox's own rule.
_METHODS = (MethodType, BuiltinMethodType)


def escape_output(value) -> str:
    """Return a value as a page prints it under autoescaping: exactly markupsafe.escape(value)'s text.

    Compiled templates call it for every `{{ ... }}` (ThemeCodeGenerator) in place of escape(), whose
    result only ever joins the page's other strings: a plain string is escaped by markupsafe's own
    escaping without being wrapped in a Markup, and a Markup is printed as it is, where escape()
    would make a copy of it (each a Python call; the pages print some 60 values each).  Anything
    else goes through escape() itself.
    """
    kind = type(value)
    if kind is str:
        return _escape_inner(value)
    if kind is Markup:
        return value
    return escape(value)


class ThemeCodeGenerator(CodeGenerator):
    """Jinja's code generator, whose templates print values through escape_output rather than escape().

    Environment.code_generator_class is Jinja's public way of changing the code a template
    compiles to (nativetypes.py does so).  What `{{ ... }}` prints is escaped exactly as before;
    only the call that does it is quicker.  The compiled code is kept apart from code compiled
    by Jinja's own generator (bytecode.py's kind names `compiled_as`).
    """

    compiled_as = b"+escape_output"

    def visit_Template(self, node, frame=None):
        super().visit_Template(node, frame)
        # Last in the module, after Jinja's import of `escape` (and its debug_info, whose line
        # numbers stay those of the template's code): the module's functions see this one.
        self.writeline("from generator.render.frame import escape_output as escape")


class ThemeEnvironment(BoundedOperators, ImmutableSandboxedEnvironment):
    """Jinja2's sandbox, with a quicker `page.title` when `page` is a plain dict, and, in a
    language's environment, that language's messages folded into the templates (folding.py).

    Templates are written by whoever may push to the site: the sandbox keeps them from
    Python's internals (`__class__`, `__globals__`, `str.format` on objects), from
    unsafe callables and from changing the lists and dicts they are given; `*`, `**`, `%`,
    `str.format`, a text's methods and the filters that grow a text or list are refused past the
    bounds of bounds.py (one operation cannot ask for gigabytes).

    Jinja reads `x.name` by trying the attribute first and the item second; on a
    dict the attribute is missing (an exception raised and caught) unless it is
    one of dict's own methods.  The pages read such values a couple of hundred
    times each, so the same answer is found here without the exception.  That
    answer is the sandbox's own: for a name that is not dict's, the sandbox too
    returns the item (the attribute lookup fails); every name dict has, `__class__`
    and `__init__` among them, still goes through the sandbox's checks.

    The same for the objects of PLAIN_OBJECTS (`site.name`, `names.channel`, `loop.first`,
    some fifteen a page): for them the sandbox's checks depend on the name alone, and a
    name that starts with `_` is refused; so such a name goes through the sandbox, a value
    that is a method is checked by its rule, and any other public attribute, or the
    undefined of a missing one, is given as the sandbox gives it, read once as it reads it.
    """

    # The catalog folded into compiled templates: None in the environment of all languages.
    translations: NullTranslations | None = None
    code_generator_class = ThemeCodeGenerator

    def getattr(self, obj, attribute):
        kind = type(obj)
        if kind is dict:
            if attribute not in _DICT_NAMES:
                try:
                    return obj[attribute]
                except (KeyError, TypeError):
                    return self.undefined(obj=obj, name=attribute)
        elif kind in PLAIN_OBJECTS and attribute[:1] != "_":
            # Read once, as the sandbox reads it: a property such as loop.length consumes the
            # loop's iterable, so a failed reading is not repeated (the answer would be another).
            try:
                value = getattr(obj, attribute)
            except AttributeError:
                try:
                    return obj[attribute]
                except (TypeError, LookupError):
                    return self.undefined(obj=obj, name=attribute)
            if type(value) not in _METHODS or self.is_safe_attribute(obj, attribute, value):
                return value
            return self.unsafe_undefined(obj, attribute)
        return super().getattr(obj, attribute)

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        """Compile a template's source or parsed tree; a language's environment folds its messages in first.

        Environment.parse and Environment.compile of a parsed tree are both Jinja's public API:
        the source is parsed here and folded (folding.py) before Jinja compiles the tree, where
        every compiled template comes through (pages, includes, imports, the bytecode cache).
        """
        if self.translations is not None and isinstance(source, str):
            source = fold_messages(self.parse(source, name, filename), self.translations)
        return super().compile(source, name, filename, raw, defer_init)


def make_environment(loader: BaseLoader, compiled: CompiledStore | CompiledStores | None = None) -> Environment:
    """Return the Jinja2 environment over `loader` (read.templates.theme_loader: the site's templates, then
    the default theme).

    With `compiled` (write.template_cache.template_stores, or one store such as sealed_files: files
    sealed with this machine's key, so that a file a commit planted is never loaded; the default
    theme's in this user's store, the site's own in the site's), compiled templates are kept there
    between builds; Jinja checks each template's source against what it compiled, so an
    edited template is compiled again.  Pages are rendered by the environment of their
    language (language_environment).
    """
    env = _new_environment(loader, bytecode_cache(compiled))
    # English by default, in newstyle gettext.
    env.install_null_translations(newstyle=True)
    env.extend(expediente_catalogs=read_catalogs(), expediente_compiled=compiled,
               expediente_languages={})
    return env


def language_environment(env: Environment, lang: str) -> Environment:
    """Return the environment that renders `lang`'s pages: `env`'s templates, with the language's
    messages folded in, and as globals its gettext functions, its Babel formats (`fmt`) and
    names.html's macros (`names`).

    Made once per language and environment; its templates are compiled (or taken from the
    store of compiled templates, keyed by the catalog) the first time a page asks for them.
    """
    found = env.expediente_languages.get(lang)
    if found is None:
        translations = translations_for(env.expediente_catalogs, lang)
        found = _new_environment(env.loader, bytecode_cache(env.expediente_compiled, translations))
        found.translations = translations
        # Jinja's newstyle gettext functions of the language, then ours in their place (gettext,
        # ngettext, _, pgettext, npgettext), which keep each plain message once translated and
        # bound their `%` as a template's own.
        found.install_gettext_translations(translations, newstyle=True)
        found.globals.update(template_gettext(translations), fmt=LocaleFormats(lang))
        # The names every page shares (names.html's macros), made once per language rather than
        # imported by every page ({% import %} costs more per page than the names it gives).
        found.globals["names"] = found.get_template("names.html").module
        env.expediente_languages[lang] = found
    return found


def _new_environment(loader: BaseLoader, bytecode_cache: BytecodeCache | None) -> ThemeEnvironment:
    env = ThemeEnvironment(
        loader=loader,
        autoescape=select_autoescape(("html", "xml"), default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=bytecode_cache,
        # One environment per build: templates cannot change while it runs, so no file is
        # looked at again on every page.
        auto_reload=False,
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    # Jinja's lipsum draws its words from `random` (two builds of one tree would publish other bytes)
    # and makes as many as it is asked for, for minutes; no page needs placeholder text.  Its
    # `random` filter draws from `random` too.
    del env.globals["lipsum"]
    del env.filters["random"]
    return env


# --- The page frame ------------------------------------------------------------

def page_frame(build: Build, lang: str, page: str, *, status_page: bool = False,
               notices_page: bool = False, sub: str | None = None) -> dict:
    """Return what base.html needs for `page` ('hours', 'status' or 'notices') in `lang`.

    `sub` is the page's folder inside the language's folder: urls.page_folder(page)
    unless given (a notice's page is urls.notice_folder(slug)).
    """
    site = build.site
    folder = urls.language_folder(site, lang)
    own = urls.page_folder(page)
    sub = own if sub is None else sub
    up = "../" * (folder + sub).count("/")

    def href(target: str) -> str:
        return _href(up, target)

    pages = ["hours"] + (["status"] if status_page else []) + (["notices"] if notices_page else [])
    nav = [{"page": name, "href": href(folder + urls.page_folder(name)),
            "current": name == page and sub == own} for name in pages]
    return {
        "lang": lang,
        **_addresses(site, lang, up, sub),
        "home": href(folder),
        # From this page to the root of the output, and to its language's folder.
        "root": up,
        "folder": up + folder,
        "nav": nav,
        "notices": href(folder + urls.page_folder("notices")) if notices_page else None,
        # The feeds are written in every language (feeds.py), the calendars in the default one.
        "feeds": {"rss": href(urls.rss_feed(site, lang)), "atom": href(urls.atom_feed(site, lang))},
        "calendar": urls.subscription(site, urls.hours_calendar()),
        "updated": updated_at(build.now, site, lang),
    }


def updated_at(instant: datetime, site: Site, lang: str) -> dict:
    """Return the footer's "Updated ..." of a page in `lang`: the instant as the site's zone writes it."""
    fmt = LocaleFormats(lang)
    return {"text": fmt.date_time(instant, site.timezone), "zone": fmt.zone_name(site.timezone),
            "iso": instant.isoformat()}


def notice_updated(notice: Notice, site: Site, lang: str) -> dict:
    """Return the footer's "Updated ..." of a notice's page: the notice's own last change (its files' last
    commit, else its `updated`, else its date), not the build's "now", so that its page stays the same
    from one build to the next until the notice itself changes (render/dependencies.py)."""
    return updated_at(notice.modified or notice.updated or notice.date, site, lang)


def frame_moved_to(frame: dict, site: Site, sub: str) -> dict:
    """Return `frame` as it is for another page of the same kind and depth in the same language
    (`sub` with as many folders as the frame's own): only the page's own addresses change.

    Notice pages take theirs this way, rather than each making the whole frame again.
    """
    return {**frame, **_addresses(site, frame["lang"], frame["root"], sub)}


def _addresses(site: Site, lang: str, up: str, sub: str) -> dict:
    """Return a page's own addresses: its path, its URL, and the page in every language of the site."""
    folder = urls.language_folder(site, lang)
    fmt = LocaleFormats(lang)
    return {
        "path": urls.page_file(folder + sub),
        "url": urls.absolute(site, folder + sub),
        "alternates": [{
            "lang": other,
            "name": fmt.language_name(other),
            "href": _href(up, urls.language_folder(site, other) + sub),
            "url": urls.absolute(site, urls.language_folder(site, other) + sub),
            "current": other == lang,
        } for other in site.languages],
    }


def _href(up: str, target: str) -> str:
    """Return a relative link from a page (`up` leads to the output's root) to `target`."""
    return up + target or "./"


def render_page(env: Environment, template: str, lang: str, context: Mapping) -> bytes:
    """Render one template in `lang`, by the language's environment (its words, gettext and formats)."""
    return language_environment(env, lang).get_template(template).render(context).encode("utf-8")


