"""docs/EVENTS.md: every event of every deployed contract and every status
flag, generated from the committed ABI files (abi/) and the hand-written
meanings in docs/events.toml.

`write()` refuses to leave an event or a status without its meaning, and
checks every documented status against the contracts: a `flag` against the
Vyper source (members in order, one bit each), `constants` against the ABI
getters of the contract.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

from eth_utils import keccak

from labeldao.abi_export import ABI_DIR, REPO_ROOT, deployed_contracts, find_source

MEANINGS = REPO_ROOT / "docs" / "events.toml"
EVENTS_MD = REPO_ROOT / "docs" / "EVENTS.md"
# Public constants whose values are states or rulings: each must be documented.
STATUS_CONSTANT = re.compile(r"^(PERIOD|NODE|REPORT|RULING|STATUS|STATE)_[A-Z_]+$")


class MeaningsError(ValueError):
    """docs/events.toml lacks a meaning or disagrees with the contracts."""


def load_abis(abi_dir: Path = ABI_DIR) -> dict[str, list[dict[str, Any]]]:
    """The committed ABI of every deployed contract, in deployment order."""
    return {
        name: json.loads((abi_dir / f"{name}.json").read_text())
        for name in deployed_contracts()
        if (abi_dir / f"{name}.json").exists()
    }


def canonical_type(param: dict[str, Any]) -> str:
    """The ABI type as it appears in a signature (tuples expanded)."""
    kind = param["type"]
    if kind.startswith("tuple"):
        inner = ",".join(canonical_type(c) for c in param["components"])
        return f"({inner}){kind.removeprefix('tuple')}"
    return kind


def signature(event: dict[str, Any]) -> str:
    """`Name(type1,type2)`, whose keccak is the event's topic 0."""
    return f"{event['name']}({','.join(canonical_type(i) for i in event['inputs'])})"


def topic0(event: dict[str, Any]) -> str:
    return "0x" + keccak(text=signature(event)).hex()


def events_of(abi: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item for item in abi if item["type"] == "event"]


def load_meanings(path: Path = MEANINGS) -> dict[str, Any]:
    return tomllib.loads(path.read_text())


def meaning(meanings: dict[str, Any], contract: str, event: str) -> str | None:
    """The contract's own meaning of `event`, else the shared one."""
    own = meanings.get(contract, {}).get("events", {})
    return own.get(event) or meanings.get("shared", {}).get("events", {}).get(event)


def problems(abis: dict[str, list[dict[str, Any]]], meanings: dict[str, Any]) -> list[str]:
    """Every event without a meaning and every status the contracts contradict."""
    found = [
        f"{contract}.{event['name']}: no meaning in docs/events.toml"
        for contract, abi in abis.items()
        for event in events_of(abi)
        if not meaning(meanings, contract, event["name"])
    ]
    found += [
        f"{contract}.{name}: a meaning for an event the contract does not emit (renamed?)"
        for contract, abi in abis.items()
        for name in meanings.get(contract, {}).get("events", {})
        if name not in {e["name"] for e in events_of(abi)}
    ]
    for status in meanings.get("status", []):
        found += _status_problems(status, abis)
    documented = {
        (s["contract"], c[0]) for s in meanings.get("status", []) for c in s.get("constants", [])
    }
    found += [
        f"{contract}.{item['name']}: a status constant documented in no [[status]]"
        for contract, abi in abis.items()
        for item in abi
        if item["type"] == "function"
        and not item["inputs"]
        and STATUS_CONSTANT.match(item["name"])
        and (contract, item["name"]) not in documented
    ]
    found += [
        f"{contract}.{flag}: a flag documented in no [[status]]"
        for contract in abis
        for flag in source_flags(contract)
        if not any(s["contract"] == contract and s.get("flag") == flag for s in meanings["status"])
    ]
    return found


def _status_problems(status: dict[str, Any], abis: dict[str, list[dict[str, Any]]]) -> list[str]:
    contract, where = status["contract"], f"status '{status['name']}'"
    if contract not in abis:
        return [f"{where}: {contract} is not a deployed contract"]
    getters = {i["name"] for i in abis[contract] if i["type"] == "function" and not i["inputs"]}
    found = [
        f"{where}: {contract} has no constant {name}"
        for name, _, _ in status.get("constants", [])
        if name not in getters
    ]
    if flag := status.get("flag"):
        members = source_flags(contract).get(flag)
        wanted = [(name, 1 << i) for i, name in enumerate(members or [])]
        if [(n, v) for n, v, _ in status.get("values", [])] != wanted:
            found.append(f"{where}: values differ from flag {flag} of {contract}: {wanted}")
    return found


