"""Messages folded into compiled templates (render/folding.py) read exactly as gettext would give them."""

from __future__ import annotations

import gettext
import io
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment, FileSystemLoader, select_autoescape

from generator.read.templates import default_theme_dir, theme_loader
from generator.render.folding import catalog_fingerprint
from generator.render.frame import language_environment, make_environment, render_page
from generator.render.i18n import LOCALE_DIR, read_catalog, read_catalogs, template_gettext, translations_for
from generator.write.template_cache import sealed_files

TEMPLATES = {
    "words.html": (
        '<p>{{ _("Closed") }}|{{ gettext("Notices") }}|{{ _("Not a message in the catalog") }}</p>\n'
        '<p>{% trans zone=zone %}Time zone: {{ zone }}{% endtrans %}</p>\n'
        '<p>{{ _("100%% sure") }}|{{ _("a %s left to gettext") }}</p>\n'
        '{% macro day() %}{{ _("Closed") }}{% endmacro %}<p>{{ day() }}</p>\n'
        # Joined by ~, a message stays a call: a constant join would drop its markup.
        '<p>{{ _("Closed") ~ " <" ~ zone }}|{{ pgettext("channel", "e-mail") }}|{{ _("Closed") ~ "&" }}</p>\n'
        '<p>{{ pgettext("channel", "e-mail %(z)s", z=zone) }}|{{ npgettext("channel", "e-mail", "%(num)d e-mails", 2) }}</p>\n'
    ),
    # Templates that bind `_` themselves: their calls are not translations and are left alone.
    "own.html": '{% set _ = shout %}<p>{{ _("Closed") }}</p>\n',
    "own_macro.html": '{% macro _(text) %}{{ text|upper }}{% endmacro %}<p>{{ _("Closed") }}</p>\n',
}


def shout(text: str) -> str:
    return text.upper()


