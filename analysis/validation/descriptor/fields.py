"""Each column: its name, its type, the field properties the engine supports, and its constraints."""

from __future__ import annotations

import difflib
import math
import re

from analysis.validation.descriptor.problems import DescriptorProblems
from analysis.validation.engine.problems import show
from analysis.validation.patterns import compile_pattern, pattern_problem
from analysis.validation.settings import CONSTRAINTS, TYPES, UNSUPPORTED_FIELD_KEYS

NAME_RE = re.compile(r"[a-z][a-z0-9_]*")


def check_fields(schema: dict, at: tuple, label: str, problem: DescriptorProblems) -> list[dict] | None:
    """The schema's fields, normalised (constraints checked, patterns compiled); None if they cannot be used."""
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        problem(at, f"{label}: 'fields' must be a non-empty list of columns, each with a name and a type", "fields" if fields is not None else None)
        return None
    normal: list[dict] = []
    usable = True
    for j, spec in enumerate(fields):
        fat = at + ("fields", j)
        if not isinstance(spec, dict):
            problem(fat, f"{label}: each field must be an object with a name and a type")
            usable = False
            continue
        name = spec.get("name")
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            shown = "has no name" if name is None else f"name {show(str(name))} is not snake_case"
            problem(fat, f"{label}: a field {shown}: name every column in lower case, e.g. \"event_date\"", "name" if name is not None else None)
            usable = False
            continue
        where = f"{label}.{name}"
        if any(f["name"] == name for f in normal):
            problem(fat, f"{where}: the column is defined twice: remove one definition", "name")
            usable = False
            continue
        kind = spec.get("type")
        if kind not in TYPES:
            shown = "has no type" if kind is None else f"type {show(str(kind))} is not one the validator checks"
            problem(fat, f"{where} {shown}: use one of {', '.join(TYPES)}", "type" if kind is not None else None)
            kind = "string"
        fmt = spec.get("format")
        if fmt not in (None, "default") and not (kind == "date" and fmt == "%Y-%m-%d"):
            problem(fat, f"{where}: format {show(str(fmt))} is not supported: dates are ISO (%Y-%m-%d), other types have no format", "format")
        for key in UNSUPPORTED_FIELD_KEYS:
            if key in spec:
                problem(fat, f"{where}: {key} is not supported (the loaders would ignore it): remove it", key)
        entry = {"name": name, "type": kind, "constraints": check_constraints(spec.get("constraints"), kind, fat, where, problem)}
        if isinstance(spec.get("description"), str):
            entry["description"] = spec["description"]
        normal.append(entry)
    return normal if usable else None


def check_constraints(cons: object, kind: str, at: tuple, where: str, problem: DescriptorProblems) -> dict:
    if cons is None:
        return {}
    if not isinstance(cons, dict):
        problem(at, f"{where}: constraints must be an object, e.g. {{\"required\": true}}", "constraints")
        return {}
    at = at + ("constraints",)
    kept: dict = {}
    for key, value in cons.items():
        if key not in CONSTRAINTS:
            guess = difflib.get_close_matches(str(key), CONSTRAINTS, n=1)
            hint = f" (did you mean '{guess[0]}'?)" if guess else ""
            problem(at, f"{where}: constraint {show(str(key))} is not one the validator checks{hint}: use {', '.join(CONSTRAINTS)}", key)
        elif key in ("required", "unique"):
            if isinstance(value, bool):
                kept[key] = value
            else:
                problem(at, f"{where}: {key} must be true or false, not {value!r}", key)
        elif key == "enum":
            if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                kept[key] = value
            else:
                problem(at, f"{where}: enum must be a non-empty list of the allowed values, as text (e.g. [\"day\", \"month\"])", key)
        elif key == "pattern":
            message = pattern_problem(value) if kind == "string" else "applies to string columns only"
            if message is None:
                kept[key] = value
                kept["_pattern"] = compile_pattern(value)
            else:
                problem(at, f"{where}: pattern {message}", key)
        else:  # minimum, maximum
            number_type = int if kind == "integer" else (int, float)
            if kind not in ("integer", "number"):
                problem(at, f"{where}: {key} applies to integer and number columns only", key)
            elif isinstance(value, bool) or not isinstance(value, number_type) or (isinstance(value, float) and not math.isfinite(value)):
                problem(at, f"{where}: {key} must be a finite {'whole number' if kind == 'integer' else 'number'}, not {value!r}", key)
            else:
                kept[key] = value
    if "minimum" in kept and "maximum" in kept and kept["minimum"] > kept["maximum"]:
        problem(at, f"{where}: minimum {kept['minimum']} is above maximum {kept['maximum']}: no value could pass", "minimum")
    return kept
