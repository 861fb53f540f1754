"""SortitionTree: the court's stake tree as its own contract.

Only its court may change it: the tree is made for the address the court will
get (the deployer's next creation), and the court's constructor refuses a tree
made for another address. Its weights follow the court's stake
(`modules/sortition.vy` is tested in test_sortition.py through its harness;
here the deployed contract and the court's use of it).
"""

import boa
import pytest
from eth_utils import to_canonical_address

from labeldao.boa_system import BoaAccount, BoaChain, boa_test_account
from labeldao.boa_tools import deploy_court, deployer
from labeldao.config import load_params, params_path
from labeldao.deploy import DeployError, Deployment, Engine, Record, create_address
from labeldao.system import GOVERNOR, contract_names, system_steps
from tests.unit.court.conftest import EPOCH_SECONDS, LDAO, SEAT_LOCK

ZERO = "0x0000000000000000000000000000000000000000"


def test_constructor__zero_epoch_or_court__reverts(jurors):
    with boa.reverts("tree: zero epoch length"):
        deployer("SortitionTree").deploy(0, jurors[0].address)
    with boa.reverts("tree: court is the zero address"):
        deployer("SortitionTree").deploy(EPOCH_SECONDS, ZERO)


def test_court__is_the_tree_s_court(court, tree):
    assert tree.COURT() == court.address
    assert court.TREE() == tree.address
    assert tree.epoch_seconds() == court.epoch_seconds() == EPOCH_SECONDS


def test_court__tree_made_for_another_address__reverts(token, treasury, randomness, lens):
    operator = boa.env.generate_address("operator")
    # Made for the operator's creation after next, not its next one.
    nonce = boa.env.evm.vm.state.get_nonce(to_canonical_address(operator))
    elsewhere = create_address(operator, nonce + 2)
    tree = deployer("SortitionTree").deploy(EPOCH_SECONDS, elsewhere, sender=operator)
    with boa.env.prank(operator), boa.reverts("court: tree made for another court"):
        deployer("QualityCourt").deploy(
            token.address, treasury, randomness.address, tree.address, lens.address
        )


def test_court__tree_not_a_contract__reverts(token, treasury, randomness, lens):
    with boa.reverts("court: tree not a contract"):
        deployer("QualityCourt").deploy(
            token.address, treasury, randomness.address, treasury, lens.address
        )


@pytest.mark.parametrize(
    ("function", "args"),
    [
        ("allocate", (ZERO,)),
        ("add", (0, 1)),
        ("sub", (0, 1)),
        ("release", (0,)),
        ("draw_seat", (0, 1, ZERO, ZERO)),
    ],
)
def test_writes__by_anyone_but_the_court__revert(tree, jurors, function, args):
    with boa.reverts("tree: caller is not the court"):
        getattr(tree, function)(*args, sender=jurors[0].address)


def test_stake__moves_the_tree_weights(court, tree, stake, jurors):
    stake(jurors[0], 300 * LDAO)
    stake(jurors[1], 200 * LDAO)
    assert tree.owner_of(0) == jurors[0].address
    assert tree.owner_of(1) == jurors[1].address
    # Stake counts in the snapshot from the next epoch on.
    assert tree.values(0) == (300 * LDAO, 0)
    assert tree.totals() == (500 * LDAO, 0)
    assert court.total_free_stake() == 500 * LDAO
    boa.env.time_travel(seconds=EPOCH_SECONDS)
    assert tree.values(1) == (200 * LDAO, 200 * LDAO)
    assert (
        tree.totals()
        == (500 * LDAO, 500 * LDAO)
        == (
            court.total_free_stake(),
            court.drawable_stake(),
        )
    )


