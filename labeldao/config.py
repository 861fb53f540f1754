"""Deployment parameters: one checked-in TOML file per network under
`deployments/params/`, validated before any transaction is sent.

Addresses may be written as `"test:N"` (Ape's N-th test account) on local
networks only, so that the local files need no hard-coded keys.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from eth_utils import is_address, to_checksum_address
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from labeldao.escrow import check_gold_bond_covers_fee, check_overrides
from labeldao.paths import PARAMS_DIR
from labeldao.units import LDAO

__all__ = ["LDAO", "PARAMS_DIR"]  # re-exported: `from labeldao.config import LDAO`
MAX_SUPPLY = 2**96 - 1
# QualityCourt's bounds on its stake-snapshot epoch, seconds.
MIN_EPOCH_SECONDS = 60
MAX_EPOCH_SECONDS = 2**32
# The court's epoch is seconds, randomness delays are blocks: deploy checks
# count a block as Ethereum's 12 s slot, the slowest of the supported chains
# (Arbitrum, Base and OP make a block in 2 s or less). A chain that makes
# blocks only on transactions (anvil, automining) has no block time at all;
# there the court re-requests when a draw outlives its epoch.
BLOCK_SECONDS = 12
# Blocks the keepers get to draw a panel once the randomness is known.
DRAW_BLOCKS = 2
TWO_DAYS = 2 * 24 * 3600
PLACEHOLDER = "0x000000000000000000000000000000000000dead"


class ParamsError(ValueError):
    """The parameter file is missing or invalid; the message lists every problem."""


Address = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Mint(_Strict):
    """An initial allocation minted at deployment (testnets, demo faucets)."""

    to: Address
    amount: int = Field(gt=0, description="base units (18 decimals)")


class TokenParams(_Strict):
    """RewardToken constructor and initial allocations."""

    cap: int = Field(gt=0, le=MAX_SUPPLY, description="hard cap in base units")
    initial_mints: list[Mint] = Field(default_factory=list)


class TimelockParams(_Strict):
    """snekmate TimelockController: holds every admin and parameter role."""

    min_delay: int = Field(ge=0, description="seconds; >= 2 days on public networks")
    # May be empty when a [governor] table makes the Governor the proposer.
    proposers: list[Address] = Field(default_factory=list)
    executors: list[Address] = Field(min_length=1)


class GovernorParams(_Strict):
    """OpenZeppelin Governor made the timelock's proposer (optional table).

    Delay and period are in units of the token's ERC-6372 clock: seconds (LDAO's
    `CLOCK_MODE` is `mode=timestamp`; docs/decisions.md, "Clocks").
    """

    voting_delay: int = Field(ge=1, le=2**48 - 1, description="seconds, proposal to snapshot")
    voting_period: int = Field(ge=1, le=2**32 - 1, description="seconds the vote is open")
    quorum_percent: int = Field(ge=1, le=100, description="% of the supply at the snapshot")
    proposal_threshold: int = Field(default=0, ge=0, le=MAX_SUPPLY, description="base units")


class RolesParams(_Strict):
    """Accounts that are not contracts of the suite."""

    guardian: Address
    treasury: Address


class CourtParams(_Strict):
    """QualityCourt constructor, its randomness source, parameter overrides."""

    randomness_delay: int = Field(ge=1, le=256, description="blocks to the prevrandao block")
    # QualityCourt's MIN_EPOCH_SECONDS and MAX_EPOCH_SECONDS.
    epoch_seconds: int = Field(
        ge=MIN_EPOCH_SECONDS, le=MAX_EPOCH_SECONDS, description="stake-snapshot epoch, seconds"
    )
    # Overrides of `current_params()` fields, set at deployment (see
    # contracts/interfaces/IQualityCourt.vyi for the names and bounds).
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _epoch_outlasts_randomness(self) -> CourtParams:
        # The delay is in blocks, the epoch in seconds: blocks are taken as
        # BLOCK_SECONDS apart (Ethereum's slot; the L2s are faster).
        needed = blocks_to_seconds(self.randomness_delay + DRAW_BLOCKS)
        if self.epoch_seconds <= needed:
            raise ValueError(
                f"epoch_seconds must exceed (randomness_delay + {DRAW_BLOCKS}) blocks of "
                f"{BLOCK_SECONDS} s = {needed} s (time to draw a panel)"
            )
        return self


class EscrowParams(_Strict):
    """TaskEscrow parameter overrides (fields of its `Params` struct)."""

    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _new_fields_in_bounds(self) -> EscrowParams:
        problems = check_overrides(self.params)
        if problems:
            raise ValueError("; ".join(problems))
        return self


class RegistryParams(_Strict):
    """ComputeRegistry constructor and parameter overrides."""

    epoch_length: int = Field(ge=3_600, le=30 * 86_400, description="seconds")
    epoch_emission: int = Field(ge=0, le=10**25, description="base units per epoch")
    genesis: int | None = Field(default=None, description="epoch 0 start; default: now")
    meta_evidence_uri: str = Field(min_length=1, max_length=256)
    params: dict[str, Any] = Field(default_factory=dict)


class RandomnessParams(_Strict):
    """The court's randomness source: `prevrandao` (local chains: its delay is
    `court.randomness_delay`) or `chainlink_vrf` (Chainlink VRF v2.5, behind a
    `RandomnessWithFallback` when `fallback_timeout` is not 0)."""

    source: Literal["prevrandao", "chainlink_vrf"] = "prevrandao"
    coordinator: Address | None = Field(default=None, description="VRF v2.5 coordinator")
    key_hash: str | None = Field(default=None, pattern=r"^0x[0-9a-fA-F]{64}$")  # the gas lane
    # TOML integers stop at 2**63 - 1; VRF v2.5 subscription ids are uint256,
    # so the file may write the id as a string.
    subscription_id: int | None = Field(default=None, gt=0, lt=2**256)
    native_payment: bool = Field(default=False, description="pay in the native coin, not LINK")
    request_confirmations: int = Field(default=3, ge=0, le=200, description="blocks")
    callback_gas_limit: int = Field(default=200_000, ge=50_000, le=2_500_000)
    fallback_timeout: int = Field(
        default=0, ge=0, le=30 * 86_400, description="seconds per ask; 0: no fallback adapter"
    )
    max_rerequests: int = Field(default=1, ge=0, le=8, description="asks after the first")
    fallback_delay: int = Field(default=4, ge=1, le=128, description="blockhash lookahead, blocks")

    @model_validator(mode="after")
    def _vrf_settings(self) -> RandomnessParams:
        vrf_only = ("coordinator", "key_hash", "subscription_id")
        if self.source == "chainlink_vrf":
            missing = [name for name in vrf_only if getattr(self, name) is None]
            if missing:
                raise ValueError(
                    f"source 'chainlink_vrf' needs {', '.join(missing)}: the operator must "
                    "fill it in (the file's comments say where each value comes from)"
                )
            if int(self.key_hash, 16) == 0:
                raise ValueError("key_hash must not be zero")
        else:
            stray = [name for name in vrf_only if getattr(self, name) is not None]
            if stray:
                raise ValueError(f"{', '.join(stray)}: only for source = 'chainlink_vrf'")
        return self


def blocks_to_seconds(blocks: int) -> int:
    """The duration of `blocks` blocks at BLOCK_SECONDS each."""
    return blocks * BLOCK_SECONDS


def check_fallback_fits_epoch(randomness: RandomnessParams, epoch_seconds: int) -> str | None:
    """Why VRF behind the fallback could never reach the fallback, or None.

    The court asks again by itself when a draw outlives its snapshot epoch, so
    every ask to VRF (`max_rerequests + 1` timeouts), the fallback's lookahead
    and the draw must fit in one epoch, or each new epoch restarts the chain of
    asks and the fallback is never reached (docs/decisions.md, "Clocks").
    """
    if randomness.source != "chainlink_vrf" or randomness.fallback_timeout == 0:
        return None
    asks = (randomness.max_rerequests + 1) * randomness.fallback_timeout
    margin = blocks_to_seconds(randomness.fallback_delay + DRAW_BLOCKS)
    if asks + margin < epoch_seconds:
        return None
    return (
        f"(randomness.max_rerequests + 1) * randomness.fallback_timeout + "
        f"(randomness.fallback_delay + {DRAW_BLOCKS}) blocks of {BLOCK_SECONDS} s = "
        f"{asks + margin} s must be below court.epoch_seconds ({epoch_seconds}), "
        "or the fallback is never reached"
    )


class DeployParams(_Strict):
    """Everything `ape run deploy` needs for one network."""

    network: str
    token: TokenParams
    timelock: TimelockParams
    roles: RolesParams
    court: CourtParams
    escrow: EscrowParams = Field(default_factory=EscrowParams)
    registry: RegistryParams
    randomness: RandomnessParams = Field(default_factory=RandomnessParams)
    governor: GovernorParams | None = None

    @model_validator(mode="after")
    def _gold_bond_covers_the_court_fee(self) -> DeployParams:
        problem = check_gold_bond_covers_fee(self.escrow.params, self.court.params)
        if problem:
            raise ValueError(problem)
        return self

    @model_validator(mode="after")
    def _fallback_reached_within_an_epoch(self) -> DeployParams:
        problem = check_fallback_fits_epoch(self.randomness, self.court.epoch_seconds)
        if problem:
            raise ValueError(problem)
        return self

    @model_validator(mode="after")
    def _someone_proposes(self) -> DeployParams:
        if not self.timelock.proposers and self.governor is None:
            raise ValueError(
                "timelock.proposers: list at least one proposer, or add a [governor] table"
            )
        return self

    @field_validator("network")
    @classmethod
    def _network_name(cls, value: str) -> str:
        if not value.replace("-", "").replace("_", "").isalnum():
            raise ValueError("network must be a plain name such as 'local' or 'sepolia'")
        return value


def load_params(
    path: Path,
    *,
    is_local: bool,
    test_account: Callable[[int], str] | None = None,
) -> DeployParams:
    """Reads and validates a parameter file; resolves `test:N` addresses.

    Raises `ParamsError` with every problem found, each naming its field.
    """
    if not path.exists():
        raise ParamsError(f"no parameter file {path}; copy deployments/params/local.toml")
    try:
        raw = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ParamsError(f"{path}: not valid TOML: {exc}") from None
    problems: list[str] = []
    resolved = _resolve_addresses(raw, is_local, test_account, problems, prefix="")
    if problems:
        raise ParamsError(_listed(path, problems))
    try:
        params = DeployParams.model_validate(resolved)
    except ValidationError as exc:
        lines = [_problem(e["loc"], e["msg"]) for e in exc.errors()]
        raise ParamsError(_listed(path, lines)) from None
    if not is_local and params.timelock.min_delay < TWO_DAYS:
        raise ParamsError(
            f"{path}:\n  timelock.min_delay: must be >= {TWO_DAYS} s (2 days) on a public network"
        )
    return params


def _problem(loc: tuple[int | str, ...], message: str) -> str:
    """One validation error: its field (none for a check across tables), its message."""
    message = message.removeprefix("Value error, ")
    return f"{'.'.join(map(str, loc))}: {message}" if loc else message


def _listed(path: Path, problems: list[str]) -> str:
    """One problem on one line after the file's name; several, one a line."""
    if len(problems) == 1:
        return f"{path}: {problems[0]}"
    return f"{path}:\n  " + "\n  ".join(problems)


