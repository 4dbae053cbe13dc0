"""The `apprule` command: the only place that prints and picks exit codes.

Exit codes: 0 success; 1 facts or evaluation problems, failing cases, or output
that cannot be written; 2 scheme or usage errors. Errors go to stderr, results to
stdout (or ``--output``). One error boundary (``_Main.invoke``) maps apprule's
error classes to exit codes. Everything printed passes ``_echo`` (or ``_emit``),
which escapes control characters: a name holding an escape sequence shows as text.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import shutil
import re
import sys
import threading
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, TypeVar

import click

from . import i18n
from .decimals import plain
from .engine import Scheme, load_scheme
from .errors import AppruleError, FactError, OverMax, SchemeError, did_you_mean, suggestion
from .explain import readings_in_words
from .i18n import LANGUAGES, N_, Nn_, _, ngettext
from .results import Evaluation, Result

#: runs shorter than this show no progress display
PROGRESS_DELAY = 1.0
RESULT_FORMATS = ("table", "json", "csv", "xlsx")
TEMPLATE_FORMATS = ("table", "yaml", "csv", "xlsx")
_F = TypeVar("_F", bound=Callable[..., Any])


#: click's own words apprule's catalogue translates: its usage line, sections, help options and usage errors
CLICK_WORDS = (N_("Usage:"), N_("Options"), N_("Commands"), N_("Show this message and exit."),
               N_("Show the version and exit."), N_("Error: {message}"), N_("Try '{command} {option}' for help."),
               N_("No such option {name!r}."), N_("No such command {name!r}."), N_("Missing argument"),
               N_("Missing option"), N_("Missing parameter"), N_("Missing command."), N_("Invalid value: {message}"),
               N_("Invalid value for {param_hint}: {message}"), N_("default: {default}"), N_("required"),
               N_("Aborted!"), Nn_("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
               Nn_("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
               Nn_("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
               Nn_("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
               N_("{name} {filename!r} does not exist."), N_("{name} {filename!r} is a file."),
               N_("{name} {filename!r} is a directory."), N_("{name} {filename!r} is not readable."),
               N_("{name} {filename!r} is not writable."), N_("path"))
#: the usage line's placeholders for the options and a group's command
OPTIONS_METAVAR, COMMAND_METAVAR = N_("[OPTIONS]"), N_("COMMAND [ARGS]...")


def _click_gettext(message: str) -> str:
    return i18n.translations(i18n.language()).gettext(message)


def _click_ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.translations(i18n.language()).ngettext(singular, plural, n)


# click says its words through the ``_``/``ngettext`` each of its modules imported from gettext (click's documented
# way to translate it is gettext's): they are pointed at apprule's catalogue, in the language of the run. A message
# the catalogue lacks stays click's English, as gettext would leave it. Not click.decorators: it translates the
# --help and --version options' help once, when it makes them; ``_help_said`` says those where they are shown.
for _module in (click.core, click.exceptions, click.formatting, click.parser, click.types):
    setattr(_module, "_", _click_gettext)
    if hasattr(_module, "ngettext"):
        setattr(_module, "ngettext", _click_ngettext)


@contextlib.contextmanager
def _help_said(command: click.Command, ctx: click.Context) -> Iterator[None]:
    """While click writes ``command``'s help, its help texts (and its options' and its commands') are in the run's
    language: they are written in English, marked ``N_``, and translated here, where they are said."""
    said = [command, *command.get_params(ctx), *getattr(command, "commands", {}).values()]
    kept = [(thing, thing.help, getattr(thing, "short_help", None)) for thing in said]
    try:
        for thing in said:
            thing.help = _(thing.help) if thing.help else thing.help
            if getattr(thing, "short_help", None):
                thing.short_help = _(thing.short_help)
        yield
    finally:
        for thing, help_text, short in kept:
            thing.help = help_text
            if short is not None:
                thing.short_help = short


class _Says:
    """A command whose help and usage line click writes in the run's language (``--lang``, else the locale)."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _help_said(self, ctx):  # type: ignore[arg-type]
            super().format_help(ctx, formatter)  # type: ignore[misc]

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)  # type: ignore[misc]
        return [_(piece) if piece in (OPTIONS_METAVAR, COMMAND_METAVAR) else piece for piece in pieces]


class _Command(_Says, click.Command):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        _prefer_schemes_language(self, ctx, args)
        return super().parse_args(ctx, args)


def _prefer_schemes_language(command: click.Command, ctx: click.Context, args: list[str]) -> None:
    """Speak the language of the command's SCHEME from the start: click checks the options and arguments in the
    order they are typed, so a usage error (a malformed --reading, FACTS not found) may come before SCHEME's
    own turn. Parsing the command line is only splitting it; nothing is converted or checked twice."""
    if not any(p.name == "scheme" for p in command.params):
        return
    try:
        given = command.make_parser(ctx).parse_args(args=list(args))[0].get("scheme")
    except click.UsageError:
        return  # said when click parses it for real
    if isinstance(given, str):
        from .shipped import resolve_scheme
        i18n.prefer(_declared_language(str(resolve_scheme(given))))


