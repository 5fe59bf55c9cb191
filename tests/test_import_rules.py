"""DESIGN.md's import rules: each package imports only what it may."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = {"rivalwatch", "crawlers", "pipelines", "nlp", "reports"}

# package -> project modules it may import ("rivalwatch.config" is the config module only)
ALLOWED = {
    "crawlers": {"crawlers", "rivalwatch.config"},
    "pipelines": {"pipelines", "nlp", "rivalwatch.config"},
    "nlp": {"nlp", "rivalwatch.config"},
    "reports": {"reports", "pipelines.storage", "rivalwatch.config"},
    "rivalwatch.config": set(),
    "rivalwatch": PROJECT,
}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (function-level imports count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def owner(module: str) -> str:
    return "rivalwatch.config" if module == "rivalwatch.config" else module.split(".")[0]


def allowed(importer: str, imported: str) -> bool:
    rules = ALLOWED[importer]
    return any(imported == rule or imported.startswith(rule + ".") for rule in rules)


def violations() -> list[str]:
    found = []
    for package in PROJECT:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            importer = owner(module)
            for imported in imported_modules(path):
                if imported.split(".")[0] not in PROJECT or owner(imported) == importer:
                    continue
                if not (allowed(importer, imported) or _is_parent_of_allowed(importer, imported)):
                    found.append(f"{module} imports {imported}")
    return sorted(found)


def _is_parent_of_allowed(importer: str, imported: str) -> bool:
    # "from rivalwatch import config" records "rivalwatch" and "rivalwatch.config"
    return any(rule.startswith(imported + ".") for rule in ALLOWED[importer])


def test_packages_import_only_what_design_allows():
    assert violations() == []


def test_rivalwatch_init_imports_nothing():
    assert imported_modules(ROOT / "rivalwatch" / "__init__.py") == set()


def test_the_checker_catches_a_forbidden_import(tmp_path):
    assert not allowed("crawlers", "pipelines.storage")
    assert not allowed("reports", "pipelines.store")
    assert not allowed("nlp", "pipelines")
    assert allowed("pipelines", "nlp.analysis")
