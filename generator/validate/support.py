"""support.yaml: ticket priorities, ticket states and short notes on how support works."""

from __future__ import annotations

from generator.model import Priority, Support, TicketState
from generator.read.yaml_nodes import Map, Node
from generator.validate.fields import (
    Problems,
    UniqueIds,
    check_keys,
    expect_id,
    expect_list,
    expect_localised,
    expect_map,
)
from generator.validate.markdown_html import render_text


def _items(mapping: Map, key: str, problems: Problems) -> tuple[Node, ...]:
    value = mapping.get(key)
    if value is None:
        return ()
    seq = expect_list(value, problems, key)
    return seq.items if seq else ()


def validate_support(root: Node | None, problems: Problems, languages: tuple[str, ...]) -> Support | None:
    """Read support.yaml into priorities, states and notes (Markdown rendered to safe HTML)."""
    mapping = expect_map(root, problems, "support.yaml")
    if mapping is None:
        return None
    check_keys(mapping, problems, "support.yaml", (), ("priorities", "states", "notes"))
    priorities, states, notes = [], [], []
    ids = UniqueIds("priority")
    for node in _items(mapping, "priorities", problems):
        item = expect_map(node, problems, "a priority")
        if item is None or not check_keys(item, problems, "a priority", ("id", "name", "qualifies"), ("response",)):
            continue
        item_id = expect_id(item.get("id"), problems, "a priority id")
        name = expect_localised(item.get("name"), problems, "a priority's name", languages)
        qualifies = expect_localised(item.get("qualifies"), problems, "what qualifies", languages)
        response = expect_localised(item.get("response"), problems, "response", languages) \
            if item.get("response") is not None else None
        if item_id is not None and ids.take(item.get("id"), item_id, item.get("id").line, problems) \
                and name and qualifies:
            priorities.append(Priority(item_id, name, qualifies, response))
    ids = UniqueIds("ticket state")
    for node in _items(mapping, "states", problems):
        item = expect_map(node, problems, "a ticket state")
        if item is None or not check_keys(item, problems, "a ticket state", ("id", "name", "meaning"), ()):
            continue
        item_id = expect_id(item.get("id"), problems, "a ticket state id")
        name = expect_localised(item.get("name"), problems, "a state's name", languages)
        meaning = expect_localised(item.get("meaning"), problems, "meaning", languages)
        if item_id is not None and ids.take(item.get("id"), item_id, item.get("id").line, problems) \
                and name and meaning:
            states.append(TicketState(item_id, name, meaning))
    for node in _items(mapping, "notes", problems):
        text = expect_localised(node, problems, "a note", languages)
        if text is not None:
            notes.append(render_text(node, text, problems))
    return Support(tuple(priorities), tuple(states), tuple(notes))
