"""The shape a newcomer relies on, checked on the source (no database).

- no import cycles between modules of backend/, notifications/, schemas/, i18n/ (imports
  inside functions count);
- by package: no loose modules in backend/; no package-level cycle among backend/'s
  packages (a domain's routes are its HTTP layer, above the flows) nor among the top-level
  packages; notifications never imports backend; domains never import the app assembly
  (backend.app); only routes, pages and the app import the HTTP edge (backend.edge); a flow
  that spans two domains is one module of backend/flows/, and a domain never calls into
  another's use cases; the access policy's SQL is used only through backend/access;
  routes and pages never open a transaction;
- every problem code is a member of the Code enum with its texts, notification kinds are
  an enum.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("backend", "notifications", "schemas", "i18n")


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


# --- by package -------------------------------------------------------------------

TOP_LEVEL = ("backend", "notifications", "schemas", "i18n")


def _package(module: str) -> str:
    """``backend.<pkg>`` for a module of backend/ (a loose ``backend/x.py`` is its own
    package ``backend.x``); the top-level package otherwise."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "backend" and len(parts) > 1 else parts[0]


def _node(module: str) -> str:
    """The module's place in the package graph. A domain's routes are its HTTP layer and
    sit above the flows (``absence.routes -> flows -> absence.service`` is layering, not a
    cycle), so route modules are a node of their own beside their package."""
    return _package(module) + (":routes" if _is_route_module(module) else "")


def _is_route_module(module: str) -> bool:
    last = module.rpartition(".")[2]
    return last == "routes" or last.endswith("_routes")


def _is_page_module(module: str) -> bool:
    return module.startswith("backend.web.")


def _all_modules() -> dict[str, Path]:
    found = {}
    for package in TOP_LEVEL:
        for path in (ROOT / package).rglob("*.py") if (ROOT / package).is_dir() else ():
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _package_edges(
    graph: dict[str, set[str]], keep: Callable[[str], bool]
) -> dict[tuple[str, str], list[str]]:
    """(importing package, imported package) -> the module imports behind it."""
    edges: dict[tuple[str, str], list[str]] = {}
    for module, targets in graph.items():
        for target in targets:
            pair = (_node(module), _node(target))
            if pair[0] != pair[1] and keep(pair[0]) and keep(pair[1]):
                edges.setdefault(pair, []).append(f"{module} -> {target}")
    return edges


def _shortest_cycle(packages: dict[str, set[str]], start: str) -> list[str]:
    """The shortest path from ``start`` back to itself (breadth first)."""
    paths = {child: [start, child] for child in sorted(packages[start])}
    queue = list(paths)
    while queue:
        node = queue.pop(0)
        if node == start:
            return paths[node]
        for child in sorted(packages[node]):
            if child not in paths:
                paths[child] = [*paths[node], child]
                queue.append(child)
    return []


def _package_cycles(keep: Callable[[str], bool]) -> list[str]:
    """One shortest cycle through each package of a strongly connected component, with
    the module imports behind each of its edges."""
    edges = _package_edges(_imports(_all_modules()), keep)
    packages: dict[str, set[str]] = {}
    for a, b in edges:
        packages.setdefault(a, set()).add(b)
        packages.setdefault(b, set())
    found: dict[tuple[str, ...], str] = {}
    for component in _cycles(packages):
        for member in component:
            cycle = _shortest_cycle(packages, member)
            rotated = min(tuple(cycle[i:-1] + cycle[:i]) for i in range(len(cycle) - 1))
            steps = [
                f"{a} -> {b} ({', '.join(sorted(edges[a, b])[:2])})" for a, b in itertools.pairwise(cycle)
            ]
            found.setdefault(rotated, " | ".join(steps))
    return sorted(found.values())


def _offenders(rule: Callable[[str, str], bool]) -> list[str]:
    """``module -> target`` for every import the rule refuses."""
    graph = _imports(_all_modules())
    return sorted(f"{m} -> {t}" for m, targets in graph.items() for t in targets if not rule(m, t))


def test_backend_has_packages_not_loose_modules():
    loose = sorted(p.name for p in (ROOT / "backend").glob("*.py") if p.name != "__init__.py")
    assert loose == [], f"loose modules in backend/ (move each into the package that owns it): {loose}"


def test_no_package_level_cycle_in_backend():
    cycles = _package_cycles(lambda package: package.startswith("backend."))
    assert cycles == [], "package-level cycles in backend/:\n" + "\n".join(cycles)


def test_no_cycle_among_the_top_level_packages():
    cycles = _package_cycles(lambda package: "." not in package)
    assert cycles == [], "cycles among backend, notifications, schemas, i18n:\n" + "\n".join(cycles)


def test_the_settings_groups_and_notifications_do_not_import_backend():
    offenders = _offenders(lambda m, t: not (m.startswith("notifications") and t.startswith("backend")))
    assert offenders == [], "notifications imports backend:\n" + "\n".join(offenders)


def test_domains_never_import_the_app_assembly():
    offenders = _offenders(lambda m, t: _package(m) == "backend.app" or _package(t) != "backend.app")
    assert offenders == [], "imports of backend.app outside it:\n" + "\n".join(offenders)


