"""The build's behaviour: progress, incremental rebuilds without importing nbconvert, failures kept atomic."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys

import nbformat
import pytest
from conftest import DATA, ROOT, common_dir, once, run_build


def write_notebook(path, *sources: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem.replace('_', ' ')}")] + [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)


def _paths(base):
    return {"notebooks": base / "notebooks", "data": base / "data", "out": base / "reports"}


@pytest.fixture(scope="module")
def built_project(tmp_path_factory):
    """Two small notebooks and a copy of the data, built once per test run and shared by the workers; returns the
    build's output too. Tests copy it."""

    def make(base) -> str:
        paths = _paths(base)
        paths["notebooks"].mkdir(parents=True)
        write_notebook(paths["notebooks"] / "01_ok.ipynb", "import analysis\nprint(analysis.data_version()['version'], 'release')")
        write_notebook(paths["notebooks"] / "02_other.ipynb", "print(6 * 7)")
        shutil.copytree(DATA, paths["data"])
        first = build(paths)
        return json.dumps([first.returncode, first.stdout, first.stderr])

    returncode, stdout, stderr = json.loads(once(tmp_path_factory, "built-project", make))
    return common_dir(tmp_path_factory) / "built-project", subprocess.CompletedProcess(["build"], returncode, stdout, stderr)


@pytest.fixture
def project(built_project, tmp_path):
    """A private copy of the built project (notebooks, data, reports and build state)."""
    base, _ = built_project
    shutil.copytree(base, tmp_path / "p")
    return _paths(tmp_path / "p")


def build(project, *extra: str, check: bool = False, env: dict | None = None):
    args = ["--notebook-dir", str(project["notebooks"]), "--data-dir", str(project["data"]), "--out", str(project["out"]), *extra]
    return run_build(*args, check=check, env=env)



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
        "descriptor",  # a file one report read (01_ok reads the release from datapackage.json; 02_other reads nothing)
        "changelog",  # a file no report read: only the site pages (the data page shows it) are written again
    ],
)
def test_a_changed_input_rebuilds_only_what_depends_on_it(project, change):
    if change == "notebook":
        write_notebook(project["notebooks"] / "02_other.ipynb", "print(7 * 6)")
        expected = "building 1 of 2 report(s)"
    elif change == "descriptor":
        path = project["data"] / "datapackage.json"
        path.write_text(path.read_text(encoding="utf-8").replace('"title": "', '"title": "A ', 1), encoding="utf-8")
        expected = "building 1 of 2 report(s)"
    else:
        path = project["data"] / "CHANGELOG.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nA note on nothing.\n", encoding="utf-8")
        expected = "0 report(s) built"
    again = build(project)
    assert again.returncode == 0, again.stdout + again.stderr
    assert expected in again.stdout
    if change == "descriptor":
        assert "[1/1] 01_ok: ok" in again.stdout
    if change == "changelog":
        assert "A note on nothing." in (project["out"] / "data.html").read_text(encoding="utf-8")
    assert build(project).stdout.startswith("up to date")


def test_force_rebuilds_everything(project):
    assert "building 2 of 2" in build(project, "--force").stdout


def test_a_failing_notebook_keeps_its_previous_report(project):
    previous = (project["out"] / "02_other.html").read_bytes()
    write_notebook(project["notebooks"] / "02_other.ipynb", "x = 1", "raise ValueError('the data is odd')")
    write_notebook(project["notebooks"] / "01_ok.ipynb", "print('changed too')")
    result = build(project)
    assert result.returncode == 1
    # cells as the notebook numbers them: 1 is the title (Markdown), 2 is `x = 1`, 3 raises
    assert "02_other" in result.stderr and "cell 3:" in result.stderr and "ValueError: the data is odd" in result.stderr
    assert "the previous report is kept" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert (project["out"] / "02_other.html").read_bytes() == previous
    assert "changed too" in (project["out"] / "01_ok.html").read_text(encoding="utf-8")  # the other report still built
    state = json.loads((project["out"] / ".build-state.json").read_text(encoding="utf-8"))
    assert "02_other.html" not in state["reports"]  # so the next build tries it again


def test_bad_data_stops_the_build_with_the_validator_messages(project):
    path = project["data"] / "parties.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("UKR,Ukraine", "ukr,Ukraine"), encoding="utf-8")
    result = build(project)
    assert result.returncode == 1
    assert "parties.csv:" in result.stdout and "party_id" in result.stdout and "nothing was rebuilt" in result.stderr
    assert "building" not in result.stdout  # nothing was executed


def test_unknown_notebook_is_a_clear_error(project):
    result = build(project, "99_nothing")
    assert result.returncode != 0
    assert "no notebook or report named 99_nothing" in result.stderr
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- honest about freshness (issue 12)


def test_a_report_replaced_behind_the_builds_back_is_rebuilt(project):
    # e.g. a build killed after writing a report but before saving its state, then the data reverted
    (project["out"] / "01_ok.html").write_text("<html>from other data</html>", encoding="utf-8")
    again = build(project)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "building 1 of 2 report(s)" in again.stdout
    assert "release" in (project["out"] / "01_ok.html").read_text(encoding="utf-8")


