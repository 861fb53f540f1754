"""QualityCourt: creating disputes (ERC-792), evidence (ERC-1497) and the views."""

import boa
import pytest

from tests.helpers import events
from tests.unit.court.conftest import (
    FEE_PER_JUROR,
    HOUR,
    LDAO,
    PERIOD_EVIDENCE,
    PERIOD_EXECUTION,
    SEAT_LOCK,
    params_tuple,
)


def test_create_dispute__pulls_the_fee_and_opens_round_zero(
    court, lens, arbitrable, token, randomness
):
    before = token.balanceOf(arbitrable.address)
    dispute = arbitrable.create_dispute(2, b"")
    (creation,) = events(arbitrable, "DisputeCreation")
    (created,) = events(arbitrable, "DisputeCreated")
    (opened,) = events(arbitrable, "RoundCreated")
    (requested,) = events(arbitrable, "DrawRequested")
    assert dispute == 0
    assert (creation.dispute_id, creation.arbitrable) == (0, arbitrable.address)
    assert (created.choices, created.fee) == (2, 3 * FEE_PER_JUROR)
    assert (opened.round, opened.panel, opened.seat_lock) == (0, 3, SEAT_LOCK)
    assert (requested.source, requested.request_id) == (randomness.address, 0)
    assert token.balanceOf(arbitrable.address) == before - 3 * FEE_PER_JUROR
    assert token.balanceOf(court.address) == 3 * FEE_PER_JUROR
    info = lens.dispute_info(court.address, dispute)
    assert (info.arbitrable, info.choices, info.rounds, info.final) == (
        arbitrable.address,
        2,
        1,
        False,
    )
    round_ = lens.round_info(court.address, dispute, 0)
    assert (round_.panel, round_.drawn, round_.fee, round_.seat_lock) == (
        3,
        0,
        3 * FEE_PER_JUROR,
        SEAT_LOCK,
    )
    assert round_.evidence_end == boa.env.evm.patch.timestamp + HOUR
    assert round_.period == PERIOD_EVIDENCE
    assert round_.draw_epoch == court.current_epoch()
    assert randomness.request_count() == 1
    assert court.disputeStatus(dispute) == 0
    assert court.appealPeriod(dispute) == (0, 0)


def test_create_dispute__ids_count_up(court, arbitrable):
    assert [arbitrable.create_dispute(2, b"") for _ in range(3)] == [0, 1, 2]
    assert court.dispute_count() == 3


@pytest.mark.parametrize("choices", [1, 15])
def test_create_dispute__choices_out_of_range__reverts(court, arbitrable, choices):
    with boa.reverts("court: choices out of range"):
        arbitrable.create_dispute(choices, b"")


def test_create_dispute__with_fourteen_choices__succeeds(court, lens, arbitrable):
    dispute = arbitrable.create_dispute(14, b"")
    assert lens.dispute_info(court.address, dispute).choices == 14


def test_create_dispute__without_allowance__reverts(court, fund, admin):
    fund(admin, 100 * LDAO)
    with boa.reverts("erc20: insufficient allowance"):
        court.createDispute(2, b"", sender=admin)


def test_create_dispute__with_zero_fee__pulls_nothing(court, lens, governor, randomness, token):
    court.set_params(params_tuple(randomness.address, fee_per_juror=0), sender=governor)
    caller = boa.env.generate_address("fee-less")
    dispute = court.createDispute(2, b"", sender=caller)
    assert lens.round_info(court.address, dispute, 0).fee == 0
    assert token.balanceOf(court.address) == 0


def test_views__of_an_unknown_dispute__revert(court, lens):
    for view, args in (
        (lens.dispute_info, (court.address, 9)),
        (lens.draw_deadline, (court.address, 9)),
        (court.appealCost, (9, b"")),
        (court.appealPeriod, (9,)),
        (court.disputeStatus, (9,)),
        (court.currentRuling, (9,)),
    ):
        with boa.reverts("court: unknown dispute"):
            view(*args)


def test_round_info__of_an_unknown_round__reverts(court, lens, arbitrable):
    dispute = arbitrable.create_dispute(2, b"")
    with boa.reverts("court: unknown round"):
        lens.round_info(court.address, dispute, 1)
    with boa.reverts("court: unknown round"):
        lens.round_info(court.address, dispute, 2**255)
    with boa.reverts("court: unknown round"):
        lens.randomness_source(court.address, dispute, 1)
    with boa.reverts("court: unknown round"):
        lens.juror_round(court.address, dispute, 1, arbitrable.address)


def test_votes__of_a_choice_beyond_the_tally__reverts(court, arbitrable, lens):
    dispute = arbitrable.create_dispute(2, b"")
    assert lens.votes(court.address, dispute, 0, 14) == 0
    with boa.reverts("lens: invalid choice"):
        lens.votes(court.address, dispute, 0, 15)


def test_submit_evidence__logs_erc1497_evidence(court, arbitrable, jurors):
    dispute = arbitrable.create_dispute(2, b"")
    party = jurors[0].address
    court.submit_evidence(dispute, "ipfs://evidence.json", sender=party)
    (evidence,) = events(court, "Evidence")
    assert evidence.arbitrator == court.address
    assert evidence.evidence_group_id == dispute
    assert evidence.party == party
    assert evidence.evidence == "ipfs://evidence.json"


def test_submit_evidence__for_an_unknown_dispute__reverts(court, jurors):
    with boa.reverts("court: unknown dispute"):
        court.submit_evidence(4, "ipfs://x", sender=jurors[0].address)


def test_submit_evidence__after_the_dispute_is_final__reverts(court, flow, staked, keys):
    staked(3)
    dispute = flow.create()
    flow.draw_all(dispute)
    flow.vote(dispute, 0, {a: 1 for a in flow.seated(dispute, 0)}, keys)
    flow.goto(dispute, PERIOD_EXECUTION)
    with boa.reverts("court: dispute is over"):
        court.submit_evidence(
            dispute, "ipfs://late", sender=keys[flow.seated(dispute, 0)[0]].address
        )


def test_lens__publishes_the_round_periods(lens):
    periods = [lens.PERIOD_EVIDENCE(), lens.PERIOD_COMMIT(), lens.PERIOD_REVEAL()]
    periods += [lens.PERIOD_APPEAL(), lens.PERIOD_EXECUTION()]
    assert periods == [0, 1, 2, 3, 4]


def test_lens__juror_status_of_a_stranger__is_all_zero(court, lens, arbitrable):
    status = lens.juror_status(court.address, arbitrable.address)
    assert tuple(status) == (0,) * 8