def test_only_routes_pages_and_the_app_import_the_http_edge():
    def allowed(module: str, target: str) -> bool:
        if _package(target) != "backend.edge" or _package(module) in ("backend.edge", "backend.app"):
            return True
        return _is_route_module(module) or _is_page_module(module)

    offenders = _offenders(allowed)
    assert offenders == [], "the HTTP edge imported outside routes and pages:\n" + "\n".join(offenders)


# Packages that are not domains: layers, infrastructure and the wiring of jobs.
NOT_DOMAINS = frozenset(
    {
        "backend.access",
        "backend.app",
        "backend.db",
        "backend.dev",
        "backend.edge",
        "backend.flows",
        "backend.jobs",
        "backend.lib",
        "backend.ops",
        "backend.problems",
        "backend.web",
    }
)
# What any domain may use of another: the school's calendar and local time, the audit
# log's write side, sign-in's identity hashing and settings; and another domain's SQL text.
SHARED = frozenset(
    {
        "backend.schools.calendar",
        "backend.schools.localtime",
        "backend.schools.years",
        "backend.audit_log.staff_reads",
        "backend.signin.identity",
        "backend.signin.settings",
    }
)


def test_each_flow_across_two_domains_is_one_module_of_backend_flows():
    graph = _imports(_all_modules())
    flows = [m for m in graph if m.startswith("backend.flows.")]
    assert flows, "backend/flows/ holds the flows that span domains"
    for flow in flows:
        domains = {_package(t) for t in graph[flow] if _package(t) not in NOT_DOMAINS}
        assert len(domains) >= 2, f"{flow} spans fewer than two domains: {sorted(domains)}"

    def allowed(module: str, target: str) -> bool:
        source, owner = _package(module), _package(target)
        if owner == "backend.flows":
            # flows are called by routes, pages and the app, never by a domain
            return source in ("backend.flows", "backend.app") or (
                _is_route_module(module) or _is_page_module(module)
            )
        if not target.startswith("backend."):
            return True
        if source == owner or source in NOT_DOMAINS or owner in NOT_DOMAINS or _is_route_module(module):
            return True
        # a domain never calls into another domain's use cases: that is a flow
        return target in SHARED or target.rpartition(".")[2].endswith("queries")

    offenders = _offenders(allowed)
    assert offenders == [], "flows owned outside backend/flows/:\n" + "\n".join(offenders)


def test_the_access_policy_is_asked_through_backend_access():
    """Whether a caller may see a pupil is backend/access's answer, over the access
    definitions: outside the package its SQL is only a building block of other queries
    (a domain's ``queries`` module may embed it), never something a service runs itself."""

    def allowed(module: str, target: str) -> bool:
        if _package(target) != "backend.access" or _package(module) == "backend.access":
            return True
        if not target.rpartition(".")[2].endswith("queries"):
            return True
        return module.rpartition(".")[2].endswith("queries")

    offenders = _offenders(allowed)
    assert offenders == [], "access's SQL used outside backend/access:\n" + "\n".join(offenders)


def test_problem_codes_and_notification_kinds_live_in_one_place():
    # Problem codes are the members of one enum (so mypy refuses a mistyped code), each
    # with its texts in every language, asked through the function the answers use.
    from backend.problems.codes import Code
    from backend.problems.texts import PROBLEMS, problem_text

    for locale in ("nb", "nn", "en"):
        fallback = problem_text("no.such_code", locale)
        for code in Code:
            title, detail = problem_text(code, locale)
            assert title and detail, (code, locale)
            assert code is Code.INTERNAL or (title, detail) != fallback, f"{code} has no {locale} text"
    # The catalog's codes (the one place that reads its storage): none without a member.
    assert set(PROBLEMS) - set(Code) == set()
    for path in _modules().values():
        text = path.read_text(encoding="utf-8")
        rel = str(path.relative_to(ROOT))
        # notify(kind="...") with a bare string instead of notifications.kinds.Kind
        assert not re.search(r'\bkind="[a-z_]+"', text), rel


def test_routes_and_pages_never_open_a_transaction():
    """The use case owns its transaction (a service, a flow, or the Idempotency-Key
    around an idempotent POST): a route or a portal page never opens one."""
    backend = ROOT / "backend"
    handlers = [
        *backend.glob("*/routes.py"),
        *backend.glob("*/*_routes.py"),
        *backend.glob("web/*_pages.py"),
        backend / "web" / "pages.py",
    ]
    assert len(handlers) > 20
    opening = sorted(
        str(path.relative_to(ROOT))
        for path in handlers
        if ".transaction(" in path.read_text(encoding="utf-8")
    )
    assert opening == []


if __name__ == "__main__":
    # `python -m tests.unit.test_architecture`: the package graph these rules check.
    graph: dict[str, set[str]] = {}
    for source, target in _package_edges(_imports(_all_modules()), lambda package: True):
        graph.setdefault(source, set()).add(target)
    for package in sorted(graph):
        print(f"{package} -> {', '.join(sorted(graph[package]))}")
