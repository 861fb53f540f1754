"""Deployment records, `deployments/<network>.json`: which file belongs to a
network, and reading one. `ape run deploy` writes the record step by step
(`labeldao.deploy.Record`); every CLI that acts on a deployment (court, task,
node, govern) reads it here, so that a missing file, a record of another
chain or a missing contract gets the same one-line refusal everywhere.

Core module: imports neither titanoboa nor Ape (the CLIs name the network
with `Network.of(network, provider)` from their Ape objects).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import is_address, to_checksum_address

from labeldao.client_base import JurorError
from labeldao.paths import DEPLOYMENTS_DIR


class RecordError(JurorError):
    """A deployment record is missing, malformed, of another chain, or lacks
    a contract; the message (one line) names the file and what to do."""


def record_slug(network: str, provider: str, ecosystem: str = "ethereum") -> str:
    """The deployment record's (and parameter file's) name for a network, as
    `ape run deploy` writes it: `local-<provider>` on local networks, else the
    network's name; prefixed by the ecosystem outside Ethereum
    (`arbitrum-sepolia`, `base-sepolia`, `optimism-sepolia`)."""
    slug = f"{network}-{provider}" if network == "local" else network
    return slug if ecosystem == "ethereum" else f"{ecosystem}-{slug}"


@dataclass(frozen=True)
class Network:
    """A network as Ape names it: `<ecosystem>:<name>:<provider>`."""

    name: str
    provider: str
    ecosystem: str = "ethereum"

    @classmethod
    def of(cls, network: Any, provider: Any) -> Network:
        """From Ape's connected `NetworkAPI` and `ProviderAPI`."""
        return cls(str(network.name), str(provider.name), str(network.ecosystem.name))

    @property
    def slug(self) -> str:
        return record_slug(self.name, self.provider, self.ecosystem)

    @property
    def choice(self) -> str:
        """The `--network` value that selects it."""
        return f"{self.ecosystem}:{self.name}:{self.provider}"

    def record_path(self, root: Path = DEPLOYMENTS_DIR) -> Path:
        return root / f"{self.slug}.json"


@dataclass(frozen=True)
class DeploymentRecord:
    """The contracts of a deployment record."""

    path: Path
    contracts: dict[str, dict[str, Any]]
    chain_id: int | None

    @property
    def addresses(self) -> dict[str, str]:
        """Checksummed addresses by contract name."""
        return {
            name: to_checksum_address(entry["address"]) for name, entry in self.contracts.items()
        }

    @property
    def first_block(self) -> int:
        """The earliest recorded deployment block (0 when none is recorded)."""
        blocks = [entry.get("block") for entry in self.contracts.values()]
        return min((int(b) for b in blocks if b is not None), default=0)

    def address(self, name: str, *, why: str = "", instead: str = "") -> str:
        """The address of contract `name`; a RecordError naming the file when
        this deployment has none (`why`: the reason, `instead`: the option
        that names the contract otherwise)."""
        if name not in self.contracts:
            reason = f" ({why})" if why else ""
            option = f"; or pass {instead}" if instead else ""
            raise RecordError(f"{self.path}: this deployment has no {name}{reason}{option}")
        return to_checksum_address(self.contracts[name]["address"])


def read_record(path: Path, chain_id: int | None = None) -> DeploymentRecord:
    """Parses the record at `path` (which must exist); a RecordError when it
    is not a record, or is a deployment on another chain than `chain_id`."""
    try:
        data = json.loads(path.read_text())
        contracts = data["contracts"]
        for entry in contracts.values():
            if not is_address(entry["address"]):
                raise ValueError(entry["address"])
        recorded = None if data.get("chain_id") is None else int(data["chain_id"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise RecordError(f"{path}: not a deployment record") from None
    if chain_id is not None and recorded is not None and recorded != int(chain_id):
        raise RecordError(
            f"{path} is a deployment on chain {recorded}, but the connected chain is {chain_id}: "
            "choose the matching --network or --deployment"
        )
    return DeploymentRecord(path, contracts, recorded)


def load_record(
    network: Network,
    chain_id: int,
    *,
    given: Path | None = None,
    root: Path = DEPLOYMENTS_DIR,
    instead: str = "--deployment FILE",
) -> DeploymentRecord:
    """The record `given` (`--deployment FILE`), else the network's own
    (`<root>/<slug>.json`), read for the connected chain; a missing file is
    a one-line RecordError naming the path and the command that writes it
    (`instead`: what else the command accepts)."""
    path = given or network.record_path(root)
    if not path.exists():
        deploy = "" if given else f" (run `ape run deploy --network {network.choice}` first)"
        raise RecordError(f"no deployment record {path}{deploy}; or pass {instead}")
    return read_record(path, chain_id)
