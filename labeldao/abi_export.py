"""The integrator kit's ABI files: `abi/<Contract>.json` for every contract
the deploy plan deploys, compiled from the sources with the pinned compilers.

    python -m labeldao.abi_export          # (re)write abi/ and docs/EVENTS.md
    python -m labeldao.abi_export --check  # exit 1, naming each file, on drift

Which contracts: `labeldao.system.deployable_contracts()`, the deploy plan's own list, so
that a contract added to the plan gets its ABI file (and its events a place in
docs/EVENTS.md) without another list to keep. Sources: `contracts/**/<Name>.vy`
(the pinned vyper) or `contracts/**/<Name>.sol` (solc-js from npm, as
`labeldao.solidity` compiles OpenZeppelin).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from labeldao.paths import ABI_DIR, CONTRACTS_DIR, REPO_ROOT


class AbiError(RuntimeError):
    """A deployed contract has no source, or its ABI cannot be built."""


@dataclass(frozen=True)
class Compiled:
    """One deployed contract's ABI and the compiler that produced it."""

    name: str
    source: Path
    abi: list[dict[str, Any]]
    compiler: str  # e.g. "vyper 0.4.3", "solc 0.8.30+commit..."

    @property
    def abi_path(self) -> str:
        """The ABI file, relative to the repository root (as the record holds it)."""
        return f"abi/{self.name}.json"


def deployed_contracts() -> list[str]:
    """The contracts `ape run deploy` can deploy, in deployment order (every
    randomness source, whichever the parameters choose)."""
    from labeldao.system import deployable_contracts

    return deployable_contracts()


# Where deployed contracts' sources are, in order. tests/mocks/ holds the
# Solidity wrappers of unmodified OpenZeppelin contracts (e.g. the Governor).
SOURCE_ROOTS = (CONTRACTS_DIR, REPO_ROOT / "tests" / "mocks")


def find_source(name: str, roots: Sequence[Path] = SOURCE_ROOTS) -> Path:
    """`<root>/**/<name>.vy`, else `.sol`, in the first root that has one;
    exactly one file."""
    for root in roots:
        for suffix in (".vy", ".sol"):
            found = sorted(root.rglob(f"{name}{suffix}"))
            if len(found) > 1:
                raise AbiError(f"{name}: several sources {[str(p) for p in found]}")
            if found:
                return found[0]
    raise AbiError(f"{name}: no contracts/**/{name}.vy or .sol (the deploy plan deploys it)")


def compile_abi(name: str) -> Compiled:
    """Compiles `name` from its source; returns its ABI and compiler."""
    source = find_source(name)
    if source.suffix == ".vy":
        return Compiled(name, source, _vyper_abi(source), f"vyper {_vyper_version()}")
    from labeldao.solidity import artifact

    built = artifact(source, name)
    return Compiled(name, source, built["abi"], f"solc {built['solc']}")


def _vyper_version() -> str:
    import vyper

    return vyper.__version__


def _vyper_abi(source: Path) -> list[dict[str, Any]]:
    from vyper.cli.vyper_compile import compile_files

    out = compile_files([str(source)], ("abi",), paths=[str(source.parent), str(CONTRACTS_DIR)])
    (result,) = out.values()
    return result["abi"]


def render(abi: list[dict[str, Any]]) -> str:
    """The committed form of an ABI file: two-space JSON, compiler order."""
    return json.dumps(abi, indent=2) + "\n"


def compile_all(names: Sequence[str] | None = None) -> list[Compiled]:
    """Every deployed contract, compiled."""
    return [compile_abi(name) for name in names or deployed_contracts()]


def drift(compiled: Sequence[Compiled], abi_dir: Path = ABI_DIR) -> list[str]:
    """One line per ABI file that is missing, stale or not deployed any more."""
    problems = []
    wanted = {f"{c.name}.json": render(c.abi) for c in compiled}
    for filename, text in wanted.items():
        path = abi_dir / filename
        if not path.exists():
            problems.append(f"abi/{filename}: missing")
        elif path.read_text() != text:
            problems.append(f"abi/{filename}: differs from the source")
    for path in sorted(abi_dir.glob("*.json")):
        if path.name not in wanted:
            problems.append(f"abi/{path.name}: not a deployed contract")
    return problems


def write(compiled: Sequence[Compiled], abi_dir: Path = ABI_DIR) -> None:
    """Writes every ABI file and removes those of contracts no longer deployed."""
    abi_dir.mkdir(exist_ok=True)
    wanted = {f"{c.name}.json" for c in compiled}
    for path in abi_dir.glob("*.json"):
        if path.name not in wanted:
            path.unlink()
    for c in compiled:
        (abi_dir / f"{c.name}.json").write_text(render(c.abi))


def record_fields(name: str) -> dict[str, str]:
    """What the deployment record holds about `name` besides its address:
    the ABI file and the compiler (read from the sources, not compiled)."""
    source = find_source(name)
    if source.suffix == ".vy":
        compiler = f"vyper {_vyper_version()}"
    else:
        lock = json.loads((REPO_ROOT / "package-lock.json").read_text())
        compiler = f"solc {lock['packages']['node_modules/solc']['version']}"
    return {"abi": f"abi/{name}.json", "compiler": compiler}


@click.command()
@click.option("--check", is_flag=True, help="only report drift; exit 1 if any")
def main(check: bool) -> None:
    """Write abi/ and docs/EVENTS.md from the sources (or --check them)."""
    from labeldao import events_doc

    try:
        compiled = compile_all()
    except AbiError as exc:
        raise click.ClickException(str(exc)) from None
    if check:
        problems = drift(compiled) + events_doc.drift()
        for line in problems:
            click.echo(line, err=True)
        if problems:
            click.echo("run `make abi` and commit abi/ and docs/EVENTS.md", err=True)
            sys.exit(1)
        return
    write(compiled)
    try:
        events_doc.write()
    except events_doc.MeaningsError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {len(compiled)} ABI files to abi/ and docs/EVENTS.md")


if __name__ == "__main__":
    main()
