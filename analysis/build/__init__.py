"""The build: notebooks → self-contained HTML reports, plus the site around them.

``python -m analysis build [--data-dir DIR] [--out DIR] [--jobs N] [--force] [--executor warm|kernel] [--timeout S] [NOTEBOOK ...]``

Split by what it does (a newcomer changing one thing reads one module):

- :mod:`~analysis.build.plan`: which reports exist, their checked output paths, what each read, the state file,
  the lock. Standard library only, so "up to date" is decided without importing anything heavy.
- :mod:`~analysis.build.execute`: running notebooks. The default warm executor imports the heavy
  libraries once and forks one child per report; a kernel per report is the fallback.
- :mod:`~analysis.build.shell`: a notebook's cells in an in-process IPython shell, outputs captured.
- :mod:`~analysis.build.procs`: process hygiene: each report in its own process group under a supervisor
  with a wall-clock limit; nothing outlives the build, whatever signal ends it.
- :mod:`~analysis.build.export`: the offline template and the sanitizer, and the atomic write.
- :mod:`~analysis.build.site`: the landing page, the data page, downloads and navigation (Jinja templates).
- :mod:`~analysis.build.run`: the order of it all, and how errors and Ctrl-C are reported.

Promises: a failing notebook leaves its previous report in place; invalid data stops the build before
any notebook runs; the same inputs give the same bytes; a report is rebuilt only when something it read
(recorded while it ran), its notebook, the code or the environment changed; and it is "up to date" only if
the file on disk is the one built from the current inputs, compared by content.
"""

from analysis.build.run import main

__all__ = ["main"]
