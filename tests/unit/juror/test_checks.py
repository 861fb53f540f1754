"""labeldao.juror, pure parts: amounts, dates, revert explanations, and the
checks that tell a juror what is wrong and when it becomes possible."""

from __future__ import annotations

import dataclasses

import pytest

from labeldao.juror import (
    MAX_APPEAL_COST,
    DisputeInfo,
    Funding,
    JurorError,
    JurorRound,
    JurorStatus,
    Params,
    Period,
    RoundInfo,
    check_appeal,
    check_commit,
    check_draw,
    check_evidence,
    check_execute,
    check_reveal,
    check_stake,
    check_unstake,
    check_withdraw,
    describe_period,
    explain_revert,
    format_duration,
    format_ldao,
    format_time,
    parse_ldao,
)

LDAO = 10**18
NOW = 1_800_000_000  # 2027-01-15 08:00 UTC
DAY = 86_400
ZERO = "0x" + "00" * 20

PARAMS = Params(
    min_juror_stake=1_000 * LDAO,
    alpha_bps=1_000,
    non_reveal_multiplier_bps=20_000,
    unstake_delay=7 * DAY,
    panel_size=3,
    max_panel=511,
    max_rounds=5,
    fee_per_juror=10 * LDAO,
    evidence_period=2 * DAY,
    commit_period=2 * DAY,
    reveal_period=2 * DAY,
    appeal_period=2 * DAY,
    draw_timeout=3 * DAY,
    max_dispute_lock_bps=5_000,
    randomness=ZERO,
)
STATUS = JurorStatus(
    free=0,
    locked=0,
    pending_withdrawal=0,
    unlock_time=0,
    claimable=0,
    withdrawable_now=0,
    open_rounds=0,
    drawable_this_epoch=0,
)
DISPUTE = DisputeInfo(
    arbitrable=ZERO,
    choices=2,
    rounds=1,
    params_version=0,
    final=False,
    ruling=1,
    ruling_executed=False,
)
SEAT = JurorRound(
    seats=1,
    locked=100 * LDAO,
    committed=False,
    revealed=False,
    choice=0,
    settled=False,
    commitment_prefix=b"\x00" * 32,
)
NO_FUNDING = Funding(cost=70 * LDAO, side_a=0, funder_a=ZERO, side_b=0, funder_b=ZERO)


def _round(period: Period, **changes) -> RoundInfo:
    """A drawn round whose commit period starts one day after NOW."""
    start = NOW + DAY
    info = RoundInfo(
        period=int(period),
        panel=3,
        drawn=3,
        jurors=3,
        evidence_end=start,
        commit_start=start,
        reveal_start=start + 2 * DAY,
        appeal_start=start + 4 * DAY,
        appeal_end=start + 6 * DAY,
        seat_lock=100 * LDAO,
        draw_epoch=1,
        draw_attempts=3,
        randomness_request=0,
        revealed_seats=0,
        fee=30 * LDAO,
        slashed=0,
        rewarded=0,
        to_treasury=0,
        execution_steps_done=0,
        execution_steps=6,
    )
    return dataclasses.replace(info, **changes)


# -- amounts and dates --------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "0 LDAO"),
        (1_000 * LDAO, "1,000 LDAO"),
        (1_234 * LDAO + LDAO // 2, "1,234.5 LDAO"),
        (1, "0.000000000000000001 LDAO"),
        (-100 * LDAO, "-100 LDAO"),
    ],
)
def test_format_ldao__exact_with_separators(amount, text):
    assert format_ldao(amount) == text


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1000", 1_000 * LDAO),
        ("1_000.5", 1_000 * LDAO + LDAO // 2),
        ("12.5 LDAO", 12 * LDAO + LDAO // 2),
        ("0.000000000000000001", 1),
    ],
)
def test_parse_ldao__valid_amounts__in_base_units(text, amount):
    assert parse_ldao(text) == amount


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "is not an amount of LDAO"),
        ("", "is not an amount of LDAO"),
        ("1,000", "without commas"),
        ("0", "must be positive"),
        ("-5", "must be positive"),
        ("nan", "is not an amount of LDAO"),
        ("inf", "is not an amount of LDAO"),
        ("0.0000000000000000001", "18 decimals at most"),
    ],
)
def test_parse_ldao__bad_input__raises_a_clear_message(text, message):
    with pytest.raises(ValueError, match=message):
        parse_ldao(text)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (42, "42s"), (600, "10m"), (3_660, "1h 1m"), (DAY, "1d"), (DAY + 7_200, "1d 2h")],
)
def test_format_duration__short_and_readable(seconds, text):
    assert format_duration(seconds) == text


