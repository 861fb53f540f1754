"""labeldao.juror.CourtClient on titanoboa: what the CLI does, checked
against the court itself — the store is on disk before a commit is sent, a
crash at either side of the send loses no vote, a lost store is rebuilt from
the wallet, and every refusal says why before anything is sent."""

from __future__ import annotations

import json

import boa
import pytest

from labeldao.juror import BoaBackend, JurorError, Period, pending_reveals
from labeldao.store import CONFIRMED, FAILED, PREPARED, SENT
from tests.helpers import events
from tests.unit.court.conftest import (
    FEE_PER_JUROR,
    MIN_STAKE,
    PERIOD_APPEAL,
    PERIOD_COMMIT,
    PERIOD_EXECUTION,
    PERIOD_REVEAL,
    SEAT_LOCK,
)
from tests.unit.juror.conftest import store_of

LDAO = 10**18


class Crash(BaseException):
    """The process dies (not an Exception: nothing may catch it)."""


class SpyBackend(BoaBackend):
    """A BoaBackend that reads the store file at the moment each transaction
    is sent, and can die right before or right after sending `commit`."""

    def __init__(self, juror, store, crash: str | None = None) -> None:
        super().__init__(juror.address, juror.key)
        self.store = store
        self.crash = crash
        self.seen: list[tuple[str, dict | None]] = []

    def send(self, contract, method, *args, on_sent=None):
        on_disk = json.loads(self.store.path.read_text()) if self.store.path.exists() else None
        self.seen.append((method, on_disk))
        if method == "commit" and self.crash == "before":
            raise Crash

        def after(tx_hash):
            if on_sent is not None:
                on_sent(tx_hash)
            if method == "commit" and self.crash == "after":
                raise Crash

        return super().send(contract, method, *args, on_sent=after)


@pytest.fixture
def dispute(staked, flow, keys, court):
    """A dispute with its panel drawn: (id, seated jurors, unseated jurors)."""
    jurors = staked()
    dispute_id = flow.create()
    flow.draw_all(dispute_id)
    seated = {keys[address] for address in flow.seated(dispute_id, 0)}
    return dispute_id, sorted(seated, key=str), [j for j in jurors if j not in seated]


# -- status and staking ---------------------------------------------------------


def test_status__staked_juror__free_stake_and_no_open_round(staked, client):
    juror = staked(count=1)[0]
    status = client(juror).status()
    assert status.free == 500 * LDAO
    assert status.locked == 0
    assert status.open_rounds == 0
    assert client(juror).my_seats() == []


def test_my_seats__drawn_juror__lists_the_round_with_its_lock(dispute, client, court):
    dispute_id, seated, unseated = dispute
    seats = client(seated[0]).my_seats()
    assert [(s.dispute_id, s.round) for s in seats] == [(dispute_id, 0)]
    assert seats[0].vote.locked == seats[0].vote.seats * SEAT_LOCK
    assert client(unseated[0]).my_seats() == []


def test_stake__enough_ldao__approves_and_stakes(client, fund, jurors, court, lens):
    juror = jurors[7]
    fund(juror.address, 300 * LDAO)
    status = client(juror).stake(MIN_STAKE)
    assert status.free == MIN_STAKE
    assert lens.juror_status(court.address, juror.address).free == MIN_STAKE


def test_stake__below_minimum__refused_before_sending(client, fund, jurors, court, tmp_path):
    juror = jurors[7]
    fund(juror.address, 300 * LDAO)
    backend = SpyBackend(juror, store_of(court, juror, tmp_path / "store"))
    with pytest.raises(JurorError, match="insufficient stake: the minimum is 100 LDAO"):
        client(juror, backend=backend).stake(10 * LDAO)
    assert backend.seen == []


def test_unstake_then_withdraw__after_the_delay__pays_the_stake(staked, client, token):
    juror = staked(count=1)[0]
    juror_client = client(juror)
    status = juror_client.unstake(None)
    assert status.pending_withdrawal == 500 * LDAO
    with pytest.raises(JurorError, match="nothing to withdraw yet: 500 LDAO pending unlocks at"):
        juror_client.withdraw()
    boa.env.time_travel(seconds=status.unlock_time - juror_client.now())
    before = token.balanceOf(juror.address)
    assert juror_client.withdraw() == 500 * LDAO
    assert token.balanceOf(juror.address) == before + 500 * LDAO


# -- commit: the store first ----------------------------------------------------


