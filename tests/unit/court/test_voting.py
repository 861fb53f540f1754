"""QualityCourt: commit and reveal, weighted by seats."""

import boa
import pytest

from labeldao.court import commitment
from tests.helpers import events
from tests.unit.court.conftest import (
    MIN_STAKE,
    PERIOD_APPEAL,
    PERIOD_COMMIT,
    PERIOD_REVEAL,
    params_tuple,
)


@pytest.fixture
def panel(court, flow, staked, keys):
    """A dispute whose 3-seat panel is drawn from five jurors: (dispute, seated jurors)."""
    staked(5)
    dispute = flow.create()
    flow.draw_all(dispute)
    return dispute, [keys[a] for a in flow.seated(dispute, 0)]


def test_commit__in_commit_period__stores_the_prefix_and_logs(court, flow, panel, lens):
    dispute, (juror, *_) = panel
    flow.goto(dispute, PERIOD_COMMIT)
    salt = flow.commit(juror, dispute, 0, 1)
    (committed,) = events(court, "Committed")
    digest = commitment(dispute, 0, juror.address, 1, salt)
    record = lens.juror_round(court.address, dispute, 0, juror.address)
    assert record.committed and not record.revealed
    assert record.commitment_prefix == digest[:28] + b"\0" * 4
    assert (committed.juror, committed.commitment) == (juror.address, digest)


def test_commit__before_commit_period__reverts(court, panel):
    dispute, (juror, *_) = panel
    with boa.reverts("court: not in commit period"):
        court.commit(dispute, 0, b"\x01" * 32, sender=juror.address)


def test_commit__after_commit_period__reverts(court, flow, panel):
    dispute, (juror, *_) = panel
    flow.goto(dispute, PERIOD_REVEAL)
    with boa.reverts("court: not in commit period"):
        court.commit(dispute, 0, b"\x01" * 32, sender=juror.address)


def test_commit__before_the_panel_is_complete__reverts(court, flow, staked, keys):
    staked(5)
    dispute = flow.create()
    court.draw(dispute, 1)
    juror = flow.seated(dispute, 0)[0]
    boa.env.time_travel(seconds=2 * 3_600)
    with boa.reverts("court: not in commit period"):
        court.commit(dispute, 0, b"\x01" * 32, sender=juror)


def test_commit__without_a_seat__reverts(court, flow, panel, jurors):
    dispute, seated = panel
    outsider = next(j for j in jurors if j not in seated)
    flow.goto(dispute, PERIOD_COMMIT)
    with boa.reverts("court: no seat in this round"):
        court.commit(dispute, 0, b"\x01" * 32, sender=outsider.address)


def test_commit__empty__reverts(court, flow, panel):
    dispute, (juror, *_) = panel
    flow.goto(dispute, PERIOD_COMMIT)
    with boa.reverts("court: empty commitment"):
        court.commit(dispute, 0, b"\0" * 32, sender=juror.address)


def test_commit__unknown_round__reverts(court, flow, panel):
    dispute, (juror, *_) = panel
    flow.goto(dispute, PERIOD_COMMIT)
    with boa.reverts("court: unknown round"):
        court.commit(dispute, 1, b"\x01" * 32, sender=juror.address)
    with boa.reverts("court: unknown round"):
        court.commit(dispute, 256, b"\x01" * 32, sender=juror.address)


def test_commit__again__replaces_the_commitment(court, flow, panel, lens):
    dispute, (juror, *_) = panel
    flow.goto(dispute, PERIOD_COMMIT)
    flow.commit(juror, dispute, 0, 2)
    flow.commit(juror, dispute, 0, 1)
    flow.goto(dispute, PERIOD_REVEAL)
    with boa.reverts("court: commitment mismatch"):
        flow.reveal(juror, dispute, 0, 2)
    flow.reveal(juror, dispute, 0, 1)
    assert lens.juror_round(court.address, dispute, 0, juror.address).choice == 1