def test_draw_seat__locks_a_seat_in_both_weights_and_skips_the_parties(tree, stake, jurors):
    stake(jurors[0], 300 * LDAO)
    stake(jurors[1], 200 * LDAO)
    boa.env.time_travel(seconds=EPOCH_SECONDS)
    court = tree.COURT()
    # Tickets below 300 LDAO land on leaf 0, the rest on leaf 1.
    with boa.env.prank(court):
        # Either party, payer or other, is skipped.
        for payer, other in ((jurors[0].address, ZERO), (ZERO, jurors[0].address)):
            assert tree.draw_seat(0, SEAT_LOCK, payer, other) == (jurors[0].address, 0, False)
        assert tree.draw_seat(350 * LDAO, SEAT_LOCK, ZERO, ZERO) == (jurors[1].address, 1, True)
        # Too little left on the leaf for the seat: skipped, nothing locked.
        assert tree.draw_seat(350 * LDAO, 190 * LDAO, ZERO, ZERO) == (
            jurors[1].address,
            1,
            False,
        )
    assert tree.values(1) == (200 * LDAO - SEAT_LOCK, 200 * LDAO - SEAT_LOCK)
    assert tree.totals() == (500 * LDAO - SEAT_LOCK, 500 * LDAO - SEAT_LOCK)


def test_deploy_court__tree_made_for_the_court_it_deploys_next(token, treasury, randomness, lens):
    operator = boa.env.generate_address("operator")
    court = deploy_court(
        token.address, treasury, randomness.address, 600, lens.address, sender=operator
    )
    tree = deployer("SortitionTree").at(court.TREE())
    assert (tree.COURT(), court.epoch_seconds()) == (court.address, 600)


def _plan_to_the_court() -> tuple[Deployment, BoaAccount, list, int]:
    """The local deploy plan on a fresh deployer key, and the index of its
    QualityCourt step."""
    params = load_params(params_path("local"), is_local=True, test_account=boa_test_account)
    account = BoaAccount(boa.env.generate_address("plan-deployer"))
    containers = {n: deployer(n) for n in contract_names(params) if n != GOVERNOR}
    engine = Engine(Record(None), BoaChain(), str(account), log=lambda _: None)
    plan = Deployment(containers, account, params, engine, sender=str(account))
    steps = system_steps(plan, boa.env.evm.patch.timestamp)
    return plan, account, steps, [s.name for s in steps].index("deploy QualityCourt")


def test_deploy_plan__a_transaction_between_tree_and_court__is_refused_clearly():
    plan, account, steps, court_step = _plan_to_the_court()
    for step in steps[:court_step]:
        step.run()
    assert steps[court_step - 1].name == "deploy SortitionTree"
    tree = plan.at("SortitionTree")
    assert tree.COURT() == plan.next_created()
    deployer("QualityCourtLens").deploy(sender=str(account))  # the deployer's next creation
    with pytest.raises(DeployError, match="was made for a court at .* remove SortitionTree"):
        steps[court_step].run()


def test_draw_seat__stake_added_this_epoch_does_not_cover_a_seat(tree, stake, jurors):
    juror = jurors[0].address
    stake(jurors[0], 120 * LDAO)
    boa.env.time_travel(seconds=EPOCH_SECONDS)
    with boa.env.prank(tree.COURT()):
        assert tree.draw_seat(0, 100 * LDAO, ZERO, ZERO) == (juror, 0, True)
        # A top-up counts from the next epoch: the snapshot left is 20 LDAO.
        tree.add(0, 100 * LDAO)
        assert tree.values(0) == (120 * LDAO, 20 * LDAO)
        assert tree.draw_seat(0, 100 * LDAO, ZERO, ZERO) == (juror, 0, False)
    assert tree.values(0) == (120 * LDAO, 20 * LDAO)


def test_deploy_plan__rerun_after_the_court__checks_no_tree_and_sends_nothing():
    """Once the court is recorded, a rerun computes no court arguments: the
    tree check (its COURT against the deployer's next creation) would refuse
    every rerun after the deployer's next transaction."""
    plan, account, steps, court_step = _plan_to_the_court()
    for step in steps[: court_step + 1]:
        step.run()
    court = plan.address("QualityCourt")
    deployer("QualityCourtLens").deploy(sender=str(account))  # the nonce moves on
    assert steps[court_step].run() == f"QualityCourt: already at {court}"
