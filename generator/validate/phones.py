"""Phone contacts a customer abroad cannot dial: a number in hours.yaml without its country code.

The pages link a phone contact as `tel:` and its digits, with `+` only when the contact starts
with one; without it the link dials a national number, which nobody abroad can reach. A WhatsApp
contact is linked as a chat (`https://wa.me/` and the digits) only when it starts with +: wa.me
needs the country code. That is a warning, not an error: the number works at home.
The hint writes the number as people abroad dial it, guessing the country calling code from
the holidays' country (a department's own, else the site's), since nothing else in the site
says where it is. No library here knows calling codes (Babel's CLDR subset leaves CLDR's
telephone codes out, and phonenumbers would be a dependency for one hint): the table below is
ITU-T E.164's assignment of codes to the territories the holidays package knows by their
ISO 3166 alpha-2 codes, whose changes are rare and would only make a hint's guess wrong.
A number no form of which reaches abroad (a short code, a freephone or shared-cost number) is
not warned about: the staff could do nothing about it, and `--strict` would refuse the push.
"""

from __future__ import annotations

import re

from generator.read.yaml_nodes import Map, Node, Scalar
from generator.validate.site import country_alpha2

# Calling code -> the territories that share it.
CODES = """\
1:US CA AG AI AS BB BM BS DM DO GD GU JM KN KY LC MP MS PR SX TC TT UM VC VG VI|7:RU KZ|20:EG|27:ZA|30:GR|31:NL
32:BE|33:FR|34:ES|36:HU|39:IT VA|40:RO|41:CH|43:AT|44:GB UK GG IM JE|45:DK|46:SE|47:NO SJ|48:PL|49:DE|51:PE|52:MX
53:CU|54:AR|55:BR|56:CL|57:CO|58:VE|60:MY|61:AU CC CX|62:ID|63:PH|64:NZ PN|65:SG|66:TH|81:JP|82:KR|84:VN|86:CN
90:TR|91:IN|92:PK|93:AF|94:LK|95:MM|98:IR|211:SS|212:MA EH|213:DZ|216:TN|218:LY|220:GM|221:SN|222:MR|223:ML
224:GN|225:CI|226:BF|227:NE|228:TG|229:BJ|230:MU|231:LR|232:SL|233:GH|234:NG|235:TD|236:CF|237:CM|238:CV
239:ST|240:GQ|241:GA|242:CG|243:CD|244:AO|245:GW|246:IO|248:SC|249:SD|250:RW|251:ET|252:SO|253:DJ|254:KE
255:TZ|256:UG|257:BI|258:MZ|260:ZM|261:MG|262:RE YT TF|263:ZW|264:NA|265:MW|266:LS|267:BW|268:SZ|269:KM|290:SH
291:ER|297:AW|298:FO|299:GL|350:GI|351:PT|352:LU|353:IE|354:IS|355:AL|356:MT|357:CY|358:FI AX|359:BG|370:LT
371:LV|372:EE|373:MD|374:AM|375:BY|376:AD|377:MC|378:SM|380:UA|381:RS|382:ME|383:XK|385:HR|386:SI|387:BA
389:MK|420:CZ|421:SK|423:LI|500:FK GS|501:BZ|502:GT|503:SV|504:HN|505:NI|506:CR|507:PA|508:PM|509:HT
590:GP BL MF|591:BO|592:GY|593:EC|594:GF|595:PY|596:MQ|597:SR|598:UY|599:CW BQ|670:TL|672:NF|673:BN|674:NR
675:PG|676:TO|677:SB|678:VU|679:FJ|680:PW|681:WF|682:CK|683:NU|685:WS|686:KI|687:NC|688:TV|689:PF|690:TK
691:FM|692:MH|850:KP|852:HK|853:MO|855:KH|856:LA|880:BD|886:TW|960:MV|961:LB|962:JO|963:SY|964:IQ|965:KW
966:SA|967:YE|968:OM|970:PS|971:AE|972:IL|973:BH|974:QA|975:BT|976:MN|977:NP|992:TJ|993:TM|994:AZ|995:GE
996:KG|998:UZ"""
CALLING_CODES = {country: code for group in CODES.replace("\n", "|").split("|")
                 for code, countries in [group.split(":")] for country in countries.split()}
