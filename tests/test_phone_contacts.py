"""A phone or WhatsApp contact in hours.yaml without its country code makes a tel: link that a customer abroad
cannot dial: `check` warns at the contact, with the number written as people abroad dial it, guessing the calling
code from the holidays' country (the department's own, else the site's). Real runs of generator.cli.main."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.validate.phones import undialable_abroad

NOW = "2026-11-23T10:00:00-03:00"
SITE = """\
name: Test ISP
base_url: https://support.test.example/
timezone: America/Sao_Paulo
languages: [pt-BR, en]
"""
BRAZIL = "holidays:\n  country: BR\n  subdivision: SP\n"
HOURS = """\
departments:
  - id: suporte
    name: {pt-BR: Suporte, en: Support}
    channels:
      - id: phone
        type: phone
        contact: "%s"
        hours: {mon-fri: 09:00-18:00}
"""
LISBON = """\
  - id: lisboa
    name: Lisboa
    timezone: Europe/Lisbon
    holidays: {country: PT}
    channels:
      - id: whatsapp
        type: whatsapp
        contact: 21 000 0000
        hours: {mon-fri: 09:00-18:00}
      - id: phone
        type: phone
        contact: "+351 21 000 0001"
        hours: {mon-fri: 09:00-18:00}
"""
WARNING = ("site_src/hours.yaml:{line}:{column}: warning: the contact '{contact}' has no country code: a customer "
           "abroad cannot dial it, nor its tel: link\n")
WHATSAPP = ("site_src/hours.yaml:{line}:{column}: warning: the contact '{contact}' has no country code: a customer "
            "abroad cannot dial it, and the page cannot link it to WhatsApp\n")
GUESSED = ("  hint: write it as people abroad dial it, with + and the country code: {suggested}, if it is a number "
           "in {country} (the country of the holidays)\n")
UNKNOWN = ("  hint: write it as people abroad dial it, with + and the country code, e.g. +55 13 3500-0000 for a "
           "number in Brazil\n")


def check(tmp_path: Path, capsys, contact: str, site_holidays: str = BRAZIL, more: str = "") -> str:
    """Write the site, run `check` (it must pass: a warning is not an error) and return what it printed on stderr."""
    site = tmp_path / "site"
    (site / "site_src").mkdir(parents=True)
    (site / "site_src" / "site.yaml").write_text(SITE + site_holidays, encoding="utf-8")
    (site / "site_src" / "hours.yaml").write_text(HOURS % contact + more, encoding="utf-8")
    capsys.readouterr()
    assert main(["check", "--site", str(site), "--now", NOW]) == 0
    return capsys.readouterr().err


@pytest.mark.parametrize("contact, suggested", [
    ("(11) 4002-8922", "+55 11 4002-8922"),
    ("11 4002-8922", "+55 11 4002-8922"),
    ("(011) 4002-8922", "+55 11 4002-8922"),        # the trunk prefix 0 is not dialled from abroad
], ids=["parentheses", "spaces", "trunk_prefix"])
def test_a_number_without_country_code_is_a_warning_with_the_number_abroad(tmp_path, capsys, contact, suggested):
    assert check(tmp_path, capsys, contact) == (
        WARNING.format(line=7, column=18, contact=contact) + GUESSED.format(suggested=suggested, country="BR"))


@pytest.mark.parametrize("contact, country, suggested", [
    ("06 1234 5678", "IT", "+39 06 1234 5678"),      # Italy's leading 0 belongs to the number
    ("1 555 010 0100", "US", "+1 555 010 0100"),     # North America's trunk prefix is 1
    ("(555) 010-0100", "US", "+1 555 010-0100"),
    ("8 495 123-45-67", "RU", "+7 495 123-45-67"),   # Russia's is 8
    ("020 7946 0000", "GB", "+44 20 7946 0000"),
    ("(808) 555-0100", "UM", "+1 808 555-0100"),    # the holidays package's territories are in the table too
], ids=["italy", "nanp_trunk", "nanp", "russia", "britain", "us_minor_islands"])
def test_the_national_prefix_is_left_out_as_each_country_does(tmp_path, capsys, contact, country, suggested):
    assert check(tmp_path, capsys, contact, site_holidays=f"holidays: {{country: {country}}}\n") == (
        WARNING.format(line=7, column=18, contact=contact) + GUESSED.format(suggested=suggested, country=country))


def test_a_number_after_00_says_to_write_plus_instead(tmp_path, capsys):
    # 00 is the international prefix of many countries, not of all (011 from the United States and Canada).
    assert check(tmp_path, capsys, "0055 11 4002-8922") == (
        "site_src/hours.yaml:7:18: warning: the contact '0055 11 4002-8922' starts with 00, which is not how every "
        "country dials abroad: a customer elsewhere cannot dial it, nor its tel: link\n"
        "  hint: write + instead of 00: +55 11 4002-8922\n")


def test_an_international_number_is_not_warned_about(tmp_path, capsys):
    assert check(tmp_path, capsys, "+55 11 4002-8922") == ""


def test_a_short_code_is_not_warned_about_since_no_form_of_it_reaches_abroad(tmp_path, capsys):
    assert check(tmp_path, capsys, "10315") == ""


def test_a_department_with_its_own_holidays_guesses_from_its_country(tmp_path, capsys):
    # The Lisbon desk follows Portugal's holidays: its WhatsApp number is guessed to be Portuguese; without its
    # country code it gets no wa.me link (which would open a chat with another country's number).
    err = check(tmp_path, capsys, "+55 11 4002-8922", more=LISBON)
    assert err == (WHATSAPP.format(line=16, column=18, contact="21 000 0000")
                   + GUESSED.format(suggested="+351 21 000 0000", country="PT"))


def test_a_whatsapp_contact_links_to_a_chat_not_a_phone_call(tmp_path, capsys):
    check(tmp_path, capsys, "+52 55 5555 0101", site_holidays="holidays: {country: MX}\n",
          more=LISBON.replace("21 000 0000", "+351 21 000 0000"))
    out = tmp_path / "out"
    assert main(["build", "--site", str(tmp_path / "site"), "--out", str(out), "--now", NOW]) == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'href="((?:tel:|https://wa\.me/)[^"]*)"', page) == [
        "tel:+525555550101", "https://wa.me/351210000000", "tel:+351210000001"]


def test_a_whatsapp_contact_without_its_country_code_gets_no_link(tmp_path, capsys):
    check(tmp_path, capsys, "+55 11 4002-8922", more=LISBON)
    out = tmp_path / "out"
    assert main(["build", "--site", str(tmp_path / "site"), "--out", str(out), "--now", NOW]) == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "21 000 0000" in page
    assert re.findall(r'href="((?:tel:|https://wa\.me/)[^"]*)"', page) == ["tel:+551140028922", "tel:+351210000001"]


def test_without_a_holiday_country_the_hint_gives_an_example(tmp_path, capsys):
    assert check(tmp_path, capsys, "(11) 4002-8922", site_holidays="") == (
        WARNING.format(line=7, column=18, contact="(11) 4002-8922") + UNKNOWN)


def test_the_warning_is_an_error_with_strict_and_the_page_still_builds_without_it(tmp_path, capsys):
    check(tmp_path, capsys, "(11) 4002-8922")
    site = tmp_path / "site"
    assert main(["check", "--site", str(site), "--now", NOW, "--strict"]) == 1
    assert "site_src/hours.yaml:7:18: error: the contact '(11) 4002-8922' has no country code" in capsys.readouterr().err
    out = tmp_path / "out"
    assert main(["build", "--site", str(site), "--out", str(out), "--now", NOW]) == 0
    # The page links the number as written: the warning changes nothing in the output.
    assert re.search(r'href="tel:1140028922"', (out / "index.html").read_text(encoding="utf-8"))


@pytest.mark.parametrize("contact, country", [
    ("0800 123 4567", "BR"),            # toll-free: no call from abroad reaches it, with or without +55
    ("0300 789 1234", "BR"),            # shared cost
    ("4004-0001", "BR"),                # a "número único": one number in every city, national only
    ("3003 4567", "BR"),
    ("808 20 20 20", "PT"),             # Portugal's shared cost, freephone and premium numbers
    ("800 200 200", "PT"),
    ("707 200 200", "PT"),
    ("900 123 456", "ES"),              # Spain's freephone and shared cost numbers
    ("902 123 456", "ES"),
    ("1-800-555-0199", "US"),           # North American toll-free
    ("(888) 555-0199", "CA"),
    ("0800 123 4567", "GB"),
    ("800 123 456", "IT"),              # numero verde
    ("0 800 123 456", "FR"),            # numéro vert
    ("0800 1234567", "DE"),
    ("8 800 555-35-35", "RU"),
    ("0120-123-456", "JP"),             # furii daiyaru
    ("1800 123 456", "AU"),             # Australia's freecall and local rate numbers
    ("1300 123 456", "AU"),
    ("0800 1234", "NL"),                # 0800 is freephone wherever a 0 starts national numbers
    ("0800 333 1234", "AR"),
], ids=["br_0800", "br_0300", "br_4004", "br_3003", "pt_808", "pt_800", "pt_707", "es_900", "es_902", "us_1800",
        "ca_888", "gb_0800", "it_800", "fr_0800", "de_0800", "ru_8800",
        "jp_0120", "au_1800", "au_1300", "nl_0800", "ar_0800"])
def test_a_national_only_number_is_not_warned_about_since_no_form_of_it_reaches_abroad(tmp_path, capsys, contact,
                                                                                      country):
    # As a short code: a + and the country code would not make it dialable from abroad, and with --strict the
    # warning would refuse a correct push.
    assert check(tmp_path, capsys, contact, site_holidays=f"holidays: {{country: {country}}}\n") == ""
    assert main(["check", "--site", str(tmp_path / "site"), "--now", NOW, "--strict"]) == 0


def test_without_a_holiday_country_a_0800_number_is_not_warned_about(tmp_path, capsys):
    # 0800 is freephone, national only, in Brazil, Britain, Germany, France's 0 800 and many more.
    assert check(tmp_path, capsys, "0800 123 4567", site_holidays="") == ""


@pytest.mark.parametrize("contact, country, suggested", [
    ("06 1 234 5678", "HU", "+36 1 234 5678"),          # Hungary's national prefix is 06
    ("8 017 123-45-67", "BY", "+375 17 123-45-67"),     # Belarus's is 8 0
    ("8 (029) 123-45-67", "BY", "+375 29 123-45-67"),
    ("8 12 34 56 78", "TM", "+993 12 34 56 78"),        # Turkmenistan's is 8
], ids=["hungary", "belarus", "belarus_mobile", "turkmenistan"])
def test_a_national_prefix_other_than_0_is_left_out(tmp_path, capsys, contact, country, suggested):
    assert check(tmp_path, capsys, contact, site_holidays=f"holidays: {{country: {country}}}\n") == (
        WARNING.format(line=7, column=18, contact=contact) + GUESSED.format(suggested=suggested, country=country))


@pytest.mark.parametrize("contact, country, prefix, suggested", [
    ("011 44 20 7946 0000", "US", "011", "+44 20 7946 0000"),      # from the United States and Canada
    ("0011 1 212 555 0100", "AU", "0011", "+1 212 555 0100"),      # from Australia (not +11 1 212 ...)
    ("010 44 20 7946 0000", "JP", "010", "+44 20 7946 0000"),      # from Japan (not +81 10 44 ...)
    ("8 10 44 20 7946 0000", "RU", "8 10", "+44 20 7946 0000"),    # from Russia (not +7 10 44 ...)
    ("001 1 212 555 0100", "KR", "001", "+1 212 555 0100"),        # from Korea by one carrier (not +1 1 212 ...)
    ("00 82 2 1234 5678", "KR", "00", "+82 2 1234 5678"),          # written as most countries dial: not 008 2 ...
    # A separator before the prefix (which the phone format lets by) once ended the check in "internal error".
    ("-011 44 20 7946 0958", "US", "011", "+44 20 7946 0958"),
    ("-8 10 44 20 7946 0958", "RU", "8 10", "+44 20 7946 0958"),
], ids=["us", "australia", "japan", "russia", "korea_carrier", "korea_00", "us_dash", "russia_dash"])
def test_a_number_after_the_countrys_own_international_prefix_says_to_write_plus(tmp_path, capsys, contact, country,
                                                                                   prefix, suggested):
    assert check(tmp_path, capsys, contact, site_holidays=f"holidays: {{country: {country}}}\n") == (
        f"site_src/hours.yaml:7:18: warning: the contact '{contact}' starts with {prefix}, which is not how every "
        "country dials abroad: a customer elsewhere cannot dial it, nor its tel: link\n"
        f"  hint: write + instead of {prefix}: {suggested}\n")


def test_a_country_code_in_parentheses_is_told_its_link_leaves_out_the_plus(tmp_path, capsys):
    # "(+55) 11 ..." is written so in Brazil; the tel: link starts with + only when the contact does, so the
    # link dials 5511... as a national number: the hint is the number with its + first, not "+55 +55 11 ...".
    assert check(tmp_path, capsys, "(+55) 11 4002-8922") == (
        "site_src/hours.yaml:7:18: warning: the contact '(+55) 11 4002-8922' does not start with its +: its tel: "
        "link leaves the + out, and a customer abroad cannot dial it\n"
        "  hint: write the + first, without parentheses: +55 11 4002-8922\n")


def test_a_holiday_country_written_in_three_letters_guesses_its_calling_code(tmp_path, capsys):
    # The holidays package takes BRA as BR: the hint guesses +55 as for BR and names the country BR, as the
    # API does.
    assert check(tmp_path, capsys, "(011) 4002-8922", site_holidays="holidays: {country: BRA}\n") == (
        WARNING.format(line=7, column=18, contact="(011) 4002-8922")
        + GUESSED.format(suggested="+55 11 4002-8922", country="BR"))


@pytest.mark.parametrize("contact, country, suggested", [
    ("3500-0000", "BR", "+55 (area code) 3500-0000"),      # no DDD: not +55 3500-0000, which is no number
    ("9 8765-4321", "BR", "+55 (area code) 9 8765-4321"),
    ("555-0100", "US", "+1 (area code) 555-0100"),
], ids=["br_landline", "br_mobile", "nanp"])
def test_a_number_without_its_area_code_is_told_to_take_it(tmp_path, capsys, contact, country, suggested):
    assert check(tmp_path, capsys, contact, site_holidays=f"holidays: {{country: {country}}}\n") == (
        WARNING.format(line=7, column=18, contact=contact) + GUESSED.format(suggested=suggested, country=country))


def test_a_number_with_its_country_code_but_no_plus_is_told_to_take_the_plus(tmp_path, capsys):
    # 12 digits are too many for a Brazilian number: 55 is the country code, not an area code (Santa Maria's).
    assert check(tmp_path, capsys, "55 11 4002-8922") == (
        "site_src/hours.yaml:7:18: warning: the contact '55 11 4002-8922' has its country code but no +: its tel: "
        "link dials it as a national number, and a customer abroad cannot dial it\n"
        "  hint: write + before it: +55 11 4002-8922\n")
    # Santa Maria's own number, written with its area code 55, is a national number as any other.
    assert check(tmp_path / "santa_maria", capsys, "(55) 3222-1234") == (
        WARNING.format(line=7, column=18, contact="(55) 3222-1234")
        + GUESSED.format(suggested="+55 55 3222-1234", country="BR"))


@pytest.mark.parametrize("contact, said", [
    ("(+55) 11 4002-8922", "does not start with its +: the page cannot link it to WhatsApp, and a customer abroad "
                           "cannot dial it"),
    ("55 11 4002-8922", "has its country code but no +: the page cannot link it to WhatsApp, and a customer abroad "
                        "cannot dial it"),
    ("00 55 11 4002-8922", "starts with 00, which is not how every country dials abroad: a customer elsewhere cannot "
                           "dial it, and the page cannot link it to WhatsApp"),
], ids=["parentheses", "no_plus", "prefix"])
def test_a_whatsapp_contact_is_told_it_gets_no_link_rather_than_a_tel_link(tmp_path, capsys, contact, said):
    err = check(tmp_path, capsys, "+55 11 4002-8922",
                more=LISBON.replace("21 000 0000", f"'{contact}'").replace("{country: PT}", "{country: BR}"))
    assert err.splitlines()[0] == f"site_src/hours.yaml:16:18: warning: the contact '{contact}' {said}"


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(contact=st.builds("{}{}{}".format, st.sampled_from(["", "-", " ", ".", "(", "-(", "+", ")"]),
                         st.sampled_from(["", "00", "011", "010", "0011", "8 10", "8-10", "001", "0800", "06", "8"]),
                         st.text(alphabet="0123456789 +-.()/", max_size=20)),
       country=st.sampled_from([None, "US", "RU", "JP", "AU", "KR", "BR", "PT", "IT", "HU", "MX", "GB", "XX"]),
       whatsapp=st.booleans())
def test_no_contact_written_with_digits_and_separators_makes_the_warning_fail(contact, country, whatsapp):
    # Every contact the phone format lets by reaches this check; none may end it in an exception (a separator
    # before a country's own international prefix once did: "internal error" for the whole push).
    found = undialable_abroad(contact, country, whatsapp)
    assert found is None or all(isinstance(text, str) and text for text in found)