def test_a_deleted_site_page_is_rewritten(project):
    (project["out"] / "index.html").unlink()
    again = build(project)
    assert again.returncode == 0 and (project["out"] / "index.html").exists()


def test_the_zip_and_the_database_are_written_again_only_when_the_data_or_they_changed(project):
    """A changed notebook leaves them alone (a few seconds saved on most builds), and the site pages too (none shows
    what a report says); a changed data file, or the database changed on disk, writes them again."""
    import sqlite3

    out = project["out"]
    zipped, database = next((out / "data").glob("*.zip")), out / "ukraine-security-guarantees.db"

    def stamps():
        return zipped.stat().st_mtime_ns, database.stat().st_mtime_ns, database.read_bytes()

    before, index = stamps(), (out / "index.html").stat().st_mtime_ns
    write_notebook(project["notebooks"] / "02_other.ipynb", "print(6 * 9)")
    assert "02_other: ok" in build(project).stdout and "54" in (out / "02_other.html").read_text(encoding="utf-8")
    assert stamps() == before and (out / "index.html").stat().st_mtime_ns == index
    _same_size_edit(database, b"SQLite format 3", b"SQLite format 4")  # spoiled on disk, size and time kept
    assert build(project, "--force").returncode == 0
    assert stamps()[1] != before[1] and database.read_bytes() == before[2]
    _edit_note(project["data"] / "milestones.csv", 0, "Edited.")
    assert build(project).returncode == 0
    assert zipped.stat().st_mtime_ns != before[0]
    with sqlite3.connect(database) as connection:
        assert connection.execute("select count(*) from milestones where note like '%Edited.'").fetchone() == (1,)


def test_a_bad_state_file_means_a_rebuild_not_a_crash(project):
    for content in [
        "not json",  # garbage
        "[]",  # the wrong shape
        '{"version": 2, "plan": {"inputs": 5, "partners": []}, "reports": {"01_ok.html": {"key": 1}}}',  # odd values
        '{"version": 2, "plan": {}, "reports": {"01_ok.html": "x", "02_other.html": {"key": "k", "sha256": null}}}',
    ]:
        (project["out"] / ".build-state.json").write_text(content, encoding="utf-8")
        again = build(project)
        assert again.returncode == 0, content + again.stdout + again.stderr
        assert "building 2 of 2 report(s)" in again.stdout, content
    # NOTE: the four cases share one test (and one project copy) to keep the suite fast