def test_format_time__relative_to_the_chain_clock():
    assert format_time(NOW, NOW) == "2027-01-15 08:00 UTC (now)"
    assert format_time(NOW + DAY + 3_600, NOW) == "2027-01-16 09:00 UTC (in 1d 1h)"
    assert format_time(NOW - 120, NOW) == "2027-01-15 07:58 UTC (2m ago)"


# -- revert strings -----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("execution reverted: court: not in commit period", "not in its commit period"),
        ("court: no seat in this round", "you hold no seat in this round"),
        ("<court: commitment mismatch>\nstack...", "do not match your commitment"),
        ("court: not in commit period\x00\x00\x00", "the round is not in its commit period"),
        ("court: some future reason", "court: some future reason"),
        ("out of gas", "the transaction reverted (out of gas)"),
        ("", "the transaction reverted (no reason given)"),
    ],
)
def test_explain_revert__one_line_for_the_juror(raw, message):
    assert message in explain_revert(raw)
    assert "\n" not in explain_revert(raw)


# -- periods --------------------------------------------------------------------


def test_describe_period__each_period_with_its_deadline():
    assert describe_period(_round(Period.EVIDENCE, drawn=1), NOW) == "evidence; panel 1/3 drawn"
    assert describe_period(_round(Period.EVIDENCE), NOW).startswith("evidence until 2027-01-16")
    commit = describe_period(_round(Period.COMMIT), NOW)
    assert commit == "commit until 2027-01-18 08:00 UTC (in 3d)"
    assert describe_period(_round(Period.EXECUTION), NOW) == "execution"
    done = _round(Period.EXECUTION, execution_steps_done=6)
    assert describe_period(done, NOW) == "execution (executed)"


# -- commit and reveal ----------------------------------------------------------


def test_check_commit__in_commit_period_with_a_seat__passes():
    check_commit(0, 0, DISPUTE, _round(Period.COMMIT), SEAT, 2, NOW)


def test_check_commit__before_the_period__says_when_it_opens():
    with pytest.raises(JurorError, match=r"not in its commit period: it opens at 2027-01-16 08:00"):
        check_commit(0, 0, DISPUTE, _round(Period.EVIDENCE), SEAT, 1, NOW)


def test_check_commit__panel_not_drawn__says_to_draw():
    with pytest.raises(JurorError, match=r"panel is not complete yet \(1/3 .*court draw"):
        check_commit(0, 0, DISPUTE, _round(Period.EVIDENCE, drawn=1), SEAT, 1, NOW)


def test_check_commit__after_the_period__says_when_it_closed():
    with pytest.raises(JurorError, match="it closed at 2027-01-18 08:00"):
        check_commit(0, 0, DISPUTE, _round(Period.REVEAL), SEAT, 1, NOW)


def test_check_commit__not_drawn__refuses():
    with pytest.raises(JurorError, match="you were not drawn in dispute 0 round 0"):
        check_commit(
            0, 0, DISPUTE, _round(Period.COMMIT), dataclasses.replace(SEAT, seats=0), 1, NOW
        )


def test_check_commit__unknown_choice__lists_the_choices():
    with pytest.raises(JurorError, match="choice 3 does not exist.*choices 1 to 2"):
        check_commit(0, 0, DISPUTE, _round(Period.COMMIT), SEAT, 3, NOW)