def test_reveal__matching__counts_the_seats_and_logs(court, flow, panel, lens):
    dispute, jurors = panel
    flow.goto(dispute, PERIOD_COMMIT)
    for juror in jurors:
        flow.commit(juror, dispute, 0, 2)
    flow.goto(dispute, PERIOD_REVEAL)
    juror = jurors[0]
    seats = lens.juror_round(court.address, dispute, 0, juror.address).seats
    flow.reveal(juror, dispute, 0, 2)
    (revealed,) = events(court, "Revealed")
    assert (revealed.juror, revealed.choice, revealed.seats) == (juror.address, 2, seats)
    assert lens.votes(court.address, dispute, 0, 2) == seats
    assert lens.round_info(court.address, dispute, 0).revealed_seats == seats
    record = lens.juror_round(court.address, dispute, 0, juror.address)
    assert record.revealed and record.choice == 2
    assert court.currentRuling(dispute) == 2


def test_reveal__of_the_highest_choices__counts_in_the_round(court, flow, staked, keys, lens):
    """Choices 13 and 14 of a 14-choice dispute are revealed seats like any
    other (the lens sums every choice's tally)."""
    staked(5)
    dispute = flow.create(choices=14)
    flow.draw_all(dispute)
    jurors = [keys[a] for a in flow.seated(dispute, 0)]
    flow.goto(dispute, PERIOD_COMMIT)
    votes = [14, 13, 14][: len(jurors)]
    for juror, choice in zip(jurors, votes, strict=True):
        flow.commit(juror, dispute, 0, choice)
    flow.goto(dispute, PERIOD_REVEAL)
    for juror, choice in zip(jurors, votes, strict=True):
        flow.reveal(juror, dispute, 0, choice)
    seats = sum(lens.juror_round(court.address, dispute, 0, j.address).seats for j in jurors)
    assert lens.round_info(court.address, dispute, 0).revealed_seats == seats


def test_reveal__weighs_votes_by_seats(court, flow, stake, jurors, keys, lens):
    stake(jurors[0], MIN_STAKE)  # five seats of capacity, one tiny juror
    flow.next_epoch()
    dispute = flow.create()
    flow.draw_all(dispute)
    assert lens.juror_round(court.address, dispute, 0, jurors[0].address).seats == 3
    flow.vote(dispute, 0, {jurors[0].address: 1}, keys)
    assert lens.votes(court.address, dispute, 0, 1) == 3


def test_reveal__with_a_wrong_salt__reverts(court, flow, panel):
    dispute, (juror, *_) = panel
    flow.goto(dispute, PERIOD_COMMIT)
    flow.commit(juror, dispute, 0, 1)
    flow.goto(dispute, PERIOD_REVEAL)
    with boa.reverts("court: commitment mismatch"):
        court.reveal(dispute, 0, 1, b"\x42" * 32, sender=juror.address)


def test_reveal__with_another_choice__reverts(court, flow, panel):
    dispute, (juror, *_) = panel
    flow.goto(dispute, PERIOD_COMMIT)
    flow.commit(juror, dispute, 0, 1)
    flow.goto(dispute, PERIOD_REVEAL)
    with boa.reverts("court: commitment mismatch"):
        flow.reveal(juror, dispute, 0, 2)


def test_reveal__with_a_copied_commitment__reverts(court, flow, staked, keys, jurors):
    staked(5)
    dispute = flow.create()
    flow.draw_all(dispute)
    seated = flow.seated(dispute, 0)
    assert len(seated) >= 2  # deterministic randomness: three distinct jurors
    honest, copycat = keys[seated[0]], keys[seated[1]]
    flow.goto(dispute, PERIOD_COMMIT)
    salt = flow.commit(honest, dispute, 0, 1)
    copied = commitment(dispute, 0, honest.address, 1, salt)
    court.commit(dispute, 0, copied, sender=copycat.address)
    flow.goto(dispute, PERIOD_REVEAL)
    # The copycat knows the honest juror's choice and salt, and still cannot reveal.
    with boa.reverts("court: commitment mismatch"):
        court.reveal(dispute, 0, 1, salt, sender=copycat.address)
    flow.reveal(honest, dispute, 0, 1)


