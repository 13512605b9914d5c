"""The words the prose date checker knows beyond CLDR's names, kept as data in one place."""

from __future__ import annotations

# Informal spellings CLDR does not list; the CLDR names themselves are never written out here.
INFORMAL_WEEKDAYS = {"en": {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}}
INFORMAL_MONTHS = {"es": {"setiembre": 9}, "en": {"sept": 9}}
# Abbreviations that are also ordinary words ("ter" = to have, "sun", "wed"): read only
# when capitalised or written with the abbreviation's dot.
WORDLIKE_ABBREVIATIONS = frozenset(("ter", "dom", "mar", "sun", "sat", "wed", "may"))
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
NOT_WEEKDAY_AFTER = frozenset(("santo", "san", "sao"))   # "Santo Domingo, 17/10"
DAY_WORDS = frozenset(("dia", "dias"))                   # "dia 3/1" is a date, "3/1" alone is not
RANGE_WORDS = ("a", "ao", "ate", "al", "hasta", "to", "through", "thru", "till", "until")
LIST_WORDS = ("e", "y", "and", "or", "ou", "o")
TIE_WORDS = ("de", "del", "dia", "el", "on", "the", "em", "no", "na")
