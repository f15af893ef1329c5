"""The import contracts (`make lint-imports`) only see the packages listed in
`[tool.importlinter] root_packages`: an app left out would escape every contract."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_app_of_the_project_is_checked_by_the_import_contracts():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}

    assert apps - set(config["root_packages"]) == set()
