"""Write a copy of the example site with N generated notices, for the notice-scale benchmarks.

    python bench/make_notices_site.py /tmp/site-1000 --notices 1000

Seven in ten notices are announcements, the rest change the hours of one
department on one day; no two change the same department on the same day, and
the prose names the changed day with its weekday, so the site validates cleanly.
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

from babel.dates import format_date

ROOT = Path(__file__).resolve().parent.parent
DEPARTMENTS = ("financeiro", "comercial", "suporte")
TOPICS = ("Novo plano de fibra", "Mudança no boleto", "Atualização da central", "Novo canal de atendimento",
          "Aviso sobre golpes por telefone", "Reajuste anual", "Nova área do cliente", "Horário especial")
PARAGRAPH = ("Informamos que {what}. Em caso de dúvidas, fale com a nossa equipe pelo chat ou pelo "
             "telefone +55 13 3500-0000, ou abra um chamado na central. O número do seu contrato está "
             "na fatura, no canto superior direito.")


def notice_text(index: int, rng: random.Random, published: datetime) -> str:
    """Return one notice file: an announcement, or a change of one department's hours on one day."""
    title = f"{rng.choice(TOPICS)} ({index + 1})"
    stamp = published.strftime("%Y-%m-%d %H:%M")
    body = "\n\n".join(PARAGRAPH.format(what=f"o serviço número {index + 1} foi atualizado") for _ in range(3))
    if index % 10 >= 3:
        return f"---\ntitle: {title}\ndate: {stamp}\ntype: info\n---\n{body}\n"
    department = DEPARTMENTS[index % 3]
    day = published.date() + timedelta(days=1)
    spoken = format_date(day, "full", locale="pt_BR")
    return (f"---\ntitle: {title}\ndate: {stamp}\ntype: hours\ndepartments: [{department}]\n"
            f"changes:\n  - date: {day.isoformat()}\n    closed: true\n---\n"
            f"Na {spoken} o atendimento estará fechado.\n\n{body}\n")


def make_notices_site(out: Path, notices: int, seed: int = 1) -> Path:
    """Copy the example's site_src/ into `out` and write `notices` generated notices; return `out`."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(ROOT / "site_src", out / "site_src")
    folder = out / "notices"
    folder.mkdir(parents=True)
    rng = random.Random(seed)
    # One notice a day per department, going back from the example's "now": never two on one day.
    start = date(2026, 11, 20) - timedelta(days=notices // 3 + 1)
    for index in range(notices):
        day = start + timedelta(days=index // 3)
        published = datetime(day.year, day.month, day.day, 9 + index % 3, 0)
        (folder / f"{day.isoformat()}-aviso-{index + 1}.md").write_text(
            notice_text(index, rng, published), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the site folder to write (replaced if it exists)")
    parser.add_argument("--notices", type=int, default=1000, help="how many notices (default 1000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    make_notices_site(args.out, args.notices, args.seed)
    print(f"wrote {args.notices} notices into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
