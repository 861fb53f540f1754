"""A scripted workload on a local node (anvil), for the indexer's tests and benchmark.

It drives a deployed LabelDAO suite from anvil's unlocked test accounts
(the deployment's `test:N` accounts, which `deployments/params/local.toml`
funds) through web3.py: token transfers and delegations, juror stakes,
tasks created, claimed, submitted, accepted or rejected into a court
dispute, and GPU nodes registering and reporting finished epochs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from eth_utils import keccak
from web3 import Web3
from web3.logs import DISCARD

from labeldao.court import commitment
from labeldao.indexer.abi import Abi, load_abi

LDAO = 10**18
DAY = 86_400
MAX_UINT = 2**256 - 1


def _h(text: str) -> bytes:
    return keccak(text=text)


@dataclass
class Workload:
    """Sends protocol transactions from anvil's test accounts 1..6."""

    web3: Web3
    contracts: dict[str, Any]  # name -> web3 Contract
    accounts: list[str]
    rng: random.Random = field(default_factory=lambda: random.Random(1))
    nodes: list[tuple[int, str]] = field(default_factory=list)  # (node_id, owner)

    @classmethod
    def connect(cls, web3: Web3, addresses: dict[str, str], abis: dict[str, Abi]) -> Workload:
        contracts = {
            name: web3.eth.contract(
                address=Web3.to_checksum_address(addresses[name]), abi=abis[name]
            )
            for name in ("RewardToken", "QualityCourt", "TaskEscrow", "ComputeRegistry")
        }
        # The court's decoding views (`round_info`, ...) are its lens's.
        contracts["QualityCourtLens"] = web3.eth.contract(
            address=contracts["QualityCourt"].functions.LENS().call(),
            abi=abis.get("QualityCourtLens") or load_abi("QualityCourtLens"),
        )
        return cls(web3, contracts, [Web3.to_checksum_address(a) for a in web3.eth.accounts])

    def send(self, contract: str, function: str, *args: Any, sender: str) -> Any:
        call = getattr(self.contracts[contract].functions, function)(*args)
        tx = call.transact({"from": sender})
        return self.web3.eth.wait_for_transaction_receipt(tx)

    def setup(self) -> None:
        """Spreads LDAO from the funded accounts 1..3 to 4..6 and approves every spender."""
        for funded, other in zip(self.accounts[1:4], self.accounts[4:7], strict=True):
            self.send("RewardToken", "transfer", other, 100_000 * LDAO, sender=funded)
        spenders = [
            self.contracts[n].address for n in ("QualityCourt", "TaskEscrow", "ComputeRegistry")
        ]
        for account in self.accounts[1:7]:
            for spender in spenders:
                self.send("RewardToken", "approve", spender, MAX_UINT, sender=account)
            self.send("RewardToken", "delegate", account, sender=account)

    def token_traffic(self, transfers: int) -> None:
        for _ in range(transfers):
            sender, receiver = self.rng.sample(self.accounts[1:7], 2)
            amount = self.rng.randint(1, 1_000) * LDAO // 100
            self.send("RewardToken", "transfer", receiver, amount, sender=sender)

    def stake_jurors(self, amount: int = 2_000 * LDAO) -> None:
        for juror in self.accounts[4:7]:
            self.send("QualityCourt", "stake", amount, sender=juror)

    def task(self, index: int, outcome: str = "accept") -> int:
        """One task through its life: 'open', 'claim', 'submit', 'accept' or 'reject'."""
        requester, annotator = self.accounts[1 + index % 3], self.accounts[4 + index % 3]
        now = self.web3.eth.get_block("latest")["timestamp"]
        receipt = self.send(
            "TaskEscrow",
            "create_task",
            _h(f"spec {index}"),
            f"ipfs://spec/{index}",
            10,
            100 * LDAO,
            10 * LDAO,
            now + 7 * DAY,
            2 * DAY,
            _h(f"gold {index}"),
            sender=requester,
        )
        (created,) = (
            self.contracts["TaskEscrow"]
            .events.TaskCreated()
            .process_receipt(receipt, errors=DISCARD)
        )
        task_id = created["args"]["task_id"]
        if outcome == "open":
            return task_id
        self.send("TaskEscrow", "claim_task", task_id, sender=annotator)
        if outcome == "claim":
            return task_id
        self.send(
            "TaskEscrow",
            "submit",
            task_id,
            _h(f"result {index}"),
            f"ipfs://r/{index}",
            sender=annotator,
        )
        if outcome == "accept":
            self.send("TaskEscrow", "accept", task_id, sender=requester)
        elif outcome == "reject":
            self.send("TaskEscrow", "reject", task_id, _h(f"bad {index}"), sender=requester)
        return task_id

    def register_nodes(self, count: int) -> None:
        registry = self.contracts["ComputeRegistry"]
        for n in range(count):
            owner = self.accounts[1 + n % 6]
            receipt = self.send(
                "ComputeRegistry",
                "register_node",
                _h(f"node {n}"),
                f"ipfs://node/{n}",
                1,
                0,
                sender=owner,
            )
            (event,) = registry.events.NodeRegistered().process_receipt(receipt, errors=DISCARD)
            self.nodes.append((event["args"]["node_id"], owner))

    def advance(self, seconds: int) -> None:
        self.web3.provider.make_request("evm_increaseTime", [seconds])
        self.web3.provider.make_request("evm_mine", [])

    def _advance_to(self, timestamp: int) -> None:
        now = self.web3.eth.get_block("latest")["timestamp"]
        self.advance(max(1, timestamp - now + 1))

    def court_round(self) -> tuple[int, list[str]]:
        """Judges the workload's dispute: draws the panel, the jurors commit
        and reveal choice 1 (the last of several commits and never reveals),
        then the round and the ruling are executed. Returns the dispute and
        the seated jurors (lower-case)."""
        court, keeper = self.contracts["QualityCourt"], self.accounts[0]
        lens = self.contracts["QualityCourtLens"].functions
        dispute = next(
            d for d in range(4) if int(lens.dispute_info(court.address, d).call()[0], 16)
        )
        info = lens.round_info(court.address, dispute, 0).call()
        self._advance_to(info[4])  # past the evidence period
        for _ in range(40):
            info = lens.round_info(court.address, dispute, 0).call()
            if info[2] == info[1]:
                break
            self.advance(1)  # randomness is ready a block after its request
            self.send("QualityCourt", "draw", dispute, 2, sender=keeper)
        else:
            raise RuntimeError("court: panel not drawn")
        jurors = sorted({court.functions.round_juror(dispute, 0, i).call() for i in range(info[3])})
        silent = jurors[-1] if len(jurors) > 1 else None
        self._advance_to(info[5] - 1)
        for juror in jurors:
            salt = _h(f"salt {juror}")
            digest = commitment(dispute, 0, juror, 1, salt)
            self.send("QualityCourt", "commit", dispute, 0, digest, sender=juror)
        self._advance_to(info[6] - 1)
        for juror in jurors:
            if juror != silent:
                self.send(
                    "QualityCourt", "reveal", dispute, 0, 1, _h(f"salt {juror}"), sender=juror
                )
        self._advance_to(info[8])
        while True:
            info = lens.round_info(court.address, dispute, 0).call()
            if info[18] == info[19]:
                break
            self.send("QualityCourt", "execute", dispute, 0, 3, sender=keeper)
        self.send("QualityCourt", "execute_ruling", dispute, sender=keeper)
        return dispute, [j.lower() for j in jurors]

    def report_epoch(self) -> None:
        """Ends the current registry epoch and has every node report it."""
        registry = self.contracts["ComputeRegistry"]
        epoch = registry.functions.current_epoch().call()
        info = registry.functions.epoch_total(epoch).call()
        now = self.web3.eth.get_block("latest")["timestamp"]
        self.advance(max(1, info[1] - now + 1))
        for node_id, owner in self.nodes:
            cap = registry.functions.max_work_units(node_id, epoch).call()
            if cap == 0 or registry.functions.node(node_id).call()[7] > epoch:
                continue
            work = self.rng.randint(1, min(cap, 10_000))
            uptime = self.rng.randint(5_000, 10_000)
            self.send(
                "ComputeRegistry",
                "report",
                node_id,
                epoch,
                work,
                uptime,
                _h(f"{node_id}/{epoch}"),
                sender=owner,
            )

    def run(self, tasks: int = 6, nodes: int = 3, epochs: int = 2, transfers: int = 10) -> None:
        """A small, varied history (the tests' default)."""
        self.setup()
        self.stake_jurors()
        outcomes = ["accept", "reject", "submit", "claim", "open"]
        for index in range(tasks):
            self.task(index, outcomes[index % len(outcomes)])
        self.register_nodes(nodes)
        for _ in range(epochs + 1):  # nodes start with the epoch after registering
            self.report_epoch()
        self.token_traffic(transfers)
