"""The shape a newcomer relies on, checked on the source (no database).

- no import cycles in backend/, notifications/, schemas/ (imports inside functions count);
- outside backend/access/, backend/signin/ and the roster writers, no module reads the roster's
  relation tables: access goes through the definitions of migration 0010;
- problem codes are registered in one module, notification kinds are an enum.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("backend", "notifications", "schemas")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != module:
                    graph[module].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_checker_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles():
    assert _cycles(_imports(_modules())) == []


def test_only_the_access_definitions_read_the_relation_tables():
    pattern = re.compile(r"\b(guardian_relations|staff_assignments)\b")
    allowed = ("backend/access/", "backend/signin/", "backend/roster/")
    readers = sorted(
        str(path.relative_to(ROOT))
        for path in _modules().values()
        if pattern.search(path.read_text(encoding="utf-8"))
        and not str(path.relative_to(ROOT)).startswith(allowed)
    )
    assert readers == []


def test_problem_codes_and_notification_kinds_live_in_one_place():
    for path in _modules().values():
        text = path.read_text(encoding="utf-8")
        rel = str(path.relative_to(ROOT))
        if rel != "backend/problems/catalog.py":
            assert "PROBLEMS: dict" not in text and "register_problems" not in text, rel
        # notify(kind="...") with a bare string instead of notifications.kinds.Kind
        assert not re.search(r'\bkind="[a-z_]+"', text), rel
