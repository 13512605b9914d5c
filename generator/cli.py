"""The command line: `build` (default), `check`, `serve`, `probe` and the rest; exit 0 done, 1 invalid content,
2 bad usage.

Here, and only here, the clock is read: every command is given its "now" (--now,
SOURCE_DATE_EPOCH or the clock), or, when it must follow the clock (serve, the
server hooks), a function that reads it.  Nothing imports this module.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from generator import __version__
from generator.commands import UsageError
from generator.read.templates import ThemeMissing, install_hint
from generator.report import add_format_option, flush_standard_streams
from generator.write.staging import WriteError

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
# The distributions (pyproject.toml's dependencies) of the modules the generator imports, for the message
# of one not installed.
LIBRARIES = {"yaml": "PyYAML", "jinja2": "Jinja2", "markupsafe": "MarkupSafe", "babel": "Babel",
             "holidays": "holidays", "markdown": "Markdown", "nh3": "nh3", "feedgen": "feedgen",
             "icalendar": "icalendar", "tzdata": "tzdata", "dns": "dnspython", "watchfiles": "watchfiles"}

# The other commands are imported when they run, each in main: an up-to-date `build` must not
# pay for Jinja, Babel, the validators, git's hooks (subprocess and the release writer) or an HTTP
# server it does not use (0.1 s and more).  So their options are declared here, not by their modules.


def read_clock() -> datetime:
    """Return the clock's instant in UTC, to the second: the one place the generator reads it."""
    return datetime.now(UTC).replace(microsecond=0)


def parse_now(text: str | None, environ, clock: datetime) -> datetime:
    """Return the build's "now": --now (naive or with an offset), else SOURCE_DATE_EPOCH, else `clock`."""
    if text:
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(f"--now '{text}' is not an ISO 8601 date and time, e.g. 2026-11-23T10:00-03:00")
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError):
            raise UsageError(f"SOURCE_DATE_EPOCH '{epoch}' is not a number of seconds")
    return clock


def add_common(parser: argparse.ArgumentParser, top: bool) -> None:
    """Add the options every command takes; sub-commands must not reset what the top level set."""
    default = (lambda value: value) if top else (lambda value: argparse.SUPPRESS)
    parser.add_argument("--site", type=Path, default=default(Path(".")),
                        help="the site folder (default: the current folder)")
    parser.add_argument("--now", default=default(None),
                        help="the instant to build for, ISO 8601 (default: SOURCE_DATE_EPOCH or the clock)")
    parser.add_argument("--strict", action="store_true", default=default(False), help="treat warnings as errors")
    parser.add_argument("--debug", action="store_true", default=default(False),
                        help="show a traceback on internal errors")


# The commands that work on an existing site folder.
SITE_COMMANDS = ("build", "check", "serve", "probe", "next-change", "new")


def program_name(argv0: str) -> str:
    """Return the command as the user typed it: `python build.py` in a source tree, else `expediente`."""
    return "python build.py" if Path(argv0).name == "build.py" else "expediente"


