"""The build's behaviour: progress, incremental rebuilds without importing nbconvert, failures kept atomic."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import nbformat
import pytest
from conftest import DATA, ROOT, run_build


def write_notebook(path, *sources: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem.replace('_', ' ')}")] + [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)


def _paths(base):
    return {"notebooks": base / "notebooks", "data": base / "data", "out": base / "reports"}


@pytest.fixture(scope="module")
def built_project(tmp_path_factory):
    """Two small notebooks and a copy of the data, built once; returns the build's output too."""
    base = tmp_path_factory.mktemp("project")
    paths = _paths(base)
    paths["notebooks"].mkdir()
    write_notebook(paths["notebooks"] / "01_ok.ipynb", "import analysis\nprint(analysis.data_version()['version'], 'release')")
    write_notebook(paths["notebooks"] / "02_other.ipynb", "print(6 * 7)")
    shutil.copytree(DATA, paths["data"])
    first = build(paths)
    return base, first


@pytest.fixture
def project(built_project, tmp_path):
    """A private copy of the built project (notebooks, data, reports and build state)."""
    base, _ = built_project
    shutil.copytree(base, tmp_path / "p")
    return _paths(tmp_path / "p")


def build(project, *extra: str, check: bool = False):
    args = ["--notebook-dir", str(project["notebooks"]), "--data-dir", str(project["data"]), "--out", str(project["out"]), *extra]
    return run_build(*args, check=check)


def test_progress_then_up_to_date(built_project, project):
    _, first = built_project
    assert first.returncode == 0, first.stdout + first.stderr
    assert "building 2 of 2 report(s)" in first.stdout
    assert "[1/2]" in first.stdout and "[2/2]" in first.stdout and " s)" in first.stdout
    assert (project["out"] / "01_ok.html").exists() and (project["out"] / "index.html").exists()
    second = build(project)
    assert second.returncode == 0
    assert second.stdout.startswith("up to date: 2 report(s)")


def test_no_op_decides_without_importing_nbconvert(project):
    code = (
        "import sys\nfrom analysis.build import main\n"
        f"status = main(data_dir={str(project['data'])!r}, out_dir={str(project['out'])!r}, notebook_dir={str(project['notebooks'])!r})\n"
        "print('heavy:', sorted(m for m in ('nbconvert', 'nbclient', 'pandas', 'matplotlib') if m in sys.modules))\n"
        "sys.exit(status)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    assert "heavy: []" in result.stdout


@pytest.mark.parametrize(
    "change",
    [
        "notebook",  # the notebook itself
        "data",  # any file in the data folder
    ],
)
def test_a_changed_input_rebuilds_only_what_depends_on_it(project, change):
    if change == "notebook":
        write_notebook(project["notebooks"] / "02_other.ipynb", "print(7 * 6)")
        expected = "building 1 of 2 report(s)"
    else:
        path = project["data"] / "CHANGELOG.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nA note.\n", encoding="utf-8")
        expected = "building 2 of 2 report(s)"
    again = build(project)
    assert again.returncode == 0, again.stdout + again.stderr
    assert expected in again.stdout


def test_force_rebuilds_everything(project):
    assert "building 2 of 2" in build(project, "--force").stdout


def test_a_failing_notebook_keeps_its_previous_report(project):
    previous = (project["out"] / "02_other.html").read_bytes()
    write_notebook(project["notebooks"] / "02_other.ipynb", "x = 1", "raise ValueError('the data is odd')")
    write_notebook(project["notebooks"] / "01_ok.ipynb", "print('changed too')")
    result = build(project)
    assert result.returncode == 1
    assert "02_other" in result.stderr and "cell 2" in result.stderr and "ValueError: the data is odd" in result.stderr
    assert "the previous report is kept" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert (project["out"] / "02_other.html").read_bytes() == previous
    assert "changed too" in (project["out"] / "01_ok.html").read_text(encoding="utf-8")  # the other report still built
    state = json.loads((project["out"] / ".build-state.json").read_text(encoding="utf-8"))
    assert "02_other.html" not in state  # so the next build tries it again


def test_bad_data_stops_the_build_with_the_validator_messages(project):
    path = project["data"] / "parties.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("UKR,Ukraine", "ukr,Ukraine"), encoding="utf-8")
    result = build(project)
    assert result.returncode == 1
    assert "parties.csv:" in result.stdout and "party_id" in result.stdout and "build stopped" in result.stdout
    assert "building" not in result.stdout  # nothing was executed


def test_unknown_notebook_is_a_clear_error(project):
    result = build(project, "99_nothing")
    assert result.returncode != 0
    assert "no notebook or report named 99_nothing" in result.stderr
    assert "Traceback" not in result.stderr
