"""Where things are: the one place that resolves the package, the repository and the data folder.

Standard library only. Every other module takes its paths from here; none computes the repository root itself.
"""

from __future__ import annotations

from pathlib import Path

#: The ``analysis`` package folder.
PACKAGE_DIR = Path(__file__).resolve().parent
#: The repository root when the package runs from a checkout (the folder that holds ``analysis/``).
ROOT = PACKAGE_DIR.parent
#: The data release the wheel carries (``setup.py`` copies ``data/`` here at build time; a checkout has none).
PACKAGED_DATA_DIR = PACKAGE_DIR / "_data"
#: The repository's own data folder.
REPOSITORY_DATA_DIR = ROOT / "data"
#: The data folder used when neither ``data_dir=`` nor ``$ANALYSIS_DATA_DIR`` is given: the release shipped inside an
#: installed package, else the checkout's ``data/``.
DATA_DIR = PACKAGED_DATA_DIR if (PACKAGED_DATA_DIR / "datapackage.json").is_file() else REPOSITORY_DATA_DIR
#: The notebooks the build renders.
NOTEBOOK_DIR = ROOT / "notebooks"
#: Where ``make reports`` writes the site.
REPORTS_DIR = ROOT / "reports"
#: The package's own templates (the offline report template, the site's Jinja templates and stylesheet).
TEMPLATES = PACKAGE_DIR / "templates"
#: Files the package ships beside its code (map boundaries).
ASSETS = PACKAGE_DIR / "assets"
