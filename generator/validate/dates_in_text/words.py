"""The words the prose date checker knows beyond CLDR's names, kept as data in one place."""

from __future__ import annotations

# Informal weekday abbreviations that CLDR does not list for a language, by language (all its
# regions), folded: lower case, without accents, without the dot (which is read when written).
# CLDR's own names are never written out here.  docs/format.md lists them for users.
# - pt: Portugal writes "Seg.", "Ter.", "Qua." as Brazil does, though CLDR's pt-PT
#   abbreviations are the whole "segunda", "terça"; "Sab" and "Sáb" fold alike.  The
#   ordinal forms ("4ª feira", "4.ª-feira", "4a feira") are read by vocabulary.py's regex.
# - es: longer cuts than CLDR's "mié", "jue", "vie" ("Miérc.", "Juev.", "Vier.").
# - en: "Tues", "Weds", "Thur", "Thurs" beside CLDR's "Tue", "Wed", "Thu".
# Two-letter cuts ("Lu", "Ma", "Mo", "Tu") are left out: they are ordinary words too often.
INFORMAL_WEEKDAYS = {
    "pt": {"seg": 0, "ter": 1, "qua": 2, "qui": 3, "sex": 4, "sab": 5, "dom": 6},
    "es": {"mierc": 2, "mier": 2, "juev": 3, "vier": 4},
    "en": {"tues": 1, "weds": 2, "thur": 3, "thurs": 3},
}
INFORMAL_MONTHS = {"es": {"setiembre": 9}, "en": {"sept": 9}}
# Abbreviations that are also ordinary words ("ter" = to have, "sex", "mar" = sea, "sun",
# "wed"): read only when capitalised or written with the abbreviation's dot, and, like
# every weekday, only right beside a date or a day number.
WORDLIKE_ABBREVIATIONS = frozenset(("ter", "dom", "mar", "sun", "sat", "wed", "may", "sex"))
# A number right after these words is a version, score, page, ticket or street, not a date.
NUMBER_WORDS = frozenset((
    "v", "ver", "versao", "version", "release", "build", "rev", "nota", "score", "rating",
    "avaliacao", "calificacion", "puntuacion", "pagina", "page", "pag", "parte", "part",
    "passo", "step", "etapa", "item", "n", "nº", "n°", "nr", "num", "numero", "number",
    "ticket", "chamado", "protocolo", "pedido", "ordem", "order", "fatura", "invoice",
    "processo", "lote", "rua", "r", "av", "avenida", "avda", "praca", "plaza", "largo",
    "alameda", "travessa", "estrada", "rodovia", "calle", "paseo", "ponte", "puente",
    "bairro", "barrio", "colonia", "vila", "villa", "parque", "escola", "colegio", "hospital",
    "porta", "port", "puerto", "slot", "interface", "windows", "explorer", "office", "debian", "ubuntu",
    "macos", "ios", "android", "iphone", "ipad", "galaxy",
))
# ... and one right before these is a speed, size or count: "plano 20/10 Mbps".
UNIT_WORDS = frozenset((
    "mbps", "kbps", "gbps", "mb", "gb", "kb", "tb", "mega", "megas", "giga", "gigas", "mhz", "ghz",
    "ms", "vezes", "parcelas", "times", "veces", "cuotas",
))
# A day/month without a year before these is a fraction: "1/4 da equipe", "3/15 dos técnicos", "1/2 hora".
FRACTION_WORDS = frozenset(("da", "do", "das", "dos", "of", "hora", "horas", "hour", "hours"))
# A weekday's name after these is part of a name: "Santo Domingo, 17/10", "Rua Sexta, 12".
NOT_WEEKDAY_AFTER = frozenset(("santo", "san", "sao", "rua", "r", "av", "avenida", "avda", "calle", "travessa",
                               "praca", "plaza", "largo", "alameda", "estrada", "paseo"))
DAY_WORDS = frozenset(("dia", "dias"))                   # "dia 3/1" is a date, "3/1" alone is not
RANGE_WORDS = ("a", "ao", "ate", "al", "hasta", "to", "through", "thru", "till", "until")
LIST_WORDS = ("e", "y", "and", "or", "ou", "o")
TIE_WORDS = ("de", "del", "dia", "dias", "el", "on", "the", "em", "no", "na")
# Before a bare day number these make it a day beyond doubt ("quinta, dia 12", "el viernes
# día 13", "Monday the 15th", "del lunes 9 ..."): without one, a number after a weekday is a
# day only when nothing but punctuation, or a range to another weekday, follows it.
BARE_DAY_LEADS = frozenset(("dia", "dias", "the", "del"))
# A weekday after one of these, with a day number right after it, names that day: "el jueves 12".
WEEKDAY_ARTICLES = frozenset(("el", "na", "no", "on"))
# A capitalised weekday opening a sentence, one space, a day number and then one of these is a
# day beyond doubt ("Segunda 17 voltamos", "Lunes 16 abrimos", "Monday 16 we reopen"): a count
# is followed by its noun ("Sábado 3 técnicos"), a day by what happens on it.  A word ending in
# "mos" is a first person plural verb in pt and es, except the nouns listed.
SENTENCE_DAY_WORDS = frozenset(("nao", "we"))
SENTENCE_DAY_ENDING = "mos"
NOT_VERBS_IN_MOS = frozenset(("centimos", "ramos", "termos", "ultimos", "minimos", "maximos", "gomos", "sumos",
                              "primos", "gramos", "kilogramos", "quilogramos"))
# Words a bare day number may stand between and the weekday written before it: "na quinta, no dia 12".
BARE_DAY_GAP_WORDS = ("el", "no", "o", "on", "na")
# A number followed by one of these is an hour or a quantity, not a day: "sábado, 9 h".
HOUR_WORDS = frozenset(("h", "hs", "hrs", "horas", "hora", "hours", "hour", "am", "pm", "min", "minutos"))
