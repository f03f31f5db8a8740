"""``validate``: the descriptor checks, then each table through the engine, then the project's rules."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from analysis.schema import (
    DESCRIPTOR,
    Descriptor,
    DescriptorError,
    UnreadableFile,
    display_path,
    read_descriptor,
    resolve_data_dir,
)
from analysis.validation.descriptor import check_descriptor
from analysis.validation.engine.keys import Context, check_composite_keys
from analysis.validation.engine.problems import Collector
from analysis.validation.engine.reading import read_table
from analysis.validation.engine.tables import Report, Table
from analysis.validation.rules import check_rules
from analysis.validation.settings import PRECISION_VOCABULARY


def read_checked(data_dir: Path, out: Collector) -> Descriptor | None:
    """The folder's descriptor, parsed; or None, with the reason reported (located) in ``out``."""
    where = display_path(data_dir / DESCRIPTOR)
    if not data_dir.is_dir():
        what = "does not exist" if not os.path.lexists(data_dir) else "is not a folder"
        out.add(display_path(data_dir), 1, "-", f"the data folder {what}: give the folder that holds {DESCRIPTOR} and the tables")
        return None
    try:
        return read_descriptor(data_dir)
    except FileNotFoundError:
        out.add(where, 1, "-", "datapackage.json is missing: the data folder needs its descriptor")
    except UnreadableFile as exc:
        out.add(where, 1, "-", f"datapackage.json {exc}")
    except DescriptorError as exc:
        out.add(where, exc.line, "-", str(exc))
    except OSError as exc:
        out.add(where, 1, "-", f"datapackage.json cannot be read ({exc.strerror or exc}): check the file")
    return None


def validate(data_dir: str | os.PathLike | None = None, today: dt.date | None = None) -> Report:
    """Check every table in ``data_dir`` and return a :class:`Report` listing every problem.

    >>> validate().ok
    True
    """
    data_dir = resolve_data_dir(data_dir)
    out = Collector()
    today = today or dt.date.today()
    where = display_path(data_dir / DESCRIPTOR)
    descriptor = read_checked(data_dir, out)
    if descriptor is None:
        return Report(out.problems(), {}, out.count)
    resources, release = check_descriptor(descriptor, where, out)
    ctx = Context(out, today, release.cutoff, resources)
    read: dict[str, Table] = {}
    # The vocabulary of date precision first: every other table's dates are checked against its units.
    for resource in sorted(resources, key=lambda r: r["name"] != PRECISION_VOCABULARY[0]):
        table = read_table(data_dir, resource, ctx)
        read[table.name] = table
        ctx.finish(table)
    tables = {resource["name"]: read[resource["name"]] for resource in resources}
    composite = [(r["name"], fk["fields"], fk["reference"]["resource"], fk["reference"]["fields"])
                 for r in resources for fk in r["schema"].get("compositeKeys", [])]  # fmt: skip
    check_composite_keys(tables, composite, out)
    check_rules(tables, out)
    return Report(out.problems(), tables, out.count)