def test_every_file_of_the_data_folder_is_in_the_input_key_and_tables_stay_inside_it(project):
    # a file in a subfolder of data/ (notes, an extra table) that nothing reads rebuilds nothing
    (project["data"] / "extra").mkdir()
    (project["data"] / "extra" / "notes.txt").write_text("a note", encoding="utf-8")
    assert build(project).stdout.startswith("up to date")
    # a table the descriptor places outside the folder's top level is refused before any notebook runs
    package = json.loads((project["data"] / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        if resource["name"] == "milestones":
            resource["path"] = "../milestones.csv"
    (project["data"] / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    refused = build(project)
    assert refused.returncode == 1 and "not a plain file name" in refused.stdout and "building" not in refused.stdout


def test_a_second_build_into_the_same_folder_is_refused(project):
    import fcntl

    with open(project["out"] / ".build.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = build(project, "--force")
    assert result.returncode == 1
    assert "another build is writing to" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("kind", ["file", "read-only"])
def test_an_impossible_output_location_is_a_clear_error(project, tmp_path, kind):
    import os

    if kind == "file":
        target = tmp_path / "a-file"
        target.write_text("x", encoding="utf-8")
        expected = "is a file, not a folder"
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes to read-only folders; the check needs an ordinary user")
        target = tmp_path / "ro"
        target.mkdir(mode=0o555)
        expected = "is not writable"
    result = run_build("--notebook-dir", str(project["notebooks"]), "--data-dir", str(project["data"]), "--out", str(target), check=False)
    assert result.returncode == 1 and expected in result.stderr and "Traceback" not in result.stderr


def test_an_output_location_under_a_file_is_a_clear_error(project, tmp_path):
    (tmp_path / "f").write_text("x", encoding="utf-8")
    result = run_build("--notebook-dir", str(project["notebooks"]), "--data-dir", str(project["data"]),
                       "--out", str(tmp_path / "f" / "reports"), check=False)  # fmt: skip
    assert result.returncode == 1 and "cannot create the output folder" in result.stderr and "Traceback" not in result.stderr


def test_ctrl_c_stops_the_build_quickly_and_keeps_what_landed(project):
    import os
    import signal
    import time

    before = json.loads((project["out"] / ".build-state.json").read_text(encoding="utf-8"))["reports"]["02_other.html"]
    write_notebook(project["notebooks"] / "02_other.ipynb", "import time\ntime.sleep(60)")
    # two at a time: the quick report lands while the slow one is still running
    args = ["--notebook-dir", str(project["notebooks"]), "--data-dir", str(project["data"]), "--out", str(project["out"]), "--jobs", "2"]
    write_notebook(project["notebooks"] / "01_ok.ipynb", "print('quick')")
    proc = subprocess.Popen([sys.executable, "-m", "analysis", "build", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 120
    seen = ""
    while time.monotonic() < deadline:  # wait until the quick report has landed and the slow one runs
        state = project["out"] / ".build-state.json"
        if state.exists() and "quick" in (project["out"] / "01_ok.html").read_text(encoding="utf-8"):
            seen = state.read_text(encoding="utf-8")
            break
        time.sleep(0.2)
    assert "01_ok.html" in seen
    started = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground group
    out, err = proc.communicate(timeout=30)
    assert time.monotonic() - started < 10
    assert proc.returncode == 130, out + err
    assert "interrupted" in err and "Traceback" not in out + err
    state = json.loads((project["out"] / ".build-state.json").read_text(encoding="utf-8"))
    assert "01_ok.html" in state["reports"]
    assert state["reports"]["02_other.html"] == before  # the interrupted report: still the old one, recorded as such


# --------------------------------------------------------------------------- the warm executor (issue 13)


def test_one_notebooks_globals_and_settings_do_not_leak_into_the_next(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks / "01_set.ipynb", "LEAK = 1\nimport matplotlib as mpl\nmpl.rcParams['lines.linewidth'] = 9\n"
                   "import pandas as pd\npd.set_option('display.max_rows', 3)\nimport random\nprint(random.random())")  # fmt: skip
    write_notebook(notebooks / "02_get.ipynb", "import matplotlib as mpl, pandas as pd\n"
                   "print('leak' if 'LEAK' in globals() else 'no leak', mpl.rcParams['lines.linewidth'], pd.get_option('display.max_rows'))\n"
                   "import random\nprint(random.random())")  # fmt: skip
    out = tmp_path / "out"
    run_build("--notebook-dir", str(notebooks), "--out", str(out), "--jobs", "1")
    second = (out / "02_get.html").read_text(encoding="utf-8")
    assert "no leak 1.5 60" in second  # matplotlib's and pandas' defaults, untouched by 01
    first_random = (out / "01_set.html").read_text(encoding="utf-8").split("<pre>")[1].split("</pre>")[0]
    assert first_random not in second  # fresh random state per report, not a copy of the parent's


def test_one_exporter_serves_a_process_until_a_report_template_changes(tmp_path, monkeypatch):
    """Builds run one after another in a process share the exporter (making it and compiling its templates cost
    about a quarter of a second a build); an edited template makes a new one, and the edit shows."""
    import copy

    from analysis.build import export

    templates = tmp_path / "templates"
    shutil.copytree(export.TEMPLATES, templates)
    monkeypatch.setattr(export, "TEMPLATES", templates)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A title")])
    page = {"release": {"version": "9.9.9", "dates_sentence": "", "citation": ""}, "reports": []}

    def body(exporter) -> str:
        return exporter.from_notebook_node(copy.deepcopy(nb), resources={"metadata": {"name": "t"}, "report_css": "", "report": page})[0]

    first = export.make_exporter()
    assert export.make_exporter() is first and "Data release <strong>9.9.9</strong>" in body(first)
    template = templates / "offline" / "index.html.j2"
    template.write_text(template.read_text(encoding="utf-8").replace("Data release <", "Data edition <"), encoding="utf-8")
    second = export.make_exporter()
    assert second is not first and "Data edition <strong>9.9.9</strong>" in body(second)


def test_a_build_called_from_python_puts_back_the_callers_sigterm_handler(tmp_path):
    """While it runs, SIGTERM stops the build as Ctrl-C does; afterwards the program that called it has its own
    handling back, whether the build succeeded or not."""
    import signal

    from analysis.build import main

    def mine(signum, frame) -> None:
        pass

    before = signal.signal(signal.SIGTERM, mine)
    try:
        assert main(data_dir=str(tmp_path / "no-such-folder"), out_dir=str(tmp_path / "out")) == 1
        assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, before)


def test_the_no_op_build_reads_no_data(project, monkeypatch):
    """Up to date is decided from hashes: the validator is not even imported."""
    code = (
        "import sys\nfrom analysis.build import main\n"
        f"status = main(data_dir={str(project['data'])!r}, out_dir={str(project['out'])!r}, notebook_dir={str(project['notebooks'])!r})\n"
        "print('validator:', 'analysis.validation' in sys.modules)\nsys.exit(status)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "up to date" in result.stdout and "validator: False" in result.stdout


def test_where_fork_is_unavailable_the_build_uses_kernels_and_says_so(monkeypatch, capsys, tmp_path):
    from analysis.build import execute

    monkeypatch.setattr(execute, "fork_available", lambda: False)
    runner = execute.executor("warm", tmp_path, 2)
    assert isinstance(runner, execute.KernelExecutor)
    assert "cannot fork" in capsys.readouterr().err
    monkeypatch.setattr(execute, "fork_available", lambda: True)
    assert isinstance(execute.executor("warm", tmp_path, 2), execute.WarmExecutor)
    assert isinstance(execute.executor("kernel", tmp_path, 2), execute.KernelExecutor)


def test_cells_are_named_as_the_notebook_numbers_them_even_with_injected_parameters():
    from analysis.build.execute import prepare, run_in_shell
    from analysis.build.plan import Job

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("party_id = 'AAA'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), params, nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_code_cell("raise KeyError(party_id)")]  # fmt: skip
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.ipynb"
        nbformat.write(nb, path)
        prepared = prepare(Job(path, "p.html", "P", (("party_id", "BBB"),)))
        assert len(prepared.cells) == 5  # the injected cell follows the parameters cell
        failure = run_in_shell(prepared)
    assert failure == "cell 4: KeyError: 'BBB'"  # the 4th cell of the notebook file, the injected one not counted


# --------------------------------------------------------------------------- freshness from content (issue 19.6)


def _same_size_edit(path, old: bytes, new: bytes) -> None:
    """Replace ``old`` by ``new`` (same length) in ``path`` and restore its modification time: size and mtime say nothing."""
    import os

    assert len(old) == len(new)
    info = path.stat()
    content = path.read_bytes()
    assert old in content, (path, old)
    path.write_bytes(content.replace(old, new, 1))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (info.st_size, info.st_mtime_ns)


@pytest.mark.parametrize(
    ("what", "old", "new"),
    [
        ("report", b"release", b"relAase"),  # the HTML of 01_ok changed behind the build's back
        ("descriptor", b'"title": "Ukraine', b'"title": "Ukrainf'),  # a file 01_ok read
        ("site", b"<html", b"<HTML"),  # a site page
    ],
)
def test_a_same_size_edit_with_its_time_restored_is_caught(project, what, old, new):
    path = {"report": project["out"] / "01_ok.html", "descriptor": project["data"] / "datapackage.json",
            "site": project["out"] / "data.html"}[what]  # fmt: skip
    _same_size_edit(path, old, new)
    again = build(project)
    assert again.returncode == 0, again.stdout + again.stderr
    if what == "site":
        assert "0 report(s) built" in again.stdout and b"<html" in path.read_bytes()
    else:
        assert "building 1 of 2 report(s)" in again.stdout and "[1/1] 01_ok: ok" in again.stdout
    assert build(project).stdout.startswith("up to date")


EDIT_DURING_BUILD = """import os, pathlib
from analysis.schema import read_data_text
folder = pathlib.Path(os.environ["ANALYSIS_DATA_DIR"])
path = folder / "CHANGELOG.md"
if (folder.parent / "edit-now").exists():
    original = path.read_bytes()
    path.write_bytes(original + b"\\nEdited while the build ran.\\n")
print(len(read_data_text(folder, "CHANGELOG.md")), "characters")
if (folder.parent / "edit-now").exists() and (folder.parent / "revert-in-build").exists():
    path.write_bytes(original)
"""


@pytest.mark.parametrize("revert", ["after the build", "within the build"])
def test_an_input_edited_during_the_build_is_caught_and_rebuilt_later(project, revert):
    import os

    changelog = project["data"] / "CHANGELOG.md"
    original, info = changelog.read_bytes(), changelog.stat()
    write_notebook(project["notebooks"] / "02_other.ipynb", EDIT_DURING_BUILD)
    base = project["data"].parent
    (base / "edit-now").touch()
    if revert == "within the build":
        (base / "revert-in-build").touch()
    during = build(project)
    assert during.returncode == 1, during.stdout + during.stderr
    assert "CHANGELOG.md changed while the build ran" in during.stderr and "Traceback" not in during.stderr
    assert len([line for line in during.stderr.splitlines() if "changed while" in line]) == 1
    (base / "edit-now").unlink()
    changelog.write_bytes(original)  # the edit is reverted, and its modification time too
    os.utime(changelog, ns=(info.st_atime_ns, info.st_mtime_ns))
    after = build(project)
    assert after.returncode == 0, after.stdout + after.stderr
    assert "building 1 of 2 report(s)" in after.stdout and "02_other: ok" in after.stdout  # it had read the edited file
    assert build(project).stdout.startswith("up to date")


# --------------------------------------------------------------------------- paths (issue 19.1)


def test_an_output_folder_inside_the_data_folder_is_refused(project):
    for out in (project["data"] / "reports", project["data"], project["data"] / "a" / "b"):
        before = sorted(p.name for p in project["data"].iterdir())
        result = run_build("--notebook-dir", str(project["notebooks"]), "--data-dir", str(project["data"]), "--out", str(out), check=False)
        assert result.returncode == 1 and "is inside the data folder" in result.stderr, result.stderr
        assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
        assert sorted(p.name for p in project["data"].iterdir()) == before  # nothing was created in the data folder
    # and the other way round: a data folder where the build writes its copies
    result = run_build("--notebook-dir", str(project["notebooks"]), "--data-dir", str(project["data"]), "--out",
                       str(project["data"].parent), check=False)  # fmt: skip
    assert result.returncode == 1 and "is where the build writes" in result.stderr


def _crafted_party(data, code: str) -> None:
    """Loosen every pattern in the descriptor and give Montenegro the code ``code`` everywhere (ids follow): the
    folder still validates, and a report's file name would be built from ``code``."""
    import csv
    import io

    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    keys = {}
    for resource in package["resources"]:
        keys[resource["path"]] = resource["schema"]["primaryKey"]
        for spec in resource["schema"]["fields"]:
            spec.get("constraints", {}).pop("pattern", None)
    (data / "datapackage.json").write_text(json.dumps(package, indent=1), encoding="utf-8")
    for path in data.glob("*.csv"):
        header, *rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        rows = [[code if c == "MNE" else code.lower() + c[3:] if c.startswith("mne-") else c for c in row] for row in rows]
        at = [header.index(k) for k in keys[path.name]]
        rows.sort(key=lambda row: tuple(row[i] for i in at))
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
        path.write_text(buffer.getvalue(), encoding="utf-8")


@pytest.mark.parametrize("code", ["../../evil", "..", "a b", "x/y"])
def test_a_crafted_party_code_cannot_escape_the_output_folder(project, code):
    from analysis.validation import validate

    _crafted_party(project["data"], code)
    assert validate(project["data"]).ok  # the descriptor allows it: the build must refuse it by itself
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("party_id = 'GBR'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Profile"), params, nbformat.v4.new_code_cell("print(party_id)")]
    nbformat.write(nb, project["notebooks"] / "partner_profile.ipynb")
    before = sorted(str(p) for p in project["out"].parent.parent.rglob("*evil*"))
    result = build(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "is not a safe name" in result.stderr and len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert "building" not in result.stdout  # refused before any notebook ran
    assert sorted(str(p) for p in project["out"].parent.parent.rglob("*evil*")) == before


def test_output_names_are_checked_and_stay_inside(tmp_path):
    from analysis.build.plan import BuildError, checked_name, output_path, profile_jobs

    out = tmp_path / "out"
    out.mkdir()
    for bad in ["../x", "a/b", "", ".", "..", "x\ny", "é", "a" * 101, "x.y"]:
        with pytest.raises(BuildError, match="not a safe name"):
            checked_name(bad, "a party_id")
    with pytest.raises(BuildError, match="not a safe name"):
        profile_jobs({"../../etc/evil": "Evil"}, ROOT / "notebooks")
    for bad in ["../x.html", "partners/../../x.html", "/etc/passwd", "a b.html", "x", "partners/.html"]:
        with pytest.raises(BuildError):
            output_path(out, bad)
    (out / "partners").symlink_to(tmp_path)  # a folder of the output that leads outside it
    with pytest.raises(BuildError, match="resolves outside the output folder"):
        output_path(out, "partners/GBR.html")
    assert output_path(out, "downloads/a-b_1.csv") == out / "downloads" / "a-b_1.csv"


def test_a_notebook_with_an_unsafe_name_is_refused(project):
    write_notebook(project["notebooks"] / "03_two words.ipynb", "print(1)")
    result = build(project)
    assert result.returncode == 1 and "'03_two words' is not a safe name" in result.stderr and "Traceback" not in result.stderr


def test_an_output_subfolder_that_links_outside_is_refused(project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(project["out"] / "data")
    (project["out"] / "data").symlink_to(outside)  # where the build copies the data package
    path = project["data"] / "CHANGELOG.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nA change, so the copies are written again.\n", encoding="utf-8")
    result = build(project)
    assert result.returncode == 1 and "resolves outside the output folder" in result.stderr and "Traceback" not in result.stderr
    assert list(outside.iterdir()) == []


# --------------------------------------------------------------------------- one safe way to read the data folder (19.2)


def _fifo(path):
    import os

    path.unlink()
    os.mkfifo(path)


def _link_out(path):
    secret = path.parent.parent / "secret.md"
    secret.write_text("# A secret from outside the data folder\n", encoding="utf-8")
    path.unlink()
    path.symlink_to(secret)


def _folder(path):
    path.unlink()
    path.mkdir()


def _not_utf8(path):
    path.write_bytes(b"# Data\n\nline two\ncaf\xe9 au lait\n")


@pytest.mark.parametrize(
    ("name", "spoil", "expected"),
    [
        ("README.md", _link_out, "symbolic link"),
        ("README.md", _fifo, "named pipe (FIFO)"),
        ("CHANGELOG.md", _folder, "is a folder"),
        ("README.md", _not_utf8, "line 4, column 4: is not valid UTF-8"),
        ("CHANGELOG.md", _link_out, "symbolic link"),
    ],
)
def test_the_site_reads_the_data_folder_only_through_the_safe_open(project, name, spoil, expected):
    import subprocess as sp

    spoil(project["data"] / name)
    args = ["--notebook-dir", str(project["notebooks"]), "--data-dir", str(project["data"]), "--out", str(project["out"])]
    try:
        result = run_build(*args, check=False)
    except sp.TimeoutExpired:  # pragma: no cover - the failure this test exists for
        pytest.fail("the build hung on a FIFO")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and name in lines[0] and expected in lines[0] and "Traceback" not in result.stderr, result.stderr
    assert "building" not in result.stdout  # refused before any notebook ran
    assert "A secret" not in (project["out"] / "data.html").read_text(encoding="utf-8")
    assert not any("A secret" in p.read_text(encoding="utf-8", errors="replace") for p in (project["out"] / "data").iterdir() if p.is_file())


# --------------------------------------------------------------------------- the lock stays with the writer (issue 19.4)


def _in_session(sid: int) -> list[int]:
    """The processes of session ``sid`` still alive (what ``ps -s SID`` lists), zombies left out."""
    import os

    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":  # fields after the name: state, ppid, pgrp, session
            found.append(int(entry))
    return found


def test_the_lock_stays_held_while_the_writing_process_lives(project):
    import os
    import signal
    import time

    write_notebook(project["notebooks"] / "02_other.ipynb", "import time\ntime.sleep(120)")
    args = ["--notebook-dir", str(project["notebooks"]), "--data-dir", str(project["data"]), "--out", str(project["out"])]
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}  # so that the build hands over
    proc = subprocess.Popen([sys.executable, "-m", "analysis", "build", *args], cwd=ROOT, env=environment,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(_in_session(proc.pid)) < 3:  # the build, the writer, a report
            time.sleep(0.2)
        assert len(_in_session(proc.pid)) >= 3, "the build did not start its writer and a report"
        os.kill(proc.pid, signal.SIGKILL)  # the process that took the lock first dies; its writer is told to stop
        proc.wait(timeout=10)
        import fcntl

        def files() -> dict:
            return {str(f): (f.stat().st_mtime_ns, f.stat().st_size) for f in project["out"].rglob("*") if f.is_file()}

        deadline = time.monotonic() + 30
        with open(project["out"] / ".build.lock", "a+") as probe:
            while time.monotonic() < deadline:
                try:  # take the lock as a second build would, as soon as it is free
                    fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError:
                    time.sleep(0.05)
            else:
                raise AssertionError("the writer did not stop with the process that started it")
            once_free = files()
            while time.monotonic() < deadline and _in_session(proc.pid):
                time.sleep(0.1)
            assert files() == once_free, "the killed build's writer wrote after it let go of the lock"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert _in_session(proc.pid) == []  # ps: the writer stopped with the process that started it, and nothing is left
    write_notebook(project["notebooks"] / "02_other.ipynb", "print('done')")
    third = build(project)  # the writer is gone: so is the lock, and the rerun rebuilds what is stale
    assert third.returncode == 0 and "02_other: ok" in third.stdout, third.stdout + third.stderr


def test_a_handed_over_lock_is_only_taken_from_a_descriptor_that_holds_it(tmp_path, monkeypatch):
    from analysis.build.plan import BuildError
    from analysis.build.state import LOCK_HELD_ENV, Lock

    with Lock(tmp_path) as held:
        for forged in ["5:/elsewhere/.build.lock", f"{held.fd}:{tmp_path}/other.lock", "x", f"9999:{held.path}"]:
            monkeypatch.setenv(LOCK_HELD_ENV, forged)
            with pytest.raises(BuildError, match="another build is writing"):
                Lock(tmp_path).__enter__()
        monkeypatch.setenv(LOCK_HELD_ENV, f"{held.fd}:{held.path}")  # what the build passes to the process it starts
        import os

        inherited = os.dup(held.fd)  # the new process's copy of the descriptor
        monkeypatch.setenv(LOCK_HELD_ENV, f"{inherited}:{held.path}")
        with Lock(tmp_path) as child:
            assert child.fd == inherited


# --------------------------------------------------------------------------- incremental = full (issue 21.1)

#: Two reports (fewer than the warm start needs: each build stays light) that read different tables, each printing a
#: digest of what it read (a stale one would differ).
PROPERTY_NOTEBOOKS = {
    "01_parties": "import hashlib\nfrom analysis import load_dataset\nds = load_dataset()\n"
                  "print(hashlib.sha256((ds.parties.to_csv() + ds.milestones.to_csv()).encode()).hexdigest())",
    "02_claims": "import hashlib\nimport analysis\nfrom analysis.load import load_table\nds = analysis.load_dataset()\n"
                 "print(analysis.data_version()['version'], hashlib.sha256((load_table('claims').to_csv() + "
                 "ds['events'].to_csv()).encode()).hexdigest())",
}  # fmt: skip
#: Tables with a free-text ``note`` column, where an edit keeps the folder valid.
NOTED = ["memberships", "declarations", "signatories", "agreements", "events", "meetings", "milestones", "claims", "clauses"]


def _edit_note(path, row: int, text: str) -> None:
    import csv
    import io

    header, *rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    row %= len(rows)
    column = header.index("note")
    rows[row][column] = f"{rows[row][column]} {text}".strip()
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _published(out) -> dict[str, bytes]:
    """Every file a reader gets (the build's own state, cache and lock left out)."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def test_an_incremental_build_gives_the_same_bytes_as_a_full_build(tmp_path_factory):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    base = tmp_path_factory.mktemp("property")
    paths = _paths(base)
    paths["notebooks"].mkdir()
    for name, source in PROPERTY_NOTEBOOKS.items():
        write_notebook(paths["notebooks"] / f"{name}.ipynb", source)
    shutil.copytree(DATA, paths["data"])
    assert build(paths).returncode == 0
    counter = iter(range(1000))

    @settings(max_examples=3, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.tuples(st.sampled_from(NOTED), st.integers(0, 10_000)), min_size=1, max_size=3))
    def check(edits):
        number = next(counter)
        for table, row in edits:
            _edit_note(paths["data"] / f"{table}.csv", row, f"Edit {number}.")
        incremental = build(paths)
        assert incremental.returncode == 0, incremental.stdout + incremental.stderr
        touched = {t for t, _ in edits}
        readers = {"01_parties": {"milestones"}, "02_claims": {"claims", "events"}}
        expected = {name for name, tables in readers.items() if tables & touched}
        built = {line.split("] ", 1)[1].split(":")[0] for line in incremental.stdout.splitlines() if line.startswith("[")}
        assert built == expected, (edits, incremental.stdout)
        full = dict(paths, out=base / f"full-{number}")
        # NOTE: the landing page's charts come from the suite's shared site cache, keyed by the data folder's content:
        # the incremental build drew them (or kept its own folder's, if wrongly current: then they differ here)
        clean = build(full, "--force")
        assert clean.returncode == 0, clean.stdout + clean.stderr
        assert _published(paths["out"]) == _published(full["out"]), edits
        shutil.rmtree(full["out"])

    check()


def test_a_download_edited_behind_the_builds_back_or_with_an_unsafe_name(project):
    import os

    write_notebook(project["notebooks"] / "02_other.ipynb",
                   "import pandas as pd\nfrom analysis import report\nprint(report.download(pd.DataFrame({'n': [41, 42]}), 'numbers'))")  # fmt: skip
    first = build(project)
    assert first.returncode == 0, first.stdout + first.stderr
    csv = project["out"] / "downloads" / "02-other--numbers.csv"
    assert csv.read_text(encoding="utf-8") == "n\n41\n42\n"
    _same_size_edit(csv, b"41", b"40")  # a download changed with its size and time kept: the report is not current
    again = build(project)
    assert "building 1 of 2 report(s)" in again.stdout and "02_other: ok" in again.stdout, again.stdout + again.stderr
    assert csv.read_text(encoding="utf-8") == "n\n41\n42\n"
    # a notebook that writes a download under a name that is not a safe file name: refused in one line
    write_notebook(project["notebooks"] / "02_other.ipynb",
                   "import os, pathlib\npathlib.Path(os.environ['ANALYSIS_DOWNLOADS_DIR'], 'a b.csv').write_text('x\\n')")  # fmt: skip
    refused = build(project)
    assert refused.returncode == 1 and "refusing to write 'downloads/a b.csv'" in refused.stderr, refused.stdout + refused.stderr
    assert "Traceback" not in refused.stderr and not (project["out"] / "downloads" / "a b.csv").exists()
    assert os.listdir(project["out"] / "downloads") == ["02-other--numbers.csv"]


def test_both_executors_record_the_same_reads(project, tmp_path):
    warm = json.loads((project["out"] / ".build-state.json").read_text(encoding="utf-8"))["reports"]
    kernel_out = tmp_path / "kernel"
    result = build(dict(project, out=kernel_out), "--executor", "kernel")
    assert result.returncode == 0, result.stdout + result.stderr
    kernel = json.loads((kernel_out / ".build-state.json").read_text(encoding="utf-8"))["reports"]
    assert {k: v["reads"] for k, v in kernel.items()} == {k: v["reads"] for k, v in warm.items()}
    assert set(warm["01_ok.html"]["reads"]) == {"datapackage.json"} and warm["02_other.html"]["reads"] == {}


def test_builds_into_other_folders_share_the_site_cache_by_content(tmp_path, monkeypatch):
    """With ANALYSIS_SITE_CACHE, the landing page's content drawn for one output folder serves another built from the
    same code and the same data files; a changed file it read means drawing it again."""
    from analysis import landing
    from analysis.build import site
    from analysis.build.plan import Inputs
    from analysis.load import load_table

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    drawn = []

    def content(data_dir, pictures=None):
        drawn.append(data_dir)
        return {"milestones": len(load_table("milestones", data_dir))}  # read through the loaders: recorded

    monkeypatch.setattr(landing, "content", content)
    monkeypatch.setenv(site.SHARED_CACHE_ENV, str(tmp_path / "cache"))
    for name in ("a", "b"):
        computed, reads = site._computed(tmp_path / name, data, "base", [], Inputs(data))
        assert computed["landing"] == {"milestones": 25} and "milestones.csv" in reads
    assert len(drawn) == 1  # b was served from a's drawing
    _edit_note(data / "milestones.csv", 0, "Edited.")
    site._computed(tmp_path / "c", data, "base", [], Inputs(data))
    assert len(drawn) == 2 and len(list((tmp_path / "cache").glob("site-*.json"))) == 2
    monkeypatch.delenv(site.SHARED_CACHE_ENV)
    site._computed(tmp_path / "d", data, "base", [], Inputs(data))
    assert len(drawn) == 3  # no shared folder: each output folder draws its own


def test_the_site_reads_the_data_folder_it_was_given_not_the_default_one(built_project):
    """With --data-dir, the labels, vocabularies and chart credits of the site pages come from that folder: every
    file the site, the release line and the reports read is named inside it (a read of the default data/ would be
    an absolute path)."""
    base, _ = built_project
    state = json.loads((base / "reports" / ".build-state.json").read_text(encoding="utf-8"))
    reads = [*state["plan"]["site"]["reads"], *state["plan"]["release"]["reads"]]
    reads += [name for report in state["reports"].values() for name in report["reads"]]
    assert reads and [name for name in reads if "/" in name] == []


def test_a_landing_chart_is_drawn_again_only_when_what_it_is_drawn_from_changed(tmp_path, monkeypatch):
    """A note edited in a table the landing page reads recomputes the page but draws neither chart again; a milestone
    renamed redraws the growth chart (it shows milestones), not the map."""
    from analysis import images, maps, plots
    from analysis.build import site
    from analysis.build.plan import Inputs

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    drawn: list[str] = []
    monkeypatch.setattr(plots, "plot_growth", lambda *a, **k: drawn.append("growth") or "growth")
    monkeypatch.setattr(maps, "plot_declaration_map", lambda *a, **k: drawn.append("map") or "map")
    monkeypatch.setattr(images, "render", lambda fig: {"wide": images.Image(b"<svg/>", "image/svg+xml", 1, 1, 10.0)})
    monkeypatch.delenv(site.SHARED_CACHE_ENV, raising=False)

    def landing():
        return site._computed(tmp_path / "out", data, "base", [], Inputs(data))[0]["landing"]

    (tmp_path / "out").mkdir()
    first = landing()
    assert drawn == ["growth", "map"]
    _edit_note(data / "events.csv", 0, "Edited.")
    assert landing()["figures"] == first["figures"] and drawn == ["growth", "map"]
    milestones = data / "milestones.csv"
    milestones.write_text(milestones.read_text(encoding="utf-8").replace("NATO summit, Vilnius", "NATO summit in Vilnius"), encoding="utf-8")
    landing()
    assert drawn == ["growth", "map", "growth"]


def test_with_a_shared_folder_a_chart_is_drawn_once_for_every_build_of_the_same_code(tmp_path, monkeypatch):
    """With ANALYSIS_SITE_CACHE, a build with other reports (another cache key) into another folder takes the landing
    page's charts another build of the same code drew from the same parts; other code draws them again; only the
    most recently used are kept."""
    from analysis import images, maps, plots
    from analysis.build import site
    from analysis.build.plan import Inputs, Job

    drawn: list[str] = []
    monkeypatch.setattr(plots, "plot_growth", lambda *a, **k: drawn.append("growth") or "growth")
    monkeypatch.setattr(maps, "plot_declaration_map", lambda *a, **k: drawn.append("map") or "map")
    monkeypatch.setattr(images, "render", lambda fig: {"wide": images.Image(b"<svg/>", "image/svg+xml", 1, 1, 10.0)})
    monkeypatch.setenv(site.SHARED_CACHE_ENV, str(tmp_path / "cache"))
    profile = Job(tmp_path / "partner_profile.ipynb", "partners/GBR.html", "United Kingdom", (("party_id", "GBR"),))
    for out, base, reports in (("a", "code", []), ("b", "code", [profile]), ("c", "other code", [])):
        site._computed(tmp_path / out, DATA, base, reports, Inputs(DATA))
    assert drawn == ["growth", "map", "growth", "map"]  # b drew nothing; c, with other code, drew both
    monkeypatch.setattr(site, "SHARED_PICTURES", 1)
    site._computed(tmp_path / "d", DATA, "code", [profile, profile], Inputs(DATA))
    (kept,) = tmp_path.joinpath("cache").glob(f"pictures-{hashlib.sha256(b'code').hexdigest()}.json")
    assert len(json.loads(kept.read_text(encoding="utf-8"))) == 1