def source_flags(contract: str) -> dict[str, list[str]]:
    """`flag` declarations of a Vyper contract's source: name -> members."""
    source = find_source(contract)
    if source.suffix != ".vy":
        return {}
    flags: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in source.read_text().splitlines():
        if match := re.match(r"^flag (\w+):", line):
            current = flags.setdefault(match.group(1), [])
        elif current is not None and (member := re.match(r"^\s+(\w+)\s*(#.*)?$", line)):
            current.append(member.group(1))
        elif line.strip() and not line.startswith((" ", "\t", "#")):
            current = None
    return flags


def render(abis: dict[str, list[dict[str, Any]]], meanings: dict[str, Any]) -> str:
    """The whole of docs/EVENTS.md."""
    lines = [
        "# Events and status flags",
        "",
        "<!-- Generated by `make abi` from abi/ and docs/events.toml: edit the meanings",
        "     there, not here. A test fails when an event of abi/ is missing here. -->",
        "",
        "Every event of every contract `ape run deploy` deploys, with its signature,",
        "its topic 0 (`keccak256` of the signature, what `eth_getLogs` filters on) and",
        "what it means; then every status flag and enumeration a view or an event",
        "returns. Field names are the ABI's (`abi/<Contract>.json`); amounts are in",
        "LDAO base units (18 decimals) and times are Unix timestamps unless stated.",
        "",
    ]
    lines += [f"- [{name}](#{name.lower()})" for name in abis]
    lines += ["- [Status flags and enumerations](#status-flags-and-enumerations)", ""]
    for contract, abi in abis.items():
        lines += [f"## {contract}", ""]
        if summary := meanings.get(contract, {}).get("summary"):
            lines += [summary, ""]
        lines += [f"ABI: [`abi/{contract}.json`](../abi/{contract}.json)", ""]
        for event in events_of(abi):
            fields = ", ".join(
                f"{canonical_type(i)}{' indexed' if i.get('indexed') else ''} {i['name']}"
                for i in event["inputs"]
            )
            lines += [
                f"### {contract}.{event['name']}",
                "",
                f"`{event['name']}({fields})`  ",
                f"topic 0: `{topic0(event)}`",
                "",
                meaning(meanings, contract, event["name"]) or "(no meaning written yet)",
                "",
            ]
    lines += ["## Status flags and enumerations", ""]
    for status in meanings.get("status", []):
        lines += [f"### {status['contract']}: {status['name']}", ""]
        lines += [f"Where: {status['where']}.", "", status["meaning"], ""]
        if status.get("flag"):
            lines += [f"Vyper `flag {status['flag']}` of `{status['contract']}`.", ""]
        lines += ["| Name | Value | Meaning |", "|---|---|---|"]
        for name, value, text in status.get("constants", []):
            lines.append(f"| `{name}` | {value} | {text} |")
        for name, value, text in status.get("values", []):
            lines.append(f"| {name} | {value} | {text} |")
        lines.append("")
    return "\n".join(lines)


def write(abi_dir: Path = ABI_DIR, path: Path = EVENTS_MD) -> None:
    """Writes docs/EVENTS.md, then raises `MeaningsError` naming every missing
    or wrong meaning (those events read "no meaning written yet")."""
    abis, meanings = load_abis(abi_dir), load_meanings()
    path.write_text(render(abis, meanings))
    if found := problems(abis, meanings):
        raise MeaningsError("write these in docs/events.toml:\n  " + "\n  ".join(found))


def drift(abi_dir: Path = ABI_DIR, path: Path = EVENTS_MD) -> list[str]:
    """Why docs/EVENTS.md is not what `write` would write (empty: up to date)."""
    abis, meanings = load_abis(abi_dir), load_meanings()
    found = problems(abis, meanings)
    if not path.exists():
        return [*found, "docs/EVENTS.md: missing"]
    if path.read_text() != render(abis, meanings):
        found.append("docs/EVENTS.md: differs from abi/ and docs/events.toml")
    return found
