"""Every JSON file the example site publishes, checked against a JSON Schema: api/hours.json against
schemas/hours.schema.json, the Statuspage API and api/uptime.json against schemas/statuspage/. A JSON
file that no schema describes fails, so that a new endpoint comes with its schema."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMAS = Path(__file__).parent / "schemas"
# Output path -> schema file under tests/schemas/.
SCHEMA_OF = {
    "api/hours.json": "hours.schema.json",
    "api/uptime.json": "statuspage/uptime.json",
    "api/v2/summary.json": "statuspage/summary.json",
    "api/v2/status.json": "statuspage/status.json",
    "api/v2/components.json": "statuspage/components.json",
    "api/v2/incidents.json": "statuspage/incidents.json",
    "api/v2/incidents/unresolved.json": "statuspage/incidents-unresolved.json",
    "api/v2/scheduled-maintenances.json": "statuspage/scheduled-maintenances.json",
    "api/v2/scheduled-maintenances/upcoming.json": "statuspage/scheduled-maintenances-upcoming.json",
    "api/v2/scheduled-maintenances/active.json": "statuspage/scheduled-maintenances-active.json",
}


def read_schemas() -> dict[str, dict]:
    """Return every schema under tests/schemas/ by its path there ('statuspage/common.json')."""
    return {path.relative_to(SCHEMAS).as_posix(): json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(SCHEMAS.rglob("*.json"))}


def make_validators() -> dict[str, Draft202012Validator]:
    """Return a validator per schema file, resolving references between them by their $id; formats checked."""
    schemas = read_schemas()
    registry = Registry().with_resources((schema["$id"], Resource.from_contents(schema)) for schema in schemas.values())
    return {name: Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)
            for name, schema in schemas.items()}


VALIDATORS = make_validators()


def errors_of(schema: str, document) -> list[str]:
    """Return the schema's complaints about `document`, each as 'where: what', in document order."""
    found = sorted(VALIDATORS[schema].iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"/{'/'.join(map(str, error.absolute_path))}: {error.message[:300]}" for error in found]


@pytest.fixture(scope="module")
def site(example_build) -> Path:
    """The example site's output, built once for the session (conftest.example_build)."""
    return example_build


@pytest.fixture(scope="module")
def hours(site) -> dict:
    return json.loads((site / "api" / "hours.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(read_schemas()))
def test_every_schema_is_a_valid_2020_12_schema(name):
    Draft202012Validator.check_schema(read_schemas()[name])


def test_every_json_file_has_a_schema(site):
    published = sorted(path.relative_to(site).as_posix() for path in site.rglob("*.json"))
    assert published, "the build wrote no JSON file"
    without = [path for path in published if path not in SCHEMA_OF]
    assert not without, "JSON files that no schema describes (add one to SCHEMA_OF): " + ", ".join(without)
    assert sorted(SCHEMA_OF) == published, "SCHEMA_OF names files that the build did not write"


@pytest.mark.parametrize("path", sorted(SCHEMA_OF))
def test_every_json_file_matches_its_schema(site, path):
    document = json.loads((site / path).read_text(encoding="utf-8"))
    errors = errors_of(SCHEMA_OF[path], document)
    assert not errors, f"{path} does not match {SCHEMA_OF[path]} ({len(errors)} errors):\n" + "\n".join(errors[:10])


def test_the_hours_example_has_every_reason(hours):
    # The schema's rules for holidays and notices are only tried if the example has such days.
    reasons = {day["reason"] for d in hours["departments"] for c in d["channels"] for day in c["days"]}
    assert reasons == {"regular", "holiday", "notice"}


def first_day(document: dict, reason: str) -> dict:
    """Return the first day of the document with `reason` (a live part of it, to change)."""
    return next(day for d in document["departments"] for c in d["channels"] for day in c["days"]
                if day["reason"] == reason)


@pytest.mark.parametrize("change, complaint", [
    (lambda doc: first_day(doc, "regular").update(reason="closed"), "'closed' is not one of"),
    (lambda doc: first_day(doc, "holiday").pop("holiday"), "'holiday' is a required property"),
    (lambda doc: first_day(doc, "regular").update(notice="2026-11-16-natal-e-ano-novo"),
     "/notice: '2026-11-16-natal-e-ano-novo' should not be valid"),
    (lambda doc: first_day(doc, "notice").update(holiday={"en": "Christmas"}),
     "/holiday: {'en': 'Christmas'} should not be valid"),
    (lambda doc: first_day(doc, "regular")["open"].append({"start": "2026-11-23T09:00:00", "end": "2026-11-23T18:00:00"}),
     "does not match"),
    (lambda doc: doc["departments"][0]["channels"][0].update(type="fax"), "'fax' is not one of"),
    (lambda doc: doc["departments"][0]["channels"][0]["hours"].update(mon=[{"start": "9:00", "end": "25:00"}]),
     "does not match"),
    (lambda doc: doc["departments"][0].update(timezone="Brasília"), "does not match"),
    (lambda doc: doc.update(updated="2026-11-23"), "Additional properties are not allowed"),
    (lambda doc: doc["departments"][0]["channels"][0]["days"][0].update(date="2026-02-30"), "is not a 'date'"),
    (lambda doc: doc["departments"][0].pop("holidays"), "'holidays' is a required property"),
    (lambda doc: doc["departments"][0]["holidays"].update(keeps_none="no"), "'no' is not of type 'boolean'"),
], ids=["unknown reason", "holiday without its name", "regular day naming a notice", "notice day with a holiday",
        "instant without offset", "unknown channel type", "bad wall clock", "zone not IANA", "unknown key",
        "impossible date", "department without its holidays", "keeps_none not a boolean"])
def test_the_hours_schema_rejects_what_clients_could_not_read(hours, change, complaint):
    document = copy.deepcopy(hours)
    change(document)
    errors = errors_of("hours.schema.json", document)
    assert errors and any(complaint in error for error in errors), errors
