"""Each resource: its name, its file, its format and dialect, its schema's fields and primary key."""

from __future__ import annotations

from analysis.schema import file_name_problem
from analysis.validation.descriptor.fields import NAME_RE, check_fields
from analysis.validation.descriptor.problems import DescriptorProblems
from analysis.validation.engine.problems import show
from analysis.validation.settings import DIALECT

#: Resource properties that must say what every table is, if they are given at all.
FORMATS = (("format", ("csv",)), ("mediatype", ("text/csv",)), ("encoding", ("utf-8", "utf8")))


def check_resources(resources: list, problem: DescriptorProblems) -> list[tuple[int, dict, dict]]:
    """``(index, schema as written, normalised resource)`` for each resource whose tables can be read."""
    names: dict[str, int] = {}
    paths: dict[str, int] = {}
    checked: list[tuple[int, dict, dict]] = []
    for i, resource in enumerate(resources):
        at = ("resources", i)
        if not isinstance(resource, dict):
            problem(at, "each resource must be an object with a name, a path and a schema")
            continue
        usable = _check_name(resource, i, names, problem)
        name = resource.get("name")
        label = name if usable else f"resources[{i}]"
        usable = _check_path(resource, i, label, paths, problem) and usable
        _check_format(resource, at, label, problem)
        schema = resource.get("schema")
        if not isinstance(schema, dict):
            problem(at, f"{label} has no schema: add \"schema\": {{\"fields\": [...]}} describing its columns", "schema" if schema is not None else None)
            continue
        fields = check_fields(schema, at + ("schema",), label, problem)
        if fields is None or not usable:
            continue
        checked.append((i, schema, _normal(resource, schema, fields, at, problem)))
    return checked


def _check_name(resource: dict, i: int, names: dict[str, int], problem: DescriptorProblems) -> bool:
    name, at = resource.get("name"), ("resources", i)
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        shown = "is missing" if name is None else f"{show(str(name))} is not snake_case"
        problem(at, f"the resource name {shown}: name the table in lower case, e.g. \"events\"", "name" if "name" in resource else None)
        return False
    if name in names:
        problem(at, f"resource name '{name}' is used twice (also resources[{names[name]}]): each table needs its own name", "name")
        return False
    names[name] = i
    return True


def _check_path(resource: dict, i: int, label: str, paths: dict[str, int], problem: DescriptorProblems) -> bool:
    path, at = resource.get("path"), ("resources", i)
    bad_path = file_name_problem(path)
    if bad_path:
        problem(at, f"{label}: path {bad_path}", "path" if "path" in resource else None)
        return False
    if not path.endswith(".csv"):
        problem(at, f"{label}: path '{path}' should end in .csv: every table is a CSV file", "path")
        return False
    if path in paths:
        problem(at, f"{label}: path '{path}' is also the path of resources[{paths[path]}]: each table needs its own file", "path")
        return False
    paths[path] = i
    return True


def _check_format(resource: dict, at: tuple, label: str, problem: DescriptorProblems) -> None:
    for key, allowed in FORMATS:
        if key in resource and (not isinstance(resource[key], str) or resource[key].lower() not in allowed):
            problem(at, f"{label}: {key} {show(str(resource[key]))} is not supported: tables are {allowed[0]} (or leave {key} out)", key)
    dialect = resource.get("dialect", {})
    if not isinstance(dialect, dict):
        problem(at, f"{label}: dialect must be an object (or leave it out)", "dialect")
        return
    for key, value in dialect.items():
        if key not in DIALECT or value != DIALECT[key] or isinstance(value, bool) != isinstance(DIALECT[key], bool):
            expected = f"{key} {DIALECT[key]!r}" if key in DIALECT else f"no {key}"
            problem(at + ("dialect",), f"{label}: dialect {key} {value!r} is not supported: every table is read with {expected}", key)


def _normal(resource: dict, schema: dict, fields: list[dict], at: tuple, problem: DescriptorProblems) -> dict:
    """The resource as the engine reads it (foreign keys are added once every table's columns are known)."""
    name = resource["name"]
    normal = {"name": name, "path": resource["path"], "schema": {"fields": fields, "primaryKey": [], "foreignKeys": []}}
    if "description" in resource and isinstance(resource["description"], str):
        normal["description"] = resource["description"]
    field_names = [f["name"] for f in fields]
    key = schema.get("primaryKey")
    if key is not None:
        if isinstance(key, list) and key and all(isinstance(k, str) and k in field_names for k in key) and len(set(key)) == len(key):
            normal["schema"]["primaryKey"] = list(key)
        else:
            problem(at + ("schema",), f"{name}: primaryKey must be a list of this table's columns, e.g. [\"{field_names[0]}\"]", "primaryKey")
    missing = schema.get("missingValues")
    if missing is not None and missing != [""]:
        problem(at + ("schema",), f"{name}: missingValues {missing!r} is not supported: an empty cell is the only missing value (write [\"\"])", "missingValues")
    return normal
