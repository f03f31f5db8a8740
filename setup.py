"""Build step: the wheel carries the current data release inside the package (``analysis/_data``).

Everything else is declared in ``pyproject.toml``. The data is copied at build time from ``data/`` (never kept twice in
git); an editable install reads ``data/`` in place, so it copies nothing.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

#: The files of a data release: the tables, their schema, the dictionary and the changelog.
DATA_FILES = ("*.csv", "datapackage.json", "README.md", "CHANGELOG.md")


class BuildWithData(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        source = Path(__file__).resolve().parent / "data"
        target = Path(self.build_lib) / "analysis" / "_data"
        shutil.rmtree(target, ignore_errors=True)  # a table removed from data/ must not linger from an earlier build
        target.mkdir(parents=True, exist_ok=True)
        for pattern in DATA_FILES:
            for path in sorted(source.glob(pattern)):
                self.copy_file(str(path), str(target / path.name))


setup(cmdclass={"build_py": BuildWithData})
