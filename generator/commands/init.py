"""`expediente init [DIR]`: start a new site repository that checks and builds at once.

The files come from `generator/starter/` (shipped inside the package): the site's
YAML with every selector and value form shown in comments, one example notice,
the workflows and the pre-commit configuration, `.gitignore`, a `requirements.txt`
that pins the generator that made the site, and a README for the site's staff.
Placeholders written `__NAME__` are filled in from the options; text shown to
customers is written in each of the site's languages.

A folder that holds anything is refused, and each file is created exclusively, so
that init never overwrites a file, even when two runs race.
"""

from __future__ import annotations

import difflib
import json
import re
import shlex
import sys
from dataclasses import dataclass, replace
from datetime import datetime
from importlib.resources import files
from pathlib import Path

from babel import Locale, UnknownLocaleError

from generator import __version__
from generator.schedule.zones import in_zone
from generator.validate.site import known_zones
from generator.write.new_files import create_new_file

# Where each starter file goes in the new site (packaged names carry no leading dot:
# setuptools' package-data globs do not match hidden files).
STARTER_FILES = {
    "site_src/site.yaml": "site_src/site.yaml",
    "site_src/hours.yaml": "site_src/hours.yaml",
    "site_src/support.yaml": "site_src/support.yaml",
    "site_src/status.yaml": "site_src/status.yaml",
    "gitignore": ".gitignore",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "workflows/check.yml": ".github/workflows/check.yml",
    "workflows/publish.yml": ".github/workflows/publish.yml",
    "README.md": "README.md",
}
PLACEHOLDER = re.compile(r"__[A-Z_]+__")
# What a folder may hold already: a fresh `git init`, or the clone of a new, empty repository.
ALLOWED = frozenset({".git"})

# How the workflows install and run the generator: a new site installs the pinned release,
# this repository (itself an example site) its own code.
SITE_WORKFLOW = {"__INSTALL__": "python -m pip install -r requirements.txt", "__CACHE_PATH__": "requirements.txt",
                 "__RUN__": "expediente"}
REPOSITORY_WORKFLOW = {"__INSTALL__": "python -m pip install .", "__CACHE_PATH__": "pyproject.toml",
                       "__RUN__": "python build.py"}

# The words of the starter's customer-facing text, by language; other languages get English.
TEXTS = {
    "en": {
        "department": "Support",
        "department_description": "Help with your services, your account and your invoices.",
        "description": "Contact hours, notices and service status of {name}.",
        "title": "Our support pages are online",
        "body": "Here you find our contact hours, notices about changed hours and the status of our services. "
                "Subscribe to the feed or to the calendar to hear about changes.",
    },
    "pt-BR": {
        "department": "Suporte",
        "department_description": "Ajuda com seus serviços, sua conta e suas faturas.",
        "description": "Horários de atendimento, avisos e status dos serviços de {name}.",
        "title": "Nossas páginas de atendimento estão no ar",
        "body": "Aqui você encontra nossos horários de atendimento, os avisos de mudança de horário e o status "
                "dos nossos serviços. Assine o feed ou o calendário para saber das mudanças.",
    },
    "pt-PT": {
        "department": "Apoio",
        "department_description": "Ajuda com os seus serviços, a sua conta e as suas faturas.",
        "description": "Horários de atendimento, avisos e estado dos serviços de {name}.",
        "title": "As nossas páginas de apoio estão online",
        "body": "Aqui encontra os nossos horários de atendimento, os avisos de alteração de horário e o estado "
                "dos nossos serviços. Subscreva o feed ou o calendário para saber das alterações.",
    },
    "es": {
        "department": "Soporte",
        "department_description": "Ayuda con sus servicios, su cuenta y sus facturas.",
        "description": "Horarios de atención, avisos y estado de los servicios de {name}.",
        "title": "Nuestras páginas de soporte ya están en línea",
        "body": "Aquí encontrará nuestros horarios de atención, los avisos de cambios de horario y el estado de "
                "nuestros servicios. Suscríbase al feed o al calendario para enterarse de los cambios.",
    },
}


class InitRefused(Exception):
    """The options or the target folder do not allow a new site; the message says why."""


@dataclass(frozen=True, slots=True)
class SiteOptions:
    """What a new site is made from; None where the user said nothing."""
    name: str | None = None
    base_url: str | None = None
    languages: tuple[str, ...] | None = None
    timezone: str | None = None
    country: str | None = None


DEFAULTS = SiteOptions(name="Support", base_url="https://support.example.com/", languages=("en",),
                       timezone="UTC", country="")
QUESTIONS = (
    ("name", "The site's name (your company)"),
    ("base_url", "Its address, where the pages will be published"),
    ("languages", "Its languages, the default first, separated by commas (en, pt-BR, pt-PT, es, …)"),
    ("timezone", "The time zone of its hours (an IANA name such as America/Sao_Paulo or Europe/Lisbon)"),
    ("country", "The country whose public holidays apply (a code such as BR, PT, ES, US; empty for none)"),
)