def make_parser(prog: str = "expediente") -> argparse.ArgumentParser:
    """Return the argument parser with its sub-commands, named `prog` in usage and messages."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Build the support site (contact hours, notices, feeds, calendars) of a site folder.",
    )
    add_common(parser, top=True)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--out", type=Path, help="the output folder (default: public/ inside the site)")
    parser.add_argument("--no-cache", action="store_true", help="ignore the build cache: render and write every file")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser("build", help="validate and write the site (the default)")
    add_common(build, top=False)
    build.add_argument("--out", type=Path, default=argparse.SUPPRESS,
                       help="the output folder (default: public/ inside the site)")
    build.add_argument("--no-cache", action="store_true", default=argparse.SUPPRESS,
                       help="ignore the build cache: render and write every file")
    check = commands.add_parser("check", help="validate only; write nothing")
    add_common(check, top=False)
    add_format_option(check)
    add_hook_commands(commands)
    probe = commands.add_parser("probe", help="run the status checks and append the results to site_src/uptime/")
    add_common(probe, top=False)
    serve = commands.add_parser("serve", help="preview the site on 127.0.0.1, rebuilt and reloaded on every change")
    add_common(serve, top=False)
    serve.add_argument("--port", type=int, default=8000, help="the port to listen on (default: 8000; 0: any free one)")
    serve.add_argument("--bind", default="127.0.0.1", metavar="ADDRESS",
                       help="the address to listen on (default: 127.0.0.1, this machine only)")
    next_change = commands.add_parser("next-change", help="print when the output would next change by itself")
    add_common(next_change, top=False)
    next_change.add_argument("--explain", action="store_true", help="also say what changes then")
    new = commands.add_parser("new", help="start a notice, incident or maintenance in notices/")
    add_common(new, top=False)
    new.add_argument("kind", choices=("notice", "incident", "maintenance"), help="what to start")
    new.add_argument("--title", required=True, help="its title, from which the file's name is made")
    new.add_argument("--date", help="its publication, YYYY-MM-DD[ HH:MM] in the site's time zone (default: now)")
    new.add_argument("--slug", help="the file's slug instead of one made from the title (refused when taken)")
    new.add_argument("--component", action="append", dest="components", metavar="ID",
                     help="a component the incident or maintenance concerns (repeat for more; default: "
                          "those the title names)")
    init = commands.add_parser("init", help="start a new site in an empty folder")
    init.add_argument("folder", nargs="?", type=Path, default=Path("."), metavar="DIR",
                      help="where to make it: a new or empty folder (default: the current one)")
    init.add_argument("--name", help="the site's name, e.g. your company's")
    init.add_argument("--base-url", help="the address the site is published at, e.g. https://support.example.com/")
    init.add_argument("--language", action="append", dest="languages", metavar="LANG",
                      help="a language of the site, the default first (repeat, or separate by commas; default: en)")
    init.add_argument("--timezone", help="the IANA time zone of the hours (default: UTC)")
    init.add_argument("--holidays", dest="country", metavar="COUNTRY",
                      help="the country whose public holidays apply, e.g. BR, PT, ES, US (default: none)")
    init.add_argument("--now", default=argparse.SUPPRESS, help="the instant the example notice is dated")
    return parser


def add_hook_commands(commands) -> None:
    """Register install-hooks, install-server-hooks and rollback (commands/hooks.py) on the CLI's sub-parsers."""
    local = commands.add_parser("install-hooks", help="install a git pre-commit hook that runs the check")
    add_common(local, top=False)
    local.add_argument("--force", action="store_true", help="replace a pre-commit hook expediente did not write")
    server = commands.add_parser("install-server-hooks",
                                 help="make a bare repository check pushes and publish the branch into a folder")
    server.add_argument("repo", type=Path, metavar="BARE_REPO", help="the bare repository people push to")
    server.add_argument("--publish-to", type=Path, required=True, metavar="DIR",
                        help="the folder that receives releases/ and the 'current' link the web server serves")
    server.add_argument("--branch", default="main", help="the branch that is published (default: main)")
    server.add_argument("--force", action="store_true", help="replace hooks expediente did not write")
    server.add_argument("--max-tree-mb", type=int, default=500, metavar="MB",
                        help="the most a pushed site.yaml may set 'limits: tree_mb' to (default: 500)")
    server.add_argument("--max-build-seconds", type=int, default=600, metavar="S",
                        help="the processor time one push's check and build may use (default: 600)")
    server.add_argument("--max-build-mb", type=int, default=4096, metavar="MB",
                        help="the memory each of its processes may use (default: 4096)")
    back = commands.add_parser("rollback", help="switch DIR/current back to the previous release")
    back.add_argument("--publish-to", type=Path, required=True, metavar="DIR", help="the publishing folder")


