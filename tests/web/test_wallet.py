"""The wallet pages in Chromium, acting on a real anvil deployment through
an injected EIP-1193 wallet backed by anvil's test accounts (tests/web/wallet.py):
the juror's browser vote equals the CLI's and is counted, a requester creates
and accepts a task, an annotator claims and submits, a wrong network and a
refused action are shown in one line with nothing sent, and a maintenance
button appears once its action is due."""

from __future__ import annotations

import pytest
from eth_abi import encode as abi_encode

from labeldao.court import commitment, derive_salt
from tests.web.wallet import anvil_key, court_lens, open_with_wallet, wallet_script

LDAO = 10**18
ACCEPTED = 16
SUBMITTED = 4


@pytest.fixture
def chain(web, node):
    """The deployed node (undone after the test) once the app serves the ledger."""
    return node


def _result(form) -> str:
    output = form.locator("output")
    output.locator("xpath=self::*[contains(@class,'ok') or contains(@class,'error')]").wait_for(
        timeout=30_000
    )
    return output.inner_text()


def _fill(form, **values) -> None:
    for name, value in values.items():
        form.locator(f"input[name={name}]").fill(str(value))


def _fund(chain, account: str, amount: int = 1_000 * LDAO) -> None:
    workload = chain.workload
    workload.send("RewardToken", "transfer", account, amount, sender=workload.accounts[1])


def _dispute(chain) -> int:
    court = chain.workload.contracts["QualityCourt"]
    return next(
        d
        for d in range(4)
        if int(court_lens(court).functions.dispute_info(court.address, d).call()[0], 16)
    )


def _draw_panel(chain, dispute: int) -> list:
    """Draws round 0's panel as a keeper would; the round's timetable."""
    workload, court = chain.workload, chain.workload.contracts["QualityCourt"]
    info = court_lens(court).functions.round_info(court.address, dispute, 0).call()
    workload._advance_to(info[4])
    for _ in range(40):
        info = court_lens(court).functions.round_info(court.address, dispute, 0).call()
        if info[2] == info[1]:
            return info
        workload.advance(1)
        workload.send("QualityCourt", "draw", dispute, 2, sender=workload.accounts[0])
    raise AssertionError("panel not drawn")


def test_abi_encoder__matches_eth_abi_for_the_types_the_pages_send(page, web):
    page.goto(web + "/requester")
    types = ["uint256", "address", "bytes32", "string", "bytes", "uint256[]", "bool", "uint8"]
    values = [
        2**255 + 7,
        "0x" + "ab" * 20,
        "0x" + "cd" * 32,
        "données ✓",
        "0x0102",
        [1, 2, 3],
        True,
        27,
    ]
    encoded = page.evaluate(
        """async ([types, values]) => {
             const abi = await import("/static/abi.js");
             values[0] = BigInt(values[0]);
             return abi.encode(types.map((type) => ({ type })), values);
           }""",
        [types, [str(values[0]), *values[1:]]],
    )
    python = [
        bytes.fromhex(v[2:]) if t.startswith("bytes") else v
        for t, v in zip(types, values, strict=True)
    ]
    assert encoded == "0x" + abi_encode(types, python).hex()


def test_juror__commits_and_reveals_in_the_browser_with_the_clis_salt(page, web, chain):
    dispute = _dispute(chain)
    info = _draw_panel(chain, dispute)
    court = chain.workload.contracts["QualityCourt"]
    juror = court.functions.round_juror(dispute, 0, 0).call()
    index = [a.lower() for a in chain.web3.eth.accounts].index(juror.lower())
    chain.workload._advance_to(info[5] - 1)  # the commit period

    open_with_wallet(page, f"{web}/juror?dispute={dispute}&round=0", chain.url, juror.lower())
    form = page.locator("#juror-vote")
    # The choices are shown with their meaning before anything is signed.
    assert "reject the work" in form.locator("label.choice").nth(2).inner_text().lower()
    form.locator("input[name=choice][value='2']").check()
    form.locator("[data-vote=commit]").click()
    assert _result(form) == f"committed in dispute {dispute} round 0; reveal in the reveal period"

    salt = derive_salt(
        anvil_key(index),
        court=court.address,
        chain_id=chain.web3.eth.chain_id,
        dispute_id=dispute,
        round_=0,
    )
    expected = commitment(dispute, 0, juror, 2, salt)
    vote = court_lens(court).functions.juror_round(court.address, dispute, 0, juror).call()
    assert vote[2] is True  # committed
    assert vote[6][:28] == expected[:28]  # the on-chain prefix is the CLI's commitment

    chain.workload._advance_to(info[6] - 1)  # the reveal period
    form.locator("[data-vote=reveal]").click()
    assert _result(form) == f"revealed choice 2 in dispute {dispute} round 0"
    assert (
        court_lens(court).functions.votes(court.address, dispute, 0, 2).call() == vote[0]
    )  # all its seats counted
    assert "eth_signTypedData_v4" in page.evaluate("window.ethereum.calls")

    # The stake panel adds stake (the juror's allowance already covers it).
    free = court_lens(court).functions.juror_status(court.address, juror).call()[0]
    stake = page.locator("#QualityCourt-stake")
    _fill(stake, amount="12.5")
    stake.locator("button").click()
    assert _result(stake).startswith("done: stake")
    assert (
        court_lens(court).functions.juror_status(court.address, juror).call()[0]
        == free + 125 * LDAO // 10
    )


