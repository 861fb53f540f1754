"""TaskEscrow: construction, default parameters, roles and constants."""

import boa
from eth_utils import keccak

from labeldao.boa_tools import deployer
from labeldao.escrow import GOLD_CONTEST_META_EVIDENCE_ID
from tests.unit.escrow.conftest import (
    BONUS_FEE_CAP_BPS,
    BONUS_PER_ITEM,
    DAY,
    EPOCH_BUDGET,
    FEE_BPS,
    GOLD_BOND,
    GOLD_CONTEST_PERIOD,
    GOLD_FAIL_LIMIT,
    GOLD_SLASH_BPS,
    LATE_SLASH_BPS,
    REJECT_SLASH_BPS,
    SLASH_TREASURY_BPS,
)

ZERO = "0x0000000000000000000000000000000000000000"
DEFAULT_ADMIN_ROLE = b"\x00" * 32


def test_constructor__sets_token_treasury_and_default_params(escrow, token, arbitrator, treasury):
    assert escrow.TOKEN() == token.address
    assert escrow.treasury() == treasury
    assert escrow.params_count() == 1
    assert escrow.task_count() == 0
    assert escrow.liabilities() == 0
    assert not escrow.paused()
    params = escrow.current_params()
    assert params == escrow.params(0)
    assert params._asdict() == {
        "fee_bps": FEE_BPS,
        "gold_slash_bps": GOLD_SLASH_BPS,
        "gold_fail_limit": GOLD_FAIL_LIMIT,
        "reject_slash_bps": REJECT_SLASH_BPS,
        "late_slash_bps": LATE_SLASH_BPS,
        "slash_treasury_bps": SLASH_TREASURY_BPS,
        "min_review_period": DAY,
        "max_review_period": 14 * DAY,
        "max_task_duration": 90 * DAY,
        "max_items": 1_000_000,
        "bonus_per_item": BONUS_PER_ITEM,
        "bonus_fee_cap_bps": BONUS_FEE_CAP_BPS,
        "epoch_budget": EPOCH_BUDGET,
        "arbitrator": arbitrator.address,
        "arbitrator_extra_data": b"",
        "gold_bond": GOLD_BOND,
        "gold_contest_period": GOLD_CONTEST_PERIOD,
    }


def test_constructor__logs_treasury_and_params(token, arbitrator, treasury):
    escrow = deployer("TaskEscrow").deploy(token.address, arbitrator.address, treasury)
    names = [type(log).__name__ for log in escrow.get_logs()]
    assert names == ["RoleGranted", "TreasuryChanged", "ParamsChanged", "MetaEvidence"]
    treasury_set, params_set, gold_contest = escrow.get_logs()[1:]
    assert (treasury_set.previous, treasury_set.treasury) == (ZERO, treasury)
    assert params_set.version == 0
    assert params_set.params[0] == FEE_BPS
    # Every gold contest's ERC-1497 meta-evidence, logged once.
    assert (gold_contest.meta_evidence_id, gold_contest.evidence) == (
        GOLD_CONTEST_META_EVIDENCE_ID,
        "metaevidence/gold-contest.json",
    )


def test_constructor__roles__deployer_is_admin_only(escrow, admin, timelock, guardian):
    assert escrow.PARAMS_ROLE() == keccak(text="PARAMS_ROLE")
    assert escrow.GUARDIAN_ROLE() == keccak(text="GUARDIAN_ROLE")
    assert escrow.MINTER_ROLE() == keccak(text="MINTER_ROLE")
    assert escrow.hasRole(DEFAULT_ADMIN_ROLE, admin)
    assert not escrow.hasRole(escrow.PARAMS_ROLE(), admin)
    assert not escrow.hasRole(escrow.GUARDIAN_ROLE(), admin)
    assert escrow.hasRole(escrow.PARAMS_ROLE(), timelock)
    assert escrow.hasRole(escrow.GUARDIAN_ROLE(), guardian)


def test_constructor__zero_token__reverts(arbitrator, treasury):
    with boa.reverts("escrow: token is the zero address"):
        deployer("TaskEscrow").deploy(ZERO, arbitrator.address, treasury)


def test_constructor__zero_treasury__reverts(token, arbitrator):
    with boa.reverts("treasury: zero address"):
        deployer("TaskEscrow").deploy(token.address, arbitrator.address, ZERO)


def test_constructor__zero_arbitrator__reverts(token, treasury):
    with boa.reverts("escrow: arbitrator is the zero address"):
        deployer("TaskEscrow").deploy(token.address, ZERO, treasury)


def test_constants__bounds_and_epoch(escrow):
    assert escrow.MAX_FEE_BPS() == 1_000
    assert escrow.MAX_GOLD_FAIL_LIMIT() == 64
    assert escrow.MIN_REVIEW_PERIOD_FLOOR() == 3_600
    assert escrow.MAX_REVIEW_PERIOD_CEILING() == 30 * DAY
    assert escrow.MAX_TASK_DURATION_CEILING() == 365 * DAY
    assert escrow.MAX_ITEMS_CEILING() == 2**32 - 1
    assert escrow.MAX_BONUS_PER_ITEM() == 1_000 * 10**18
    assert escrow.MAX_EPOCH_BUDGET() == 100_000_000 * 10**18
    assert escrow.MAX_AMOUNT() == 2**96 - 1
    assert escrow.EPOCH_LENGTH() == 7 * DAY
    assert (escrow.RULING_ACCEPT(), escrow.RULING_REJECT()) == (1, 2)


def test_supports_interface__erc165_and_access_control(escrow):
    assert escrow.supportsInterface(bytes.fromhex("01ffc9a7"))
    assert escrow.supportsInterface(bytes.fromhex("7965db0b"))
    assert not escrow.supportsInterface(bytes.fromhex("ffffffff"))


def test_tasks__unknown_task__is_empty(escrow):
    task = escrow.tasks(12345)
    assert task.status == 0
    assert task.requester == ZERO
