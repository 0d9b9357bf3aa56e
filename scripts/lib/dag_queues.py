"""Finds the Celery queues DAG files send tasks to, exactly, with Python's own parser (used by scripts/lib/dag-queues.ts).

    python3 -I dag_queues.py <dags folder>

Scans every ``*.py`` file under the folder (recursively; ``__pycache__`` and hidden folders are skipped, symbolic
links to folders are not followed) without importing anything, and prints one JSON document:

    {"files": [...], "usages": [{"file", "line", "queue"}], "unchecked": [{"file", "line", "expression"}],
     "errors": [{"file", "line", "message"}]}

A queue usage is the value of a ``queue=`` keyword argument of any call (``@task(queue=...)``, ``BashOperator(...,
queue=...)``, ``dict(queue=...)``) or of a ``"queue"`` entry of a dict literal (``default_args={"queue": ...}``). The
value is checked when it is a string constant, or a name that, where it is used, refers to a module-level name whose
every binding is an assignment of one and the same string constant (``HEAVY = "heavy"`` ... ``queue=HEAVY``);
anything else (f-strings, attributes, calls, parameters, imported names) is reported as unchecked with its source
text. Files are paths relative to the folder, with ``/`` separators; lines are 1-based. A file that does not parse is
reported under ``errors`` with the SyntaxError's line and message. Exit status: 0 after a scan (whatever it found),
2 on a usage error.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import sys
from typing import Iterable, Iterator, Optional

QUEUE = "queue"

# Scopes in which names are bound; a class body is a scope its nested functions do not see.
FUNCTION_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
NEW_SCOPES = FUNCTION_SCOPES + COMPREHENSIONS + (ast.ClassDef,)
# `case` patterns bind names too (Python 3.10 and later).
MATCH_CAPTURES = tuple(getattr(ast, kind) for kind in ("MatchAs", "MatchStar") if hasattr(ast, kind))
MATCH_MAPPING = getattr(ast, "MatchMapping", ())


def python_files(root: str) -> Iterator[str]:
    """Folder-relative paths of the ``*.py`` files under ``root``, sorted, skipping caches and hidden folders."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".py"):
                yield os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/")


def in_scope(children: Iterable[ast.AST]) -> Iterator[ast.AST]:
    """Of a scope's nodes, what is evaluated in that scope: a nested scope contributes only the parts its
    enclosing scope evaluates (decorators, defaults, bases, the outermost iterable) and, for a definition, the node
    itself (it binds its name there)."""
    for child in children:
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield from child.decorator_list
            yield from child.args.defaults
            yield from (d for d in child.args.kw_defaults if d is not None)
            yield child
        elif isinstance(child, ast.ClassDef):
            yield from child.decorator_list
            yield from child.bases
            yield from child.keywords
            yield child
        elif isinstance(child, ast.Lambda):
            yield from child.args.defaults
            yield from (d for d in child.args.kw_defaults if d is not None)
        elif isinstance(child, COMPREHENSIONS):
            yield child.generators[0].iter
        else:
            yield child


def scope_body(node: ast.AST) -> list[ast.AST]:
    """The nodes directly inside a scope (a module, class, function, lambda or comprehension)."""
    if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        return list(node.body)
    if isinstance(node, ast.Lambda):
        return [node.body]
    generators = node.generators  # type: ignore[attr-defined]
    nodes: list[ast.AST] = []
    for index, generator in enumerate(generators):
        nodes.extend([generator.target, *generator.ifs, *([generator.iter] if index > 0 else [])])
    nodes.extend([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt])  # type: ignore[attr-defined]
    return nodes


def walk_scope(node: ast.AST) -> Iterator[ast.AST]:
    """Every node evaluated in ``node``'s scope, not descending into nested scopes."""
    stack = list(in_scope(scope_body(node)))
    while stack:
        current = stack.pop()
        yield current
        if not isinstance(current, NEW_SCOPES):
            stack.extend(in_scope(ast.iter_child_nodes(current)))


def arguments_of(args: ast.arguments) -> Iterator[str]:
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
        if arg is not None:
            yield arg.arg


def bound_names(nodes: Iterable[ast.AST]) -> Iterator[tuple[str, ast.AST]]:
    """Each name a scope's nodes bind, with the node that binds it."""
    for node in nodes:
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            yield node.id, node
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name, node
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    yield (alias.asname or alias.name).split(".")[0], node
        elif isinstance(node, ast.ExceptHandler) and node.name:
            yield node.name, node
        elif isinstance(node, MATCH_CAPTURES) and node.name:  # type: ignore[attr-defined]
            yield node.name, node  # type: ignore[attr-defined]
        elif isinstance(node, MATCH_MAPPING) and node.rest:  # type: ignore[attr-defined]
            yield node.rest, node  # type: ignore[attr-defined]


def declared(nodes: Iterable[ast.AST], kind: type) -> set[str]:
    return {name for node in nodes if isinstance(node, kind) for name in node.names}


class Scope:
    """The names a function, lambda, comprehension or class body binds locally, and those it declares global."""

    def __init__(self, node: ast.AST) -> None:
        self.is_class = isinstance(node, ast.ClassDef)
        nodes = list(walk_scope(node))
        names = {name for name, _ in bound_names(nodes)}
        if isinstance(node, FUNCTION_SCOPES):
            names.update(arguments_of(node.args))
        self.globals = declared(nodes, ast.Global)
        self.local = (names | declared(nodes, ast.Nonlocal)) - self.globals