def test_juror__reveals_in_the_browser_a_vote_committed_with_the_clis_salt(page, web, chain):
    dispute = _dispute(chain)
    info = _draw_panel(chain, dispute)
    court = chain.workload.contracts["QualityCourt"]
    juror = court.functions.round_juror(dispute, 0, 0).call()
    index = [a.lower() for a in chain.web3.eth.accounts].index(juror.lower())
    chain.workload._advance_to(info[5] - 1)
    salt = derive_salt(
        anvil_key(index),
        court=court.address,
        chain_id=chain.web3.eth.chain_id,
        dispute_id=dispute,
        round_=0,
    )
    digest = commitment(dispute, 0, juror, 1, salt)  # what `ape run court commit` sends
    chain.workload.send("QualityCourt", "commit", dispute, 0, digest, sender=juror)
    chain.workload._advance_to(info[6] - 1)

    open_with_wallet(page, f"{web}/juror?dispute={dispute}&round=0", chain.url, juror.lower())
    form = page.locator("#juror-vote")
    form.locator("[data-vote=reveal]").click()  # no choice picked: found from the commitment
    assert _result(form) == f"revealed choice 1 in dispute {dispute} round 0"
    seats = court_lens(court).functions.juror_round(court.address, dispute, 0, juror).call()[0]
    assert court_lens(court).functions.votes(court.address, dispute, 0, 1).call() == seats


def test_requester_and_annotator__create_claim_submit_accept_from_the_browser(
    browser_context, web, chain
):
    escrow = chain.workload.contracts["TaskEscrow"]
    requester, annotator = (chain.web3.eth.accounts[i] for i in (8, 9))
    _fund(chain, requester)
    _fund(chain, annotator)
    task_id = escrow.functions.task_count().call()

    page = open_with_wallet(
        browser_context.new_page(), web + "/requester", chain.url, requester.lower()
    )
    create = page.locator("#TaskEscrow-create_task")
    _fill(create, spec_uri="ipfs://spec/browser", spec_hash="label 10 images", reward="50")
    create.locator("button").click()
    assert _result(create).startswith("done: create_task in block")
    task = escrow.functions.tasks(task_id).call()
    assert task[0] == requester and task[5] == 50 * LDAO
    calls = page.evaluate("window.ethereum.calls")
    assert calls.count("eth_sendTransaction") == 2  # the approval, then the task

    worker = open_with_wallet(
        browser_context.new_page(), web + "/annotator", chain.url, annotator.lower()
    )
    claim = worker.locator("#TaskEscrow-claim_task")
    _fill(claim, task_id=task_id)
    claim.locator("button").click()
    assert _result(claim).startswith("done: claim_task")
    submit = worker.locator("#TaskEscrow-submit")
    _fill(submit, task_id=task_id, result_root="0x" + "12" * 32, result_uri="ipfs://answers")
    submit.locator("button").click()
    assert _result(submit).startswith("done: submit")
    assert escrow.functions.tasks(task_id).call()[2] == SUBMITTED

    accept = page.locator("#TaskEscrow-accept")
    _fill(accept, task_id=task_id)
    accept.locator("button").click()
    assert _result(accept).startswith("done: accept")
    assert escrow.functions.tasks(task_id).call()[2] == ACCEPTED
    worker.close()
    page.close()


