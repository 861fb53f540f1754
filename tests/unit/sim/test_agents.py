"""labeldao.sim.agents: the agents' decisions, one behaviour at a time."""

import random

import pytest

from labeldao.sim import agents as ag
from labeldao.sim.agents import Role
from labeldao.sim.scenario import Behaviour, Population


def _b(**changes):
    return Behaviour(**changes)


def test_population__names_kinds_and_deterministic_addresses():
    pop = Population(requesters=1, honest_annotators=1, lazy_annotators=0, malicious_annotators=1,
                     honest_jurors=1, lazy_jurors=1, bribed_jurors=0, honest_providers=0,
                     overreporting_providers=1, flaky_providers=0)  # fmt: skip
    agents = ag.population(pop)
    names = [a.name for a in agents]
    assert names == [
        "requester-0", "honest-annotator-0", "malicious-annotator-0", "honest-juror-0",
        "lazy-juror-0", "overreporting-provider-0", "watchdog", "keeper",
    ]  # fmt: skip
    again = ag.population(pop)
    assert [a.address for a in agents] == [a.address for a in again]
    assert len({a.address for a in agents}) == len(agents)


def test_agent__groups_and_cheaters():
    assert ag.make_agent("x", Role.JUROR, "bribed").group == "bribed juror"
    assert ag.make_agent("x", Role.JUROR, "bribed").cheats
    assert not ag.make_agent("x", Role.PROVIDER, "flaky").cheats  # an outage is not fraud
    assert ag.make_agent("r", Role.REQUESTER, "requester").group == "requester"


def test_answers__honest_with_full_accuracy__are_all_right():
    right = ag.truth(20, 4, random.Random(1))
    given = ag.answers("honest", right, _b(honest_accuracy=1.0), random.Random(2), random.Random(3))
    assert given == right


def test_answers__malicious_ring__copies_one_answer_set():
    right = ag.truth(50, 4, random.Random(1))
    b = _b(malicious_error_rate=0.5)
    first = ag.answers("malicious", right, b, random.Random(2), random.Random("ring:7"))
    second = ag.answers("malicious", right, b, random.Random(99), random.Random("ring:7"))
    assert first == second
    assert first != right


def test_answers__lazy__ignore_the_truth():
    right = [0] * 200
    given = ag.answers("lazy", right, _b(answer_choices=4), random.Random(5), random.Random(6))
    assert not ag.is_good(right, given, 0.8)
    assert set(given) == {0, 1, 2, 3}


def test_answers__unknown_kind__fails():
    with pytest.raises(ValueError, match="unknown annotator kind"):
        ag.answers("sloppy", [0], _b(), random.Random(0), random.Random(0))


def test_is_good__at_the_threshold():
    assert ag.is_good([1, 1, 1, 1, 1], [1, 1, 1, 1, 0], 0.8)
    assert not ag.is_good([1, 1, 1, 1, 1], [1, 1, 1, 0, 0], 0.8)


def test_review__gold_failures_at_the_limit__reject_outright():
    right, given = [0] * 8, [1, 1, 1, 1, 0, 0, 0, 0]
    r = ag.review([0, 1, 2, 3], right, given, False, 3, _b(), random.Random(0))
    assert r == ag.Review((0, 1, 2), "rejected")


def test_review__gold_failures_below_the_limit__proved_then_disputed():
    right, given = [0] * 8, [1, 0, 0, 0, 0, 0, 0, 0]
    r = ag.review([0, 1, 2], right, given, False, 3, _b(), random.Random(0))
    assert r == ag.Review((0,), "reject")


def test_review__bad_work_without_gold_evidence__rejected_when_detected():
    b = _b(requester_detects_bad_work=1.0)
    assert ag.review([0], [0, 0], [0, 1], False, 3, b, random.Random(0)).verdict == "reject"


def test_review__good_work__accepted_unless_unfair_or_silent():
    b = _b(requester_unfair_reject=0.0, requester_silent=0.0)
    assert ag.review([0], [0, 0], [0, 0], True, 3, b, random.Random(0)).verdict == "accept"
    b = _b(requester_unfair_reject=1.0)
    assert ag.review([0], [0, 0], [0, 0], True, 3, b, random.Random(0)).verdict == "reject"
    b = _b(requester_unfair_reject=0.0, requester_silent=1.0)
    assert ag.review([0], [0, 0], [0, 0], True, 3, b, random.Random(0)).verdict == "silent"


def test_vote__lazy__always_the_first_choice():
    b = _b(lazy_forgets_reveal=0.0)
    for right in (1, 2):
        assert ag.vote("lazy", right, None, b, random.Random(right)) == ag.Vote(1, True, False)
    assert not ag.vote("lazy", 2, None, _b(lazy_forgets_reveal=1.0), random.Random(0)).reveals


def test_vote__bribed__sides_with_the_cheater_else_votes_honestly():
    b = _b(honest_juror_accuracy=1.0)
    assert ag.vote("bribed", 2, 1, b, random.Random(0)) == ag.Vote(1, True, True)
    assert ag.vote("bribed", 2, None, b, random.Random(0)) == ag.Vote(2, True, False)


def test_vote__honest__votes_the_truth_or_errs():
    assert ag.vote("honest", 2, 1, _b(honest_juror_accuracy=1.0), random.Random(0)).choice == 2
    assert ag.vote("honest", 2, 1, _b(honest_juror_accuracy=0.0), random.Random(0)).choice == 1


def test_report__kinds():
    rng = random.Random(0)
    honest = ag.report("honest", 1_000_000, _b(utilisation=0.5), rng)
    assert honest.work_units == honest.true_units <= 500_000
    over = ag.report("overreporting", 1_000_000, _b(utilisation=0.9, overreport_factor=3), rng)
    assert over.work_units == 1_000_000 > over.true_units  # capped at capacity
    assert ag.report("flaky", 1_000, _b(flaky_miss_rate=1.0), rng) is None
    flaky = ag.report("flaky", 1_000, _b(flaky_miss_rate=0.0, flaky_uptime_bps=5_000), rng)
    assert flaky.uptime_bps == 5_000


def test_watchdog__detects_only_what_it_can_disprove():
    b = _b(watchdog_detects=1.0)
    assert ag.watchdog_detects(ag.Report(200, 100, 10_000), b, random.Random(0))
    assert not ag.watchdog_detects(ag.Report(100, 100, 10_000), b, random.Random(0))
    assert not ag.watchdog_detects(
        ag.Report(200, 100, 10_000), _b(watchdog_detects=0.0), random.Random(0)
    )


def test_appeals__the_wronged_and_the_cheater_appeal_when_they_can_pay():
    assert ag.appeals(was_right=True, cheats=False, balance=100, cost=70)
    assert ag.appeals(was_right=False, cheats=True, balance=100, cost=70)
    assert not ag.appeals(was_right=False, cheats=False, balance=100, cost=70)
    assert not ag.appeals(was_right=True, cheats=False, balance=69, cost=70)