# The national (trunk) prefix a number is written with at home and dialled without from abroad, matched on its
# digits: 0 in most countries; 1 and 8 before a full national number where so (North America, Russia and
# Kazakhstan); 06 in Hungary, 8 and then 0 in Belarus, 8 in Turkmenistan; none where a leading 0 belongs to the
# number (Italy, San Marino, the Vatican).
TRUNK = {"1": r"1(?=\d{10}$)", "7": r"8(?=\d{10}$)", "36": "06", "375": "80?|0", "993": "8", "39": "", "378": ""}
# The international prefix of countries that do not dial abroad with 00 alone: 00 is told as
# everywhere, these are what a number written at home may start with instead (011 in North America, 0011 in
# Australia, 010 in Japan, 8 10 in Russia, Kazakhstan and Belarus; 00 and a carrier's digit in Korea, Indonesia,
# Singapore, Thailand, Hong Kong and Taiwan, taken only when a space or dash follows it, since 00 82 is Korea).
INTERNATIONAL = {"1": ("011",), "61": ("0011",), "81": ("010",), "7": ("810",), "375": ("810",),
                 "82": ("001", "002", "005", "008"), "62": ("001", "007", "008"), "65": ("001", "008"),
                 "66": ("001", "007", "008", "009"), "852": ("001",), "886": ("002",)}
# Numbers that only reach the country's own network (freephone, shared cost, premium, Brazil's "números únicos"),
# matched on their digits as written at home: no form of them is dialable from abroad, like a short code.
# 0800 is freephone wherever a 0 starts national numbers (Brazil, Britain, Germany, the Netherlands, Argentina,
# ...), and without a country: not where the 0 belongs to the number (Italy's is 800).
NATIONAL_ONLY = {
    "55": r"0(?:800|300|303|500|900)\d{6,7}|[34]00\d{5}", "351": r"(?:80[08]|70[78]|76[0-2])\d{6}",
    "34": r"(?:80[0367]|90[0125])\d{6}", "1": r"1?8(?:00|88|77|66|55|44|33)\d{7}",
    "44": r"0(?:800\d{6,7}|808\d{7}|500\d{6})", "39": r"80[03]\d{3,6}", "33": r"080[0-5]\d{6}",
    "49": r"0(?:800|900)\d{6,8}", "7": r"8800\d{7}", "81": r"0120\d{6}|0800\d{7}", "61": r"1[38]00\d{6}",
    "64": r"0(?:800|508)\d{6,7}",
}
FREEPHONE = r"0800\d{4,7}"
# The fewest and most digits of a whole national number, without its national prefix, where every number has an
# area code: fewer, and it was written as dialled within its area (Brazil's 3500-0000, without its DDD); more,
# after the country code, and it is the country code written without + (55 11 4002-8922).
NATIONAL_DIGITS = {"55": (10, 11), "1": (10, 10)}
SHORTEST = 7    # fewer digits: a short code (10315, 190), which no form of the number makes reachable from abroad


def written_country(root: Node | None) -> str | None:
    """Return site.yaml's `holidays: country` as written (checked elsewhere), or None."""
    holidays = root.get("holidays") if isinstance(root, Map) else None
    country = holidays.get("country") if isinstance(holidays, Map) else None
    return country.text.strip() or None if isinstance(country, Scalar) and not country.is_null else None


