"""Write a copy of the example site with N notices of the shared corpus, for the notice-scale benchmarks.

    python bench/make_notices_site.py /tmp/site-1000 --notices 1000

The example's site_src/ (two languages, the status page and its probe files, the
support page) with its hours.yaml replaced by the corpus's four departments, and
N notices drawn from bench/corpus (the same ones bench/peers/ gives Hugo and
Pelican): holidays, training, stocktaking, longer hours, announcements.  No two
change one department on one day, and every weekday written in the prose matches
its date, so the site validates cleanly.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from corpus import hours_yaml, make_notices, write_notices

ROOT = Path(__file__).resolve().parent.parent


def make_notices_site(out: Path, notices: int, seed: int = 1) -> Path:
    """Copy the example's site_src/ into `out`, with the corpus's departments and `notices` of its notices;
    return `out`."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(ROOT / "site_src", out / "site_src")
    # The corpus's notices speak of its four departments and their channels.
    (out / "site_src" / "hours.yaml").write_text(hours_yaml(), encoding="utf-8")
    write_notices(out / "notices", make_notices(notices, seed))
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