class _Main(_Says, click.Group):
    """The error boundary: scheme errors exit 2, every other apprule error exits 1."""

    command_class = _Command

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with i18n.using():  # a language chosen or preferred during a run ends with it (tests run many)
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SchemeError as exc:
            _echo(exc, err=True)
            ctx.exit(2)
        except AppruleError as exc:
            _echo(exc, err=True)
            ctx.exit(1)


def _choose_language(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    i18n.choose(value)


#: ``--lang``, before the command (``apprule --lang en explain …``) or after it (``apprule explain --lang en …``)
language_option = click.option(
    "--lang", type=click.Choice(LANGUAGES), expose_value=False, is_eager=True, callback=_choose_language,
    help=N_("The language of what apprule says (en, zh). Default: the scheme's `language`, else the locale's."))


@click.group(cls=_Main, help=N_(
    "Score organisational units under assessment schemes written in YAML (绩效考评).\n\n"
    "\b\n"
    "apprule schemes\n"
    "apprule check hebi_2021\n"
    "apprule score hebi_2021 example\n"
    "apprule explain hebi_2021 example 海河街道办事处\n"
    "apprule facts hebi_2021 --format xlsx --output 数据.xlsx\n"
    "apprule score my_scheme.yaml 数据.xlsx\n"
    "apprule test tests/schemes\n\n"
    "A SCHEME is a file or the id of a shipped scheme; FACTS `example` is the shipped scheme's example."))
@click.version_option(package_name="apprule")
@language_option
def main() -> None:
    """apprule's commands. Each command's help is its ``help=N_(…)``, said in the run's language (``_Says``)."""


# --- helpers -------------------------------------------------------------------------------------

def _echo(message: object, err: bool = False, nl: bool = True) -> None:
    """Print ``message`` with every character a terminal would act on escaped (``apprule.io.text``)."""
    from .io.text import visible
    click.echo(visible(str(message)), err=err, nl=nl)


def _cells(row: list[str]) -> list[str]:
    from .io.text import visible
    return [visible(cell) for cell in row]


@contextlib.contextmanager
def _working(message: str) -> Iterator[None]:
    """A spinner on stderr, only on a terminal and only once the work has taken a while."""
    if not _is_terminal(sys.stderr):
        yield
        return
    from rich.console import Console

    from .io.text import visible

    status = Console(stderr=True, markup=False).status(visible(message))
    timer = threading.Timer(PROGRESS_DELAY, status.start)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        status.stop()


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _facts_path(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from .io.read import FORMATS, facts_format
    if facts_format(value) is None:
        raise click.BadParameter(_("{value!r}: facts are read from {formats} files", value=value,
                                   formats=", ".join(FORMATS)))
    return value


class _Existing(click.Path):
    """A path that must exist, named in the run's language when it does not (click names the kind of path,
    ``file``, once, when the option is declared: before any language is known)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        self.name = _("file") if not self.dir_okay else _("directory") if not self.file_okay else _("path")
        return super().convert(value, param, ctx)


_CARRIED_IN = click.option(
    "--carried-in", "carried_in", metavar="LAST.json", type=_Existing(exists=True, dir_okay=False),
    help=N_("Last period's results (apprule score --format json): each unit's carried-over events join its lists "
            "and count here, as carried in from their period; values deferred to this period (转入下年度) are "
            "reported."))


class _File(_Existing):
    """A file or folder that must exist, or the id of a shipped scheme (``apprule schemes``); for FACTS, also
    ``example``: the example facts shipped with SCHEME."""

    def __init__(self, dir_okay: bool = False) -> None:
        super().__init__(exists=True, dir_okay=dir_okay)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from .shipped import EXAMPLE, resolve_facts, resolve_scheme, scheme_ids

        scheme = ctx.params.get("scheme") if ctx is not None else None
        if param is not None and param.name == "facts" and scheme:
            resolved = resolve_facts(str(value), scheme)
            if value == EXAMPLE and resolved == value and not Path(value).exists():
                self.fail(_("no file {value!r}, and {scheme!r} is not a shipped scheme with an example", value=value,
                            scheme=scheme), param, ctx)
        else:
            resolved = str(resolve_scheme(str(value)))
            if resolved == value and not Path(value).exists() and "/" not in value and "." not in value:
                ids = scheme_ids()
                hint = did_you_mean(value, ids)
                self.fail(_("{value!r} is neither a file nor a shipped scheme", value=value) + (_("; ") + hint if hint else "")
                          + _(" (shipped: {ids})", ids=", ".join(ids)), param, ctx)
        return super().convert(resolved, param, ctx)


def _declared_language(path: str) -> str | None:
    """The `language:` a scheme file declares at its top level, read as text: the usage errors click finds
    before the command loads the scheme (FACTS not found, a malformed --reading) are said in the scheme's
    language, as everything after. Loading the scheme then decides for certain."""
    try:
        with open(path, encoding="utf-8-sig") as text:
            head = text.read(1 << 16)  # the top-level keys come first in any scheme a person writes
    except (OSError, UnicodeDecodeError):
        return None  # the load says what is wrong with the file
    found = _LANGUAGE_LINE.search(head)
    return found.group(1) if found else None


#: a top-level ``language: zh`` line (quoted or not, with a comment after it or not)
_LANGUAGE_LINE = re.compile(r"""^language:[ \t]*["']?([A-Za-z_-]+)["']?[ \t]*(?:#.*)?$""", re.MULTILINE)


def _reading_pairs(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    """``--reading id=choice`` options as a mapping; a reading chosen twice two ways is a usage error."""
    chosen: dict[str, str] = {}
    for value in values:
        reading, sep, choice = (part.strip() for part in value.partition("="))
        if not sep or not reading or not choice:
            raise click.BadParameter(_("{value!r} is not ID=CHOICE (e.g. indicator_measure=ratio; apprule readings "
                                       "SCHEME lists them)", value=value), ctx, param)
        if chosen.get(reading, choice) != choice:
            raise click.BadParameter(_("reading {reading!r} is chosen twice ({first}, {second})", reading=reading,
                                       first=chosen[reading], second=choice), ctx, param)
        chosen[reading] = choice
    return chosen


def _reading_option(flag: str = "--reading", name: str = "readings", help: str = "") -> Callable[[_F], _F]:
    return click.option(flag, name, multiple=True, metavar="ID=CHOICE", callback=_reading_pairs,
                        help=help or N_("Score under this choice of a reading (repeatable); `apprule readings "
                                        "SCHEME` lists them."))


def _readings_line(scheme: Scheme) -> str | None:
    """The readings in force, as one line under a table (None for a scheme without switchable readings)."""
    if not scheme.readings:
        return None
    return _("readings in force: {choices}", choices=readings_in_words(scheme.readings, scheme.choice_labels))


def _evaluate(scheme: Scheme, facts_path: str, partial: bool, carried_in: str | None = None) -> Evaluation:
    """Read the facts (with last period's carried-over items) and evaluate them; fact problems are named by their
    place in the file."""
    from .io.read import read_facts

    with _working(_("scoring {file}", file=facts_path)):
        facts = read_facts(facts_path, scheme, partial=partial)
        given = facts.facts
        if carried_in is not None:
            from .io.carried import carried_notes, read_carried_in, with_carried_in
            carried = read_carried_in(carried_in, scheme, given)
            given = with_carried_in(given, carried)
            for note in carried_notes(carried):  # deferred values: given back and scored, owed, or not taken back
                _echo(_("note: {note}", note=note), err=True)
        try:
            evaluation = scheme.evaluate(given, partial=partial)
        except FactError as exc:
            raise facts.locate(exc) from None
        except OverMax as exc:  # a value above its item's maximum: where the office typed it
            raise facts.locate_value(exc) from None
    if facts.missing:
        _echo(_("note: a partial run: ranks, quotas and averages count only the units in {facts}; not in it: "
                "{units}", facts=facts_path, units="、".join(unit for _group, unit in facts.missing)), err=True)
    return evaluation


def _emit(data: str | bytes, output: str | None, escaped: bool = False) -> None:
    """Write results to ``output`` or to stdout; binary workbooks never to a terminal.

    Text is written with control characters escaped, unless ``escaped`` says its parts already are
    (a rich table: its own styling is escape sequences). A file that cannot be written is an
    ``OutputError`` naming it and the system's reason.
    """
    from .io.problems import OutputError
    from .io.text import visible

    if isinstance(data, str) and not escaped:
        data = visible(data)
    if output:
        try:
            with open(output, "wb") as file:
                file.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        except OSError as exc:
            raise OutputError.of(output, exc) from None
        _echo(_("wrote {file}", file=output), err=True)
        return
    try:
        if isinstance(data, str):
            click.echo(data, nl=not data.endswith("\n"))
            sys.stdout.flush()
            return
        stdout = sys.stdout.buffer
        if data[:2] == b"PK" and _is_terminal(stdout):
            raise click.UsageError(_("an .xlsx workbook is binary: give --output FILE.xlsx"))
        stdout.write(data)
        stdout.flush()
    except OSError as exc:
        raise OutputError.of("<stdout>", exc) from None


def _not_an_input(output: str | None, **inputs: str) -> None:
    """Refuse an ``--output`` that is one of the command's inputs: writing would destroy it."""
    if not output:
        return
    target = Path(output)
    for name, given in inputs.items():
        source = Path(given)
        same = target.resolve() == source.resolve()
        with contextlib.suppress(OSError):
            same = same or target.samefile(source)  # a hard link, or another name for the same file
        if same:
            raise click.BadParameter(_("{output!r} is the {name} file {given!r}: writing there would destroy it; "
                                       "choose another file", output=output, name=name, given=given),
                                     param_hint="'--output' / '-o'")


def _format(fmt: str | None, output: str | None, choices: tuple[str, ...], default: str) -> str:
    """The format asked for, else the one ``--output``'s ending names, else (no ending) the default.

    An ending that names no format (``结果.pdf``) is a usage error: writing a text table under it would
    give a file that no program of that kind opens.
    """
    if fmt:
        return fmt
    suffix = Path(output).suffix.lower().lstrip(".") if output else ""
    if not suffix:
        return default
    named = {"yml": "yaml", "txt": "table"}.get(suffix, suffix)
    if named not in choices:
        endings = ", ".join(".txt" if c == "table" else f".{c}" for c in choices)
        raise click.BadParameter(_("{output!r}: apprule cannot write a .{suffix} file; give an ending it writes "
                                   "({endings}) or --format", output=output, suffix=suffix, endings=endings),
                                 param_hint="'--output' / '-o'")
    return named


def _group_id(scheme: Scheme, group: str | None) -> str | None:
    """The group ``--group`` names by its id or by its label (what the table's heading shows)."""
    ids = [g.id for g in scheme.groups]
    group = next((g.id for g in scheme.groups if group == g.label and group not in ids), group)
    if group is not None and group not in ids:
        hint = did_you_mean(group, ids)
        raise click.BadParameter(_("no group {group!r}", group=group) + (f"; {hint}" if hint else "")
                                 + _(" (groups: {groups})", groups=", ".join(ids)), param_hint="--group")
    return group


def _load(path: str, readings: Mapping[str, str] | None = None) -> Scheme:
    """Load SCHEME under ``readings``; from here on apprule speaks its language, unless --lang chose one."""
    scheme = load_scheme(Path(path), readings=readings)
    i18n.prefer(scheme.definition.language)
    return scheme


# --- check ---------------------------------------------------------------------------------------

@main.command(help=N_(
    "Load and check SCHEMES (files, or folders of *.yaml); print every error with its location.\n\n"
    "Every choice of every switchable reading is checked too, one at a time. With --carried-in, check "
    "that last period's carried-over items fit the one SCHEME given."))
@click.argument("schemes", nargs=-1, required=True, type=_File(dir_okay=True))
@_CARRIED_IN
@_reading_option(help=N_("Check under this choice of a reading (repeatable)."))
def check(schemes: tuple[str, ...], carried_in: str | None, readings: dict[str, str]) -> None:
    paths: list[Path] = []
    for name in map(Path, schemes):
        paths += sorted(name.glob("*.yaml")) if name.is_dir() else [name]
    if carried_in is not None:
        _check_carried_in(paths, carried_in)
        return
    failed = 0
    spoken: set[str] = set()  # the languages the schemes were checked in: the summary says one they all share
    for path in paths:
        try:
            scheme = load_scheme(path, readings=readings)
            checked = _check_choices(path, scheme, readings)
        except SchemeError as exc:
            _echo(exc, err=True)
            spoken.update(p.language for p in exc.problems)
            failed += 1
            continue
        spoken.add(scheme.definition.language or i18n.language())
        with i18n.using(scheme=scheme.definition.language):
            counts = [ngettext("{n} group", "{n} groups", len(scheme.groups)),
                      ngettext("{n} fact", "{n} facts", len(scheme.definition.facts))]
            if checked:
                counts.append(ngettext("{n} other choice of its readings", "{n} other choices of its readings",
                                       checked))
            _echo(_("{path}: ok — {title} ({counts})", path=path, title=scheme.title, counts=_(", ").join(counts)))
    if failed:
        with i18n.using(scheme=spoken.pop() if len(spoken) == 1 else None):
            _echo(ngettext("{failed} of {n} scheme has errors", "{failed} of {n} schemes have errors", len(paths),
                           failed=failed), err=True)
        sys.exit(2)


def _check_carried_in(paths: list[Path], carried_in: str) -> None:
    """Whether last period's carried-over items fit the scheme: facts it declares, events it dates."""
    from .io.carried import read_carried_in

    if len(paths) != 1:
        raise click.UsageError(_("--carried-in checks the items against one scheme; {n} given", n=len(paths)))
    scheme = _load(str(paths[0]))
    carried = read_carried_in(carried_in, scheme)
    period = scheme.definition.period
    _echo(_("{path}: ok — {events} and {deferred} carried into {scheme} ({start}..{end})", path=carried_in,
            events=ngettext("{n} event", "{n} events", carried.count),
            deferred=ngettext("{n} deferred value", "{n} deferred values", len(carried.deferred)),
            scheme=scheme.id, start=period.start, end=period.end))


def _check_choices(path: Path, scheme: Scheme, readings: dict[str, str]) -> int:
    """Load ``scheme`` under each choice not in force, one reading at a time; the problems say which choice."""
    checked = 0
    for reading in scheme.definition.readings:
        for choice in reading.choices or {}:
            if choice == scheme.readings[reading.id] or reading.id in readings:
                continue
            try:
                load_scheme(path, readings={**readings, reading.id: choice})
            except SchemeError as exc:
                raise SchemeError([replace(p, message=p.message + _(" (under reading {reading}={choice})",
                                                                    reading=reading.id, choice=choice))
                                   for p in exc.problems]) from None
            checked += 1
    return checked


# --- readings ------------------------------------------------------------------------------------

@main.command(help=N_(
    "List SCHEME's readings: each question, its clause and its choices (* in force, the default unless "
    "chosen)."))
@click.argument("scheme", type=_File())
@_reading_option(help=N_("Mark this choice as the one in force (repeatable)."))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@language_option
def readings(scheme: str, readings: dict[str, str], fmt: str) -> None:
    loaded = _load(scheme, readings)
    entries = loaded.definition.readings
    if fmt == "json":
        import json
        data = [{"id": r.id, "clause": r.clause, "question": r.question, "choice": r.choice,
                 "in_force": loaded.readings.get(r.id),
                 "choices": {name: {"label": c.label, "default": c.default, "note": c.note}
                             for name, c in (r.choices or {}).items()}} for r in entries]
        _echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    lines: list[str] = []
    for r in entries:
        lines.append(f"{r.id}" + (f"  〔{r.clause}〕" if r.clause else ""))
        lines.append(f"  {' '.join(r.question.split())}")
        if r.choices is None:
            lines.append(f"  = {' '.join((r.choice or '').split())}")
        for name, c in (r.choices or {}).items():
            mark = "*" if loaded.readings.get(r.id) == name else " "
            lines.append(f"  {mark} {name}: {c.label}" + (_(" (default)") if c.default else ""))
        lines.append("")
    switchable = sum(1 for r in entries if r.choices)
    lines.append(ngettext("{n} reading, {switchable} with choices (apprule score --reading ID=CHOICE)",
                          "{n} readings, {switchable} with choices (apprule score --reading ID=CHOICE)", len(entries),
                          switchable=switchable))
    _echo("\n".join(lines))


# --- schemes -------------------------------------------------------------------------------------

@main.command(help=N_(
    "List the schemes shipped with apprule: give an id wherever a SCHEME file is asked for."))
def schemes() -> None:
    from rich import box
    from rich.table import Table

    from .shipped import scheme_ids, scheme_path

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for head in (N_("id"), N_("title"), N_("issuer"), N_("period")):  # in the run's language: no scheme is chosen
        table.add_column(_(head), overflow="fold")
    for scheme_id in scheme_ids():
        definition = load_scheme(scheme_path(scheme_id) or scheme_id).definition
        period = definition.period
        table.add_row(*_cells([scheme_id, definition.title, definition.issuer,
                               f"{_(PERIOD_KINDS[period.kind])} {period.start}–{period.end}"]))
    _emit(_table_text(table, wide=False), None, escaped=True)


#: the kinds of assessment period, in words
PERIOD_KINDS = {"year": N_("year"), "half_year": N_("half year"), "quarter": N_("quarter"), "month": N_("month")}


def _table_text(table: Any, wide: bool, width: int = 200) -> str:
    """A rich table as text: styled and as wide as a terminal on one, else plain and ``width`` wide."""
    from rich.console import Console

    terminal = not wide and _is_terminal(sys.stdout)
    buffer = io.StringIO()
    Console(file=buffer, width=shutil.get_terminal_size().columns if terminal else width, force_terminal=terminal,
            color_system="auto" if terminal else None, highlight=False, emoji=False, markup=False).print(table)
    return _trim(buffer.getvalue())


# --- score ---------------------------------------------------------------------------------------

@main.command(help=N_(
    "Score, rank and grade every unit of FACTS (YAML, JSON, CSV or XLSX) under SCHEME."))
@click.argument("scheme", type=_File())
@click.argument("facts", type=_File(), callback=_facts_path)
@click.option("--group", "group", metavar="GROUP", help=N_("Only this group (its id or its label)."))
@click.option("--format", "fmt", type=click.Choice(RESULT_FORMATS),
              help=N_("table (default), json (complete: every rule's value), csv (UTF-8 with BOM, for Excel) or "
                      "xlsx (a sheet per group and the sheet 明细 of every rule). Default: from --output's ending."))
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help=N_("Write to this file."))
@click.option("--partial", is_flag=True,
              help=N_("Allow roster units missing from FACTS (ranks count only those given)."))
@_CARRIED_IN
@_reading_option()
@language_option
def score(scheme: str, facts: str, group: str | None, fmt: str | None, output: str | None, partial: bool,
          carried_in: str | None, readings: dict[str, str]) -> None:
    _not_an_input(output, SCHEME=scheme, FACTS=facts, **({"--carried-in": carried_in} if carried_in else {}))
    loaded = _load(scheme, readings)
    fmt = _format(fmt, output, RESULT_FORMATS, "table")
    group = _group_id(loaded, group)
    evaluation = _evaluate(loaded, facts, partial, carried_in)
    if fmt != "json":  # JSON carries them in `outside_period` and `carried_over`
        from .io.write import ordered
        _report_outside(loaded, ordered(evaluation, loaded, group))
    if fmt == "table":
        _emit(_score_table(loaded, evaluation, group, wide=output is not None), output, escaped=True)
        return
    from .io.write import write_results
    _emit(write_results(evaluation, loaded, fmt, group), output)


def _report_outside(scheme: Scheme, results: list[Result]) -> None:
    """Every event not counted because its date is outside the period, and every value deferred to the next
    period, unit by unit: never dropped unsaid."""
    from .deferred import COUNTED, DEFERRED

    period = scheme.definition.period
    for result in results:
        for o in result.outside_period:
            where = _("after the period: carried over to the next") if o.when == "after" else \
                _("before the period: not counted (counted in its own)")
            _echo(_("note: {unit}: event {n} of {fact}, dated {date}, is {where} ({start}..{end})", unit=result.unit,
                    fact=_fact_label(scheme, o.fact), n=o.number, date=o.date, where=where, start=period.start,
                    end=period.end), err=True)
        for fact, item in result.carried_over:
            if DEFERRED in item:  # 转入下年度: counted as the scheme declares, and carried over
                counted = _("as not given") if item[COUNTED] is None else _("as {value}", value=plain(item[COUNTED]))
                _echo(_("note: {unit}: {fact} is {marker}: deferred to the next period, counted {counted} in this "
                        "one ({start}..{end})", unit=result.unit, fact=_fact_label(scheme, fact),
                        marker=item[DEFERRED], counted=counted, start=period.start, end=period.end), err=True)


def _fact_label(scheme: Scheme, fact: str) -> str:
    """A fact as a person reads it, by its label (its id when it has none): these notes are for the office; a
    program reads the same in `outside_period` and `carried_over` of the JSON results, by id."""
    declared = scheme.definition.facts.get(fact)
    return declared.label if declared is not None and declared.label else fact


def _score_table(scheme: Scheme, evaluation: Evaluation, group: str | None, wide: bool) -> str:
    """The ranked table of each group, Chinese labels aligned by display width (rich), totals by their points."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from .io.write import listed
    from .shown import GroupShown

    terminal = not wide and _is_terminal(sys.stdout)
    width = shutil.get_terminal_size().columns if terminal else 400
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=terminal, color_system="auto" if terminal else None,
                      highlight=False, emoji=False, markup=False)
    for g in scheme.groups:
        results = evaluation.group(g.id)
        if group not in (None, g.id) or not results:
            continue
        shown = GroupShown(scheme.definition, g)
        sequences = {s.id: s.label for s in g.sequences}
        maximum = shown.maximum()
        title = _cells([g.label + (f"  {maximum}" if maximum else "")])[0]
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column(_("Rank"), justify="right", no_wrap=True)
        table.add_column(_("Unit"), no_wrap=True)
        if sequences:
            table.add_column(_("Sequence"), no_wrap=True)
        table.add_column(_("Total"), justify="right", no_wrap=True)
        table.add_column(_("Grade"), no_wrap=True)
        table.add_column(_("Honours"))
        table.add_column(_("Flags"), overflow="fold")
        totals = _aligned([shown.score("total", r.total) for r in results])
        for r, total in zip(results, totals):
            row: list[Any] = [str(r.rank) if r.rank is not None else "—", r.unit]
            if sequences:
                row.append(sequences.get(r.sequence or "", r.sequence or ""))
            row = _cells(row) + [total] + _cells([r.grade or "", listed(r.honours), listed(r.flags)])
            table.add_row(*row)
        console.print(table)
    in_force = _readings_line(scheme)
    if in_force:
        console.print(in_force)
    return _trim(buffer.getvalue())


def _aligned(numbers: list[str]) -> list[Any]:
    """Numbers padded on both sides so that their points line up under a right-aligned header, also where a
    value carries more digits than its places (rich would strip the padding of right-aligned text)."""
    from rich.text import Text

    from .shown import decimals_of

    whole = max((len(n) - decimals_of(n) for n in numbers), default=0)
    most = max(map(decimals_of, numbers), default=0)
    return [Text(n.rjust(whole + decimals_of(n)) + " " * (most - decimals_of(n) + ("." not in n and most > 0)),
                 justify="left") for n in numbers]


def _trim(text: str) -> str:
    """Rich pads every line to the table's width; files and pipes need no trailing blanks."""
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


# --- explain -------------------------------------------------------------------------------------

@main.command(help=N_(
    "Explain UNIT: every section, rule, cap, rounding, rank and grade decision with its clause."))
@click.argument("scheme", type=_File())
@click.argument("facts", type=_File(), callback=_facts_path)
@click.argument("unit")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--partial", is_flag=True, help=N_("Allow roster units missing from FACTS."))
@_CARRIED_IN
@_reading_option()
@language_option
def explain(scheme: str, facts: str, unit: str, fmt: str, partial: bool, carried_in: str | None, readings: dict[str, str]) -> None:
    loaded = _load(scheme, readings)
    evaluation = _evaluate(loaded, facts, partial, carried_in)
    if unit not in evaluation:
        raise click.BadParameter(_("no unit {unit!r} in {facts}", unit=unit, facts=facts)
                                 + suggestion(unit, list(evaluation)), param_hint="UNIT")
    if fmt == "text":  # what the explanation's numbers leave out: events outside the period, deferred values
        _report_outside(loaded, [evaluation[unit]])
    _echo(evaluation[unit].explain(fmt))


# --- diff ----------------------------------------------------------------------------------------

@main.command(help=N_(
    "What changes if…: score FACTS two ways and list every unit whose total, rank, grade or outcomes "
    "change, with the rules whose values changed.\n\n"
    "\b\n"
    "apprule diff hebi_2021 facts.xlsx --reading indicator_measure=ratio --against-reading indicator_measure=points\n"
    "apprule diff scheme_2022.yaml facts.xlsx --against scheme_2021.yaml\n\n"
    "The --against side is the base (before); SCHEME under --reading is the new side (after)."))
@click.argument("scheme", type=_File())
@click.argument("facts", type=_File(), callback=_facts_path)
@click.option("--against", type=_File(), metavar="SCHEME",
              help=N_("The scheme to compare with (last year's); default: SCHEME itself, under --against-reading."))
@_reading_option(help=N_("Score SCHEME under this choice of a reading (repeatable)."))
@_reading_option("--against-reading", "against_readings",
                 help=N_("Score the --against side under this choice of a reading (repeatable); the other readings "
                         "are those of SCHEME's side when both sides are one scheme."))
@click.option("--format", "fmt", type=click.Choice(("table", "json", "xlsx")),
              help=N_("table (default), json or xlsx. Default: from --output's ending."))
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help=N_("Write to this file."))
@click.option("--partial", is_flag=True, help=N_("Allow roster units missing from FACTS."))
def diff(scheme: str, facts: str, against: str | None, readings: dict[str, str], against_readings: dict[str, str],
         fmt: str | None, output: str | None, partial: bool) -> None:
    from .diff import diff_data, diff_evaluations, diff_rows, diff_xlsx, summary

    fmt = _format(fmt, output, ("table", "json", "xlsx"), "table")
    _not_an_input(output, SCHEME=scheme, FACTS=facts, AGAINST=against or scheme)
    new_scheme = _load(scheme, readings)  # first: the usage error below speaks its language
    if against is None and not against_readings:
        raise click.UsageError(_("name the other way to score: --against SCHEME, or --against-reading ID=CHOICE"))
    base_readings = against_readings if against else {**readings, **against_readings}
    base_scheme = load_scheme(Path(against or scheme), readings=base_readings)
    found = diff_evaluations(_evaluate(base_scheme, facts, partial), _evaluate(new_scheme, facts, partial),
                             base_scheme, new_scheme)
    if fmt == "json":
        import json
        _emit(json.dumps(diff_data(found), ensure_ascii=False, indent=2, sort_keys=True) + "\n", output)
    elif fmt == "xlsx":
        _emit(diff_xlsx(found), output)
    else:
        from rich import box
        from rich.table import Table

        rows = diff_rows(found)
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        for head in rows[0]:
            table.add_column(head, overflow="fold")
        for row in rows[1:]:
            table.add_row(*_cells(row))
        lines = summary(found)
        text = "\n".join(lines[:2]) + "\n" + (_table_text(table, wide=output is not None) if found.units else "") \
            + "\n".join(lines[2:]) + "\n"
        _emit(text, output, escaped=True)


# --- facts ---------------------------------------------------------------------------------------

@main.command(help=N_(
    "The facts SCHEME declares, or a blank fill-in template for its rosters."))
@click.argument("scheme", type=_File())
@click.option("--format", "fmt", type=click.Choice(TEMPLATE_FORMATS),
              help=N_("table: the declared facts (default); yaml, csv or xlsx: a blank template to fill in, one row "
                      "per roster unit, one sheet (or CSV section) per list-type fact. Default: from --output."))
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help=N_("Write to this file."))
@language_option
def facts(scheme: str, fmt: str | None, output: str | None) -> None:
    from .io.template import facts_table, write_template

    _not_an_input(output, SCHEME=scheme)
    loaded = _load(scheme)
    fmt = _format(fmt, output, TEMPLATE_FORMATS, "table")
    if fmt != "table":
        _emit(write_template(loaded, fmt), output)
        return
    from rich import box
    from rich.table import Table

    rows = [_cells(row) for row in facts_table(loaded)]
    table = Table(title=_cells([f"{loaded.title} ({loaded.id})"])[0], title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False)
    for head in rows[0]:
        table.add_column(head, overflow="fold")
    for row in rows[1:]:
        table.add_row(*row)
    _emit(_table_text(table, wide=output is not None), output, escaped=True)


# --- test ----------------------------------------------------------------------------------------

@main.command("test", help=N_(
    "Run worked-example case files (or folders of cases*.yaml); a diff for each failing case.\n\n"
    "With --properties, check each SCHEME's invariants (caps, ranges, monotonicity, permutation, …)."))
@click.argument("paths", nargs=-1, required=True, type=_File(dir_okay=True))
@click.option("--quiet", "-q", is_flag=True, help=N_("Report failing cases only."))
@click.option("--properties", is_flag=True,
              help=N_("Property-test the given SCHEME files with hypothesis instead of running case files."))
@click.option("--invariant", "invariants", multiple=True, metavar="NAME",
              help=N_("With --properties: only this invariant (repeatable)."))
@click.option("--examples", type=int, default=None, metavar="N", help=N_("With --properties: examples per invariant."))
@click.option("--seed", type=int, default=None, metavar="N", help=N_("With --properties: a fixed seed."))
@_reading_option(help=N_("Run the cases under this choice of a reading (repeatable); a case's own `readings:` win."))
@language_option
def test_cases(paths: tuple[str, ...], quiet: bool, properties: bool, invariants: tuple[str, ...],
               examples: int | None, seed: int | None, readings: dict[str, str]) -> None:
    if properties:
        _test_properties(paths, invariants, examples, seed)
        return
    from . import cases as case_files

    files: list[Path] = []
    for path in map(Path, paths):
        files += sorted(path.rglob("cases*.yaml")) if path.is_dir() else [path]
    if not files:
        raise click.UsageError(_("no case files (cases*.yaml) under {paths}", paths=", ".join(paths)))
    passed = failed = broken = 0
    with _working("running cases"):
        for file in files:
            try:
                scheme, cases = case_files.load_cases(file, readings)
            except SchemeError as exc:
                _echo(_("ERROR {file}", file=file) + f"\n{exc}", err=True)
                broken += 1
                continue
            i18n.prefer(scheme.definition.language)  # its verdicts in its scheme's language, unless --lang chose
            for index, case in enumerate(cases):
                outcome = case_files.run_case(scheme, case, str(file), index)
                where = f"{file}#{index + 1}"
                if outcome.passed:
                    passed += 1
                    if not quiet:
                        _echo(_("PASS {case}: {description}", case=where, description=outcome.description))
                    continue
                failed += 1
                _echo(_("FAIL {case}: {description}", case=where, description=outcome.description))
                for line in _case_diff(scheme, case, outcome.differences):
                    _echo(f"     {line}")
    summary = _("{passed} passed, {failed} failed", passed=passed, failed=failed) + (ngettext(
        ", {n} file could not be loaded", ", {n} files could not be loaded", broken) if broken else "")
    _echo(summary)
    if broken:
        sys.exit(2)
    if failed:
        sys.exit(1)


def _test_properties(paths: tuple[str, ...], invariants: tuple[str, ...], examples: int | None,
                     seed: int | None) -> None:
    try:
        from .testing import INVARIANTS, check_scheme_properties
    except ImportError as exc:  # hypothesis comes with the test extra
        raise click.UsageError(_("--properties needs hypothesis: pip install 'apprule[test]' ({error})",
                                 error=exc)) from None

    unknown = [name for name in invariants if name not in INVARIANTS]
    if unknown:
        raise click.UsageError(_("unknown invariant {names}; one of {invariants}", names=", ".join(unknown),
                                 invariants=", ".join(INVARIANTS)))
    ok = True
    for path in paths:
        try:
            with _working(_("property-testing {file}", file=path)):
                report = check_scheme_properties(_load(path), invariants=list(invariants) or None,
                                                 max_examples=examples, seed=seed)
        except SchemeError as exc:
            _echo(exc, err=True)
            sys.exit(2)
        _echo(report.render())
        ok = ok and report.ok
    sys.exit(0 if ok else 1)


def _case_diff(scheme: Scheme, case: dict[str, Any], differences: list[str]) -> list[str]:
    """Expected against actual, as a unified diff of the keys the case states; other differences as they are."""
    expect = case.get("expect") or {}
    from .cases import evaluate_case
    try:
        evaluation = evaluate_case(scheme, case)
    except AppruleError:
        return differences
    want: list[str] = []
    got: list[str] = []
    if not isinstance(expect, dict):
        return differences
    for unit, keys in expect.items():
        result = evaluation.get(unit)
        for key, value in (keys if isinstance(keys, dict) else {}).items():
            if key == "values" and isinstance(value, dict):
                for node, number in value.items():
                    want.append(f"{unit}.values.{node}: {_norm(number)}")
                    actual = result.values.get(node, _("(no such rule)")) if result else _("(no result)")
                    got.append(f"{unit}.values.{node}: {_norm(actual)}")
                continue
            want.append(f"{unit}.{key}: {_norm(value, key)}")
            found: Any = getattr(result, key, _("(unknown key)")) if result else _("(no result)")
            if key == "outcomes" and result and isinstance(value, list):  # each by the fields the case names
                named = {(o.get("kind"), o.get("id")): set(o) for o in value if isinstance(o, dict)}
                found = [{k: v for k, v in o.as_dict().items() if k in named.get((o.kind, o.id), {"kind", "id"})}
                         for o in result.outcomes]
            got.append(f"{unit}.{key}: {_norm(found, key)}")
    diff = [line.rstrip("\n") for line in difflib.unified_diff(want, got, _("expected"), _("actual"), n=0, lineterm="")
            if not line.startswith("@@")]
    shown = {line[1:].split(":", 1)[0] for line in diff if line[:1] in "+-" and not line.startswith(("---", "+++"))}
    shown |= {key.replace(".values.", ".", 1) for key in shown}  # a rule's value: run_case says unit.rule
    rest = [d for d in differences if d.split(":", 1)[0] not in shown]
    return diff + rest


def _norm(value: Any, key: str = "") -> str:
    """A value as the case compares it: numbers exactly (1.50 = 1.5), lists of labels in any order."""
    if isinstance(value, (list, tuple)) and key in ("honours", "flags", "vetoes"):
        return "[" + ", ".join(sorted(map(str, value))) + "]"
    if isinstance(value, list) and key == "outcomes":  # records in any order, each its fields as text
        return "[" + ", ".join(sorted(str({k: str(v) for k, v in o.items()}) if isinstance(o, dict) else str(o)
                                      for o in value)) + "]"
    if isinstance(value, (Decimal, int, float, str)) and not isinstance(value, bool) and key not in (
            "grade", "would_be_grade", "sequence", "group"):
        try:
            return plain(Decimal(str(value)).normalize())
        except ArithmeticError:
            return str(value)
    return "null" if value is None else str(value)


# --- schema --------------------------------------------------------------------------------------

@main.command(help=N_(
    "The JSON Schema (draft-07) of the scheme language, for editors with the YAML language server.\n\n"
    "Put `# yaml-language-server: $schema=PATH` on a scheme's first line."))
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help=N_("Write to this file."))
@click.option("--path", "show_path", is_flag=True, help=N_("Print where the installed copy of the schema is."))
def schema(output: str | None, show_path: bool) -> None:
    from .io.schema import schema_text, shipped_schema_path

    if show_path:
        _echo(shipped_schema_path())
        return
    _emit(schema_text(), output)