def test_wrong_network__says_which_chain_asks_to_switch_and_sends_nothing(page, web, chain):
    account = chain.web3.eth.accounts[1].lower()
    open_with_wallet(page, web + "/requester", chain.url, account, chain_id=1)
    status = page.locator("#wallet-status").inner_text()
    assert status.startswith(
        "wrong network: your wallet is on chain 1, LabelDAO here is on chain 31337"
    )
    accept = page.locator("#TaskEscrow-accept")
    _fill(accept, task_id=0)
    accept.locator("button").click()
    assert _result(accept).startswith("refused: wrong network")
    calls = page.evaluate("window.ethereum.calls")
    assert "wallet_switchEthereumChain" in calls
    assert "eth_sendTransaction" not in calls


def test_refused_action__shows_the_contracts_revert_string_in_one_line(page, web, chain):
    escrow = chain.workload.contracts["TaskEscrow"]
    requester = chain.workload.accounts[1]  # task 0's requester; the workload accepted it
    with pytest.raises(Exception) as refused:
        escrow.functions.accept(0).call({"from": requester})
    reason = str(refused.value.args[0]).removeprefix("execution reverted: ")
    assert reason.startswith("escrow: ")

    open_with_wallet(page, web + "/requester", chain.url, requester.lower())
    accept = page.locator("#TaskEscrow-accept")
    _fill(accept, task_id=0)
    accept.locator("button").click()
    assert _result(accept) == f"refused: {reason}"
    assert accept.locator("input[name=task_id]").input_value() == "0"  # nothing lost
    assert "eth_sendTransaction" not in page.evaluate("window.ethereum.calls")


def _draw_refusal(court, dispute: int, keeper: str) -> str | None:
    try:
        court.functions.draw(dispute, 3).call({"from": keeper})
    except Exception as refused:
        return str(refused.args[0]).removeprefix("execution reverted: ")
    return None


def test_maintenance__the_draw_button_shows_once_due_and_draws(page, web, chain):
    dispute = _dispute(chain)
    court = chain.workload.contracts["QualityCourt"]
    keeper = chain.web3.eth.accounts[0]  # holds no role: anyone may press
    refusal = _draw_refusal(court, dispute, keeper)
    if refusal is None:
        # The sortition epoch of the round's randomness request is over: a
        # draw now only requests fresh randomness (and draws no seat).
        chain.workload.send("QualityCourt", "draw", dispute, 3, sender=keeper)
        refusal = _draw_refusal(court, dispute, keeper)
    assert refusal is not None and refusal.startswith("court: ")
    page.add_init_script(script=wallet_script(chain.url, keeper.lower()))
    page.goto(web + "/maintenance")
    page.locator("#wallet-connect").click()
    draw = page.locator(f"tr[data-dispute='{dispute}'] button[data-function=draw]")
    page.wait_for_function(
        f"() => document.querySelector(`tr[data-dispute='{dispute}'] button[data-function=draw]`)"
        ".title.length > 0"
    )
    assert draw.is_hidden()
    assert draw.get_attribute("title") == refusal
    nothing = page.locator(f"tr[data-dispute='{dispute}'] .nothing-due")
    nothing.filter(has_text="nothing due now").wait_for()

    # The evidence period ends and blocks pass, until a keeper's draw would succeed.
    chain.workload._advance_to(
        court_lens(court).functions.round_info(court.address, dispute, 0).call()[4]
    )
    for _ in range(40):
        if _draw_refusal(court, dispute, keeper) is None:
            break
        chain.workload.advance(1)
    page.locator("#wallet-connect").click()  # re-checks what is due
    draw.wait_for(state="visible")
    nothing.wait_for(state="hidden")  # set once every button was checked
    before = court_lens(court).functions.round_info(court.address, dispute, 0).call()
    draw.click()
    output = draw.locator("xpath=following-sibling::output[1]")
    settled = "xpath=self::*[contains(@class,'ok') or contains(@class,'error')]"
    output.locator(settled).wait_for(timeout=30_000)
    shown = output.inner_text()
    if "(the state changed since the check)" in shown:
        # Mined in a new sortition epoch, the draw only asks for new
        # randomness, or reverts after its check (said in one line); the
        # keeper presses again once it is due.
        for _ in range(40):
            if _draw_refusal(court, dispute, keeper) is None:
                break
            chain.workload.advance(1)
        page.locator("#wallet-connect").click()
        draw.wait_for(state="visible")
        draw.click()
        output.locator(settled).wait_for(timeout=30_000)
        shown = output.inner_text()
    assert shown.startswith("done: draw in block"), shown
    assert court_lens(court).functions.round_info(court.address, dispute, 0).call() != before


