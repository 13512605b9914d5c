"""find_hours_phrases: where a text says that support opens, closes, works other hours or is closed.

Staff write the hours of a day in the text and forget the structured change ("Na quinta,
dia 10, o suporte fecha às 15h").  This reader finds such phrases, in pt, es and en
whatever the notice's language, so that prose.py can hold them against the notice's
changes.  A false alarm teaches people to ignore the checker, so a phrase counts only
when it plainly speaks of opening hours:
- a verb of opening or closing followed by its time: "fecha às 15h", "abre às 10h",
  "cierra a las 15:00", "closes at 3 pm", "encerraremos o atendimento às 12h";
- a word of service before "até"/"hasta"/"until" and a time: "atendimento até as 15h";
- a range of hours after a word of service, or a chain of them read as one set: "atendimento das 9h às 15h",
  "horario de 9 a 15 h", "open 9am-3pm", "atendimento das 9h às 12h e das 14h às 18h"; a range alone is as often a maintenance window
  ("das 2h às 4h a rede ficará instável") and is left alone;
- closed: "fechado", "cerrado", "closed" after a verb of being ("estaremos fechados",
  "will be closed") or right after a colon or dash ("Quinta, 10/12: fechado"), and
  "não haverá atendimento", "no habrá atención", "no support".
A verb in the third person ("fecha", "will be closed") counts only when its clause names
no subject or names a service (`SERVICE_WORDS`, or a department or channel of the site):
"a janela fecha às 4h" and "the road will be closed" stay silent.  Times of day alone ("às 15h
identificamos", "desde as 10h") are never phrases.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from generator.validate.dates_in_text.text import Text, prepare

# A time of day: "15h", "15h30", "15:00", "15.30", "3 pm", "3:30 p.m.", "15 hs", "15 horas".
_TIME = r"\d{1,2}(?:[:h.]\d{2})?(?:\s?h(?:s|rs?|oras)?\b|\s?[ap]\.?\s?m\b\.?)?"
_TIME_PARTS = re.compile(r"(\d{1,2})(?:[:h.](\d{2}))?(?:\s?h(?:s|rs?|oras)?|\s?([ap])\.?\s?m\.?)?")
_TIME_MARKED = re.compile(r"[:h.]|[ap]\.?\s?m")

# Words that name a service: a clause that holds one speaks of opening hours.
SERVICE_WORDS = frozenset("""
atendimento atendimentos suporte expediente loja lojas escritorio escritorios central plantao balcao sac equipe
setor horario funcionamento agencia agencias recepcao telefone telefonico telefonica chat whatsapp e-mail email
helpdesk ouvidoria financeiro comercial cobranca tecnico
atencion soporte oficina oficinas tienda tiendas sucursal sucursales equipo mostrador telefono telefonica correo
support we we're we'll nosotros office offices store stores shop desk helpdesk team phone phones line lines service center centre hours
""".split())

# What makes a service word someone else's: an adjective after it ("agências bancárias"), "of" and an owner after
# it ("agência dos Correios", "oficinas del banco", "atendimento da prefeitura"), or (in English) a word before it
# ("the post office", "bank branches").  Support's own agency or office ("nossa agência") stays a service.
_OTHERS_AFTER = frozenset("""
bancaria bancarias bancario bancarios lotericas loterica municipal municipais municipales estadual federal
""".split())
_OF = frozenset("do da dos das de del of".split())
_OTHERS = frozenset("""
banco bancos correios correos prefeitura prefeituras terceiros terceros parceiros socios cartorio cartorios receita
detran inss governo gobierno ayuntamiento municipio municipalidad hospital bank banks
""".split())
_OTHERS_BEFORE = frozenset("bank banks bank's post city government partner partners third-party".split())

# Verbs in the first person plural: their subject is the support team itself.
_WE = (r"fechamos|fecharemos|encerramos|encerraremos|abrimos|abriremos|reabrimos|reabriremos|atenderemos|atendemos|"
       r"funcionaremos|cerramos|cerraremos|trabajaremos|we(?:'ll be| will be|'ll| will| are|'re)?")
_WE_CLOSE = r"fechamos|fecharemos|encerramos|encerraremos|cerramos|cerraremos|we(?:'ll| will)?"
_WE_OPEN = r"abrimos|abriremos|reabrimos|reabriremos|we(?:'ll| will)?"
_CLOSE_VERB = r"fecha|fechara|fecham|fecharao|encerra|encerrara|cierra|cerrara|cierran|closes?|will close|closing"
_OPEN_VERB = (r"abre|abrira|abrem|abrirao|reabre|reabrira|inicia|iniciara|comeca|comecara|abriran|"
              r"opens?|will open|reopens?|will reopen|opening")
_UNTIL_SUBJECT = (r"atendimento|expediente|funcionamento|funcionaremos|funcionara|atenderemos|atendera|plantao|"
                  r"abert[oa]s?|atencion|abiert[oa]s?|open|available|staffed|support")
# Words that may stand between a service and its "até"/"until": no others ("o atendimento ficou indisponível
# até as 15h" tells of an incident, not of hours).
_FILLER = (r"sera|funcionara|estara|normal|normalmente|somente|apenas|so|hoje|aberto|aberta|disponivel|presencial|"
           r"telefonico|telefonica|por|telefone|chat|e-mail|email|whatsapp|will|be|is|only|today|by|phone|solo|"
           r"estara|abierto|abierta|hoy|de|do|da|del|el|la|the|o|a")
_BE = (r"estaremos|ficaremos|permaneceremos|estara|ficara|permanecera|estarao|ficarao|permanecerao|sera|"
       r"estaran|permaneceran|will be|is|are|remains?|will remain|'ll be|'re")
_AT = r"(?:(?:somente|apenas|so|solo|only)\s+)?(?:as|a las|at|a partir das|a partir de las|from)\s+"
# A range of hours ("das 9h às 12h", "de 9 a 12 h", "9am-12pm"), and what joins one to the next in a chain
# ("das 9h às 12h e das 14h às 18h", "9am-12pm and 2pm-6pm", "de 9 a 12 h, y de 14 a 18 h"): a day's hours as one set.
_RANGE = rf"(?:(?:from|das|de|desde las|desde)\s+)?{_TIME}\s*(?:as|a|-|–|to|until|hasta las|hasta)\s*{_TIME}"
_AND = r"\s*(?:,\s*(?:(?:e|y|and)\s+)?|\s(?:e|y|and)\s+)"
_RANGE_TIMES = re.compile(rf"(?:(?:from|das|de|desde las|desde)\s+)?(?P<t1>{_TIME})\s*"
                          rf"(?:as|a|-|–|to|until|hasta las|hasta)\s*(?P<t2>{_TIME})")

_PHRASES = (
    ("closes", re.compile(rf"\b(?:{_WE_CLOSE}|{_CLOSE_VERB})\s+(?:(?:o|el|the)\s+(?:atendimento|expediente|atencion|"
                          rf"office|support)\s+)?(?:(?:mais cedo|mas temprano|early),?\s+)?{_AT}(?P<t1>{_TIME})")),
    ("opens", re.compile(rf"\b(?:{_WE_OPEN}|{_OPEN_VERB})\s+(?:(?:o|el|the)\s+(?:atendimento|expediente|atencion|"
                         rf"office|support)\s+)?(?:(?:mais tarde|mas tarde|late),?\s+)?{_AT}(?P<t1>{_TIME})")),
    ("closes", re.compile(rf"\b(?:{_UNTIL_SUBJECT})\b(?:\s+(?:{_FILLER})\b){{0,3}}\s+(?:ate|hasta|until|till)\s+"
                          rf"(?:(?:as|las|a las)\s+)?(?P<t1>{_TIME})")),
    ("hours", re.compile(rf"\b(?:{_UNTIL_SUBJECT}|horario|hours|{_WE})\b(?:\s+(?:{_FILLER}|e|es|sera|is|are|will be)\b){{0,3}}"
                         rf"[\s:,]+{_RANGE}(?P<more>(?:{_AND}{_RANGE})*)")),
    ("closed", re.compile(rf"\b(?:(?:{_WE}|{_BE})\s+(?:(?:todo|todos|all|the|o)\s+)?(?:(?:dia|day|el)\s+)?"
                          rf"(?:fechad[oa]s?|cerrad[oa]s?|closed)|nao (?:havera|teremos|tera|haverá) "
                          rf"(?:atendimento|expediente|plantao)|sem (?:atendimento|expediente)|no habra "
                          rf"(?:atencion|servicio)|no (?:support|service) (?:on|that day)|will not (?:be )?open|"
                          rf"won't (?:be )?open|nao abriremos|nao abrimos|no abriremos|nao funcionaremos|"
                          rf"nao atenderemos|no atenderemos)\b")),
    ("closed", re.compile(r"(?m)(?:^|(?<=[:–—-]))[ \t]*(?:fechad[oa]s?|cerrad[oa]s?|closed)\b\s*(?=[.;,\n\x00]|$)")),
)
_FIRST_PERSON = re.compile(rf"(?:(?:{_WE})\b|estaremos|ficaremos|permaneceremos|nao |no )")
_AM_PM_DOT = re.compile(r"(\d\s?[aApP][mM])\.$")     # "closes at 3 pm." quoted without the sentence's full stop
_CLAUSE_BREAK = re.compile(r"[.;:!?,()\n\x00]")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n\s*\n|\x00")
_WORD = re.compile(r"[a-z][\w'-]*")
# Words a clause holds before its verb that are no subject: articles, and the day it is about ("el jueves 10 cierra").
_SUBJECT_SKIP = frozenset("""
o a os as el la los las the e y and na no on em en dia dias th st nd rd de del of hoje amanha hoy manana today tomorrow
segunda terca quarta quinta sexta sabado domingo feira lunes martes miercoles jueves viernes
monday tuesday wednesday thursday friday saturday sunday janeiro fevereiro marco abril maio junho julho agosto setembro
outubro novembro dezembro enero febrero marzo mayo junio julio septiembre setiembre octubre noviembre diciembre
january february march april may june july august september october november december
""".split())


@dataclass(frozen=True, slots=True)
class HoursPhrase:
    """A phrase that says what the hours of some day are, as written and as read."""

    offset: int                   # 0-based, in the given text
    end: int
    line: int                     # 1-based
    column: int
    text: str                     # as written ("fecha às 15h")
    kind: str                     # closes | opens | hours | closed
    times: tuple[int, ...]        # minutes: (close,), (open,), (start, end, start, end, ...) or ()
    sentence: tuple[int, int]     # the offsets of its sentence in the given text
    words: frozenset[str]         # the folded words of its sentence (to find departments and channels)


def read_time(written: str) -> int | None:
    """Return the minutes of a written time of day ("15h", "3 pm", "15:30"), or None when it is none."""
    parts = _TIME_PARTS.match(written.strip())
    if parts is None:
        return None
    hour, minute, half = int(parts[1]), int(parts[2] or 0), parts[3]
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        return None
    return hour * 60 + minute


def _someone_else_s(words: list[str], index: int) -> bool:
    """Tell whether the service word at `index` is made another business's by the words around it ("agências
    bancárias", "agência dos Correios", "atendimento da prefeitura", "the post office")."""
    after = words[index + 1:index + 3]
    if after and (after[0] in _OTHERS_AFTER or (after[0] in _OF and after[1:] and after[1] in _OTHERS)):
        return True
    return index > 0 and words[index - 1] in _OTHERS_BEFORE


