"""ComputeRegistry: epoch reports, their bounds and their permanent record."""

import boa
import pytest

from labeldao.registry import DAY, EpochTerms, capacity, effective_units
from tests.helpers import events
from tests.unit.registry.conftest import EMISSION, EPOCH, ROOT, now, warp

TIER1_RATE = 400


def test_report__files_record_and_logs(registry, register, provider, clock):
    node_id = register(provider, gpus=4, tier=1)
    warp(clock.end(1) + 60)
    registry.report(node_id, 1, 9_000, 8_000, ROOT, sender=provider)
    (filed,) = events(registry, "ReportFiled")
    assert (filed.node_id, filed.epoch, filed.work_units, filed.uptime_bps) == (
        node_id,
        1,
        9_000,
        8_000,
    )
    assert (filed.effective_units, filed.receipts_root) == (7_200, ROOT)
    assert filed.challenge_deadline == now() + 3 * DAY
    report = registry.report_of(node_id, 1)
    assert (report.work_units, report.effective_units, report.uptime_bps) == (9_000, 7_200, 8_000)
    assert (report.receipts_root, report.status, report.reported_at) == (ROOT, 1, now())
    assert (report.challenge_deadline, report.claimed, report.reward) == (now() + 3 * DAY, False, 0)
    total = registry.epoch_total(1)
    assert (total.total_units, total.reports, total.rewarded) == (7_200, 1, 0)
    assert (total.start, total.end) == (clock.start(1), clock.end(1))
    assert total.report_deadline == clock.end(1) + DAY
    assert total.final_at == clock.end(1) + 4 * DAY


def test_report__sums_nodes_into_the_epoch_total(
    registry, register, file_report, provider, provider2
):
    a, b = register(provider), register(provider2)
    file_report(provider, a, 1, units=1_000, uptime=10_000)
    file_report(provider2, b, 1, units=1_000, uptime=2_500)
    assert registry.epoch_total(1).total_units == 1_250
    assert registry.epoch_total(1).reports == 2


def test_report__at_exact_capacity__succeeds_and_one_more__reverts(
    registry, register, provider, clock
):
    node_id = register(provider, gpus=3, tier=1)
    limit = capacity(3, TIER1_RATE, EPOCH)
    assert registry.max_work_units(node_id, 1) == limit
    warp(clock.end(1))
    with boa.reverts("registry: work units exceed GPU capacity"):
        registry.report(node_id, 1, limit + 1, 10_000, ROOT, sender=provider)
    registry.report(node_id, 1, limit, 10_000, ROOT, sender=provider)
    assert registry.report_of(node_id, 1).work_units == limit


def test_report__max_capacity_of_largest_node__fits(registry, register, governor, provider, clock):
    node_id = register(provider, gpus=1_024, tier=3)
    registry.set_epoch_terms(
        EpochTerms(EMISSION, max_units_per_gpu_second=(1, 1, 1, 10**6)).as_tuple(), sender=governor
    )
    limit = capacity(1_024, 10**6, EPOCH)
    warp(clock.end(1))
    registry.report(node_id, 1, limit, 10_000, ROOT, sender=provider)
    assert registry.report_of(node_id, 1).work_units == limit
    assert registry.epoch_total(1).total_units == limit


def test_report__last_second_of_window__succeeds(registry, register, provider, clock):
    node_id = register(provider)
    warp(clock.end(1) + DAY - 1)
    registry.report(node_id, 1, 1, 10_000, ROOT, sender=provider)
    assert registry.report_of(node_id, 1).status == 1


def test_report__after_window__reverts(registry, register, provider, clock):
    node_id = register(provider)
    warp(clock.end(1) + DAY)
    with boa.reverts("registry: reporting window closed"):
        registry.report(node_id, 1, 1, 10_000, ROOT, sender=provider)


def test_report__unfinished_epoch__reverts(registry, register, provider, clock):
    node_id = register(provider)
    warp(clock.end(1) - 1)
    with boa.reverts("registry: epoch not finished"):
        registry.report(node_id, 1, 1, 10_000, ROOT, sender=provider)
    with boa.reverts("registry: epoch not finished"):
        registry.report(node_id, 5, 1, 10_000, ROOT, sender=provider)


def test_report__epoch_before_registration__reverts(registry, register, provider, clock):
    warp(clock.start(3) + 1)
    node_id = register(provider)
    warp(clock.end(3))
    with boa.reverts("registry: epoch before node registration"):
        registry.report(node_id, 3, 1, 10_000, ROOT, sender=provider)


def test_report__twice__reverts(registry, register, file_report, provider):
    node_id = register(provider)
    file_report(provider, node_id, 1)
    with boa.reverts("registry: report already filed"):
        registry.report(node_id, 1, 5, 10_000, ROOT, sender=provider)