def test_provider__registers_a_node_and_reports_an_epoch_from_the_browser(page, web, chain):
    registry = chain.workload.contracts["ComputeRegistry"]
    provider = chain.web3.eth.accounts[7]
    _fund(chain, provider, 10_000 * LDAO)
    node_id = registry.functions.node_count().call() + 1  # ids start at 1
    open_with_wallet(page, web + "/provider", chain.url, provider.lower())
    register = page.locator("#ComputeRegistry-register_node")
    _fill(register, specs_uri="ipfs://node/browser", specs_hash="1x H100", gpu_count=2)
    register.locator("button").click()
    assert _result(register).startswith("done: register_node")
    node = registry.functions.node(node_id).call()
    assert node[0] == provider and node[3] == 2
    assert node[6] == registry.functions.required_stake(0, 2).call()  # what was approved

    epoch = node[7]  # its first epoch: report it once it has ended
    chain.workload._advance_to(registry.functions.epoch_total(epoch).call()[1])
    cap = registry.functions.max_work_units(node_id, epoch).call()
    report = page.locator("#ComputeRegistry-report")
    _fill(
        report,
        node_id=node_id,
        epoch=epoch,
        work_units=cap + 1,
        receipts_root="0x" + "34" * 32,
    )
    report.locator("button").click()
    assert _result(report).startswith("refused: registry: ")  # over the bound, said why
    _fill(report, work_units=cap)
    report.locator("button").click()
    assert _result(report).startswith("done: report")
    assert registry.functions.report_of(node_id, epoch).call()[0] > 0


def test_requester__rejects_submitted_work_into_the_court_paying_its_fee(page, web, chain):
    escrow = chain.workload.contracts["TaskEscrow"]
    court = chain.workload.contracts["QualityCourt"]
    task_id = chain.workload.task(10, "submit")  # created, claimed and submitted
    task = escrow.functions.tasks(task_id).call()
    assert task[2] == SUBMITTED
    requester = task[0]
    token = chain.workload.contracts["RewardToken"]
    balance = token.functions.balanceOf(requester).call()
    disputes = court.functions.dispute_count().call()
    extra = escrow.functions.params(task[3]).call()[14]  # arbitrator_extra_data (bytes)
    fee = court.functions.arbitrationCost(extra).call()

    open_with_wallet(page, web + "/requester", chain.url, requester.lower())
    reject = page.locator("#TaskEscrow-reject")
    _fill(reject, task_id=task_id, reason_hash="item 3 is mislabelled")
    reject.locator("button").click()
    assert _result(reject).startswith("done: reject")
    assert escrow.functions.tasks(task_id).call()[2] == 8  # disputed
    assert court.functions.dispute_count().call() == disputes + 1
    assert token.functions.balanceOf(requester).call() == balance - fee


def test_juror__requests_unstake_and_withdraws_it_from_the_panel(page, web, chain):
    court = chain.workload.contracts["QualityCourt"]
    token = chain.workload.contracts["RewardToken"]
    juror = chain.workload.accounts[4]  # staked by the workload
    free = court_lens(court).functions.juror_status(court.address, juror).call()[0]
    assert free > 0
    open_with_wallet(page, f"{web}/juror", chain.url, juror.lower())
    unstake = page.locator("#QualityCourt-request_unstake")
    _fill(unstake, amount=free // LDAO + 1)
    unstake.locator("button").click()
    assert _result(unstake) == "refused: court: amount exceeds free stake"
    _fill(unstake, amount=free // LDAO)
    unstake.locator("button").click()
    assert _result(unstake).startswith("done: request_unstake")
    status = court_lens(court).functions.juror_status(court.address, juror).call()
    assert status[0] == free - free // LDAO * LDAO and status[2] == free // LDAO * LDAO

    chain.workload._advance_to(status[3])  # the unlock time
    balance = token.functions.balanceOf(juror).call()
    owed = (
        court_lens(court).functions.juror_status(court.address, juror).call()[5]
    )  # withdrawable now
    assert owed >= status[2]
    withdraw = page.locator("#QualityCourt-withdraw")
    withdraw.locator("button").click()
    assert _result(withdraw).startswith("done: withdraw")
    assert token.functions.balanceOf(juror).call() == balance + owed
    assert court_lens(court).functions.juror_status(court.address, juror).call()[2] == 0