def test_check_reveal__committed_in_reveal_period__passes():
    check_reveal(0, 0, _round(Period.REVEAL), dataclasses.replace(SEAT, committed=True), NOW)


@pytest.mark.parametrize(
    ("period", "vote", "message"),
    [
        (Period.REVEAL, {"seats": 0}, "you were not drawn"),
        (Period.REVEAL, {"committed": True, "revealed": True, "choice": 2}, "already revealed"),
        (Period.COMMIT, {}, "not committed in dispute 0 round 0 yet"),
        (Period.REVEAL, {}, "you did not commit"),
        (Period.COMMIT, {"committed": True}, "it opens at 2027-01-18 08:00"),
        (Period.APPEAL, {"committed": True}, "it closed at 2027-01-20 08:00"),
    ],
)
def test_check_reveal__cannot_reveal__says_why(period, vote, message):
    with pytest.raises(JurorError, match=message):
        check_reveal(0, 0, _round(period), dataclasses.replace(SEAT, **vote), NOW)


# -- stake ----------------------------------------------------------------------


def test_check_stake__reaching_the_minimum__passes():
    check_stake(1_000 * LDAO, STATUS, PARAMS, 5_000 * LDAO, paused=False)


def test_check_stake__below_minimum__says_how_much_more():
    with pytest.raises(
        JurorError, match=r"insufficient stake.*minimum is 1,000 LDAO.*at least 1,000"
    ):
        check_stake(10 * LDAO, STATUS, PARAMS, 5_000 * LDAO, paused=False)


def test_check_stake__top_up_of_a_staked_juror__passes():
    staked = dataclasses.replace(STATUS, free=900 * LDAO, locked=100 * LDAO)
    check_stake(1 * LDAO, staked, PARAMS, 5_000 * LDAO, paused=False)


def test_check_stake__more_than_the_wallet__refuses():
    with pytest.raises(JurorError, match="insufficient LDAO: you hold 5 LDAO"):
        check_stake(1_000 * LDAO, STATUS, PARAMS, 5 * LDAO, paused=False)


def test_check_stake__paused__refuses():
    with pytest.raises(JurorError, match="paused"):
        check_stake(1_000 * LDAO, STATUS, PARAMS, 5_000 * LDAO, paused=True)


def test_check_unstake__all_or_leaving_the_minimum__passes():
    status = dataclasses.replace(STATUS, free=3_000 * LDAO)
    check_unstake(3_000 * LDAO, status, PARAMS)
    check_unstake(2_000 * LDAO, status, PARAMS)


def test_check_unstake__more_than_free__mentions_the_locked_part():
    status = dataclasses.replace(STATUS, free=900 * LDAO, locked=100 * LDAO)
    with pytest.raises(JurorError, match=r"900 LDAO free \(100 LDAO is locked by seats\)"):
        check_unstake(1_000 * LDAO, status, PARAMS)


def test_check_unstake__remainder_below_minimum__says_what_is_possible():
    status = dataclasses.replace(STATUS, free=1_500 * LDAO)
    with pytest.raises(JurorError, match=r"unstake all \(1,500 LDAO\) or at most 500 LDAO"):
        check_unstake(1_000 * LDAO, status, PARAMS)


def test_check_withdraw__something_withdrawable__passes():
    check_withdraw(dataclasses.replace(STATUS, withdrawable_now=1), NOW)


def test_check_withdraw__pending_not_unlocked__says_when():
    status = dataclasses.replace(STATUS, pending_withdrawal=500 * LDAO, unlock_time=NOW + 2 * DAY)
    with pytest.raises(
        JurorError, match=r"500 LDAO pending unlocks at 2027-01-17 08:00 UTC \(in 2d\)"
    ):
        check_withdraw(status, NOW)


def test_check_withdraw__nothing__refuses():
    with pytest.raises(JurorError, match="nothing to withdraw"):
        check_withdraw(STATUS, NOW)


