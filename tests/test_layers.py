"""The apps depend one way (pyproject.toml [tool.importlinter], run by `make test`), and nobody hides
an import inside a function to get round that: this reads every module's imports."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = {"ime_portal", "demo", "research", "reviews", "grants", "workflow", "portal", "outbox"}


def _function_level_project_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level or module.split(".")[0] in PROJECT:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} from {'.' * node.level}{module}")
            elif isinstance(node, ast.Import):
                found += [
                    f"{path.relative_to(ROOT)}:{node.lineno} import {alias.name}"
                    for alias in node.names
                    if alias.name.split(".")[0] in PROJECT
                ]
    return found


def test_no_project_module_is_imported_inside_a_function():
    # AppConfig.ready() and signal handlers in apps.py may import models late: the app registry
    # requires it. Migrations run against historical models and are left alone.
    offenders = []
    for package in sorted(PROJECT):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts or path.name == "apps.py":
                continue
            offenders += _function_level_project_imports(path)
    assert offenders == []


def test_the_layers_in_pyproject_match_the_installed_apps_order():
    import tomllib

    from django.conf import settings

    layers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]["layers"]
    ours = [app for app in settings.INSTALLED_APPS if app in PROJECT]
    assert list(reversed(ours)) == [layer for layer in layers if layer != "ime_portal"]