class _Clauses:
    """The clauses of a folded text, each read once: what the words before a phrase in its clause say.

    A clause runs from a break (_CLAUSE_BREAK) to the next.  A text may be one clause of 32,000 characters
    holding a phrase every few words ("sexta 27/11 o suporte fecha às 15h e ..."): reading the clause again
    from its start for each phrase made a notice's check take time in the square of its length.  Here each
    clause's words are read once, with running counts of those that are a subject and those that name a
    service, so that each phrase costs two binary searches and a look at the last words before it.
    """

    __slots__ = ("_folded", "_names", "_breaks", "_read")

    def __init__(self, folded: str, names: frozenset[str]):
        self._folded = folded
        self._names = names
        self._breaks = [m.end() for m in _CLAUSE_BREAK.finditer(folded)]     # where each clause but the first starts
        self._read: dict[int, tuple] = {}

    def _service(self, words: list[str], index: int) -> bool:
        """Tell whether the word at `index` of a clause's `words` names a service of support or of the site."""
        word = words[index]
        return (word in SERVICE_WORDS and not _someone_else_s(words, index)) or word in self._names

    def _clause(self, start: int, end: int) -> tuple:
        """Return the words of the clause from `start` to `end`: their starts, ends and texts, and the running
        counts of words that are a subject (not in _SUBJECT_SKIP) and that name a service, before each."""
        found = list(_WORD.finditer(self._folded, start, end))
        words = [m[0] for m in found]
        subjects, services = [0], [0]
        for index, word in enumerate(words):
            subject = word not in _SUBJECT_SKIP
            subjects.append(subjects[-1] + subject)
            services.append(services[-1] + (subject and self._service(words, index)))
        return [m.start() for m in found], [m.end() for m in found], words, subjects, services

    def speaks_of_service(self, start: int) -> bool:
        """Tell whether the clause before `start` names no subject, a service or one of `names` (a department or
        channel); a service another business runs (_someone_else_s) is none."""
        at = bisect_right(self._breaks, start)
        first = self._breaks[at - 1] if at else 0
        if first not in self._read:
            last = self._breaks[at] - 1 if at < len(self._breaks) else len(self._folded)
            self._read[first] = self._clause(first, last)
        starts, ends, words, subjects, services = self._read[first]
        before = bisect_right(ends, start)          # the words that end before `start`; a word across it is cut
        cut = [self._folded[starts[before]:start]] if before < len(words) and starts[before] < start else []
        if not subjects[before] and not any(word not in _SUBJECT_SKIP for word in cut):
            return True
        # A word's service depends on the word before it and the two after it in the clause (_someone_else_s): the
        # running count holds for the words two words or more before `start`; the last ones are looked at here.
        settled = max(0, before - 2)
        if services[settled]:
            return True
        near = words[max(0, before - 3):before] + cut
        skipped = settled - max(0, before - 3)
        return any(near[index] not in _SUBJECT_SKIP and self._service(near, index)
                   for index in range(skipped, len(near)))


