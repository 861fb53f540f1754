"""`CourtClient`: a juror's actions at one court, each checked first
(`labeldao.juror.checks`) and sent through the shared `Wallet`
(`labeldao.client_base`), the votes kept in the `CommitmentStore`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth_abi import encode
from eth_utils import to_checksum_address

from labeldao.client_base import Backend, JurorError, Reverted, Wallet, from_struct
from labeldao.court import commitment as make_commitment
from labeldao.court import derive_salt_with
from labeldao.juror.checks import (
    check_appeal,
    check_commit,
    check_draw,
    check_evidence,
    check_execute,
    check_reveal,
    check_stake,
    check_unstake,
    check_withdraw,
)
from labeldao.juror.formatting import explain_revert
from labeldao.juror.views import (
    MAX_DRAW_BATCH,
    MAX_EXECUTE_BATCH,
    DisputeInfo,
    Funding,
    JurorRound,
    JurorStatus,
    Params,
    Period,
    Recovered,
    Revealed,
    RevealReport,
    RoundInfo,
    SeatView,
    round_label,
)
from labeldao.store import CONFIRMED, FAILED, SENT, CommitmentStore, same_prefix
from labeldao.units import format_ldao, format_time


class CourtClient:
    """A juror's view of, and actions at, one court.

    `court`, `lens` and `token` are contract handles (Ape or titanoboa) with
    the court's, its lens's (`court.LENS()`) and the token's ABI; `store`
    keeps the juror's votes (None for a read-only client); `log` receives one
    line per step.
    """

    def __init__(
        self,
        court: Any,
        lens: Any,
        token: Any,
        backend: Backend,
        store: CommitmentStore | None = None,
        log: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.court = court
        self.lens = lens
        self.token = token
        self.backend = backend
        self.store = store
        self.log = log
        self.wallet = Wallet(backend, token, explain_revert)

    # -- identity and clock -----------------------------------------------

    @property
    def address(self) -> str:
        return to_checksum_address(str(self.court.address))

    @property
    def juror(self) -> str:
        return self.wallet.address

    def now(self) -> int:
        return self.wallet.now()

    # -- views --------------------------------------------------------------

    def params(self, version: int | None = None) -> Params:
        if version is None:
            version = int(self.court.params_version())
        return from_struct(Params, self.court.params(version))

    def status(self, juror: str | None = None) -> JurorStatus:
        return from_struct(
            JurorStatus, self.lens.juror_status(self.court.address, juror or self.juror)
        )

    def dispute_count(self) -> int:
        return int(self.court.dispute_count())

    def dispute(self, dispute_id: int) -> DisputeInfo:
        count = self.dispute_count()
        if not 0 <= dispute_id < count:
            raise JurorError(
                f"no dispute {dispute_id} at court {self.address}"
                + (f": disputes are 0 to {count - 1}" if count else ": no dispute yet")
            )
        return from_struct(DisputeInfo, self.lens.dispute_info(self.court.address, dispute_id))

    def round(self, dispute_id: int, round_: int) -> RoundInfo:
        return from_struct(RoundInfo, self.lens.round_info(self.court.address, dispute_id, round_))

    def vote(self, dispute_id: int, round_: int, juror: str | None = None) -> JurorRound:
        return from_struct(
            JurorRound,
            self.lens.juror_round(self.court.address, dispute_id, round_, juror or self.juror),
        )

    def funding(self, dispute_id: int, round_: int) -> Funding:
        return from_struct(Funding, self.court.funding(dispute_id, round_))

    def balance(self, account: str | None = None) -> int:
        return self.wallet.balance(account)

    def resolve_round(self, dispute_id: int, round_: int | None) -> tuple[DisputeInfo, int]:
        """The dispute and the round asked for (default: the current one)."""
        dispute = self.dispute(dispute_id)
        if round_ is None:
            return dispute, dispute.current_round
        if not 0 <= round_ < dispute.rounds:
            raise JurorError(
                f"dispute {dispute_id} has no round {round_}: "
                f"its rounds are 0 to {dispute.current_round}"
            )
        return dispute, round_

    def my_seats(self, juror: str | None = None) -> list[SeatView]:
        """Every round in which the juror holds seats not settled yet (the
        reason for their locked stake), newest dispute first.

        The court counts these rounds (the lens's `juror_status().open_rounds`), so the
        scan walks back from the newest dispute and stops as soon as it has
        found them all: no event logs are needed, and a juror with no open
        round costs one call.
        """
        juror = juror or self.juror
        wanted = self.status(juror).open_rounds
        found: list[SeatView] = []
        dispute_id = self.dispute_count() - 1
        while len(found) < wanted and dispute_id >= 0:
            dispute = from_struct(
                DisputeInfo, self.lens.dispute_info(self.court.address, dispute_id)
            )
            for round_ in range(dispute.rounds - 1, -1, -1):
                vote = self.vote(dispute_id, round_, juror)
                if vote.seats and not vote.settled:
                    stored = self.store.get(dispute_id, round_) if self.store else None
                    info = self.round(dispute_id, round_)
                    found.append(SeatView(dispute_id, round_, dispute, info, vote, stored))
            dispute_id -= 1
        return found

    def recent_disputes(self, last: int) -> list[tuple[int, DisputeInfo, RoundInfo]]:
        """The newest `last` disputes with their current round."""
        count = self.dispute_count()
        result = []
        for dispute_id in range(count - 1, max(count - last, 0) - 1, -1):
            dispute = from_struct(
                DisputeInfo, self.lens.dispute_info(self.court.address, dispute_id)
            )
            result.append((dispute_id, dispute, self.round(dispute_id, dispute.current_round)))
        return result

    # -- staking --------------------------------------------------------------

    def _approve(self, amount: int) -> None:
        self.wallet.approve(self.address, amount, self.log)

    def _send(self, contract: Any, method: str, *args: Any, **kwargs: Any) -> str | None:
        return self.wallet.send(contract, method, *args, **kwargs)

    def stake(self, amount: int) -> JurorStatus:
        status = self.status()
        check_stake(amount, status, self.params(), self.balance(), bool(self.court.paused()))
        self._approve(amount)
        self._send(self.court, "stake", amount)
        self.log(f"staked {format_ldao(amount)}")
        return self.status()

    def unstake(self, amount: int | None) -> JurorStatus:
        """Requests `amount` of free stake (None: all of it) for withdrawal."""
        status = self.status()
        if amount is None:
            amount = status.free
            if amount == 0:
                raise JurorError("you have no free stake to unstake")
        check_unstake(amount, status, self.params())
        if status.pending_withdrawal:
            self.log(
                f"note: your pending {format_ldao(status.pending_withdrawal)} joins this request "
                "and waits for the new unlock time"
            )
        self._send(self.court, "request_unstake", amount)
        return self.status()

    def withdraw(self) -> int:
        status = self.status()
        check_withdraw(status, self.now())
        self._send(self.court, "withdraw")
        return status.withdrawable_now

    # -- disputes -------------------------------------------------------------

    def submit_evidence(self, dispute_id: int, uri: str) -> None:
        dispute = self.dispute(dispute_id)
        check_evidence(dispute_id, dispute, uri)
        self._send(self.court, "submit_evidence", dispute_id, uri)

    def draw(self, dispute_id: int, batch: int, max_calls: int = 8) -> RoundInfo:
        """Draws the current round's panel in batches of `batch` attempts
        until it is complete, a call draws nothing, or `max_calls` calls."""
        if not 1 <= batch <= MAX_DRAW_BATCH:
            raise JurorError(f"the batch size must be 1 to {MAX_DRAW_BATCH}")
        dispute = self.dispute(dispute_id)
        round_ = dispute.current_round
        info = self.round(dispute_id, round_)
        check_draw(dispute_id, dispute, info, self.now())
        for _ in range(max_calls):
            before = info
            self._send(self.court, "draw", dispute_id, batch)
            info = self.round(dispute_id, round_)
            drawn = info.drawn - before.drawn
            if info.randomness_request != before.randomness_request:
                self.log(
                    "the stake snapshot epoch changed since the randomness was requested: "
                    "new randomness was requested; run `court draw` again in a few blocks"
                )
                break
            self.log(
                f"drew {drawn} seat(s) in {info.draw_attempts - before.draw_attempts} attempt(s): "
                f"{info.drawn}/{info.panel}"
            )
            if info.panel_complete or info.draw_attempts == before.draw_attempts:
                break
        return info

    def appeal(self, dispute_id: int, side: int) -> Funding:
        dispute = self.dispute(dispute_id)
        round_ = dispute.current_round
        info = self.round(dispute_id, round_)
        side_data = encode(["uint256"], [side])
        cost = int(self.court.appealCost(dispute_id, side_data))
        funding = self.funding(dispute_id, round_)
        check_appeal(dispute_id, dispute, info, funding, side, cost, self.balance(), self.now())
        self._approve(cost)
        self._send(self.court, "appeal", dispute_id, side_data)
        return self.funding(dispute_id, round_)

    def execute(self, dispute_id: int, batch: int) -> list[str]:
        """Executes every round of a final dispute (in batches of `batch`
        steps), then delivers its ruling; returns what was done."""
        if not 1 <= batch <= MAX_EXECUTE_BATCH:
            raise JurorError(f"the batch size must be 1 to {MAX_EXECUTE_BATCH}")
        dispute = self.dispute(dispute_id)
        check_execute(
            dispute_id, dispute, self.round(dispute_id, dispute.current_round), self.now()
        )
        done = []
        for round_ in range(dispute.rounds):
            calls = 0
            info = self.round(dispute_id, round_)
            # Each call does `batch` steps or finishes the round.
            limit = info.execution_steps // batch + 1
            while not info.executed and calls < limit:
                self._send(self.court, "execute", dispute_id, round_, batch)
                calls += 1
                info = self.round(dispute_id, round_)
            if calls:
                done.append(
                    f"round {round_}: executed in {calls} call(s); fee {format_ldao(info.fee)}, "
                    f"slashed {format_ldao(info.slashed)}, rewarded {format_ldao(info.rewarded)}, "
                    f"to treasury {format_ldao(info.to_treasury)}"
                )
        if not self.dispute(dispute_id).ruling_executed:
            try:
                self.backend.send(self.court, "execute_ruling", dispute_id)
            except Reverted as exc:
                raise JurorError(
                    "jurors are settled, but the arbitrable refused the ruling "
                    f"({explain_revert(exc.reason)}); run `court execute` again later"
                ) from None
            done.append(f"ruling {dispute.ruling} delivered to {dispute.arbitrable}")
        if not done:
            raise JurorError(
                f"dispute {dispute_id} is already fully executed (ruling {dispute.ruling})"
            )
        return done

    # -- votes ----------------------------------------------------------------

    def _require_store(self) -> CommitmentStore:
        if self.store is None:
            raise JurorError("this command needs the commitment store")
        return self.store

    def derive_salt(self, dispute_id: int, round_: int) -> bytes:
        """The juror's salt for a round: keccak256 of their EIP-712 signature."""
        return derive_salt_with(
            self.backend.sign_typed,
            court=self.address,
            chain_id=self.backend.chain_id,
            dispute_id=dispute_id,
            round_=round_,
        )

    def _checked_salt(self, dispute_id: int, round_: int) -> bytes:
        """The salt, after checking once per store that the wallet signs
        deterministically (else a lost store could not be recovered)."""
        store = self._require_store()
        salt = self.derive_salt(dispute_id, round_)
        if not store.signer_deterministic:
            if self.derive_salt(dispute_id, round_) != salt:
                raise JurorError(
                    "your wallet signed the same salt message twice with different "
                    "signatures: salts derived from it could not be recovered. Use a "
                    "wallet that signs deterministically (RFC 6979), as Ethereum wallets do"
                )
            store.mark_signer_deterministic()
        return salt

    def commit(self, dispute_id: int, choice: int, round_: int | None = None) -> str:
        """Commits `choice`: derive the salt, save the attempt (fsync'ed), send."""
        store = self._require_store()
        dispute, round_ = self.resolve_round(dispute_id, round_)
        info = self.round(dispute_id, round_)
        vote = self.vote(dispute_id, round_)
        check_commit(dispute_id, round_, dispute, info, vote, choice, self.now())
        salt = self._checked_salt(dispute_id, round_)
        digest = make_commitment(dispute_id, round_, self.juror, choice, salt)
        label = round_label(dispute_id, round_)
        if vote.committed and same_prefix(digest, vote.commitment_prefix):
            store.restore(dispute_id, round_, salt=salt, choice=choice, commitment=digest)
            return f"already committed choice {choice} in {label}; nothing sent"
        store.prepare(dispute_id, round_, salt=salt, choice=choice, commitment=digest)

        def sent(tx_hash: str | None) -> None:
            store.update_attempt(dispute_id, round_, digest, SENT, tx_hash=tx_hash)

        try:
            tx_hash = self.backend.send(
                self.court, "commit", dispute_id, round_, digest, on_sent=sent
            )
        except Reverted as exc:
            reason = explain_revert(exc.reason)
            store.update_attempt(dispute_id, round_, digest, FAILED, error=reason)
            raise JurorError(f"commit refused: {reason}") from None
        store.update_attempt(dispute_id, round_, digest, CONFIRMED, tx_hash=tx_hash)
        replaced = " (replacing your earlier commitment)" if vote.committed else ""
        now = self.now()
        return (
            f"committed choice {choice} in {label}{replaced}; reveal from "
            f"{format_time(info.reveal_start, now)} to {format_time(info.appeal_start, now)}"
        )

    def find_vote(self, dispute_id: int, round_: int, vote: JurorRound) -> tuple[int, bytes]:
        """The (choice, salt) behind the juror's commitment on chain: from the
        store, else from a re-derived salt tried with every choice."""
        if self.store is not None:
            stored = self.store.get(dispute_id, round_)
            if stored is not None and (attempt := stored.attempt_matching(vote.commitment_prefix)):
                return attempt.choice, attempt.salt_bytes
        salt = self.derive_salt(dispute_id, round_)
        dispute = self.dispute(dispute_id)
        for choice in range(dispute.choices + 1):
            digest = make_commitment(dispute_id, round_, self.juror, choice, salt)
            if same_prefix(digest, vote.commitment_prefix):
                if self.store is not None:
                    self.store.restore(
                        dispute_id, round_, salt=salt, choice=choice, commitment=digest
                    )
                return choice, salt
        raise JurorError(
            f"your commitment in {round_label(dispute_id, round_)} matches no choice with the salt "
            "your wallet derives: it was made with another salt (another tool?); reveal it with "
            "--choice and --salt"
        )

    def reveal(
        self,
        dispute_id: int,
        round_: int | None = None,
        *,
        choice: int | None = None,
        salt: bytes | None = None,
    ) -> Revealed:
        """Reveals the juror's vote (choice and salt from the store, the
        wallet, or given explicitly), checked against the chain first."""
        dispute, round_ = self.resolve_round(dispute_id, round_)
        info = self.round(dispute_id, round_)
        vote = self.vote(dispute_id, round_)
        check_reveal(dispute_id, round_, info, vote, self.now())
        label = round_label(dispute_id, round_)
        if salt is not None:
            if choice is None:
                raise JurorError("--salt needs --choice")
            digest = make_commitment(dispute_id, round_, self.juror, choice, salt)
            if not same_prefix(digest, vote.commitment_prefix):
                raise JurorError(
                    f"choice {choice} with that salt does not match your commitment in {label}"
                )
        else:
            found, salt = self.find_vote(dispute_id, round_, vote)
            if choice is not None and choice != found:
                raise JurorError(f"you committed choice {found} in {label}, not {choice}")
            choice = found
        tx_hash = self._send(self.court, "reveal", dispute_id, round_, choice, salt)
        if self.store is not None:
            digest = make_commitment(dispute_id, round_, self.juror, choice, salt)
            self.store.restore(dispute_id, round_, salt=salt, choice=choice, commitment=digest)
            self.store.mark_revealed(dispute_id, round_, choice=choice, tx_hash=tx_hash)
        return Revealed(dispute_id, round_, choice, tx_hash)

    def auto_reveal(self) -> RevealReport:
        """Reveals every committed, unrevealed vote whose reveal period is
        open; reports those still waiting for it and those missed."""
        report = RevealReport()
        now = self.now()
        for seat in self.my_seats():
            if not seat.vote.committed or seat.vote.revealed:
                continue
            period = Period(seat.info.period)
            if period < Period.REVEAL:
                report.waiting.append((seat.dispute_id, seat.round, seat.info.reveal_start))
            elif period > Period.REVEAL:
                report.missed.append((seat.dispute_id, seat.round))
            else:
                try:
                    revealed = self.reveal(seat.dispute_id, seat.round)
                except JurorError as exc:
                    report.failed.append((seat.dispute_id, seat.round, str(exc)))
                    self.log(f"{seat.label}: {exc}")
                    continue
                report.revealed.append((seat.dispute_id, seat.round, revealed.choice))
                self.log(f"{revealed} (chain time {format_time(now, now)})")
        return report

    def recover_salt(self, dispute_id: int, round_: int | None = None) -> Recovered:
        """Re-derives the salt of a round from the wallet; when a commitment
        is on chain, finds its choice and writes both back to the store."""
        dispute, round_ = self.resolve_round(dispute_id, round_)
        vote = self.vote(dispute_id, round_)
        salt = self.derive_salt(dispute_id, round_)
        if not vote.committed:
            return Recovered(dispute_id, round_, salt, False, None, vote.revealed)
        choice: int | None = None
        for candidate in range(dispute.choices + 1):
            digest = make_commitment(dispute_id, round_, self.juror, candidate, salt)
            if same_prefix(digest, vote.commitment_prefix):
                choice = candidate
                if self.store is not None:
                    self.store.restore(
                        dispute_id, round_, salt=salt, choice=choice, commitment=digest
                    )
                break
        return Recovered(dispute_id, round_, salt, True, choice, vote.revealed)


def pending_reveals(report: RevealReport) -> bool:
    """Whether a loop of `auto_reveal` must go on (votes wait for their reveal period)."""
    return bool(report.waiting)
