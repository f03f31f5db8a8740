"""The build's entry point: plan, validate, execute, export, write the site, in that order.

``python -m analysis build [--data-dir DIR] [--out DIR] [--jobs N] [--force] [--executor warm|kernel] [--timeout S] [NOTEBOOK ...]``
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from analysis.build import plan
from analysis.build.plan import BuildError, Job
from analysis.build.state import Lock, State, prepare_output
from analysis.schema import DATA_DIR_ENV, display_path, resolve_data_dir


def _plan_jobs(data: Path, notebooks: Path, state: State, inputs: plan.Inputs, base: str) -> tuple[list[Job], bool]:
    """Every report the folder should hold. Reuses the last plan when no file of the data folder changed (a no-op
    build reads no table); otherwise validates first, so that no job ever reads invalid data.
    Returns the jobs and whether the data was validated now."""
    key = hashlib.sha256(f"{inputs.folder_key()}|{base}".encode()).hexdigest()
    if state.plan.get("data") == key:
        return plan.notebook_jobs(notebooks) + plan.profile_jobs(state.plan["partners"], notebooks), False
    from analysis.validation import validate

    report = validate(data)
    if not report.ok:
        for problem in report.problems:
            print(problem)
        raise BuildError(
            f"the data in {display_path(data)} has {len(report.problems)} problem(s); nothing was rebuilt "
            "(run `python -m analysis validate` to see them again)"
        )
    from analysis.schema import read_data_text

    for document in ("README.md", "CHANGELOG.md"):  # the site shows them: refuse an unsafe one before any notebook runs
        read_data_text(data, document, note=False)
    partners = plan.partners_from_tables(report.tables)
    jobs = plan.notebook_jobs(notebooks) + plan.profile_jobs(partners, notebooks)  # checks every output name first
    state.plan = {**state.plan, "data": key, "partners": partners}
    return jobs, True


def _delegate(argv: list[str], lock: Lock) -> int:
    """Re-run the build in a process whose hash seed and thread settings are fixed before any import.

    Python fixes ``PYTHONHASHSEED`` at start-up, and set ordering (and so report bytes) depends on it. The new
    process inherits the locked descriptor (see :class:`~analysis.build.state.Lock`): the folder stays locked as long
    as it writes, even if this process is killed. The child dies with this process (PR_SET_PDEATHSIG, SIGTERM); a
    Ctrl-C or SIGTERM sent to this process alone is passed on to it, and its scratch folder is removed if it could
    not remove it itself.
    """
    from analysis.build import procs
    from analysis.build.execute import NOTEBOOK_ENV

    env = dict(os.environ, **NOTEBOOK_ENV, **lock.handover())
    me = os.getpid()
    child = subprocess.Popen([sys.executable, "-m", "analysis", "build", *argv], env=env, pass_fds=(lock.fd,),
                             preexec_fn=lambda: procs.die_with_parent(me, signal.SIGTERM))  # fmt: skip
    try:
        try:
            return child.wait()
        except KeyboardInterrupt:  # Ctrl-C in a terminal reaches the child too; `kill -INT` reaches only us
            child.send_signal(signal.SIGINT)
            try:
                child.wait(timeout=15)
            except (KeyboardInterrupt, subprocess.TimeoutExpired):
                child.kill()
                child.wait()
            raise
    finally:
        procs.remove_stale_scratch(of_pid=child.pid)


def _interrupt_on_sigterm():
    """SIGTERM ends the build as Ctrl-C does: cleanly, with what landed recorded and nothing left running. Returns
    the handler it replaced, for :func:`main` to put back."""

    def on_term(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, on_term)


def main(
    data_dir: str | None = None,
    out_dir: str | None = None,
    jobs: int | None = None,
    force: bool = False,
    only: list[str] | None = None,
    notebook_dir: str | None = None,
    executor: str = "warm",
    timeout: float | None = None,
) -> int:
    """Build the reports; returns the exit status (0 ok, 1 if any notebook or the data failed, 130 on Ctrl-C
    or SIGTERM). ``timeout`` is each report's wall-clock limit in seconds."""
    from analysis.schema import DescriptorError, UnreadableFile

    previous = _interrupt_on_sigterm()
    try:
        return _main(data_dir, out_dir, jobs, force, only, notebook_dir, executor, timeout)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (UnreadableFile, DescriptorError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        if type(exc).__name__ != "DataError":  # the loaders' (importing the validator here would slow the no-op)
            raise
        problems = getattr(exc, "problems", [])
        print(f"error: {problems[0] if problems else exc} (the data changed while the build ran? run it again)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("build interrupted: reports finished so far are kept and recorded; run it again to finish", file=sys.stderr)
        return 130
    finally:  # a program that calls the build keeps its own SIGTERM handling afterwards
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def _reports_todo(chosen, everything, state, out, base, release, inputs, force) -> tuple[dict[str, str], list[Job]]:
    """Each chosen report's key, and those to build: not current (or all, with ``force``). Needs the release line."""
    from analysis.build import site

    keys = {j.output: plan.job_key(j, base, site.context_digest(j, everything, release)) for j in chosen}
    return keys, [j for j in chosen if force or not state.is_current(out, j.output, keys[j.output], inputs)]


def _main(data_dir, out_dir, jobs, force, only, notebook_dir, executor_kind, timeout) -> int:
    data = resolve_data_dir(data_dir)
    # NOTE: every helper the build calls itself (the site's labels, vocabularies, chart credits) reads this folder too,
    # not the default one, as the reports' processes do; the caller's setting is restored afterwards
    before = os.environ.get(DATA_DIR_ENV)
    os.environ[DATA_DIR_ENV] = str(data)
    try:
        return _main_in(data, out_dir, jobs, force, only, notebook_dir, executor_kind, timeout)
    finally:
        if before is None:
            os.environ.pop(DATA_DIR_ENV, None)
        else:
            os.environ[DATA_DIR_ENV] = before


def _main_in(data, out_dir, jobs, force, only, notebook_dir, executor_kind, timeout) -> int:
    out = Path(out_dir).resolve() if out_dir else plan.DEFAULT_OUT
    notebooks = Path(notebook_dir).resolve() if notebook_dir else plan.NOTEBOOK_DIR
    if not data.is_dir():
        raise BuildError(f"the data folder {data} does not exist or is not a folder")
    if not notebooks.is_dir():
        raise BuildError(f"the notebook folder {notebooks} does not exist or is not a folder")
    plan.check_locations(out, data)
    prepare_output(out)
    with Lock(out) as lock:
        state = State(out)
        inputs = plan.Inputs(data)
        base = plan.base_key()
        everything, validated = _plan_jobs(data, notebooks, state, inputs, base)
        chosen = plan.select(everything, only)
        from analysis.build import site

        release = site.known_release(state, inputs, base)
        if release is not None:
            keys, todo = _reports_todo(chosen, everything, state, out, base, release, inputs, force)
            if not todo and site.is_current(out, state, base, release, everything, inputs):
                print(f"up to date: {len(chosen)} report(s) in {display_path(out)}")
                return 0
        if os.environ.get("PYTHONHASHSEED") != "0":
            argv = ["--data-dir", str(data), "--out", str(out), "--notebook-dir", str(notebooks), "--executor", executor_kind]
            argv += (["--jobs", str(jobs)] if jobs else []) + (["--force"] if force else [])
            argv += (["--timeout", str(timeout)] if timeout else []) + list(only or [])
            state.save() if validated else None
            return _delegate(argv, lock)
        if release is None:
            release = site.compute_release(data, state, inputs, base)
            keys, todo = _reports_todo(chosen, everything, state, out, base, release, inputs, force)
        return _build(data, out, state, base, release, inputs, everything, todo, keys, jobs, executor_kind, len(chosen), timeout)


def _landed_reads(outcome, inputs: plan.Inputs) -> dict:
    """What the report's process recorded as read, by name (see :func:`analysis.schema.note_read`)."""
    from analysis.build.execute import reads_file
    from analysis.schema import read_sink

    if outcome.downloads is None:
        return {}
    return {inputs.name(path): digest for path, digest in read_sink(reads_file(outcome.downloads)).items()}


def _changed_during_build(state: State, built: list[str], inputs: plan.Inputs) -> int:
    """Compare what each report built now read with the files as they are now; say so in one line if any differ.

    The state keeps the digests of what was read, so the next build rebuilds those reports whatever happens to the
    files meanwhile (even if an edit is reverted). Returns 1 if any changed, else 0."""
    changed: dict[str, list[str]] = {}
    for output in built:
        for name in inputs.changed(state.reports.get(output, {}).get("reads", {})):
            changed.setdefault(name, []).append(output)
    site_reads = state.plan.get("site", {}).get("reads", {}) if isinstance(state.plan.get("site"), dict) else {}
    for name in inputs.changed(site_reads):
        changed.setdefault(name, []).append("the site pages")
    if not changed:
        return 0
    names = sorted(changed)
    reports = sorted({o for n in names for o in changed[n]})
    print(f"error: {', '.join(names[:3])}{' …' if len(names) > 3 else ''} changed while the build ran: {len(reports)} "
          f"report(s) or page(s) read another version and are not up to date ({', '.join(reports[:3])}"
          f"{' …' if len(reports) > 3 else ''}); run the build again once the data is still", file=sys.stderr)  # fmt: skip
    return 1


def _build(data, out, state, base, release, inputs, everything, todo, keys, jobs, executor_kind, chosen_count, timeout) -> int:
    from analysis.build import site
    from analysis.build.execute import REPORT_TIMEOUT_S, executor
    from analysis.build.export import export, make_exporter

    workers = max(1, jobs or os.cpu_count() or 1)
    state.save()
    failures = []
    built: list[str] = []
    prepared: list[dict] = []
    if todo:
        runner = executor(executor_kind, data, workers, timeout or REPORT_TIMEOUT_S)
        print(
            f"building {len(todo)} of {chosen_count} report(s) with {min(workers, len(todo))} job(s) at a time "
            f"({runner.name} start)",
            flush=True,
        )
        exporters: list = []  # made when the first report lands: importing nbconvert then overlaps the others' runs
        done = 0

        def on_done(outcome) -> None:
            nonlocal done
            done += 1
            warnings: list[str] = []
            if outcome.ok:
                page = site.page_context(outcome.job, everything, release)
                downloads = site.publish_downloads(outcome.downloads, out)
                exporters or exporters.append(make_exporter())
                warnings, body = export(outcome.job, outcome.nb, out, exporters[0], page)
                digest = hashlib.sha256(body.encode()).hexdigest()
                state.landed(outcome.job.output, keys[outcome.job.output], digest, outcome.seconds, downloads,
                             _landed_reads(outcome, inputs))  # fmt: skip
                built.append(outcome.job.output)
            else:
                failures.append(outcome)
                state.forget(outcome.job.output)
            status = "ok" if outcome.ok else "FAILED"
            print(f"[{done}/{len(todo)}] {outcome.job.name}: {status} ({outcome.seconds:.1f} s)", flush=True)
            for warning in warnings:
                print(f"    warning (stderr, left out of the report): {warning}")

        def on_idle() -> None:
            """A core is free and no report waits: prepare the site pages' data now, not after the last report
            (unless the pages are current: what a report says is on none of them). If that fails, it is done again
            at the end, where its error is reported."""
            try:
                if not site.is_current(out, state, base, release, everything, inputs):
                    prepared.append(site.prepare(out, everything, data, state, base, inputs))
            except Exception:  # noqa: BLE001 - reported by the second attempt, after the reports
                pass

        runner.run(plan.schedule(todo, {j.output: state.seconds(j.output) for j in todo}), on_done, on_idle)
    if not site.is_current(out, state, base, release, everything, inputs):
        site.write(out, everything, data, state, base, release, inputs, prepared[0] if prepared else None)
    for failure in failures:
        kept = "the previous report is kept" if (out / failure.job.output).exists() else "no report written"
        print(
            f"error: notebook {display_path(failure.job.notebook)} ({failure.job.name}) failed at {failure.message}; {kept}",
            file=sys.stderr,
        )
    stale = [j.output for j in everything if j.output not in keys and (out / j.output).exists()
             and not state.is_current(out, j.output, plan.job_key(j, base, site.context_digest(j, everything, release)), inputs)]  # fmt: skip
    if stale:
        print(f"note: {len(stale)} report(s) in {display_path(out)} were built from other inputs and not rebuilt this time: {', '.join(stale[:5])}{' …' if len(stale) > 5 else ''}")
    changed = _changed_during_build(state, built, inputs)
    print(f"{len(todo) - len(failures)} report(s) built, {len(failures)} failed; index: {display_path(out / 'index.html')}")
    return 1 if failures or changed else 0