def module_constants(tree: ast.Module) -> dict[str, str]:
    """Module-level names whose every binding assigns one and the same string constant."""
    constant_targets: dict[int, str] = {}
    annotations_only: set[int] = set()
    for node in walk_scope(tree):
        if isinstance(node, ast.AnnAssign) and node.value is None:
            annotations_only.add(id(node.target))  # `NAME: str` alone binds nothing
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Name):
                    constant_targets[id(target)] = node.value.value
    values: dict[str, set[Optional[str]]] = {}
    for name, binder in bound_names(walk_scope(tree)):
        if id(binder) not in annotations_only:
            values.setdefault(name, set()).add(constant_targets.get(id(binder)))
    # A function or class may rebind a module-level name it declares `global`.
    for node in ast.walk(tree):
        if isinstance(node, NEW_SCOPES):
            rebound = declared(walk_scope(node), ast.Global)
            for name, _ in bound_names(walk_scope(node)):
                if name in rebound:
                    values.setdefault(name, set()).add(None)
    return {name: found.pop() for name, found in values.items() if len(found) == 1 and None not in found}  # type: ignore[misc]


class QueueFinder(ast.NodeVisitor):
    def __init__(self, file: str, source: str, tree: ast.Module) -> None:
        self.file = file
        self.source = source
        self.constants = module_constants(tree)
        self.scopes: list[Scope] = []
        self.usages: list[dict] = []
        self.unchecked: list[dict] = []

    # Scopes: what a name refers to depends on where it is used.
    def visit_scoped(self, node: ast.AST, outer: Iterable[ast.AST], inner: Iterable[ast.AST]) -> None:
        for child in outer:
            self.visit(child)
        self.scopes.append(Scope(node))
        for child in inner:
            self.visit(child)
        self.scopes.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        args = node.args
        outer = [*node.decorator_list, *args.defaults, *(d for d in args.kw_defaults if d is not None)]
        self.visit_scoped(node, outer, node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        args = node.args
        self.visit_scoped(node, [*args.defaults, *(d for d in args.kw_defaults if d is not None)], [node.body])

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.visit_scoped(node, [*node.decorator_list, *node.bases, *node.keywords], node.body)

    def visit_comprehension_scope(self, node: ast.AST) -> None:
        generators = node.generators  # type: ignore[attr-defined]
        inner: list[ast.AST] = [generators[0].target, *generators[0].ifs]
        for generator in generators[1:]:
            inner.extend([generator.target, generator.iter, *generator.ifs])
        inner.extend([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt])  # type: ignore[attr-defined]
        self.visit_scoped(node, [generators[0].iter], inner)

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_comprehension_scope

    # Queue usages.
    def visit_Call(self, node: ast.Call) -> None:
        for keyword in node.keywords:
            if keyword.arg == QUEUE:
                self.record(keyword.value)
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and key.value == QUEUE:
                self.record(value)
        self.generic_visit(node)

    def refers_to_module(self, name: str) -> bool:
        """Whether ``name``, used here, is the module-level name (Python's scoping: LEGB, class bodies skipped)."""
        for depth, scope in enumerate(reversed(self.scopes)):
            if scope.is_class and depth > 0:
                continue
            if name in scope.globals:
                return True
            if name in scope.local:
                return False
        return True

    def record(self, value: ast.expr) -> None:
        queue: Optional[str] = None
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            queue = value.value
        elif isinstance(value, ast.Name) and self.refers_to_module(value.id):
            queue = self.constants.get(value.id)
        if queue is not None:
            self.usages.append({"file": self.file, "line": value.lineno, "queue": queue})
        else:
            text = ast.get_source_segment(self.source, value) or ast.unparse(value)
            self.unchecked.append({"file": self.file, "line": value.lineno, "expression": " ".join(text.split())})


def scan(root: str) -> dict:
    result: dict = {"files": [], "usages": [], "unchecked": [], "errors": []}
    for file in sorted(python_files(root)):
        result["files"].append(file)
        path = os.path.join(root, file)
        try:
            with open(path, "rb") as handle:
                source = importlib.util.decode_source(handle.read())
            tree = ast.parse(source, filename=path)
        except SyntaxError as error:
            result["errors"].append({"file": file, "line": error.lineno or 1, "message": f"{type(error).__name__}: {error.msg}"})
            continue
        except ValueError as error:  # undecodable bytes, null bytes
            result["errors"].append({"file": file, "line": 1, "message": f"{type(error).__name__}: {error}"})
            continue
        finder = QueueFinder(file, source, tree)
        finder.visit(tree)
        result["usages"].extend(finder.usages)
        result["unchecked"].extend(finder.unchecked)
    for key in ("usages", "unchecked"):
        result[key].sort(key=lambda found: (found["file"], found["line"]))
    return result


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not os.path.isdir(argv[0]):
        sys.stderr.write("usage: python3 -I dag_queues.py <dags folder>\n")
        return 2
    json.dump(scan(argv[0]), sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
