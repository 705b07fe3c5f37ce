"""Strict, indented JSON written a piece at a time, for documents too large to hold as one string.

`chunks(value)` gives the text of ``json.dumps(value, ensure_ascii=False, indent=2)``, piece by piece:
a list inside `value` may be `Items`, made one element at a time as it is written, so the whole
structure never exists at once. The JSON is strict: NaN and infinity, which `json.dumps` writes as bare
`NaN`/`Infinity` that other parsers reject, raise `NotJSON` naming where they are.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any


class NotJSON(ValueError):
    """A value JSON cannot hold; the message says where it is (e.g. ``model.settings.length_penalty``)."""


class Items:
    """A list made anew, one element at a time, each time it is iterated."""

    def __init__(self, make: Callable[[], Iterable[Any]]):
        self._make = make

    def __iter__(self) -> Iterator[Any]:
        return iter(self._make())


def whole(value: Any) -> Any:
    """`value` with every `Items` made into a list."""
    if isinstance(value, Items):
        return [whole(v) for v in value]
    if isinstance(value, dict):
        return {k: whole(v) for k, v in value.items()}
    return value


def chunks(value: Any, indent: str = "", where: str = "") -> Iterator[str]:
    """`value` as JSON at the depth `indent`: `Items`, and dicts that hold some, element by element;
    every other value whole, with json.dumps."""
    inner = indent + "  "
    if isinstance(value, Items):
        empty = True
        for i, item in enumerate(value):
            yield ("[\n" if empty else ",\n") + inner
            yield from chunks(item, inner, f"{where}[{i}]")
            empty = False
        yield "[]" if empty else f"\n{indent}]"
    elif isinstance(value, dict) and _streamed(value):
        separator = "{\n"
        for key, item in value.items():
            yield f"{separator}{inner}{json.dumps(key, ensure_ascii=False)}: "
            yield from chunks(item, inner, f"{where}.{key}" if where else key)
            separator = ",\n"
        yield f"\n{indent}}}"
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False)
        except ValueError:
            place, number = _non_finite(value, where)
            raise NotJSON(f"{place or 'a value'} is {number}, which JSON cannot hold") from None
        yield text.replace("\n", "\n" + indent)  # a string's own line breaks are escaped: only structure


def _streamed(value: dict) -> bool:
    return any(isinstance(v, Items) or (isinstance(v, dict) and _streamed(v)) for v in value.values())


def _non_finite(value: Any, where: str) -> tuple[str, float]:
    """Where in `value` its first NaN or infinity is, and that number; ("", 0.0) if none."""
    if isinstance(value, float) and not math.isfinite(value):
        return where, value
    if isinstance(value, dict):
        children = [(f"{where}.{k}" if where else str(k), v) for k, v in value.items()]
    elif isinstance(value, list | tuple):
        children = [(f"{where}[{i}]", v) for i, v in enumerate(value)]
    else:
        children = []
    for place, item in children:
        found = _non_finite(item, place)
        if found[0]:
            return found
    return "", 0.0