def ask_missing(options: SiteOptions, ask, say) -> SiteOptions:
    """Return `options` with each missing value asked through `ask(question, default) -> answer`;
    an answer that would be refused is explained through `say(text)` and asked again."""
    for field, question in QUESTIONS:
        if getattr(options, field) is not None:
            continue
        default = getattr(DEFAULTS, field)
        shown = ", ".join(default) if isinstance(default, tuple) else default
        while True:
            answer = ask(question, shown)
            if not answer:  # the end of the input: take the default, as without a terminal
                break
            text = answer.strip() or shown
            value = split_languages(text) if field == "languages" else text
            try:
                CHECKS[field](value)
            except InitRefused as exc:
                say(f"  {exc}")
                continue
            options = replace(options, **{field: value})
            break
    return options


def split_languages(text: str) -> tuple[str, ...]:
    """Return the language tags of 'pt-BR, en' as ('pt-BR', 'en')."""
    return tuple(part.strip() for part in re.split(r"[,\s]+", text) if part.strip())


def check_name(name: str) -> str:
    """Return the site's name, stripped; raise InitRefused when it is not one line of text."""
    if not name.strip() or any(c in name for c in "\r\n"):
        raise InitRefused("the site's name must be one line of text")
    return name.strip()


def check_base_url(base_url: str) -> str:
    """Return the address ending in '/'; raise InitRefused when it is not an absolute http(s) address."""
    base_url = base_url.strip()
    if not re.fullmatch(r"https?://[^\s/?#@]+(/[^\s?#]*)?", base_url):
        raise InitRefused(f"'{base_url}' is not an absolute http(s) address, e.g. https://support.example.com/")
    return base_url if base_url.endswith("/") else base_url + "/"


def check_languages(languages: tuple[str, ...]) -> tuple[str, ...]:
    """Return the language tags as the site's check wants them; raise InitRefused naming the first wrong one."""
    if not languages:
        raise InitRefused("a site needs at least one language, e.g. en")
    for tag in languages:
        try:
            canonical = str(Locale.parse(tag.replace("-", "_"))).replace("_", "-")
        except (ValueError, UnknownLocaleError):
            raise InitRefused(f"'{tag}' is not a language tag with locale data, e.g. pt-BR, pt-PT, en, es")
        if canonical != tag:
            raise InitRefused(f"write the language '{tag}' as '{canonical}'")
    if len(set(languages)) != len(languages):
        raise InitRefused("a language is given twice")
    return languages


def check_timezone(zone: str) -> str:
    """Return the IANA time zone; raise InitRefused with the closest name when it is not one."""
    # The names `check` accepts (tzdata's list): never `localtime`, the zone of whichever machine builds.
    if zone in known_zones():
        return zone
    close = difflib.get_close_matches(zone, sorted(known_zones()), n=1, cutoff=0.6)
    raise InitRefused(f"'{zone}' is not an IANA time zone: "
                      + (f"did you mean '{close[0]}'?" if close else "e.g. Europe/Lisbon, America/Sao_Paulo"))


def check_country(country: str) -> str:
    """Return the country code in capitals ('' for none); raise InitRefused when holidays does not know it."""
    country = country.strip().upper()
    if country:
        import holidays  # here, not above: it takes some 0.08 s to import, and only --holidays needs it

        if country not in holidays.list_supported_countries():
            raise InitRefused(f"'{country}' is not a country code that the holidays package knows, "
                              "e.g. BR, PT, ES, US")
    return country


CHECKS = {"name": check_name, "base_url": check_base_url, "languages": check_languages,
          "timezone": check_timezone, "country": check_country}
OPTIONS = {"name": "--name", "base_url": "--base-url", "languages": "--language", "timezone": "--timezone",
           "country": "--holidays"}


def complete_options(options: SiteOptions) -> SiteOptions:
    """Return the options with defaults for what is missing, checked; raise InitRefused naming what is wrong."""
    values = {}
    for field, check in CHECKS.items():
        given = getattr(options, field)
        try:
            values[field] = check(getattr(DEFAULTS, field) if given is None else given)
        except InitRefused as exc:
            raise InitRefused(f"{OPTIONS[field]}: {exc}") from None
    return SiteOptions(**values)


def text_of(key: str, lang: str) -> str:
    """Return a starter text in `lang`, else in its base language's best match, else in English."""
    if lang in TEXTS:
        return TEXTS[lang][key]
    base = lang.split("-")[0]
    for known in ("pt-BR", "es"):
        if known.split("-")[0] == base:
            return TEXTS[known][key]
    return TEXTS["en"][key]


def localized(key: str, languages: tuple[str, ...], indent: int, **values: str) -> str:
    """Return the YAML value of a text in every language: one string for one language, else a block
    mapping of language to text whose lines are indented by `indent` spaces."""
    texts = {lang: json.dumps(text_of(key, lang).format(**values), ensure_ascii=False) for lang in languages}
    if len(texts) == 1:
        return " " + next(iter(texts.values()))
    return "".join(f"\n{' ' * indent}{lang}: {text}" for lang, text in texts.items())


