"""Imports point one way: what each layer may import, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def python_files(*folders: str) -> list[Path]:
    return [path for folder in folders for path in (ROOT / folder).rglob("*.py") if "migrations" not in path.parts]


def test_labs_services_never_import_the_tasks():
    # Tasks call services; services send work by task name (labs.services.dispatch).
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.startswith("labs.tasks"))
        for path in python_files("labs/services")
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}


def test_provenance_imports_nothing_above_it():
    # labs calls provenance when it finishes an attempt; provenance never reaches back up.
    above = ("labs", "courses", "funding", "lti", "community", "demo")
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.split(".")[0] in above)
        for path in python_files("provenance")
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}


def test_labs_and_funding_use_courses_only_through_its_public_api():
    # courses.api is the surface (OEP-49); its internals may change without breaking them.
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m
            for m in imported_modules(path)
            if m.startswith("courses.") and not (m == "courses.api" or m.startswith("courses.api."))
        )
        for path in python_files("labs", "funding")
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}


def test_lti_uses_labs_and_courses_only_through_their_public_apis():
    # lti sits above labs and courses (DESIGN.md): it reads the grade that counts from labs.api.
    def internal(module: str) -> bool:
        app = module.split(".")[0]
        return app in ("labs", "courses") and module.split(".")[1:2] != ["api"]

    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if internal(m))
        for path in python_files("lti")
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}


def test_nothing_imports_lti_but_the_settings_and_urls():
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.split(".")[0] == "lti")
        for path in python_files("academy", "courses", "labs", "funding", "provenance", "demo")
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}


def test_community_uses_labs_and_courses_only_through_their_public_apis():
    # community sits above labs and courses (DESIGN.md): gallery, peer review, discussions.
    # ``from courses import api`` also names the bare package, which holds nothing.
    def internal(module: str) -> bool:
        parts = module.split(".")
        return parts[0] in ("labs", "courses") and len(parts) > 1 and parts[1] != "api"

    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if internal(m))
        for path in python_files("community")
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}


def test_community_imports_nothing_beside_or_above_it():
    beside_or_above = ("lti", "funding", "demo")
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.split(".")[0] in beside_or_above)
        for path in python_files("community")
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}


def test_nothing_imports_community():
    # courses and labs offer their extension points (step sections, signals); community plugs into them.
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.split(".")[0] == "community")
        for path in python_files("academy", "courses", "labs", "funding", "provenance", "lti", "demo")
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}
