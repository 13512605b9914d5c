"""Write a large site folder for benchmarks: the example's site.yaml with many departments and channels.

    python bench/make_large_site.py /tmp/large-site                     # 50 departments x 5 channels
    python bench/make_large_site.py /tmp/huge --departments 200 --channels 8

The output is the same for the same options: hours, contacts and time zones are drawn
from a seeded random generator, never from the clock.
"""

from __future__ import annotations

import argparse
import copy
import random
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "site_src"

# (id, pt-BR, en): what an ISP or hosting company answers for.
AREAS = (
    ("financeiro", "Financeiro", "Billing"),
    ("comercial", "Comercial", "Sales"),
    ("suporte", "Suporte Técnico", "Technical Support"),
    ("cobranca", "Cobrança", "Collections"),
    ("ouvidoria", "Ouvidoria", "Ombudsman"),
    ("retencao", "Retenção", "Retention"),
    ("instalacao", "Instalação", "Installation"),
    ("empresas", "Suporte Empresarial", "Business Support"),
    ("hospedagem", "Hospedagem", "Hosting"),
    ("dominios", "Domínios", "Domains"),
    ("email", "E-mail Corporativo", "Business E-mail"),
    ("noc", "Centro de Operações", "Network Operations"),
    ("visitas", "Visitas Técnicas", "Field Service"),
    ("tv", "TV e Telefonia", "TV and Phone"),
)
REGIONS = ("Santos", "Guarujá", "São Vicente", "Praia Grande", "Cubatão",
           "Bertioga", "Mongaguá", "Itanhaém", "Peruíbe", "Registro")
# Most departments keep the site's time zone; some work from other offices.
OTHER_ZONES = ("America/Manaus", "America/Recife", "America/Cuiaba")
CHANNEL_TYPES = ("phone", "chat", "email", "whatsapp", "helpdesk")
RESPONSE_TIMES = ("2m", "5m", "2m-10m", "10m", "15m-2h", "1h", "4h", "4h-1d", "1d")
# Weekly hours as support teams publish them: office hours, split shifts, evenings
# past midnight, weekends, holiday hours, and round the clock.
HOURS = (
    {"mon-fri": "08:00-18:00"},
    {"mon-fri": ["09:00-12:00", "13:00-18:00"], "sat": "09:00-13:00", "sun": "closed"},
    {"mon-fri": ["08:00-12:00", "13:00-22:00"], "sat": ["09:00-12:00", "14:00-18:00"], "holidays": "09:00-15:00"},
    {"daily": "08:00-00:00", "holidays": "09:00-18:00"},
    {"mon-fri": "07:00-22:00", "sat": "08:00-20:00", "sun": "09:00-15:00", "holidays": "closed"},
    {"mon-sat": "08:00-20:00"},
    {"weekdays": ["08:00-12:00", "13:30-17:30"]},
    {"mon-fri": "08:00-23:00", "sat": "20:00-04:00", "sun": "10:00-16:00"},
    {"daily": "18:00-02:00"},
    {"mon,wed,fri": "10:00-16:00", "tue,thu": "12:00-20:00"},
    {"mon-fri": "06:00-24:00", "weekends": "08:00-20:00", "holidays": "24h"},
    "24/7",
)


def localised(languages: list[str], pt: str, en: str) -> dict[str, str]:
    """Return a text in every site language: Portuguese for pt-*, English for the others."""
    return {lang: pt if lang.lower().startswith("pt") else en for lang in languages}


