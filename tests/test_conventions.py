"""Cheap conventions: notebook names and clean outputs, pinned requirements, README and CI wiring, light imports."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from conftest import NOTEBOOKS, ROOT


def test_notebook_names():
    for path in NOTEBOOKS.glob("*.ipynb"):
        assert re.fullmatch(r"([0-9]{2}_[a-z0-9_]+|partner_profile)\.ipynb", path.name), path.name


def test_notebooks_are_committed_without_outputs():
    for path in NOTEBOOKS.glob("*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert cell.get("outputs") == [] and cell.get("execution_count") is None, f"{path.name} has outputs"


def test_notebooks_open_with_a_title_and_end_with_caveats():
    for path in NOTEBOOKS.glob("*.ipynb"):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        assert "".join(cells[0]["source"]).startswith("# "), path.name
        assert "Caveats" in "".join(cells[-1]["source"]), path.name


def test_the_profile_notebook_has_a_parameters_cell():
    cells = json.loads((NOTEBOOKS / "partner_profile.ipynb").read_text(encoding="utf-8"))["cells"]
    assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in cells)


def test_requirements_are_pinned():
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.\[\]-]+==[0-9][0-9A-Za-z.]*", line), line


def test_readme_and_ci_run_the_same_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make reports" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("reports", "test", "lab", "bench", "clean", "help"):
        assert re.search(rf"^{target}:.*## ", makefile, re.M), f"make {target} lacks a ## help line"


def _imported_after(code: str) -> set[str]:
    probe = code + "\nimport sys\nprint(' '.join(sorted(m for m in ('pandas', 'matplotlib', 'nbconvert', 'geopandas', 'lifelines') if m in sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_import_analysis_is_light():
    assert _imported_after("import analysis") == set()


def test_validate_does_not_import_pandas():
    assert _imported_after("from analysis.validation import validate\nassert validate().ok") == set()


def test_loading_does_not_import_plotting():
    assert _imported_after("import analysis\nanalysis.load_dataset()") == {"pandas"}


def test_no_merge_conflict_markers_are_committed():
    """A merge left half-done shows as ``<<<<<<<`` / ``>>>>>>>`` lines in a tracked text file."""
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if listed.returncode != 0:
        import pytest

        pytest.skip("not a git checkout")
    marker = re.compile(r"^(<{7} |>{7} |={7}$)", re.M)
    found = []
    for name in listed.stdout.splitlines():
        path = ROOT / name
        if path.suffix in (".py", ".md", ".csv", ".json", ".ipynb", ".j2", ".css", ".toml", ".txt", ".cff", "") and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            if marker.search(text):
                found.append(name)
    assert found == [], f"merge conflict markers in {found}"


def test_every_command_ends_quietly_when_its_reader_stops_early():
    """`python -m analysis COMMAND | head -1`: no BrokenPipeError traceback, status 0 (pipefail)."""
    for command in ("coverage", "kappa", "dictionary"):
        done = subprocess.run(["bash", "-o", "pipefail", "-c", f"'{sys.executable}' -m analysis {command} | head -1"],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0 and "Traceback" not in done.stderr, (command, done.stderr)
        assert len(done.stdout.splitlines()) == 1


#: Folders whose files must fit in a head (issue 21): at most this many lines per file.
SHORT_FILES = {"analysis/build": 400, "analysis/validation": 400, "benchmarks": 400}
#: And where no function may run longer than this many lines.
SHORT_FUNCTIONS = {"analysis/validation": 60}


def test_the_build_the_validator_and_the_benchmarks_are_files_that_fit_in_a_head():
    import ast

    too_long = []
    for folder, limit in SHORT_FILES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > limit:
                too_long.append(f"{path.relative_to(ROOT)}: {lines} lines (at most {limit})")
    for folder, limit in SHORT_FUNCTIONS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > limit:
                    too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {node.end_lineno - node.lineno + 1} lines (at most {limit})")
    assert too_long == []