def holidays_block(country: str) -> str:
    """Return the `holidays:` mapping of site.yaml, or a commented example without a country."""
    if not country:
        return ("# holidays:\n#   country: US                   # public holidays of a country\n"
                "#   extra:\n#     \"12-24\": Christmas Eve      # a company closure every year (MM-DD)")
    return (f"holidays:\n  country: {country}\n  # subdivision: …               # a state, province or district\n"
            "  # extra:\n  #   \"12-24\": Christmas Eve    # a company closure every year (MM-DD)\n"
            "  #   \"2027-01-02\": Stocktaking   # or on one day (YYYY-MM-DD)")


def starter_files(options: SiteOptions, now: datetime, generator: str) -> list[tuple[str, str]]:
    """Return the new site's files as (relative path, text), for complete options and "now" in any zone."""
    local = in_zone(now, options.timezone)   # a naive "now" is read in the new site's zone
    host = options.base_url.split("/")[2]
    domain = host.split(":")[0].removeprefix("www.").removeprefix("support.")
    values = {
        "__NAME__": json.dumps(options.name, ensure_ascii=False),
        "__BASE_URL__": options.base_url,
        "__TIMEZONE__": options.timezone,
        "__LANGUAGES__": "[" + ", ".join(options.languages) + "]",
        "__DESCRIPTION__": localized("description", options.languages, 2, name=options.name),
        "__HOLIDAYS__": holidays_block(options.country),
        "__DEPARTMENT_NAME__": localized("department", options.languages, 6),
        "__DEPARTMENT_DESCRIPTION__": localized("department_description", options.languages, 6),
        "__EMAIL__": f"support@{domain}",
        "__VERSION__": generator,
        "__COMMAND__": "expediente",
        **SITE_WORKFLOW,
    }
    starter = files("generator") / "starter"
    found = []
    for source, target in STARTER_FILES.items():
        text = starter.joinpath(source).read_text(encoding="utf-8")
        if target == "README.md":  # prose: the name as written, not as a YAML string
            text = text.replace("__NAME__", options.name)
        found.append((target, fill(text, values)))
    found.append(("requirements.txt", f"# The generator that builds this site; raise it to upgrade (see its "
                                      f"docs/upgrading.md).\nexpediente=={generator}\n"))
    day = local.strftime("%Y-%m-%d")
    default, *others = options.languages
    front = f"title: {json.dumps(text_of('title', default), ensure_ascii=False)}\ndate: {local:%Y-%m-%d %H:%M}\n"
    found.append((f"notices/{day}-welcome.md", f"---\n{front}---\n{text_of('body', default)}\n"))
    for lang in others:
        title = json.dumps(text_of("title", lang), ensure_ascii=False)
        found.append((f"notices/{day}-welcome.{lang}.md", f"---\ntitle: {title}\n---\n{text_of('body', lang)}\n"))
    return found


def fill(text: str, values: dict[str, str]) -> str:
    """Replace each `__PLACEHOLDER__` of a starter file; one left unknown is a bug in the starter."""
    return PLACEHOLDER.sub(lambda match: values[match.group(0)], text)


def render_workflow(name: str, how: dict[str, str]) -> str:
    """Return the starter workflow `name` (check.yml, publish.yml) filled in for a site or this repository."""
    return fill((files("generator") / "starter" / "workflows" / name).read_text(encoding="utf-8"), how)


def create_site(target: Path, found: list[tuple[str, str]]) -> None:
    """Write the files into `target`, which must not exist or hold nothing but ALLOWED; never overwrite a file."""
    if target.exists() and not target.is_dir():
        raise InitRefused(f"{target} is a file, not a folder")
    if target.is_dir() and any(entry.name not in ALLOWED for entry in target.iterdir()):
        raise InitRefused(f"{target} is not empty: init starts a site in a new or empty folder, and changes nothing "
                          "in one that holds files")
    for relative, text in found:
        create_new_file(target / relative, text)


def init_command(target: Path, options: SiteOptions, now: datetime, prog: str, interactive: bool,
                 stdin=None, stdout=None) -> int:
    """Make a new site in `target`; return 0, or 2 with the reason on stderr when refused."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout

    def ask(question: str, default: str) -> str:
        stdout.write(f"{question} [{default}]: ")
        stdout.flush()
        return stdin.readline()

    try:
        create_site(target, [])  # refuse before asking anything
        if interactive:
            options = ask_missing(options, ask, lambda text: print(text, file=stdout))
        complete = complete_options(options)
        create_site(target, starter_files(complete, now, __version__))
    except InitRefused as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    site = shlex.quote(str(target))
    here = target.resolve() == Path.cwd().resolve()
    if prog == "expediente":
        # No `cd .` for a site made in the current folder.
        steps = [f"cd {site}"] * (not here) + ["expediente serve",
                                               "git init && git add -A && git commit -m 'A new support site'"]
    else:
        steps = [f"{prog} check --site {site}", f"{prog} serve --site {site}",
                 f"git -C {site} init && git -C {site} add -A && git -C {site} commit -m 'A new support site'"]
    print(f"created a new site in {site}; next:", file=stdout)
    for step in steps:
        print(f"  {step}", file=stdout)
    return 0