def department_names(count: int) -> list[tuple[str, str, str]]:
    """Return `count` distinct (id, pt-BR name, en name): each area in each region, then numbered."""
    names = []
    for number in range(count):
        area_id, pt, en = AREAS[number % len(AREAS)]
        region = REGIONS[(number // len(AREAS)) % len(REGIONS)]
        rounds = number // (len(AREAS) * len(REGIONS))
        suffix = f" {rounds + 1}" if rounds else ""
        slug = region.lower().replace(" ", "-").translate(str.maketrans("áãéíóú", "aaeiou"))
        names.append((f"{area_id}-{slug}{suffix.replace(' ', '-')}", f"{pt} {region}{suffix}", f"{en} {region}{suffix}"))
    return names


def contact_for(kind: str, department_id: str, number: int) -> str:
    """Return a contact of the channel's type: a phone number, an address or a web address."""
    if kind == "phone":
        return f"+55 13 3500-{number:04d}"
    if kind == "whatsapp":
        return f"+55 13 99700-{number:04d}"
    if kind == "email":
        return f"{department_id}@example.net"
    host = "chat" if kind == "chat" else "central"
    return f"https://{host}.example.net/{department_id}"


def make_hours_yaml(departments: int, channels: int, languages: list[str], seed: int) -> dict:
    """Return the content of hours.yaml: `departments` departments of `channels` channels each."""
    rng = random.Random(seed)
    result = []
    for index, (dept_id, pt, en) in enumerate(department_names(departments)):
        department: dict = {"id": dept_id, "name": localised(languages, pt, en)}
        if index % 7 == 6:
            department["timezone"] = OTHER_ZONES[(index // 7) % len(OTHER_ZONES)]
        department["description"] = localised(
            languages, f"Atendimento da equipe {pt}.", f"Questions for the {en} team.")
        department["channels"] = []
        for number in range(channels):
            kind = CHANNEL_TYPES[number % len(CHANNEL_TYPES)]
            repeat = number // len(CHANNEL_TYPES)
            department["channels"].append({
                "id": kind if not repeat else f"{kind}-{repeat + 1}",
                "type": kind,
                "contact": contact_for(kind, dept_id, index * channels + number),
                "response_time": rng.choice(RESPONSE_TIMES),
                "hours": copy.deepcopy(rng.choice(HOURS)),  # no YAML anchors
            })
        result.append(department)
    return {"departments": result}


HEADER = "# Generated by bench/make_large_site.py"


def is_generated(folder: Path) -> bool:
    """Tell whether a folder is empty or was written by this script, so that it may be replaced."""
    hours = folder / "site_src" / "hours.yaml"
    if not any(folder.iterdir()):
        return True
    return hours.is_file() and hours.read_text(encoding="utf-8", errors="replace").startswith(HEADER)


def make_large_site(out: Path, departments: int = 50, channels: int = 5, seed: int = 1) -> Path:
    """Write a site folder at `out` (replacing one this script wrote there) and return it."""
    if out.exists():
        if not out.is_dir() or not is_generated(out):
            raise FileExistsError(f"{out} exists and was not written by this script; choose another folder")
        shutil.rmtree(out)
    source = out / "site_src"
    source.mkdir(parents=True)
    site_yaml = EXAMPLE / "site.yaml"
    shutil.copyfile(site_yaml, source / "site.yaml")
    if (EXAMPLE / "support.yaml").is_file():
        shutil.copyfile(EXAMPLE / "support.yaml", source / "support.yaml")
    languages = yaml.safe_load(site_yaml.read_text(encoding="utf-8"))["languages"]
    hours = make_hours_yaml(departments, channels, languages, seed)
    header = f"{HEADER}: {departments} departments x {channels} channels, seed {seed}.\n"
    text = yaml.safe_dump(hours, allow_unicode=True, sort_keys=False, width=120)
    (source / "hours.yaml").write_text(header + text, encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and write the site."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the site folder to write (replaced if it exists)")
    parser.add_argument("--departments", type=int, default=50, help="number of departments (default 50)")
    parser.add_argument("--channels", type=int, default=5, help="channels per department (default 5)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the hours and response times (default 1)")
    args = parser.parse_args(argv)
    if args.departments < 1 or args.channels < 1:
        parser.error("--departments and --channels must be at least 1")
    try:
        out = make_large_site(args.out, args.departments, args.channels, args.seed)
    except FileExistsError as exc:
        parser.error(str(exc))
    print(f"wrote {out} ({args.departments} departments x {args.channels} channels)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