def test_commit__in_commit_period__store_on_disk_before_sending(
    dispute, client, flow, court, tmp_path, lens
):
    dispute_id, seated, _ = dispute
    juror = seated[0]
    store = store_of(court, juror, tmp_path / "store")
    backend = SpyBackend(juror, store)
    flow.goto(dispute_id, PERIOD_COMMIT)
    message = client(juror, backend=backend).commit(dispute_id, 2)
    assert message.startswith(f"committed choice 2 in dispute {dispute_id} round 0; reveal from")
    method, on_disk = backend.seen[-1]
    assert method == "commit"
    attempt = on_disk["votes"][f"{dispute_id}:0"]["attempts"][-1]
    assert (attempt["choice"], attempt["status"]) == (2, PREPARED)
    stored = store.get(dispute_id, 0).latest
    assert stored.status == CONFIRMED
    assert lens.juror_round(court.address, dispute_id, 0, juror.address).committed


def test_commit__crash_after_sending__reveal_finds_the_vote_in_the_store(
    dispute, client, flow, court, tmp_path, lens
):
    dispute_id, seated, _ = dispute
    juror = seated[0]
    store = store_of(court, juror, tmp_path / "store")
    flow.goto(dispute_id, PERIOD_COMMIT)
    with pytest.raises(Crash):
        client(juror, backend=SpyBackend(juror, store, crash="after")).commit(dispute_id, 1)
    assert store.get(dispute_id, 0).latest.status == SENT
    assert lens.juror_round(court.address, dispute_id, 0, juror.address).committed
    flow.goto(dispute_id, PERIOD_REVEAL)
    revealed = client(juror).reveal(dispute_id)
    assert revealed.choice == 1
    assert lens.juror_round(court.address, dispute_id, 0, juror.address).revealed
    assert store.get(dispute_id, 0).revealed_choice == 1


def test_commit__crash_before_sending__nothing_on_chain_and_commit_again_works(
    dispute, client, flow, court, tmp_path, lens
):
    dispute_id, seated, _ = dispute
    juror = seated[0]
    store = store_of(court, juror, tmp_path / "store")
    flow.goto(dispute_id, PERIOD_COMMIT)
    with pytest.raises(Crash):
        client(juror, backend=SpyBackend(juror, store, crash="before")).commit(dispute_id, 1)
    assert store.get(dispute_id, 0).latest.status == PREPARED
    assert not lens.juror_round(court.address, dispute_id, 0, juror.address).committed
    client(juror).commit(dispute_id, 1)
    assert lens.juror_round(court.address, dispute_id, 0, juror.address).committed


def test_commit__same_choice_again__sends_nothing(dispute, client, flow, court, tmp_path):
    dispute_id, seated, _ = dispute
    juror = seated[0]
    flow.goto(dispute_id, PERIOD_COMMIT)
    client(juror).commit(dispute_id, 2)
    backend = SpyBackend(juror, store_of(court, juror, tmp_path / "store"))
    message = client(juror, backend=backend).commit(dispute_id, 2)
    assert message.startswith("already committed choice 2")
    assert backend.seen == []


def test_commit__changed_vote__reveal_uses_the_one_on_chain(dispute, client, flow, court, lens):
    dispute_id, seated, _ = dispute
    juror = seated[0]
    flow.goto(dispute_id, PERIOD_COMMIT)
    client(juror).commit(dispute_id, 1)
    assert "replacing your earlier commitment" in client(juror).commit(dispute_id, 2)
    flow.goto(dispute_id, PERIOD_REVEAL)
    assert client(juror).reveal(dispute_id).choice == 2
    assert lens.juror_round(court.address, dispute_id, 0, juror.address).choice == 2


def test_commit__refused_by_the_chain__attempt_recorded_as_failed(
    dispute, client, flow, court, tmp_path, guardian
):
    dispute_id, seated, _ = dispute
    juror = seated[0]
    flow.goto(dispute_id, PERIOD_COMMIT)

    class RacingBackend(BoaBackend):
        """The commit period ends between the checks and the send."""

        def send(self, contract, method, *args, on_sent=None):
            if method == "commit":
                flow.goto(dispute_id, PERIOD_REVEAL)
            return super().send(contract, method, *args, on_sent=on_sent)

    racing = RacingBackend(juror.address, juror.key)
    with pytest.raises(JurorError, match="commit refused: the round is not in its commit period"):
        client(juror, backend=racing).commit(dispute_id, 1)
    attempt = store_of(court, juror, tmp_path / "store").get(dispute_id, 0).latest
    assert attempt.status == FAILED
    assert attempt.error == "the round is not in its commit period"


