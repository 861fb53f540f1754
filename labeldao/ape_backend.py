"""The juror client's backend on Ape (`ape run court`): the connected
provider, an Ape account, and the deployment record that names the court.

Every transaction is dry-run first with a plain `eth_call` (a revert becomes
`Reverted` with the court's reason, and nothing is sent or printed), then
signed by the account, sent raw, and waited for; the hash is handed to
`on_sent` as soon as the node accepts it, so that the commitment store
records `sent` before the receipt arrives.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import is_address, to_checksum_address

from labeldao.client_base import JurorError, Reverted
from labeldao.deployments import Network, load_record
from labeldao.paths import DEPLOYMENTS_DIR
from labeldao.signing import typed_data

# Fault injection for the tests: exit the process right after this method's
# transaction is sent, before its receipt is read or the store updated (the
# worst moment to crash). Set from LABELDAO_COURT_CRASH_AFTER_SEND.
CRASH_ENV = "LABELDAO_COURT_CRASH_AFTER_SEND"
CRASH_EXIT_CODE = 75


@dataclass(frozen=True)
class CourtAddress:
    """Where the court is, and where that was read from."""

    address: str
    source: str


def locate_court(
    *,
    court: str | None,
    deployment: Path | None,
    network: Network,
    chain_id: int,
    root: Path = DEPLOYMENTS_DIR,
) -> CourtAddress:
    """The court's address from `--court`, else from the deployment record
    (`--deployment`, else the network's own in `root`); a clear JurorError
    when there is neither, or the record belongs to another chain."""
    if court is not None:
        if not is_address(court):
            raise JurorError(f"--court: '{court}' is not an address")
        return CourtAddress(to_checksum_address(court), "--court")
    instead = "--court ADDRESS or --deployment FILE"
    record = load_record(network, chain_id, given=deployment, root=root, instead=instead)
    return CourtAddress(record.address("QualityCourt", instead="--court ADDRESS"), str(record.path))


def require_code(provider: Any, address: str, source: str) -> None:
    """A JurorError when the connected chain has no contract at `address`
    (read from `source`: a record, or an option)."""
    if not provider.get_code(address):
        raise JurorError(
            f"no contract at {address} on chain {provider.chain_id} (from {source}): "
            "wrong network, or the node was reset since the deployment"
        )


class ApeBackend:
    """Ape as the client's backend."""

    def __init__(self, provider: Any, account: Any | None) -> None:
        self.provider = provider
        self.account = account
        self.juror = None if account is None else to_checksum_address(str(account.address))
        self.chain_id = int(provider.chain_id)
        self.crash_after = os.environ.get(CRASH_ENV)

    def now(self) -> int:
        return int(self.provider.get_block("latest").timestamp)

    def _account(self) -> Any:
        if self.account is None:
            raise JurorError("this command needs an account: pass --account ALIAS (or TEST::N)")
        return self.account

    def sign_typed(self, message: dict[str, Any]) -> bytes:
        signature = self._account().sign_message(typed_data(message))
        if signature is None:
            raise JurorError("the wallet declined to sign the salt message")
        return bytes(signature.encode_rsv())

    def dry_run(self, contract: Any, method: str, *args: Any) -> None:
        """`eth_call` of the transaction; raises Reverted with its reason."""
        from web3.exceptions import ContractLogicError

        data = getattr(contract, method).encode_input(*args)
        call = {"from": self._account().address, "to": contract.address, "data": data}
        try:
            # Against the pending block, where the transaction will run: on
            # `latest` a draw whose randomness is ready one block after the
            # request would be refused although the transaction succeeds.
            self.provider.web3.eth.call(call, "pending")
        except ContractLogicError as exc:
            raise Reverted(str(exc.message or exc)) from None

    def send(
        self,
        contract: Any,
        method: str,
        *args: Any,
        on_sent: Callable[[str | None], None] | None = None,
    ) -> str | None:
        from ape.exceptions import ContractLogicError

        account = self._account()
        self.dry_run(contract, method, *args)
        try:
            txn = getattr(contract, method).as_transaction(*args, sender=account)
        except ContractLogicError as exc:  # gas estimation on public networks
            raise Reverted(str(exc.message)) from None
        signed = account.sign_transaction(txn)
        if signed is None:
            raise JurorError("the wallet declined to sign the transaction")
        raw = signed.serialize_transaction()
        tx_hash = self.provider.web3.eth.send_raw_transaction(raw).to_0x_hex()
        if on_sent is not None:
            on_sent(tx_hash)
        if self.crash_after == method:
            print(
                f"{method}: crashing on purpose after sending {tx_hash} ({CRASH_ENV})", flush=True
            )
            os._exit(CRASH_EXIT_CODE)
        receipt = self.provider.get_receipt(tx_hash)
        if receipt.failed:
            reason = "no reason given"
            try:
                self.dry_run(contract, method, *args)
            except Reverted as exc:
                reason = exc.reason
            raise Reverted(f"transaction {tx_hash} reverted: {reason}")
        return tx_hash
