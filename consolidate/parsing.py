"""YAML and JSON that people (or other programs) wrote, read so that every way it can be wrong is an
InputError naming the file — never a traceback.

    >>> parse_yaml("rules: {district_cap: 2}", "my.yaml")
    {'rules': {'district_cap': 2}}

Nesting is bounded: no file the toolkit reads is legitimately deeper than a GeoJSON MultiPolygon
(about 8 levels), and a pathological one (`[[[[…` a hundred thousand deep) would otherwise overflow
Python's stack in the parser or in whatever walks the data afterwards.
"""
from __future__ import annotations

import json
import re
from typing import Any

from .errors import InputError, InputIssue

MAX_DEPTH = 64


def parse_yaml(text: str, file: str, fix: str = "fix the YAML syntax") -> Any:
    if _bracket_depth(text) > 4 * MAX_DEPTH:   # PyYAML takes time quadratic in the depth of `[[[[…` to refuse it
        raise too_deep(file)
    import yaml   # here: the drawing child, forked after this module loads, never parses YAML (#14)

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(InputIssue(file, f"not valid YAML: {getattr(exc, 'problem', None) or exc}", fix,
                                 row=(mark.line + 1) if mark else None)) from None
    except RecursionError:
        raise too_deep(file) from None
    check_depth(data, file)
    return data


def parse_json(text: str, file: str, fix: str = "write it again with the program that made it") -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(InputIssue(file, f"not valid JSON: {exc}", fix)) from None
    except RecursionError:
        raise too_deep(file) from None
    check_depth(data, file)
    return data


def _bracket_depth(text: str) -> int:
    """The deepest nesting of [ and { in `text`, counting every bracket (quoted ones too: an upper bound)."""
    depth = deepest = 0
    for bracket in re.sub(r"[^\[\]{}]+", "", text):
        depth = depth + 1 if bracket in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def check_depth(data: Any, file: str) -> None:
    """InputError if lists and mappings nest deeper than MAX_DEPTH (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list, tuple)):
            if depth > MAX_DEPTH:
                raise too_deep(file)
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list, tuple)))


def too_deep(file: str) -> InputError:
    return InputError(InputIssue(file, f"lists or mappings nested more than {MAX_DEPTH} deep",
                              "this is not a file the toolkit wrote or documents; check what produced it"))


def read_text(path, file: str | None = None) -> str:
    """A UTF-8 text file's content; a missing, unreadable or non-UTF-8 file is an InputError."""
    name = file or str(path)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(InputIssue(name, f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                                 "save the file as UTF-8")) from None
    except FileNotFoundError:
        raise InputError(InputIssue(name, "file not found", "check the path")) from None
    except (OSError, ValueError) as exc:   # ValueError: a NUL byte in the name
        raise InputError(InputIssue(name, f"cannot be read: {getattr(exc, 'strerror', None) or exc}",
                                 "check the path and its permissions")) from None