def test_report__by_someone_else__reverts(registry, register, provider, provider2, clock):
    node_id = register(provider)
    warp(clock.end(1))
    with boa.reverts("registry: caller is not the node owner"):
        registry.report(node_id, 1, 1, 10_000, ROOT, sender=provider2)


def test_report__unknown_node__reverts(registry, provider, clock):
    warp(clock.end(1))
    with boa.reverts("registry: unknown node"):
        registry.report(1, 1, 1, 10_000, ROOT, sender=provider)


def test_report__uptime_over_100_percent__reverts(registry, register, provider, clock):
    node_id = register(provider)
    warp(clock.end(1))
    with boa.reverts("registry: uptime above 10000 bps"):
        registry.report(node_id, 1, 1, 10_001, ROOT, sender=provider)


def test_report__empty_root__reverts(registry, register, provider, clock):
    node_id = register(provider)
    warp(clock.end(1))
    with boa.reverts("registry: empty receipts root"):
        registry.report(node_id, 1, 1, 10_000, b"\x00" * 32, sender=provider)


@pytest.mark.parametrize(("units", "uptime"), [(0, 10_000), (10, 0), (1, 9_999)])
def test_report__no_effective_units__reverts(registry, register, provider, clock, units, uptime):
    assert effective_units(units, uptime) == 0
    node_id = register(provider)
    warp(clock.end(1))
    with boa.reverts("registry: no effective work units"):
        registry.report(node_id, 1, units, uptime, ROOT, sender=provider)


def test_report__missed_epoch__loses_only_that_epoch(
    registry, register, file_report, provider, clock
):
    """Outage is not fraud: a missed report costs its epoch's reward, no stake."""
    node_id = register(provider)
    file_report(provider, node_id, 1)
    warp(clock.end(2) + DAY)
    with boa.reverts("registry: reporting window closed"):
        registry.report(node_id, 2, 1, 10_000, ROOT, sender=provider)
    file_report(provider, node_id, 3, uptime=1_000)
    node = registry.node(node_id)
    assert node.stake == 1_000 * 10**18
    assert node.status == 1
    assert registry.report_of(node_id, 2).status == 0
    assert registry.report_of(node_id, 3).effective_units == 100_000


def test_report__deactivated_node__may_report_epochs_before_its_end(
    registry, register, file_report, provider, clock
):
    node_id = register(provider)
    warp(clock.start(2) + 10)
    registry.deactivate(node_id, sender=provider)
    file_report(provider, node_id, 1)
    assert registry.report_of(node_id, 1).status == 1
    warp(clock.end(2))
    with boa.reverts("registry: epoch after node deactivation"):
        registry.report(node_id, 2, 1, 10_000, ROOT, sender=provider)


def test_report__deactivated_in_registration_epoch__has_no_epochs(
    registry, register, provider, clock
):
    node_id = register(provider)
    registry.deactivate(node_id, sender=provider)
    node = registry.node(node_id)
    assert node.end_epoch < node.first_epoch
    warp(clock.end(1))
    with boa.reverts("registry: epoch after node deactivation"):
        registry.report(node_id, 1, 1, 10_000, ROOT, sender=provider)


def test_report__uses_epoch_terms_of_that_epoch(registry, register, governor, provider, clock):
    node_id = register(provider, gpus=1, tier=0)
    warp(clock.start(1) + 1)
    registry.set_epoch_terms(
        EpochTerms(
            EMISSION, reporting_window=3 * DAY, max_units_per_gpu_second=(7, 1, 1, 1)
        ).as_tuple(),
        sender=governor,
    )
    warp(clock.end(2) + 2 * DAY)
    registry.report(node_id, 2, 7 * EPOCH, 10_000, ROOT, sender=provider)
    assert registry.epoch_total(2).terms_version == 1
    with boa.reverts("registry: reporting window closed"):
        registry.report(node_id, 1, 1, 10_000, ROOT, sender=provider)
    assert registry.max_work_units(node_id, 1) == 100 * EPOCH


def test_report_of__missing__is_empty(registry):
    report = registry.report_of(1, 1)
    assert (report.status, report.work_units, report.reported_at, report.claimed) == (
        0,
        0,
        0,
        False,
    )


def test_epoch_total__untouched_epoch__shows_dates_and_terms(registry, clock):
    total = registry.epoch_total(9)
    assert (total.start, total.end, total.reports, total.total_units) == (
        clock.start(9),
        clock.end(9),
        0,
        0,
    )
    assert (total.emission, total.terms_version) == (EMISSION, 0)
