"""Key paths into a spec (`given.layers[1].out_channels`) and the `{{given.key}}` placeholders
that titles, prompts and notes use to show a value (the loader fills them; `vary:` draws them)."""

from __future__ import annotations

import re
from typing import Any

from .yamlsafe import format_path

_NAME = r"[A-Za-z0-9_-]+"
_PATH = re.compile(rf"^{_NAME}(?:\.{_NAME}|\[\d+\])*$")
_TOKEN = re.compile(rf"\.?({_NAME})|\[(\d+)\]")
PLACEHOLDER = re.compile(rf"\{{\{{\s*(given(?:\.{_NAME}|\[\d+\])*)\s*\}}\}}")


def parse_key(key: str) -> tuple[str | int, ...] | None:
    """`given.layers[1].out_channels` -> ("given", "layers", 1, "out_channels"), or None."""
    if not _PATH.match(key):
        return None
    return tuple(name if name else int(index) for name, index in _TOKEN.findall(key))


def lookup(data: Any, path: tuple[str | int, ...]) -> str | None:
    """None if `path` exists in `data`, else why not."""
    node = data
    for depth, step in enumerate(path):
        where = format_path(path[:depth]) or "the spec"
        if isinstance(step, int):
            if not isinstance(node, list):
                return f"{where} is not a list, so [{step}] does not exist"
            if step >= len(node):
                return f"{where} has {len(node)} item(s); [{step}] does not exist (positions count from 0)"
            node = node[step]
        else:
            if not isinstance(node, dict):
                return f"{where} is not a map, so .{step} does not exist"
            if step not in node:
                keys = ", ".join(map(str, node)) or "none"
                return f"{where} has no key {step!r} (keys: {keys}); a varied key must be written in the spec"
            node = node[step]
    return None


def get_path(data: Any, path: tuple[str | int, ...]) -> Any:
    node = data
    for step in path:
        node = node[step]
    return node


def show_value(value: Any) -> str:
    """A value of `given` as a prompt shows it: 3, 0.03, 1/3, [1, 1, 6], true."""
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def fill_placeholders(text: str, data: dict[str, Any]) -> str:
    """`text` with each `{{given.key.path}}` replaced by that value of `data` (a raw spec)."""

    def one(match: re.Match[str]) -> str:
        path = parse_key(match.group(1))
        if path is None or lookup(data, path):
            return match.group(0)
        return show_value(get_path(data, path))

    return PLACEHOLDER.sub(one, text)
