"""The installable package: the wheel declares its dependencies, carries the data release, and the README's example runs
from an installed wheel in another folder (``ANALYSIS_DATA_DIR`` and ``data_dir=`` still point it elsewhere)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import DATA, ROOT

#: What a build needs from the checkout (the rest of the repository is not part of the wheel).
BUILD_INPUTS = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "analysis", "data")


def readme_example() -> str:
    """The first Python block of README.md: the example a new user runs."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```python\n(.*?)```", text, re.S)
    assert match, "README.md has no ```python example"
    return match.group(1)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built with ``pip wheel --no-deps`` from a copy of the checkout (so no build/ lands in the repository),
    with the setuptools of requirements.txt, which meets pyproject.toml's build requirement: an isolated build
    environment would cost about 2 s to fill each time."""
    tree = tmp_path_factory.mktemp("source")
    for name in BUILD_INPUTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=shutil.ignore_patterns("__pycache__", "_data", "*.pyc"))
        else:
            shutil.copyfile(source, tree / name)
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "--wheel-dir", str(out), str(tree)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    (built,) = out.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel) -> Path:
    """A fresh virtualenv outside the repository with the wheel installed (the dependencies are this interpreter's,
    put on its path by a ``.pth`` file, so nothing is downloaded). It has no pip of its own: this interpreter's pip
    installs into it (``--python``), which saves the ~3 s of seeding one."""
    root = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=300)
    python = root / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    # Plain path lines only: the .pth files of those folders (an editable install of this checkout) are not run.
    dependencies = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    Path(site, "dependencies.pth").write_text("\n".join(dependencies) + "\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return root


def run_in(venv: Path, code: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ANALYSIS_DATA_DIR")}
    return subprocess.run([str(venv / "bin" / "python"), "-c", code], cwd=cwd, env=clean | env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def test_the_wheel_declares_its_dependencies_with_ranges(wheel):
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = archive.read(name).decode()
    requires = re.findall(r"^Requires-Dist: (.*)$", metadata, re.M)
    assert "pandas<4,>=2.2" in requires
    runtime = [r for r in requires if "extra ==" not in r]
    assert {re.split(r"[<>=]", r)[0] for r in runtime} >= {"pandas", "numpy", "matplotlib", "seaborn", "lifelines"}
    assert all("<" in r and ">=" in r for r in runtime), runtime  # each with the range it is tested on
    assert set(re.findall(r"^Provides-Extra: (.*)$", metadata, re.M)) >= {"reports", "test", "db"}


def test_the_wheel_carries_the_data_release(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        shipped = json.loads(archive.read("analysis/_data/datapackage.json"))
        assert archive.read("analysis/_data/sources.csv") == (DATA / "sources.csv").read_bytes()
    assert shipped == json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    expected = {f"analysis/_data/{r['path']}" for r in shipped["resources"]}
    expected |= {"analysis/_data/README.md", "analysis/_data/CHANGELOG.md", "analysis/templates/site/data.html.j2"}
    assert expected <= names, sorted(expected - names)
    assert not any(n.startswith("data/") for n in names)  # the data lives inside the package only


def test_the_readme_example_runs_from_another_folder(venv, tmp_path):
    result = run_in(venv, "import analysis; print(analysis.__file__)\n" + readme_example(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    location, output = result.stdout.splitlines()[0], result.stdout.splitlines()[1]
    assert Path(location).is_relative_to(venv), location  # the installed wheel, not the checkout
    assert output.startswith("20 ['BEL', 'CAN',"), output


def test_load_dataset_works_from_the_installed_package(venv, tmp_path):
    result = run_in(venv, "import analysis; ds = analysis.load_dataset(); print(len(ds.parties), analysis.data_version()['version'])",
                    cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    parties = len((DATA / "parties.csv").read_text(encoding="utf-8").splitlines()) - 1
    assert result.stdout.split() == [str(parties), package["version"]]


def test_the_environment_variable_and_data_dir_point_elsewhere(venv, tmp_path):
    other = tmp_path / "my-data"
    shutil.copytree(DATA, other)
    package = json.loads((other / "datapackage.json").read_text(encoding="utf-8"))
    package["version"] = "9.9.9"
    (other / "datapackage.json").write_text(json.dumps(package, indent=1), encoding="utf-8")
    code = "import analysis; print(analysis.data_version()['version'])"
    assert run_in(venv, code, cwd=tmp_path, ANALYSIS_DATA_DIR=str(other)).stdout.strip() == "9.9.9"
    code = f"import analysis; print(analysis.data_version(data_dir={str(other)!r})['version'])"
    assert run_in(venv, code, cwd=tmp_path).stdout.strip() == "9.9.9"
    missing = run_in(venv, "import analysis; analysis.load_dataset()", cwd=tmp_path, ANALYSIS_DATA_DIR=str(tmp_path / "nowhere"))
    assert missing.returncode == 1 and "nowhere" in missing.stderr


# --------------------------------------------------------------------------- pandas 2.2 and 3.x
# `make pandas3` runs this test again under the newest pandas 3: each helper, on the shipped data, on a day before
# anything happened, on the day after the declaration and before any talks, and at the cut-off.


@pytest.mark.parametrize("day", ["2023-01-01", "2023-07-11", "2023-08-01", "2026-11-28"])
def test_every_helper_runs_on_any_day(day):
    import warnings

    import pandas as pd

    import analysis
    from analysis import claims, guarantees, partners

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a deprecation under one pandas is a failure under the next
        ds = analysis.load_dataset()
        g7 = analysis.G7_DECLARATION
        joined = ds.signatories[(ds.signatories["declaration_id"] == g7) & (ds.signatories["joined_date"] <= day)]
        assert len(analysis.members_as_of(ds.signatories, day, g7)) == joined["party_id"].nunique()
        signed = int((ds.agreements["signed_date"] <= day).sum())
        assert len(analysis.agreements_as_of(ds.agreements, day)) == signed
        status = analysis.partner_status(ds.signatories, ds.events, ds.agreements, day, g7)
        assert list(status.dtypes.astype(str)[["joined_date", "opened_date", "signed_date"]]) == ["datetime64[ns]"] * 3
        funnel = analysis.funnel(ds.signatories, ds.events, ds.agreements, day, g7)
        assert funnel.set_index("stage").loc["joined", "parties"] == joined["party_id"].nunique()
        for origin in ("opened", "joined"):
            survival = analysis.time_to_agreement(ds.signatories, ds.events, ds.agreements, day, origin=origin, declaration_id=g7)
            assert int(survival["signed"].sum()) <= signed
        analysis.growth(joined)
        analysis.not_joined(ds.signatories, ds.memberships, "EU", day, g7)
        guarantees.circles(ds, day)
        claims.count_series(ds, "agreements_signed", pd.to_datetime([day]))
        facts = partners.profile(ds, "GBR", day, g7)
        assert facts["stage"] == ("signed" if day >= "2024-01-12" else "none" if day < "2023-07-12" else facts["stage"])
    if day < "2023-07-12":  # nothing had happened yet
        assert status.empty and funnel["parties"].sum() == 0
