"""Titanoboa helpers shared by the tests, the benchmarks and the simulation.

The contracts are compiled once per process (`deployer`) from the same
sources Ape compiles, and gas is measured as a real transaction would pay it
(`tx_gas`): titanoboa's plain calls keep storage warm between calls, so the
measurement locks the state first (cold slots, original values) and adds the
intrinsic cost of the calldata.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import boa
from boa.contracts.vyper.vyper_contract import VyperDeployer
from boa.environment import Env
from eth_abi import encode
from eth_utils import to_canonical_address, to_checksum_address

from labeldao import solidity
from labeldao.client_base import JurorError, Reverted
from labeldao.deploy import create_address
from labeldao.juror.formatting import _REASON
from labeldao.paths import CONTRACTS_DIR, REPO_ROOT
from labeldao.signing import sign_typed

__all__ = [
    "CONTRACTS_DIR",
    "REPO_ROOT",
    "calldata_cost",
    "calldata_floor",
    "deploy_solidity",
    "deployer",
    "tx_gas",
]

# Precompiles are warm in every real transaction (EIP-2929).
_PRECOMPILES = [i.to_bytes(20, "big") for i in range(1, 11)]


@cache
def deployer(name: str, directory: str | None = None) -> VyperDeployer:
    """Compiles `<directory>/<name>.vy` once per process (default: contracts/)."""
    base = Path(directory) if directory else CONTRACTS_DIR
    return boa.load_partial(str(base / f"{name}.vy"))


def deploy_court(
    token: str, treasury: str, randomness: str, epoch_seconds: int, lens: str, **kwargs: Any
) -> Any:
    """QualityCourt with its SortitionTree, as the deploy plan does: the tree
    first (it holds the epoch length), made for the address of the sender's
    next creation, then the court there."""
    sender = str(kwargs.get("sender") or boa.env.eoa)
    nonce = boa.env.evm.vm.state.get_nonce(to_canonical_address(sender))
    tree = deployer("SortitionTree").deploy(
        epoch_seconds, create_address(sender, nonce + 1), **kwargs
    )
    return deployer("QualityCourt").deploy(
        token, treasury, randomness, tree.address, lens, **kwargs
    )


def calldata_cost(data: bytes) -> int:
    """Intrinsic gas of a call transaction: 21,000 + 4/16 per zero/non-zero byte."""
    zeros = data.count(0)
    return 21_000 + 4 * zeros + 16 * (len(data) - zeros)


def calldata_floor(data: bytes) -> int:
    """EIP-7623 floor (Prague): 21,000 + 10 per calldata token."""
    zeros = data.count(0)
    return 21_000 + 10 * (zeros + 4 * (len(data) - zeros))


def tx_gas(contract: Any, fn_name: str, *args: Any, sender: str, value: int = 0) -> int:
    """Gas a transaction calling `contract.fn_name(*args)` from `sender` pays.

    Locks the state first so that every slot starts cold and at its committed
    value, marks the transaction's warm addresses (sender, contract,
    precompiles), then adds intrinsic gas and subtracts the capped refund.

    Locking commits titanoboa's journal, so `tx_gas` must not run inside
    `boa.env.anchor()` (nor in a test isolated by titanoboa's pytest plugin:
    mark such a test `ignore_isolation` and deploy inside it).
    """
    fn = getattr(contract, fn_name)
    data = fn.prepare_calldata(*args)
    state = boa.env.evm.vm.state
    state.lock_changes()
    for address in (bytes.fromhex(str(sender)[2:]), bytes.fromhex(str(contract.address)[2:])):
        state.mark_address_warm(address)
    for address in _PRECOMPILES:
        state.mark_address_warm(address)
    fn(*args, sender=sender, value=value)
    computation = contract._computation
    total = calldata_cost(data) + computation.get_gas_used()
    total -= min(computation.get_gas_refund(), total // 5)
    return max(total, calldata_floor(data))


def deploy_solidity(source: str | Path, name: str, *args: Any, sender: str | None = None) -> Any:
    """Deploys contract `name` from `source` (path from the repository root) with
    constructor `args`; returns the titanoboa contract (`.solc` holds the compiler)."""
    built = solidity.artifact(REPO_ROOT / source, name)
    factory = boa.loads_abi(json.dumps(built["abi"]), name=name)
    ctor = next((item for item in built["abi"] if item["type"] == "constructor"), None)
    encoded = b""
    if ctor and ctor["inputs"]:
        encoded = encode([i["type"] for i in ctor["inputs"]], list(args))
    address, _ = boa.env.deploy_code(
        bytecode=bytes.fromhex(built["bytecode"]) + encoded, sender=sender or boa.env.eoa
    )
    contract = factory.at(address)
    contract.solc = built["solc"]
    return contract


class BoaBackend:
    """titanoboa as a backend: the sender's transactions, signed salts from a key."""

    def __init__(self, juror: str | None, key: bytes | None = None) -> None:
        import boa

        self._boa = boa
        self.juror = None if juror is None else to_checksum_address(str(juror))
        self.key = key
        self.chain_id = int(boa.env.evm.patch.chain_id)

    def now(self) -> int:
        return int(self._boa.env.evm.patch.timestamp)

    def sign_typed(self, message: dict[str, Any]) -> bytes:
        if self.key is None:
            raise JurorError("this account has no key to sign with")
        return sign_typed(self.key, message).to_bytes()

    def send(
        self,
        contract: Any,
        method: str,
        *args: Any,
        on_sent: Callable[[str | None], None] | None = None,
    ) -> str | None:
        from boa.contracts.base_evm_contract import BoaError

        try:
            getattr(contract, method)(*args, sender=self.juror)
        except BoaError as exc:
            raise Reverted(boa_revert_reason(exc)) from None
        if on_sent is not None:
            on_sent(None)
        return None


def boa_revert_reason(exc: Exception) -> str:
    """The revert string of a titanoboa error."""
    try:
        error = exc.stack_trace.last_frame.vm_error  # type: ignore[attr-defined]
        if error.args:
            reason = error.args[0]
            return reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
    except AttributeError:
        pass
    match = _REASON.search(str(exc))
    return match.group(1) if match else str(exc).strip().splitlines()[-1]


@contextmanager
def intercepting_messages(
    execute_code: Callable[..., Any], deploy: Callable[..., Any]
) -> Iterator[None]:
    """Routes every top-level message titanoboa executes through the given
    functions for the duration: `execute_code(original, env, *args, **kwargs)`
    and `deploy(original, env, *args, **kwargs)`, each calling `original`
    (titanoboa's own `Env.execute_code` / `Env.deploy`) itself."""
    original_execute, original_deploy = Env.execute_code, Env.deploy

    def patched_execute(env: Env, *args: Any, **kwargs: Any) -> Any:
        return execute_code(original_execute, env, *args, **kwargs)

    def patched_deploy(env: Env, *args: Any, **kwargs: Any) -> Any:
        return deploy(original_deploy, env, *args, **kwargs)

    Env.execute_code, Env.deploy = patched_execute, patched_deploy
    try:
        yield
    finally:
        Env.execute_code, Env.deploy = original_execute, original_deploy
