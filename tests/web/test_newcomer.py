"""A newcomer's task from a CSV of items to its settlement, with the CLIs and
the web app mixed as issue 17 asks: the requester creates the task with
`ape run task create`, the annotator claims and submits in the browser, the
requester rejects in the browser, the maintenance page draws the panel, the
first juror commits with `ape run court` and reveals in the browser (any
other juror the reverse), the dispute page's own buttons execute the round
and the ruling, and the ledger, indexed afresh, shows the outcome.

Accounts (anvil's, which are Ape's TEST::n): the requester is 8, the
annotator 9; the jurors are the workload's stakers (4 to 6), whichever the
draw seats."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from labeldao.indexer.store import connect, migrate
from labeldao.web.server import BackgroundServer
from tests.deploy.cli_helpers import ApeScript
from tests.deploy.conftest import _free_port
from tests.indexer.conftest import Database, make_indexer
from tests.web.wallet import court_lens, open_with_wallet

LDAO = 10**18
REQUESTER, ANNOTATOR = 8, 9
SUBMITTED, DISPUTED, REJECTED = 4, 8, 32  # TaskEscrow's status flags


class Ledger:
    """A fresh SQLite ledger of the node, served by the web app; `index()`
    catches it up with the chain (the session's ledger stays as it is)."""

    def __init__(self, node, path) -> None:
        self.node = node
        url = f"sqlite:///{path}"
        self.database = Database(url, connect(url))
        migrate(self.database.engine)
        self.server = BackgroundServer(url, _free_port()).start()
        self.base = self.server.base

    def index(self) -> None:
        make_indexer(self.node, self.database).run()

    def close(self) -> None:
        self.server.stop()
        self.database.engine.dispose()


@pytest.fixture
def ledger_of(node, tmp_path) -> Iterator[Ledger]:
    ledger = Ledger(node, tmp_path / "newcomer.sqlite")
    yield ledger
    ledger.close()


def _result(output) -> str:
    output.locator("xpath=self::*[contains(@class,'ok') or contains(@class,'error')]").wait_for(
        timeout=30_000
    )
    return output.inner_text()


def _act(page, form_id: str, **values) -> str:
    """Fills and sends a wallet page's form; its one-line result."""
    form = page.locator(f"#{form_id}")
    for name, value in values.items():
        form.locator(f"input[name={name}]").fill(str(value))
    form.locator("button").click()
    return _result(form.locator("output"))


def _press(page, scope: str, function: str) -> str:
    """Presses a maintenance button inside `scope` once it shows as due."""
    button = page.locator(f"{scope} button[data-function={function}]")
    button.wait_for(state="visible", timeout=30_000)
    button.click()
    return _result(button.locator("xpath=following-sibling::output[1]"))


def _await_draw(court, dispute: int, workload, keeper: str) -> None:
    """Mines blocks until a draw would succeed (randomness comes a block after its request)."""
    for _ in range(40):
        try:
            court.functions.draw(dispute, 16).call({"from": keeper})
            return
        except Exception:
            workload.advance(1)
    raise AssertionError("no draw became due")


def _vote_in_browser(page, url: str, rpc: str, juror: str, action: str) -> str:
    open_with_wallet(page, url, rpc, juror)
    form = page.locator("#juror-vote")
    if action == "commit":
        form.locator("input[name=choice][value='2']").check()
    form.locator(f"[data-vote={action}]").click()
    return _result(form.locator("output"))


def _files(directory):
    items = directory / "items.csv"
    items.write_text("text\n" + "".join(f"photo {i}: a pet\n" for i in range(4)))
    return items


def test_newcomer__cli_task_browser_work_and_dispute_mixed_votes_ledger_outcome(
    browser_context, ledger_of, node, tmp_path
):
    workload, web3 = node.workload, node.web3
    escrow, court = workload.contracts["TaskEscrow"], workload.contracts["QualityCourt"]
    token = workload.contracts["RewardToken"]
    accounts = [a.lower() for a in web3.eth.accounts]
    requester, annotator = accounts[REQUESTER], accounts[ANNOTATOR]
    for account in (requester, annotator):
        workload.send(
            "RewardToken", "transfer", web3.to_checksum_address(account), 1_000 * LDAO,
            sender=workload.accounts[1],
        )  # fmt: skip
    balance = {a: token.functions.balanceOf(web3.to_checksum_address(a)).call() for a in accounts}

    # The requester: a task from a CSV of items, with the CLI.
    task_cli = ApeScript("task", node.anvil, node.record, tmp_path / "task-store")
    task_id = escrow.functions.task_count().call()
    created = task_cli.ok(
        "create", str(_files(tmp_path)), "--reward", "100", "--stake", "20", "--review", "2d",
        "--title", "cats or dogs", "--labels", "cat,dog", "-y", account=f"TEST::{REQUESTER}",
    )  # fmt: skip
    assert "cost: 102.5 LDAO" in created and f"created task {task_id}" in created
    ledger_of.index()

    # The annotator claims and submits in the browser.
    new = browser_context.new_page
    worker = open_with_wallet(new(), ledger_of.base + "/annotator", node.url, annotator)
    assert _act(worker, "TaskEscrow-claim_task", task_id=task_id).startswith("done: claim_task")
    submitted = _act(
        worker,
        "TaskEscrow-submit",
        task_id=task_id,
        result_root="0x" + "12" * 32,
        result_uri="ipfs://answers",
    )
    assert submitted.startswith("done: submit")
    assert escrow.functions.tasks(task_id).call()[2] == SUBMITTED

    # The requester rejects it in the browser, paying the court's fee.
    task = escrow.functions.tasks(task_id).call()
    extra = escrow.functions.params(task[3]).call()[14]  # arbitrator_extra_data (bytes)
    fee = court.functions.arbitrationCost(extra).call()
    dispute = court.functions.dispute_count().call()
    owner = open_with_wallet(new(), ledger_of.base + "/requester", node.url, requester)
    rejected = _act(owner, "TaskEscrow-reject", task_id=task_id, reason_hash="every photo is a dog")
    assert rejected.startswith("done: reject")
    assert escrow.functions.tasks(task_id).call()[2] == DISPUTED
    ledger_of.index()

    # Anyone draws the panel from the maintenance page once a draw is due.
    info = court_lens(court).functions.round_info(court.address, dispute, 0).call()
    workload._advance_to(info[4])  # the evidence period is over
    keeper = open_with_wallet(new(), ledger_of.base + "/maintenance", node.url, accounts[0])
    for _ in range(4):  # a draw mined in a new sortition epoch only asks for new randomness
        _await_draw(court, dispute, workload, web3.eth.accounts[0])
        keeper.locator("#wallet-connect").click()  # re-checks what is due
        drawn = _press(keeper, f"tr[data-dispute='{dispute}']", "draw")
        # The wallet sends a draw with its worst case (GAS_FLOOR in wallet.js):
        # its seed is the mined block's, so its cost is not the estimate's.
        assert drawn.startswith("done: draw"), drawn
        info = court_lens(court).functions.round_info(court.address, dispute, 0).call()
        if info[2] == info[1]:
            break
    assert info[2] == info[1]  # the whole panel is seated
    # round_juror lists the distinct jurors seated (info[3]); juror_round their seats.
    jurors = sorted(
        {court.functions.round_juror(dispute, 0, i).call().lower() for i in range(info[3])}
    )
    seats = sum(
        court_lens(court)
        .functions.juror_round(court.address, dispute, 0, web3.to_checksum_address(j))
        .call()[0]
        for j in jurors
    )
    assert seats == info[1]
    ledger_of.index()

    # The first juror commits with the CLI, any other in the browser ...
    court_cli = ApeScript("court", node.anvil, node.record, tmp_path / "juror-store")
    vote_url = f"{ledger_of.base}/juror?dispute={dispute}&round=0"
    workload._advance_to(info[5] - 1)  # the commit period
    committed = court_cli.ok(
        "commit", str(dispute), "2", account=f"TEST::{accounts.index(jurors[0])}"
    )
    assert "your vote: 2 = No: reject the work" in committed
    for juror in jurors[1:]:
        done = _vote_in_browser(new(), vote_url, node.url, juror, "commit")
        assert done == f"committed in dispute {dispute} round 0; reveal in the reveal period"
    # ... and reveals the other way round: the salt is the same on both.
    workload._advance_to(info[6] - 1)  # the reveal period
    done = _vote_in_browser(new(), vote_url, node.url, jurors[0], "reveal")
    assert done == f"revealed choice 2 in dispute {dispute} round 0"
    for juror in jurors[1:]:
        revealed = court_cli.ok("reveal", str(dispute), account=f"TEST::{accounts.index(juror)}")
        assert "revealed choice 2" in revealed
    assert (
        court_lens(court).functions.votes(court.address, dispute, 0, 2).call() == seats
    )  # every seat counted

    # After the appeal period, the dispute page's own buttons settle it.
    workload._advance_to(info[8])
    ledger_of.index()
    dispute_page = open_with_wallet(
        new(), f"{ledger_of.base}/disputes/{dispute}", node.url, accounts[0]
    )
    round_ = "section.round[data-round='0']"
    assert _press(dispute_page, round_, "execute").startswith("done: execute in block")
    dispute_page.locator("#wallet-connect").click()  # re-checks what is due
    assert _press(dispute_page, round_, "execute_ruling").startswith("done: execute_ruling")
    assert escrow.functions.tasks(task_id).call()[2] == REJECTED
    assert "REJECTED" in task_cli.ok("status", str(task_id))

    # Both withdraw what the escrow owes them: the reward and protocol fee back
    # plus 8 of the annotator's 10 slashed LDAO; the annotator keeps 10 of 20.
    assert "withdrew 110.5 LDAO" in task_cli.ok("withdraw", account=f"TEST::{REQUESTER}")
    assert _act(worker, "TaskEscrow-withdraw").startswith("done: withdraw")

    def held(account: str) -> int:
        return token.functions.balanceOf(web3.to_checksum_address(account)).call()

    assert held(requester) == balance[requester] - 1025 * LDAO // 10 - fee + 1105 * LDAO // 10
    assert held(annotator) == balance[annotator] - 10 * LDAO

    # The ledger, indexed again, shows the ruling and the annotator's rejected work.
    ledger_of.index()
    public = new()
    public.goto(f"{ledger_of.base}/disputes/{dispute}")
    assert public.locator("#ruling").inner_text().startswith("2: No")
    public.goto(ledger_of.base + "/ledger")
    row = public.locator("#annotators tbody tr").filter(has_text=annotator)
    cells = row.locator("td").all_inner_texts()
    assert cells[1:] == ["1", "0", "0", "1"]  # claimed, accepted, items accepted, rejected
    for page in browser_context.pages:
        page.close()