def _chain(folded: str, start: int, end: int) -> tuple[list[str], int]:
    """Return the times written in the ranges of hours between `start` and `end`, as far as each range starts after
    the one before it ends, and where the last one read ends."""
    # "das 9h às 12h, e das 2h às 4h a rede ficará instável": support's morning, then a maintenance window.
    written: list[str] = []
    for found in _RANGE_TIMES.finditer(folded, start, end):
        if written and (read_time(found["t1"]) or 0) <= (read_time(written[-1]) or 1440):
            break
        written += [found["t1"], found["t2"]]
        start = found.end()
    return written, start


def _blocks_holding(prepared: Text, offsets: tuple[int, ...] | None) -> list[tuple[int, int]]:
    """Return the stretches of `prepared.folded` to read for phrases, as (pos, endpos) of finditer: the whole
    text without `offsets`, else the blocks (up to and with the NUL that ends each: text.py) holding one of
    those offsets of the original text, neighbours joined."""
    folded = prepared.folded
    if offsets is None:
        return [(0, len(folded))]
    stretches: list[tuple[int, int]] = []
    for offset in sorted(offsets):
        at = bisect_left(prepared.origin, offset)       # where the original's offset is in the folded text
        if stretches and at < stretches[-1][1]:
            continue                                    # in the block of the date before
        start = folded.rfind("\0", 0, at) + 1
        end = folded.find("\0", at)
        stop = len(folded) if end < 0 else end + 1
        if stretches and stretches[-1][1] == start:
            stretches[-1] = (stretches[-1][0], stop)
        else:
            stretches.append((start, stop))
    return stretches