def undialable_abroad(contact: str, country: str | None, whatsapp: bool = False) -> tuple[str, str] | None:
    """Return (warning, hint) for a phone (or, `whatsapp`, a WhatsApp) contact a customer abroad cannot dial,
    given the holidays' country (None: none); None when it starts with +, is a short code or reaches only the
    country's own network."""
    if whatsapp:
        found = undialable_abroad(contact, country)
        return None if found is None else (_as_whatsapp(found[0]), found[1])
    digits = re.sub(r"\D", "", contact)
    if contact.lstrip().startswith("+") or len(digits) < SHORTEST:
        return None
    code = calling_code(country)
    number = re.sub(r"\s+", " ", re.sub(r"[()]", "", contact)).strip()
    if number.startswith("+"):
        # "(+55) 11 ...": the link takes + only from the contact's first character.
        return (f"the contact '{contact}' does not start with its +: its tel: link leaves the + out, and a customer "
                "abroad cannot dial it", f"write the + first, without parentheses: {number}")
    if (prefix := _international_prefix(number, digits, code)) is not None:
        return (f"the contact '{contact}' starts with {prefix}, which is not how every country dials abroad: a "
                "customer elsewhere cannot dial it, nor its tel: link",
                f"write + instead of {prefix}: +{_without_digits(number, len(re.sub(r'[^0-9]', '', prefix)))}")
    if any(re.fullmatch(national_only, digits) for national_only in _national_only(code)):
        return None
    warning = f"the contact '{contact}' has no country code: a customer abroad cannot dial it, nor its tel: link"
    if code is None:
        return warning, ("write it as people abroad dial it, with + and the country code, e.g. +55 13 3500-0000 "
                         "for a number in Brazil")
    trunk = re.match(TRUNK.get(code, "0"), digits) if TRUNK.get(code, "0") else None
    fewest, most = NATIONAL_DIGITS.get(code, (0, 15))
    if trunk is not None and trunk.end():
        number = _without_digits(number, trunk.end())
    elif len(digits) > most and digits.startswith(code) and fewest <= len(digits) - len(code):
        # Too long for a national number (1 555 ... in North America is its national prefix instead).
        return (f"the contact '{contact}' has its country code but no +: its tel: link dials it as a national "
                "number, and a customer abroad cannot dial it", f"write + before it: +{number}")
    if len(re.sub(r"\D", "", number)) < fewest:
        number = f"(area code) {number}"
    return warning, (f"write it as people abroad dial it, with + and the country code: +{code} {number}, "
                     f"if it is a number in {country_alpha2(country.upper())} (the country of the holidays)")


def _as_whatsapp(warning: str) -> str:
    """Return a phone's warning as said of a WhatsApp contact, which gets no link at all without its +."""
    for phone, chat in ((", nor its tel: link", ", and the page cannot link it to WhatsApp"),
                        (": its tel: link leaves the + out, and", ": the page cannot link it to WhatsApp, and"),
                        (": its tel: link dials it as a national number, and",
                         ": the page cannot link it to WhatsApp, and")):
        warning = warning.replace(phone, chat)
    return warning


def calling_code(country: str | None) -> str | None:
    """Return the calling code of a holidays country (ISO alpha-2, or a code the holidays package takes for one,
    such as BRA), or None."""
    if country is None or (code := CALLING_CODES.get(country.upper())) is not None or len(country) == 2:
        return code if country is not None else None
    # Imported here, for a number that is warned about on a site whose country is written otherwise (some 0.1 s).
    from holidays.registry import COUNTRIES

    return next((CALLING_CODES.get(codes[0]) for _, *codes in COUNTRIES.values() if country.upper() in codes), None)


def _national_only(code: str | None) -> tuple[str, ...]:
    """Return the patterns of the numbers that reach only the network of the country with calling `code`."""
    own = (NATIONAL_ONLY[code],) if code in NATIONAL_ONLY else ()
    return own if TRUNK.get(code) == "" else (*own, FREEPHONE)


def _international_prefix(number: str, digits: str, code: str | None) -> str | None:
    """Return the international prefix a number starts with, as written (00, or the country's own), or None."""
    for prefix in INTERNATIONAL.get(code, ()) if code is not None else ():
        if prefix.startswith("00"):
            if re.match(rf"{prefix}[ \-.]", number):
                return prefix
        elif digits.startswith(prefix):
            # As written, with the spaces or dashes inside it (8 10), after any written before it (-011).
            found = re.match(r"[^0-9]*(%s)" % r"[^0-9]*".join(prefix), number)
            return found[1] if found else prefix
    return "00" if number.startswith("00") else None


def _without_digits(number: str, count: int) -> str:
    """Return a number as written without its first `count` digits and the separators after them."""
    found = re.match(r"(?:[^0-9]*[0-9]){%d}" % count, number)
    return number[found.end():].lstrip(" -.") if found else number