def test_commit__not_drawn__refused_with_the_reason(dispute, client, flow):
    dispute_id, _, unseated = dispute
    flow.goto(dispute_id, PERIOD_COMMIT)
    with pytest.raises(JurorError, match=f"you were not drawn in dispute {dispute_id} round 0"):
        client(unseated[0]).commit(dispute_id, 1)


def test_commit__before_the_commit_period__says_when_it_opens(dispute, client, court):
    dispute_id, seated, _ = dispute
    with pytest.raises(JurorError, match="not in its commit period: it opens at .* \\(in 1h\\)"):
        client(seated[0]).commit(dispute_id, 1)


def test_commit__unknown_dispute__lists_the_disputes(dispute, client):
    _, seated, _ = dispute
    with pytest.raises(JurorError, match="no dispute 9 at court .*: disputes are 0 to 0"):
        client(seated[0]).commit(9, 1)


# -- reveal, recovery, auto-reveal ----------------------------------------------


def test_reveal__store_lost__salt_and_choice_rederived_from_the_wallet(
    dispute, client, flow, court, tmp_path, lens
):
    dispute_id, seated, _ = dispute
    juror = seated[0]
    flow.goto(dispute_id, PERIOD_COMMIT)
    client(juror, tmp_path / "lost").commit(dispute_id, 2)
    flow.goto(dispute_id, PERIOD_REVEAL)
    assert client(juror, tmp_path / "fresh").reveal(dispute_id).choice == 2
    assert lens.juror_round(court.address, dispute_id, 0, juror.address).revealed


def test_reveal__wrong_choice_given__refused_before_sending(dispute, client, flow):
    dispute_id, seated, _ = dispute
    juror = seated[0]
    flow.goto(dispute_id, PERIOD_COMMIT)
    client(juror).commit(dispute_id, 2)
    flow.goto(dispute_id, PERIOD_REVEAL)
    with pytest.raises(JurorError, match=f"you committed choice 2 in dispute {dispute_id}"):
        client(juror).reveal(dispute_id, choice=1)


def test_reveal__in_commit_period__says_when_reveals_open(dispute, client, flow):
    dispute_id, seated, _ = dispute
    juror = seated[0]
    flow.goto(dispute_id, PERIOD_COMMIT)
    client(juror).commit(dispute_id, 2)
    with pytest.raises(JurorError, match="not in its reveal period: it opens at .* \\(in 1h\\)"):
        client(juror).reveal(dispute_id)


def test_recover_salt__committed_vote__finds_the_choice_and_restores_the_store(
    dispute, client, flow, court, tmp_path
):
    dispute_id, seated, _ = dispute
    juror = seated[0]
    flow.goto(dispute_id, PERIOD_COMMIT)
    client(juror, tmp_path / "lost").commit(dispute_id, 1)
    recovered = client(juror, tmp_path / "fresh").recover_salt(dispute_id)
    assert recovered.salt == flow.salt(juror, dispute_id, 0)
    assert (recovered.committed, recovered.choice, recovered.revealed) == (True, 1, False)
    attempt = store_of(court, juror, tmp_path / "fresh").get(dispute_id, 0).latest
    assert (attempt.choice, attempt.status, attempt.salt_bytes) == (1, CONFIRMED, recovered.salt)


def test_recover_salt__nothing_committed__gives_the_salt_only(dispute, client, flow):
    dispute_id, seated, _ = dispute
    recovered = client(seated[0]).recover_salt(dispute_id)
    assert recovered.salt == flow.salt(seated[0], dispute_id, 0)
    assert (recovered.committed, recovered.choice) == (False, None)


def test_auto_reveal__waits_for_the_period_then_reveals_everything(dispute, client, flow):
    dispute_id, seated, _ = dispute
    juror = seated[0]
    flow.goto(dispute_id, PERIOD_COMMIT)
    client(juror).commit(dispute_id, 1)
    waiting = client(juror).auto_reveal()
    assert [(d, r) for d, r, _ in waiting.waiting] == [(dispute_id, 0)]
    assert pending_reveals(waiting)
    flow.goto(dispute_id, PERIOD_REVEAL)
    done = client(juror).auto_reveal()
    assert done.revealed == [(dispute_id, 0, 1)]
    assert not pending_reveals(done)
    assert client(juror).auto_reveal().revealed == []