# -- appeals, execution, draws, evidence ------------------------------------------


def _appeal(info=None, funding=NO_FUNDING, side=2, cost=70 * LDAO, balance=1_000 * LDAO, now=None):
    info = info or _round(Period.APPEAL)
    check_appeal(0, DISPUTE, info, funding, side, cost, balance, now or info.appeal_start)


def test_check_appeal__losing_side_early_in_the_period__passes():
    _appeal()


def test_check_appeal__losing_side_in_the_second_half__refuses():
    info = _round(Period.APPEAL)
    late = info.appeal_start + DAY
    with pytest.raises(
        JurorError, match=r"funding window of the losing sides closed.*ruling \(1\)"
    ):
        _appeal(info, now=late)


def test_check_appeal__answer_to_a_funded_side_in_the_second_half__passes():
    info = _round(Period.APPEAL)
    funded = dataclasses.replace(NO_FUNDING, side_a=1, funder_a="0x" + "11" * 20)
    _appeal(info, funding=funded, side=2, now=info.appeal_start + DAY + 1)


def test_check_appeal__winning_side_in_the_second_half__passes():
    info = _round(Period.APPEAL)
    _appeal(info, side=1, now=info.appeal_start + DAY + 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"side": 3}, "side 3 does not exist"),
        ({"cost": MAX_APPEAL_COST}, "last round allowed"),
        ({"info": _round(Period.REVEAL)}, "not in its appeal period: it opens at 2027-01-20"),
        (
            {"funding": dataclasses.replace(NO_FUNDING, side_a=2, funder_a=ZERO)},
            "side 2 of dispute 0 round 0 is already funded",
        ),
        ({"balance": 10 * LDAO}, "insufficient LDAO: funding a side costs 70 LDAO"),
    ],
)
def test_check_appeal__cannot_fund__says_why(kwargs, message):
    with pytest.raises(JurorError, match=message):
        _appeal(**kwargs)


def test_check_appeal__final_dispute__refuses():
    final = dataclasses.replace(DISPUTE, final=True)
    with pytest.raises(JurorError, match="is final"):
        check_appeal(0, final, _round(Period.EXECUTION), NO_FUNDING, 2, 70 * LDAO, LDAO**2, NOW)


def test_check_execute__final__passes():
    check_execute(0, dataclasses.replace(DISPUTE, final=True), _round(Period.EXECUTION), NOW)


def test_check_execute__not_final__says_when_it_will_be():
    with pytest.raises(JurorError, match=r"in its reveal period; it becomes final at 2027-01-22"):
        check_execute(0, DISPUTE, _round(Period.REVEAL), NOW)


def test_check_execute__panel_being_drawn__says_so():
    with pytest.raises(JurorError, match=r"being drawn \(2/3 seats\)"):
        check_execute(0, DISPUTE, _round(Period.EVIDENCE, drawn=2), NOW)


def test_check_draw__incomplete_panel__passes():
    check_draw(0, DISPUTE, _round(Period.EVIDENCE, drawn=0), NOW)


def test_check_draw__complete_panel__refuses_with_the_schedule():
    with pytest.raises(JurorError, match="panel of dispute 0 round 0 is complete"):
        check_draw(0, DISPUTE, _round(Period.EVIDENCE), NOW)


def test_check_evidence__open_dispute__passes():
    check_evidence(0, DISPUTE, "ipfs://evidence.json")


@pytest.mark.parametrize(
    ("dispute", "uri", "message"),
    [
        (DISPUTE, "  ", "empty"),
        (DISPUTE, "ipfs://" + "x" * 300, "307 bytes; the court takes at most 256"),
        (dataclasses.replace(DISPUTE, final=True), "ipfs://late.json", "evidence is closed"),
    ],
)
def test_check_evidence__refused__says_why(dispute, uri, message):
    with pytest.raises(JurorError, match=message):
        check_evidence(0, dispute, uri)
