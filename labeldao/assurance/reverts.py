"""Every revert string in the contracts must be triggered by a test.

Collects the revert strings of `contracts/**/*.vy` (`assert ..., "..."`,
`raise "..."`, and string literals shaped `"prefix: reason"` passed to a call,
e.g. the shared revert path `utils._require(ok, "escrow: ...")`) and the strings
the tests expect in `boa.reverts(...)` / `ape.reverts(...)` (found with
Python's AST, so a string merely mentioned in a comment does not count). A
test that expects a string only passes if the contract reverts with exactly
that string, so "expected by a passing test" means "triggered". Exits non-zero
and lists what no test expects.

    python -m labeldao.assurance.reverts [--contracts DIR] [--tests DIR]
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

import vyper.ast.nodes as vy_ast
from vyper.ast import parse_to_ast

from labeldao.boa_tools import REPO_ROOT

# A revert string passed to a function (`_require`, `_withdraw`): "who: what".
_REASON_ARGUMENT = re.compile(r"^[a-z_]+: \S")


def contract_reverts(contracts: Path) -> dict[str, list[str]]:
    """Revert string -> places (`file:line`) in the Vyper sources, read with
    Vyper's own parser (`assert <cond>, "..."`, `raise "..."` and reasons
    passed to a call such as `utils._require(<cond>, "...")`)."""
    found: dict[str, list[str]] = {}
    for path in sorted(contracts.rglob("*.vy")):
        module = parse_to_ast(path.read_text())
        nodes = [(a.msg, a.lineno) for a in module.get_descendants(vy_ast.Assert)]
        nodes += [(r.exc, r.lineno) for r in module.get_descendants(vy_ast.Raise)]
        for call in module.get_descendants(vy_ast.Call):
            nodes += [
                (arg, call.lineno)
                for arg in call.args
                if isinstance(arg, vy_ast.Str) and _REASON_ARGUMENT.match(arg.value)
            ]
        for message, line in nodes:
            if isinstance(message, vy_ast.Str):
                place = f"{path.relative_to(contracts.parent)}:{line}"
                found.setdefault(message.value, []).append(place)
    return found


def expected_reverts(tests: Path) -> set[str]:
    """Strings passed to any `*.reverts(...)` / `reverts(...)` call in the tests:
    literals, module-level constants, and the values a `pytest.mark.parametrize`
    gives the argument passed."""
    expected: set[str] = set()
    for path in sorted(tests.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        constants = _string_constants(tree)
        tables = _table_constants(tree)
        for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
            parametrized = _parametrized_strings(function, tables)
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and _is_reverts(node.func):
                    for arg in [*node.args, *(k.value for k in node.keywords)]:
                        expected |= _argument_strings(arg, constants, parametrized)
        for node in tree.body:  # module-level code outside functions
            for call in [n for n in ast.walk(node) if isinstance(n, ast.Call)]:
                if not isinstance(node, ast.FunctionDef | ast.ClassDef) and _is_reverts(call.func):
                    for arg in call.args:
                        expected |= _argument_strings(arg, constants, {})
    return expected


def _argument_strings(
    arg: ast.expr, constants: dict[str, str], parametrized: dict[str, set[str]]
) -> set[str]:
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return {arg.value}
    if isinstance(arg, ast.Name):
        if arg.id in parametrized:
            return parametrized[arg.id]
        if arg.id in constants:
            return {constants[arg.id]}
    return set()


def _parametrized_strings(
    function: ast.FunctionDef, tables: dict[str, ast.expr] | None = None
) -> dict[str, set[str]]:
    """Argument name -> the string values `@pytest.mark.parametrize` gives it
    (rows written in the decorator or in a module-level list it names)."""
    values: dict[str, set[str]] = {}
    for decorator in function.decorator_list:
        if not (isinstance(decorator, ast.Call) and _name(decorator.func) == "parametrize"):
            continue
        if len(decorator.args) < 2:
            continue
        names_node, rows = decorator.args[0], decorator.args[1]
        if isinstance(rows, ast.Name) and tables and rows.id in tables:
            rows = tables[rows.id]
        names = _argnames(names_node)
        if not isinstance(rows, ast.List | ast.Tuple):
            continue
        for row in rows.elts:
            if isinstance(row, ast.Call) and _name(row.func) == "param":
                row = ast.Tuple(elts=row.args)
            cells = row.elts if isinstance(row, ast.Tuple | ast.List) and len(names) > 1 else [row]
            for name, cell in zip(names, cells, strict=False):
                if isinstance(cell, ast.Constant) and isinstance(cell.value, str):
                    values.setdefault(name, set()).add(cell.value)
    return values


def _argnames(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [n.strip() for n in node.value.split(",") if n.strip()]
    if isinstance(node, ast.List | ast.Tuple):
        return [e.value for e in node.elts if isinstance(e, ast.Constant)]
    return []


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _is_reverts(func: ast.expr) -> bool:
    return _name(func) == "reverts"


def _table_constants(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level `NAME = [...]` / `NAME = (...)` assignments (parametrize rows)."""
    tables: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List | ast.Tuple):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    tables[target.id] = node.value
    return tables


def _string_constants(tree: ast.Module) -> dict[str, str]:
    """Module-level `NAME = "..."` assignments (reasons kept in constants)."""
    constants: dict[str, str] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = node.value.value
    return constants


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=Path, default=REPO_ROOT / "contracts")
    parser.add_argument("--tests", type=Path, default=REPO_ROOT / "tests")
    args = parser.parse_args(argv)
    reverts = contract_reverts(args.contracts)
    expected = expected_reverts(args.tests)
    missing = {msg: places for msg, places in reverts.items() if msg not in expected}
    covered = len(reverts) - len(missing)
    print(f"revert strings in contracts: {len(reverts)}; expected by tests: {covered}")
    for message, places in sorted(missing.items()):
        print(f"  NOT TRIGGERED BY ANY TEST: {message!r} at {', '.join(places)}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
