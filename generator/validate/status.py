"""status.yaml: the components of the status page and how the probe checks them."""

from __future__ import annotations

import ipaddress
import re
from datetime import timedelta
from urllib.parse import urlsplit

from generator.model import CHECK_TYPES, DEFAULT_STALE_AFTER, Check, Component, shown_url
from generator.read.probe_layout import is_day_folder
from generator.read.yaml_nodes import Map, Node, Seq
from generator.validate.dates import parse_date, swapped_date_hint
from generator.validate.durations import CHECK_CEILING, HISTORY_CEILING, parse_seconds
from generator.validate.fields import (
    Problems,
    UniqueIds,
    check_keys,
    did_you_mean,
    expect_bool,
    expect_id,
    expect_list,
    expect_localised,
    expect_map,
    expect_text,
    quote_list,
    url_host_problem,
)
from generator.validate.numbers import whole_number

ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
DNS_RECORDS = ("A", "AAAA", "CAA", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT")
COMMON_KEYS = ("type", "timeout", "degraded_after", "public")
TYPE_KEYS = {
    "http": ("url", "expect_status", "contains", "headers"),
    "tcp": ("host", "port"),
    "dns": ("name", "record", "server", "port"),
}
REQUIRED = {"http": ("url",), "tcp": ("host", "port"), "dns": ("name",)}
# Ids whose outputs are the site's own: each component's badge is badges/<id>.svg, and the whole site's is
# badges/status.svg (render/urls.py). Refused here, where the message can say where; the build only can't write.
RESERVED_IDS = {"status": "badges/status.svg, the badge of the whole site's state"}


def read_statuses(node: Node, problems: Problems) -> tuple[int, ...] | None:
    items = node.items if isinstance(node, Seq) else (node,)
    codes = []
    for item in items:
        text = expect_text(item, problems, "expect_status")
        if text is None:
            return None
        if not 100 <= (whole_number(text) or 0) <= 599:
            problems.error(item, f"'{text}' is not an HTTP status code", "use codes from 100 to 599, e.g. [200, 204]")
            return None
        codes.append(int(text))  # ASCII digits, checked above
    return tuple(sorted(set(codes)))


def read_headers(node: Node, problems: Problems) -> tuple[tuple[str, str], ...]:
    mapping = expect_map(node, problems, "headers")
    if mapping is None:
        return ()
    headers = []
    for key, value in mapping.pairs:
        variable = expect_text(value, problems, "a header's environment variable")
        if not HEADER_NAME.match(key.text):
            problems.error(key, f"'{key.text}' is not an HTTP header name")
        elif variable is not None and not ENV_NAME.match(variable):
            problems.error(value, "headers name the environment variable that holds the value, not the value itself",
                           f"write e.g. {key.text}: STATUS_TOKEN and set STATUS_TOKEN where the probe runs; "
                           "secrets never belong in the repository")
        elif variable is not None:
            headers.append((key.text, variable))
    return tuple(headers)


def validate_check(node: Node, problems: Problems) -> Check | None:
    """Read a component's check: http, tcp or dns, with its own keys."""
    mapping = expect_map(node, problems, "check")
    if mapping is None:
        return None
    kind = None
    if (value := mapping.get("type")) is not None and (text := expect_text(value, problems, "type")):
        if text in CHECK_TYPES:
            kind = text
        else:
            problems.error(value, f"unknown check type '{text}'",
                           did_you_mean(text, CHECK_TYPES) or f"use {quote_list(CHECK_TYPES)}")
    if kind is None:
        if mapping.get("type") is None:
            problems.error(mapping, "check is missing the required key 'type'", f"use {quote_list(CHECK_TYPES)}")
        return None
    # Keys of another check type get their own message rather than a bare "unknown key".
    foreign = {key: kind_ for kind_, keys in TYPE_KEYS.items() if kind_ != kind for key in keys
               if key not in TYPE_KEYS[kind]}
    for key, _ in mapping.pairs:
        if key.text in foreign:
            problems.error(key, f"'{key.text}' belongs to {foreign[key.text]} checks, not {kind} checks")
    own = Map(mapping.line, mapping.column, tuple(pair for pair in mapping.pairs if pair[0].text not in foreign))
    optional = COMMON_KEYS[1:] + tuple(key for key in TYPE_KEYS[kind] if key not in REQUIRED[kind])
    check_keys(own, problems, f"{'an' if kind == 'http' else 'a'} {kind} check", ("type",) + REQUIRED[kind], optional)
    wait = "every probe run waits for its slowest check: write a timeout of a few seconds, e.g. 10s"
    timeout = parse_seconds(mapping.get("timeout"), problems, "timeout", CHECK_CEILING, wait) \
        if mapping.get("timeout") else 10.0
    degraded = parse_seconds(mapping.get("degraded_after"), problems, "degraded_after", CHECK_CEILING,
                             "degraded_after is shorter than the check's timeout, e.g. 2s") \
        if mapping.get("degraded_after") else None
    if timeout and degraded and degraded >= timeout:
        problems.error(mapping.get("degraded_after"), "degraded_after must be shorter than timeout")
    public = bool(expect_bool(mapping.get("public"), problems, "public")) if mapping.get("public") else False
    fields: dict = {}
    if kind == "http" and mapping.get("url") is not None:
        url = expect_text(mapping.get("url"), problems, "url")
        try:
            parts = urlsplit(url or "")
        except ValueError:
            parts = urlsplit("")
        if url is not None and (parts.scheme not in ("http", "https") or not parts.netloc):
            problems.error(mapping.get("url"), f"'{shown_url(url)}' is not an http or https address")
        elif url is not None and "@" in parts.netloc:
            # The page and api/uptime.json show a public check's url, and the probe never sends these.
            problems.error(mapping.get("url"), f"the url '{shown_url(url)}' holds a user name or password "
                           "(user:password@), which would be shown wherever the url is",
                           "remove them and send them in a header, named here and set where the probe runs: "
                           "headers: {Authorization: STATUS_AUTH}, with STATUS_AUTH='Basic <user:password in "
                           "base64>'")
        elif url is not None and (bad_host := url_host_problem(url)) is not None:
            problems.error(mapping.get("url"), *bad_host)
        fields["url"] = url
        if mapping.get("expect_status") is not None:
            fields["expect_status"] = read_statuses(mapping.get("expect_status"), problems) or (200,)
        if mapping.get("contains") is not None:
            fields["contains"] = expect_text(mapping.get("contains"), problems, "contains", allow_empty=False)
        if mapping.get("headers") is not None:
            fields["headers"] = read_headers(mapping.get("headers"), problems)
    if kind in ("tcp", "dns") and (value := mapping.get("port")) is not None:
        text = expect_text(value, problems, "port")
        if text is not None and not 1 <= (whole_number(text) or 0) <= 65535:
            problems.error(value, f"'{text}' is not a port number", "ports run from 1 to 65535")
        elif text is not None:
            fields["port"] = int(text)
        if kind == "dns" and mapping.get("server") is None:
            problems.error(value, "a DNS check's port is the server's: it needs a server",
                           "add server: with the resolver's IP address, or remove port")
    if kind == "tcp":
        if mapping.get("host") is not None:
            fields["host"] = expect_text(mapping.get("host"), problems, "host")
    elif kind == "dns":
        if mapping.get("name") is not None:
            fields["name"] = expect_text(mapping.get("name"), problems, "name")
        if (value := mapping.get("record")) is not None and (text := expect_text(value, problems, "record")):
            if text.upper() in DNS_RECORDS:
                fields["record"] = text.upper()
            else:
                problems.error(value, f"unknown DNS record type '{text}'", f"use {quote_list(DNS_RECORDS)}")
        if (value := mapping.get("server")) is not None and (text := expect_text(value, problems, "server")):
            try:
                fields["server"] = str(ipaddress.ip_address(text))
            except ValueError:
                problems.error(value, f"server must be an IP address, not '{text}'", "for example 1.1.1.1")
    if problems.count() or timeout is None:
        return None
    return Check(type=kind, timeout=timeout, degraded_after=degraded, public=public, **fields)


def read_stale_after(mapping: Map, problems: Problems) -> timedelta:
    """Return how old a probe row may be before it is stale: `stale_after`, else 3 × `probe_interval`, else 30 min."""
    hint = "a row older than stale_after is no longer news of the service: write e.g. 30m, 2h or 72h"
    interval = parse_seconds(mapping.get("probe_interval"), problems, "probe_interval", HISTORY_CEILING,
                             "write how often the probe runs, e.g. 5m or 1h") \
        if mapping.get("probe_interval") is not None else None
    stale = parse_seconds(mapping.get("stale_after"), problems, "stale_after", HISTORY_CEILING, hint) \
        if mapping.get("stale_after") is not None else None
    if stale is not None and interval is not None and stale < interval:
        problems.error(mapping.get("stale_after"), "stale_after must not be shorter than probe_interval",
                       "every row would be stale before the next probe run; use at least two or three intervals")
    if stale is not None:
        return timedelta(seconds=stale)
    if interval is not None:
        return timedelta(seconds=3 * interval)
    return DEFAULT_STALE_AFTER


def validate_components(root: Node | None, problems: Problems, languages: tuple[str, ...]) -> tuple[Component, ...]:
    """Read status.yaml into components, in file order, with unique ids."""
    mapping = expect_map(root, problems, "status.yaml")
    if mapping is None:
        return ()
    check_keys(mapping, problems, "status.yaml", ("components",), ("probe_interval", "stale_after"))
    stale_after = read_stale_after(mapping, problems)
    value = mapping.get("components")
    seq = expect_list(value, problems, "components") if value is not None else None
    if seq is None:
        return ()
    components: list[Component] = []
    ids = UniqueIds("component")
    for item in seq.items:
        component = expect_map(item, problems, "a component")
        if component is None:
            continue
        before = problems.count()
        check_keys(component, problems, "a component", ("id", "name"),
                   ("group", "description", "check", "monitored_since"))
        component_id = expect_id(component.get("id"), problems, "a component id") if component.get("id") else None
        if component_id is not None and is_day_folder(component_id):
            # site_src/uptime/ holds a folder per component and a folder per day of the probe's rows.
            problems.error(component.get("id"), f"a component id '{component_id}' is named like a day: the probe "
                           "keeps each day's rows in site_src/uptime/ in a folder of that name",
                           f"name the component, e.g. '{component_id}-service'")
            component_id = None
        elif component_id in RESERVED_IDS:
            problems.error(component.get("id"), f"the component id '{component_id}' would give the component's "
                           f"badge the address of {RESERVED_IDS[component_id]}",
                           f"name the component, e.g. '{component_id}-page'")
            component_id = None
        name = expect_localised(component.get("name"), problems, "a component's name", languages, one_line=True) \
            if component.get("name") is not None else None
        group = expect_localised(component.get("group"), problems, "group", languages) \
            if component.get("group") is not None else None
        description = expect_localised(component.get("description"), problems, "description", languages) \
            if component.get("description") is not None else None
        check = validate_check(component.get("check"), problems) if component.get("check") is not None else None
        since = None
        if (value := component.get("monitored_since")) is not None and \
                (text := expect_text(value, problems, "monitored_since")) is not None:
            since, error = parse_date(text)
            if error:
                problems.error(value, f"monitored_since: {error}", swapped_date_hint(text) or "the first day the "
                               "component was watched, e.g. monitored_since: 2026-09-01")
        if component_id is not None and ids.repeated(component.get("id"), component_id, problems):
            continue
        if problems.count() > before or component_id is None or name is None:
            continue
        # Only a component without mistakes holds its id: a later one is not told it repeats a broken one.
        ids.add(component_id, component.line)
        components.append(Component(component_id, name, group, description, check, stale_after, since))
    if not seq.items:
        problems.error(seq, "there are no components", "add at least one component, or remove status.yaml")
    return tuple(components)