@lru_cache(maxsize=256)
def find_hours_phrases(text: str, names: frozenset[str] = frozenset(),
                       near: tuple[int, ...] | None = None) -> tuple[HoursPhrase, ...]:
    """Return the phrases of `text` that say when support opens, closes or is closed, in order;
    `names` are the folded ids and names of the site's departments and channels, which count as services.

    With `near` (offsets in `text`: its dates), only the blocks that hold one of them are read (the
    others' phrases would have no day: hours_said.py ties a phrase to the dates of its own sentence), and
    what they hold is found as in the whole text: no pattern matches a block's end (the NUL of text.py),
    nor starts on it, so no phrase crosses it and each block is read whatever comes before or after it.
    """
    prepared = prepare(text)
    folded = prepared.folded
    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(folded)] + [len(folded)]
    found: dict[int, HoursPhrase] = {}
    clauses: _Clauses | None = None                 # read when a phrase first needs its clause
    # The words of each sentence holding a phrase, read once: a sentence may hold hundreds of phrases.
    sentence_words: dict[tuple[int, int], frozenset[str]] = {}
    taken = bytearray(len(folded))
    stretches = _blocks_holding(prepared, near)
    for kind, regex in _PHRASES:
        for match in (match for pos, endpos in stretches for match in regex.finditer(folded, pos, endpos)):
            if any(taken[match.start():match.end()]):
                continue
            end = match.end()
            if kind == "hours":
                written, end = _chain(folded, match.start(), end)
            else:
                written = [match["t1"]] if "t1" in regex.groupindex else []
            times = tuple(read_time(t) for t in written)
            if None in times or (kind == "hours" and not any(_TIME_MARKED.search(t) for t in written)):
                continue
            if kind == "hours" and any(a >= b for a, b in zip(times, times[1:])):
                continue            # "das 22h às 2h" runs past midnight: too rare in prose to read safely
            head = match.start() + len(match[0]) - len(match[0].lstrip())
            # A label ("10/12: fechado") and a first person ("fechamos", "estaremos fechados") need no subject.
            if not (regex is _PHRASES[-1][1] or _FIRST_PERSON.match(folded, head)):
                clauses = clauses or _Clauses(folded, names)
                if not clauses.speaks_of_service(head):
                    continue
            taken[match.start():end] = b"\x01" * (end - match.start())
            end_index = bisect_right(sentence_ends, head)
            sentence_start = sentence_ends[end_index - 1] if end_index else 0
            sentence_end = sentence_ends[min(end_index, len(sentence_ends) - 1)]
            if (sentence_start, sentence_end) not in sentence_words:
                sentence_words[sentence_start, sentence_end] = frozenset(
                    _WORD.findall(folded, sentence_start, sentence_end))
            start, stop = prepared.span(head, end)
            line = bisect_right(prepared.line_starts, start)
            found[start] = HoursPhrase(
                offset=start, end=stop, line=line, column=start - prepared.line_starts[line - 1] + 1,
                text=_AM_PM_DOT.sub(r"\1", " ".join(text[start:stop].split())), kind=kind, times=times,
                sentence=prepared.span(sentence_start, max(sentence_start + 1, sentence_end)),
                words=sentence_words[sentence_start, sentence_end])
    return tuple(found[key] for key in sorted(found))