def main(argv: list[str] | None = None, environ=None, prog: str = "expediente") -> int:
    """Run the command line, named `prog` in its messages; return the exit status."""
    environ = os.environ if environ is None else environ
    parser = make_parser(prog)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    command = args.command or "build"
    clock = read_clock()
    try:
        now = parse_now(args.now, environ, clock)
        if command == "init":
            from generator.commands.init import SiteOptions, init_command, split_languages  # see above: Babel

            languages = None if args.languages is None else tuple(
                tag for given in args.languages for tag in split_languages(given))
            options = SiteOptions(args.name, args.base_url, languages, args.timezone, args.country)
            # A notice is dated now: SOURCE_DATE_EPOCH, set for reproducible builds, must not date it.
            return init_command(args.folder, options, now if args.now else clock, prog,
                                interactive=sys.stdin.isatty())
        site_dir = args.site
        if not site_dir.is_dir():
            raise UsageError(f"the site folder {site_dir} does not exist")
        if command in SITE_COMMANDS and not (site_dir / "site_src").is_dir():
            where = "here" if site_dir == Path(".") else f"in {site_dir}"
            above = next((folder for folder in site_dir.resolve().parents if (folder / "site_src").is_dir()), None)
            if above is not None:  # inside a site's sub-folder, as git would be
                raise UsageError(f"no site {where}, but {above} holds one: run the command there, or add "
                                 f"--site {above}")
            raise UsageError(f"no site {where}: run '{prog} init' to start one")
        if command == "serve":
            from generator.commands.serve import serve_command  # see above: an HTTP server, watchfiles

            # A preview follows the clock from build to build unless --now pins it.
            return serve_command(site_dir, args.port, (lambda: now) if args.now else read_clock, args.strict,
                                 args.debug, args.bind)
        if command == "probe":
            from generator.commands.probe import probe_command  # see above: the validators

            # A measurement happens now: SOURCE_DATE_EPOCH, set for reproducible builds, must not date it.
            if args.now and (now.tzinfo is None or now.utcoffset() is None):
                raise UsageError(f"--now '{args.now}' needs a time zone, e.g. 2026-11-23T13:00:05Z")
            return probe_command(site_dir, now if args.now else clock, environ)
        if command in ("install-hooks", "install-server-hooks", "rollback"):
            from generator.commands.hooks import run_hook_command  # see above: subprocess, the release writer

            return run_hook_command(args, clock, prog)
        if command == "next-change":
            from generator.commands.next_change import next_change_command  # see above: the pipeline

            return next_change_command(site_dir, now, args.strict, args.explain)
        if command == "new":
            from generator.commands.new import new_command  # see above: the pipeline, Babel

            # A notice is written now: SOURCE_DATE_EPOCH, set for reproducible builds, must not date it.
            return new_command(site_dir, args.kind, args.title, args.date, now if args.now else clock, args.slug,
                               components=tuple(args.components) if args.components else None, prog=prog)
        if command == "check":
            from generator.commands.check import check_command  # see above: the pipeline

            return check_command(site_dir, now, args.strict, args.format)
        from generator.commands.build import run_build  # see above: imports the pipeline only when out of date

        out_dir = getattr(args, "out", None) or site_dir / "public"
        return run_build(site_dir, out_dir, now, args.strict, use_cache=not getattr(args, "no_cache", False))
    except UsageError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ThemeMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except WriteError as exc:
        print(f"error: {exc}; the previous output was left as it was", file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}; the previous output was left as it was",
              file=sys.stderr)
        return EXIT_INVALID
    except Exception as exc:
        missing = missing_library(exc)
        if missing:
            # No install at all (`python build.py` in a bare clone) or a broken one: name the library, not a bug.
            print(f"error: the library {missing} is not installed in this Python ({sys.executable})\n"
                  f"  hint: {install_hint()}", file=sys.stderr)
        elif args.debug:
            import traceback  # only here: linecache, tokenize and textwrap cost an up-to-date build 3-4 ms

            traceback.print_exc()
        else:
            print("internal error: this is a bug in the generator; run again with --debug for details",
                  file=sys.stderr)
        return EXIT_INVALID


def missing_library(exc: BaseException) -> str | None:
    """Return the name to install of the third-party library whose import raised `exc`, else None."""
    top = (getattr(exc, "name", None) or "generator").partition(".")[0] if isinstance(exc, ModuleNotFoundError) \
        else "generator"
    return None if top == "generator" else LIBRARIES.get(top, top)


def run_server_hook(argv: list[str]) -> int:
    """Run an installed server hook (install-server-hooks writes the call) with the clock as each build's "now";
    return its exit status."""
    from generator.commands.publish import run_hook  # see above: the pipeline, Jinja

    return run_hook(argv, read_clock)


def run() -> int:
    """Console-script entry point: run the command, then end the process without Python's shutdown.

    A build leaves a large heap behind (every notice, compiled template and catalog);
    Python's shutdown would collect and free it object by object, 0.17 s after a build of
    1,000 notices (a tenth of the build).  Every file the command wrote is closed by then;
    the standard streams are flushed here, and the process ends with the command's status.
    Under a tracer or profiler (coverage, cProfile), whose results are written at shutdown,
    the status is returned instead, for the caller to exit with.
    """
    status = main(sys.argv[1:], prog=program_name(sys.argv[0]))
    if sys.gettrace() is not None or sys.getprofile() is not None:
        return status
    if not flush_standard_streams():
        status = status or EXIT_INVALID         # a closed pipe: what was to be said was not
    os._exit(status)