def test_reveal__twice__reverts(court, flow, panel):
    dispute, (juror, *_) = panel
    flow.goto(dispute, PERIOD_COMMIT)
    flow.commit(juror, dispute, 0, 1)
    flow.goto(dispute, PERIOD_REVEAL)
    flow.reveal(juror, dispute, 0, 1)
    with boa.reverts("court: already revealed"):
        flow.reveal(juror, dispute, 0, 1)


def test_reveal__without_commit__reverts(court, flow, panel):
    dispute, (juror, *_) = panel
    flow.goto(dispute, PERIOD_REVEAL)
    with boa.reverts("court: nothing committed"):
        flow.reveal(juror, dispute, 0, 1)


def test_reveal__without_a_seat__reverts(court, flow, panel, jurors):
    dispute, seated = panel
    outsider = next(j for j in jurors if j not in seated)
    flow.goto(dispute, PERIOD_REVEAL)
    with boa.reverts("court: no seat in this round"):
        flow.reveal(outsider, dispute, 0, 1)


def test_reveal__invalid_choice__reverts(court, flow, panel):
    dispute, (juror, *_) = panel
    flow.goto(dispute, PERIOD_COMMIT)
    flow.commit(juror, dispute, 0, 3)
    flow.goto(dispute, PERIOD_REVEAL)
    with boa.reverts("court: invalid choice"):
        flow.reveal(juror, dispute, 0, 3)


def test_reveal__of_choice_zero__counts_as_refusal(court, flow, panel, lens):
    dispute, jurors = panel
    flow.vote(dispute, 0, {j.address: 0 for j in jurors}, {j.address: j for j in jurors})
    assert lens.votes(court.address, dispute, 0, 0) == 3
    assert court.currentRuling(dispute) == 0


def test_reveal__in_commit_period__reverts(court, flow, panel):
    dispute, (juror, *_) = panel
    flow.goto(dispute, PERIOD_COMMIT)
    flow.commit(juror, dispute, 0, 1)
    with boa.reverts("court: not in reveal period"):
        flow.reveal(juror, dispute, 0, 1)


def test_reveal__after_reveal_period__reverts(court, flow, panel):
    dispute, (juror, *_) = panel
    flow.goto(dispute, PERIOD_COMMIT)
    flow.commit(juror, dispute, 0, 1)
    flow.goto(dispute, PERIOD_APPEAL)
    with boa.reverts("court: not in reveal period"):
        flow.reveal(juror, dispute, 0, 1)


def test_reveal__unknown_round__reverts(court, panel, jurors):
    dispute, _ = panel
    with boa.reverts("court: unknown round"):
        court.reveal(dispute, 3, 1, b"\0" * 32, sender=jurors[0].address)


def test_current_ruling__tie__is_zero(court, flow, stake, jurors, keys, governor, randomness, lens):
    # A seat locks the whole minimum stake: each juror can hold one seat only.
    court.set_params(
        params_tuple(randomness.address, alpha_bps=10_000, panel_size=2), sender=governor
    )
    stake(jurors[0], MIN_STAKE)
    stake(jurors[1], MIN_STAKE)
    flow.next_epoch()
    dispute = flow.create()
    flow.draw_all(dispute)
    assert sorted(flow.seated(dispute, 0)) == sorted([jurors[0].address, jurors[1].address])
    flow.vote(dispute, 0, {jurors[0].address: 1, jurors[1].address: 2}, keys)
    assert (lens.votes(court.address, dispute, 0, 1), lens.votes(court.address, dispute, 0, 2)) == (
        1,
        1,
    )
    assert court.currentRuling(dispute) == 0


def test_current_ruling__with_no_votes__is_zero(court, flow, panel):
    dispute, _ = panel
    flow.goto(dispute, PERIOD_APPEAL)
    assert court.currentRuling(dispute) == 0
    assert court.disputeStatus(dispute) == 1
