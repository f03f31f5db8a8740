"""Foreign keys, checked once every table's columns are known: one column, or a list of columns (a composite key)."""

from __future__ import annotations

from analysis.validation.descriptor.problems import DescriptorProblems

SHAPE = 'write {"fields": "party_id", "reference": {"resource": "parties", "fields": "party_id"}}'


def check_foreign_keys(checked: list[tuple[int, dict, dict]], problem: DescriptorProblems) -> None:
    """Add each usable foreign key to its normalised resource (``foreignKeys``, or ``compositeKeys`` for several columns)."""
    columns = {normal["name"]: [f["name"] for f in normal["schema"]["fields"]] for _, _, normal in checked}
    for i, schema, normal in checked:
        label = normal["name"]
        foreign = schema.get("foreignKeys")
        if foreign is None:
            continue
        at = ("resources", i, "schema")
        if not isinstance(foreign, list):
            problem(at, f"{label}: foreignKeys must be a list of {{\"fields\": ..., \"reference\": {{...}}}}", "foreignKeys")
            continue
        for k, fk in enumerate(foreign):
            _check_one(fk, at + ("foreignKeys", k), normal, columns, problem)


def _check_one(fk: object, fat: tuple, normal: dict, columns: dict[str, list[str]], problem: DescriptorProblems) -> None:
    label = normal["name"]
    reference = fk.get("reference") if isinstance(fk, dict) else None
    column = fk.get("fields") if isinstance(fk, dict) else None
    target = reference.get("resource") if isinstance(reference, dict) else None
    target_column = reference.get("fields") if isinstance(reference, dict) else None
    if (
        isinstance(column, list) and isinstance(target_column, list) and isinstance(target, str)
        and 1 < len(column) == len(target_column) <= 8 and all(isinstance(c, str) for c in column + target_column)
    ):  # fmt: skip
        _check_composite(column, target, target_column, fat, normal, columns, problem)
        return
    if not all(isinstance(v, str) for v in (column, target, target_column)):
        problem(fat, f"{label}: a foreign key names one column (or a list of columns) and the table and column(s) it refers to: {SHAPE}")
        return
    target_name = target or label
    if column not in columns[label]:
        problem(fat, f"{label}: foreign key column '{column}' is not a column of {label}", "fields")
    elif target_name not in columns:
        problem(fat, f"{label}: foreign key refers to table '{target}', which the descriptor does not define (or could not be read)", "resource")
    elif target_column not in columns[target_name]:
        problem(fat, f"{label}: foreign key refers to '{target_column}', which is not a column of {target_name}", "fields")
    else:
        normal["schema"]["foreignKeys"].append({"fields": column, "reference": {"resource": target, "fields": target_column}})


def _check_composite(column: list, target: str, target_column: list, fat: tuple, normal: dict, columns: dict, problem: DescriptorProblems) -> None:
    label = normal["name"]
    target_name = target or label
    unknown = [c for c in column if c not in columns[label]]
    if unknown:
        problem(fat, f"{label}: foreign key columns {unknown} are not columns of {label}", "fields")
    elif target_name not in columns or any(c not in columns[target_name] for c in target_column):
        problem(fat, f"{label}: foreign key refers to {target_column} of '{target}', which the descriptor does not define", "resource")
    else:
        normal["schema"].setdefault("compositeKeys", []).append({"fields": column, "reference": {"resource": target, "fields": target_column}})
