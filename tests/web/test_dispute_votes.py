"""A dispute page with a drawn panel, revealed votes and a ruling. The anvil
workload draws no panel (a court round needs days of evidence and reveal
periods), so the rows are written as the indexer writes them (as the
indexer's view tests do) and the page is read in the browser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from labeldao.indexer.store import connect, migrate
from labeldao.metaevidence import COMPUTE_DOCUMENT, MetaEvidence
from labeldao.web.server import BackgroundServer
from tests.deploy.conftest import _free_port
from tests.indexer.conftest import Database
from tests.indexer.test_views import COURT, JUROR, OTHER, REGISTRY, Rows

LDAO = 10**18


@pytest.fixture
def judged(tmp_path) -> Iterator[str]:
    """A ledger with dispute 4 about node 7's report: round 0 drawn, JUROR
    (two seats) revealed 2, OTHER (one seat) did not; ruled 2. Served."""
    url = f"sqlite:///{tmp_path / 'judged.sqlite'}"
    engine = connect(url)
    migrate(engine)
    rows = Rows()
    court = {"contract": COURT, "dispute_id": 4}
    rows.add(
        "disputes_created",
        9,
        arbitrable=REGISTRY,
        choices=2,
        params_version=1,
        fee=30 * LDAO,
        **court,
    )
    rows.add(
        "challenges",
        9,
        contract=REGISTRY,
        node_id=7,
        epoch=3,
        challenger=OTHER,
        arbitrator=COURT,
        dispute_id=4,
        bond=LDAO,
        fee=30 * LDAO,
    )
    rows.add(
        "rounds_created",
        9,
        round=0,
        panel=3,
        fee=30 * LDAO,
        evidence_end=1_000,
        seat_lock=LDAO,
        **court,
    )
    rows.add("seats", 10, round=0, juror=JUROR, seat=0, **court)
    rows.add("seats", 10, round=0, juror=JUROR, seat=1, **court)
    rows.add("seats", 10, round=0, juror=OTHER, seat=2, **court)
    rows.add("commits", 11, round=0, juror=JUROR, commitment="0x" + "11" * 32, **court)
    rows.add("reveals", 12, round=0, juror=JUROR, choice=2, seats=2, **court)
    settled = {"round": 0, "unlocked": 0, **court}
    rows.add(
        "juror_settlements",
        13,
        juror=JUROR,
        seats=2,
        coherent=True,
        penalty=0,
        reward=5 * LDAO,
        **settled,
    )
    rows.add(
        "juror_settlements",
        13,
        juror=OTHER,
        seats=1,
        coherent=False,
        penalty=3 * LDAO,
        reward=0,
        **settled,
    )
    rows.add("rulings", 14, arbitrable=REGISTRY, ruling=2, **court)
    rows.write(Database(url, engine))
    server = BackgroundServer(url, _free_port()).start()
    yield server.base
    server.stop()
    engine.dispose()


def test_dispute__shows_seats_revealed_votes_and_the_ruling_by_meaning(page, judged):
    document = MetaEvidence.parse(COMPUTE_DOCUMENT.read_bytes())
    page.goto(judged + "/disputes/4")
    assert page.locator("#question .question").inner_text() == document.question
    assert page.locator("#ruling").inner_text() == f"2: {document.choice_title(2)}"
    votes = page.locator("section.round[data-round='0'] table.votes tbody tr")
    cells = votes.evaluate_all(
        "rows => rows.map(r => [...r.children].map(c => c.textContent.trim()))"
    )
    assert cells == [
        [JUROR, "2", "yes", f"2: {document.choice_title(2)}", "yes", "5", "0"],
        [OTHER, "1", "no", "—", "no", "0", "3"],
    ]


def test_juror_seats__list_each_seat_and_what_to_do_next(page, judged):
    page.goto(f"{judged}/fragments/juror/{JUROR}")
    rows = page.locator("#seats tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.children].map(c => c.textContent.trim()))"
    )
    # Revealed 2 with both seats; settled with a 5 LDAO reward.
    assert rows == [["#4", "0", "2", "yes", "2", "settled: 5 reward, 0 penalty"]]
    page.goto(f"{judged}/fragments/juror/0x{'77' * 20}")
    assert "No seat in the ledger" in page.locator("#seats").inner_text()


def test_wallet_pages__without_a_wallet_say_how_to_get_one(page, judged):
    page.goto(judged + "/requester")
    status = page.locator("#wallet-status")
    status.filter(has_text="No wallet found").wait_for()
    assert status.inner_text() == (
        "No wallet found: install a browser wallet (EIP-1193) to act from this page."
    )