_ADDRESS_KEYS = {"to", "guardian", "treasury", "proposers", "executors", "coordinator"}


def _resolve_addresses(
    node: Any,
    is_local: bool,
    test_account: Callable[[int], str] | None,
    problems: list[str],
    prefix: str,
    key: str = "",
) -> Any:
    """Returns `node` with every address field checked and checksummed."""
    if isinstance(node, dict):
        return {
            k: _resolve_addresses(v, is_local, test_account, problems, f"{prefix}{k}.", k)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [
            _resolve_addresses(v, is_local, test_account, problems, f"{prefix}{i}.", key)
            for i, v in enumerate(node)
        ]
    if key in _ADDRESS_KEYS and isinstance(node, str):
        return _address(node, is_local, test_account, problems, prefix.rstrip("."), key)
    return node


def _address(
    value: str,
    is_local: bool,
    test_account: Callable[[int], str] | None,
    problems: list[str],
    where: str,
    key: str,
) -> str:
    if value.startswith("test:"):
        index = value.removeprefix("test:")
        if not is_local:
            problems.append(f"{where}: '{value}' (a test account) is for local networks only")
        elif not index.isdigit() or test_account is None:
            problems.append(f"{where}: '{value}' must be test:N with N a number")
        else:
            return test_account(int(index))
        return value
    if not is_address(value):
        problems.append(f"{where}: '{value}' is not an address")
        return value
    if value.lower() == PLACEHOLDER:
        problems.append(f"{where}: placeholder {value}: put the real address here")
        return value
    # The zero address among the timelock's executors means "anyone may execute".
    if value.lower() == "0x" + "00" * 20 and key != "executors":
        problems.append(f"{where}: the zero address is not allowed")
    return to_checksum_address(value)


def params_path(network: str) -> Path:
    """`deployments/params/<network>.toml`."""
    return PARAMS_DIR / f"{network}.toml"


# Chains whose `prevrandao` is a constant or set by one sequencer, so that a
# draw from it is predictable or chosen: rollups and L2s.
L2_CHAIN_IDS: dict[int, str] = {
    42161: "Arbitrum One",
    42170: "Arbitrum Nova",
    421614: "Arbitrum Sepolia",
    8453: "Base",
    84532: "Base Sepolia",
    10: "OP Mainnet",
    11155420: "OP Sepolia",
    324: "zkSync Era",
    300: "zkSync Sepolia",
    59144: "Linea",
    59141: "Linea Sepolia",
    534352: "Scroll",
    534351: "Scroll Sepolia",
    1101: "Polygon zkEVM",
    81457: "Blast",
    34443: "Mode",
    7777777: "Zora",
    5000: "Mantle",
    130: "Unichain",
    1301: "Unichain Sepolia",
    480: "World Chain",
    57073: "Ink",
}


def check_randomness_for_chain(params: DeployParams, chain_id: int) -> None:
    """Refuses the prevrandao source on an L2 chain id (a one-line `ParamsError`)."""
    if params.randomness.source == "prevrandao" and chain_id in L2_CHAIN_IDS:
        raise ParamsError(
            f"randomness.source: 'prevrandao' is refused on chain id {chain_id} "
            f"({L2_CHAIN_IDS[chain_id]}), an L2 where the sequencer sets it: "
            "use 'chainlink_vrf'"
        )
