"""What the data dictionary (``python -m analysis dictionary``) needs beyond a valid descriptor: a description of
every table and column, and each table's primary key."""

from __future__ import annotations

from analysis.validation.descriptor.problems import DescriptorProblems


def check_dictionary(package: dict, problem: DescriptorProblems) -> None:
    """Report each table or column the dictionary could not describe (the descriptor has passed its own checks)."""
    for i, resource in enumerate(package["resources"]):
        at, name = ("resources", i), resource["name"]
        if not isinstance(resource.get("description"), str):
            problem(at, f"{name}: the dictionary needs a description of the table: add \"description\": \"...\"", "description" if "description" in resource else None)
        if not resource["schema"].get("primaryKey"):
            problem(at + ("schema",), f"{name}: the dictionary needs the table's primaryKey", "primaryKey" if "primaryKey" in resource["schema"] else None)
        for j, spec in enumerate(resource["schema"]["fields"]):
            if not isinstance(spec.get("description"), str):
                key = "description" if "description" in spec else None
                problem(at + ("schema", "fields", j), f"{name}.{spec['name']}: the dictionary needs a description of the column", key)