def test_auto_reveal__reveal_period_over__reports_the_vote_missed(dispute, client, flow):
    dispute_id, seated, _ = dispute
    juror = seated[0]
    flow.goto(dispute_id, PERIOD_COMMIT)
    client(juror).commit(dispute_id, 1)
    flow.goto(dispute_id, PERIOD_APPEAL)
    report = client(juror).auto_reveal()
    assert report.missed == [(dispute_id, 0)]
    assert report.revealed == []


# -- draw, appeal, execute --------------------------------------------------------


def test_draw__fresh_dispute__completes_the_panel(staked, flow, client, jurors):
    staked()
    dispute_id = flow.create()
    info = client(jurors[0]).draw(dispute_id, batch=64)
    assert info.panel_complete
    assert Period(info.period) == Period.EVIDENCE


def test_draw__panel_complete__refused_with_the_schedule(dispute, client):
    dispute_id, seated, _ = dispute
    with pytest.raises(JurorError, match="is complete \\(3 seats\\): evidence until"):
        client(seated[0]).draw(dispute_id, batch=64)


def test_appeal__losing_side__funds_it_after_approving(dispute, client, flow, keys, pay, court):
    dispute_id, seated, unseated = dispute
    flow.vote(dispute_id, 0, {j.address: 1 for j in seated}, keys)
    flow.goto(dispute_id, PERIOD_APPEAL)
    funder = unseated[0]
    cost = court.appealCost(dispute_id, (2).to_bytes(32, "big"))
    pay(funder.address, cost)
    funding = client(funder).appeal(dispute_id, 2)
    assert (funding.side_a, funding.funder_a) == (2, funder.address)


def test_appeal__before_the_appeal_period__says_when_it_opens(dispute, client):
    dispute_id, seated, _ = dispute
    with pytest.raises(JurorError, match="not in its appeal period: it opens at"):
        client(seated[0]).appeal(dispute_id, 2)


def test_execute__final_dispute__settles_rounds_and_delivers_the_ruling(
    dispute, client, flow, keys, court, lens, arbitrable
):
    dispute_id, seated, _ = dispute
    flow.vote(dispute_id, 0, {j.address: 1 for j in seated}, keys)
    flow.goto(dispute_id, PERIOD_EXECUTION)
    steps = lens.round_info(court.address, dispute_id, 0).execution_steps
    done = client(seated[0]).execute(dispute_id, batch=2)
    calls = -(-steps // 2)
    fee = 3 * FEE_PER_JUROR // LDAO
    assert done[0] == (
        f"round 0: executed in {calls} call(s); fee {fee} LDAO, slashed 0 LDAO, "
        f"rewarded {fee} LDAO, to treasury 0 LDAO"
    )
    assert done[1] == f"ruling 1 delivered to {arbitrable.address}"
    assert lens.dispute_info(court.address, dispute_id).ruling_executed
    assert client(seated[0]).status().claimable > 0
    with pytest.raises(JurorError, match="already fully executed \\(ruling 1\\)"):
        client(seated[0]).execute(dispute_id, batch=2)


def test_execute__not_final__says_when_it_will_be(dispute, client):
    dispute_id, seated, _ = dispute
    with pytest.raises(JurorError, match="is not final: .* becomes final at"):
        client(seated[0]).execute(dispute_id, batch=64)


# -- evidence and listings --------------------------------------------------------


def test_submit_evidence__open_dispute__logged_for_the_juror(dispute, client, court):
    dispute_id, seated, _ = dispute
    client(seated[0]).submit_evidence(dispute_id, "ipfs://why.json")
    (logged,) = events(court, "Evidence")
    assert (logged.evidence_group_id, logged.party, logged.evidence) == (
        dispute_id,
        seated[0].address,
        "ipfs://why.json",
    )


def test_submit_evidence__final_dispute__refused_before_sending(dispute, client, flow, keys):
    dispute_id, seated, _ = dispute
    flow.vote(dispute_id, 0, {j.address: 1 for j in seated}, keys)
    flow.goto(dispute_id, PERIOD_EXECUTION)
    with pytest.raises(JurorError, match=f"dispute {dispute_id} is final: evidence is closed"):
        client(seated[0]).submit_evidence(dispute_id, "ipfs://late.json")


def test_recent_disputes__newest_first_with_their_current_round(staked, flow, client, jurors):
    staked()
    first, second = flow.create(), flow.create()
    listed = client(jurors[0]).recent_disputes(5)
    assert [dispute_id for dispute_id, _, _ in listed] == [second, first]
    assert all(info.panel == 3 and info.drawn == 0 for _, _, info in listed)
    assert [dispute_id for dispute_id, _, _ in client(jurors[0]).recent_disputes(1)] == [second]
