"""The descriptor checks: ``datapackage.json``'s shape, split by what they check.

- :mod:`.release`: the release as a whole (``version``, ``cutoff_date``);
- :mod:`.resources`: each table's name, file, format, dialect and primary key;
- :mod:`.fields`: each column's name, type and constraints (patterns through :mod:`analysis.validation.patterns`);
- :mod:`.foreign_keys`: the links between tables.

A resource whose name, path or fields are unusable is left out (its table is not read); a broken constraint, key
or foreign key is reported and left out, and the rest of the table is still checked.
"""

from __future__ import annotations

from analysis.schema import Descriptor
from analysis.validation.descriptor.foreign_keys import check_foreign_keys
from analysis.validation.descriptor.problems import DescriptorProblems
from analysis.validation.descriptor.release import Release, check_release
from analysis.validation.descriptor.resources import check_resources
from analysis.validation.engine.problems import Collector

__all__ = ["DescriptorProblems", "Release", "check_descriptor"]


def check_descriptor(desc: Descriptor, where: str, out: Collector) -> tuple[list[dict], Release]:
    """Check the descriptor's shape; return the resources that can be checked (normalised) and the release."""
    problem = DescriptorProblems(desc, where, out)
    for path, key in desc.duplicate_keys():
        problem(path, f"key {key!r} appears twice in this object: JSON keeps only the last one, so remove the other", key)
    package = desc.package
    if not isinstance(package, dict):
        problem((), "datapackage.json needs a 'resources' list describing each table (it is not a JSON object)")
        return [], Release()
    release = check_release(package, problem)
    resources = package.get("resources")
    if not isinstance(resources, list) or not resources:
        problem((), "datapackage.json needs a 'resources' list describing each table")
        return [], release
    checked = check_resources(resources, problem)
    check_foreign_keys(checked, problem)
    return [normal for _, _, normal in checked], release