def unfolded(theme: Path, lang: str, name: str, **context) -> str:
    """Render a template as Jinja's newstyle gettext would, with nothing folded."""
    env = Environment(loader=FileSystemLoader(str(theme)), autoescape=select_autoescape(("html",)),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    translations = translations_for(read_catalogs(), lang)
    env.install_gettext_translations(translations, newstyle=True)
    # Jinja's own pgettext and npgettext stay the reference for ours.
    ours = {k: v for k, v in template_gettext(translations).items() if k not in ("pgettext", "npgettext")}
    return env.get_template(name).render(**context, **ours)


@pytest.fixture
def theme(tmp_path: Path) -> Path:
    folder = tmp_path / "theme"
    folder.mkdir()
    for name, text in TEMPLATES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("lang", ["pt-BR", "es", "en"])
def test_folded_messages_read_as_gettext_gives_them(theme: Path, lang: str) -> None:
    env = make_environment(theme_loader((theme,)))
    context = {"zone": "<Brasília & co>", "shout": shout}
    for name in TEMPLATES:
        folded = render_page(env, name, lang, context).decode("utf-8")
        assert folded == unfolded(theme, lang, name, **context)
    page = render_page(env, "words.html", lang, context).decode("utf-8")
    # The placeholder's value is escaped; '%%' reads '%'; a stray '%s' is gettext's to fill.
    assert "&lt;Brasília &amp; co&gt;" in page and "100% sure" in page and "a {} left to gettext" in page
    if lang == "pt-BR":
        assert "<p>Fechado|Avisos|Not a message in the catalog</p>" in page
        assert "<p>Fuso horário: &lt;Brasília &amp; co&gt;</p>" in page
    assert render_page(env, "own.html", lang, context) == b"<p>CLOSED</p>\n"
    assert render_page(env, "own_macro.html", lang, context) == b"<p>CLOSED</p>\n"
    translations = translations_for(read_catalogs(), lang)
    closed, email = translations.gettext("Closed"), translations.pgettext("channel", "e-mail")
    assert f"<p>{closed} &lt;&lt;Brasília &amp; co&gt;|{email}|{closed}&amp;</p>" in page
    assert lang != "es" or email == "correo electrónico"   # pgettext speaks the page's language too


def test_constant_messages_become_template_text(theme: Path) -> None:
    """The point of folding: no gettext call is left for a message without placeholders."""
    env = language_environment(make_environment(theme_loader((theme,))), "pt-BR")
    source = env.loader.get_source(env, "words.html")[0]
    code = env.compile(source, "words.html", raw=True)
    assert "yield '<p>Fechado|Avisos|Not a message in the catalog</p>" in code
    # Its placeholders filled by the template's own `%`, bounded as the sandbox bounds it (render/bounds.py).
    assert "environment.call_binop(context, '%', Markup('Fuso horário: %(zone)s'), {'zone': " in code
    # The one call left, made through the sandbox's check of what may be called.
    assert "'a %s left to gettext'" in code and "environment.call(context, " in code


def test_compiled_templates_are_kept_per_language(tmp_path: Path, theme: Path) -> None:
    """One bytecode folder serves every language: a template compiled with Portuguese words is
    never loaded for English, in this build or the next."""
    folder = tmp_path / "bytecode"
    first = make_environment(theme_loader((theme,)), sealed_files(folder))
    pages = {lang: render_page(first, "words.html", lang, {"zone": "z"}) for lang in ("pt-BR", "en")}
    assert b"Fechado" in pages["pt-BR"] and b"Closed" in pages["en"]
    assert len(list(folder.iterdir())) == 4   # words.html and names.html, compiled once per language
    for order in (("en", "pt-BR"), ("pt-BR", "en")):
        again = make_environment(theme_loader((theme,)), sealed_files(folder))
        for lang in order:
            assert render_page(again, "words.html", lang, {"zone": "z"}) == pages[lang]


def test_the_default_theme_folds_the_same_words(tmp_path: Path) -> None:
    """names.html, imported without the page's context, still speaks the page's language."""
    (tmp_path / "t.html").write_text('{% import "names.html" as names %}{{ names.channel("email") }}|'
                                     '{{ names.notice_type("hours") }}', encoding="utf-8")
    env = make_environment(theme_loader((tmp_path, default_theme_dir())))
    assert render_page(env, "t.html", "pt-BR", {}) == "E-mail|Alteração de horário".encode()
    assert render_page(env, "t.html", "en", {}) == b"E-mail|Change of hours"


def test_a_catalog_is_known_by_its_compiled_messages() -> None:
    """Each language's compiled templates are keyed by its .mo file's bytes: the same bytes, the same key,
    whoever reads them; a message reworded must change the key."""
    po = (LOCALE_DIR / "pt_BR" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")

    def compiled(text: str) -> bytes:
        buffer = io.BytesIO()
        write_mo(buffer, read_po(io.StringIO(text), locale="pt_BR", domain="messages"))
        return buffer.getvalue()

    shipped = (LOCALE_DIR / "pt_BR" / "LC_MESSAGES" / "messages.mo").read_bytes()
    assert catalog_fingerprint(read_catalog(shipped)) == catalog_fingerprint(translations_for(read_catalogs(), "pt-BR"))
    catalog = read_catalog(compiled(po))
    reworded = read_catalog(compiled(po.replace('msgid "Closed"\nmsgstr "Fechado"',
                                                'msgid "Closed"\nmsgstr "Encerrado"', 1)))
    assert (catalog.gettext("Closed"), reworded.gettext("Closed")) == ("Fechado", "Encerrado")
    assert catalog_fingerprint(reworded) != catalog_fingerprint(catalog)


def test_only_catalogs_read_here_are_fingerprinted() -> None:
    """Another gettext object's messages cannot be told apart: keyed by them, a compiled template
    could carry another language's words, so it is refused rather than guessed."""
    assert catalog_fingerprint(gettext.NullTranslations()) == catalog_fingerprint(translations_for({}, "de"))
    with pytest.raises(TypeError, match="no digest of the messages of GNUTranslations"):
        catalog_fingerprint(gettext.GNUTranslations())
