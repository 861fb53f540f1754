"""The public pages in a real browser, against a real anvil deployment
indexed by the indexer: the numbers shown are the database's and the chain's."""

from __future__ import annotations

from labeldao.indexer import queries
from labeldao.metaevidence import TASK_TEMPLATE, MetaEvidence
from labeldao.web import reads


def _column(page, table: str, index: int) -> list[str]:
    return page.locator(f"{table} tbody tr").evaluate_all(
        f"rows => rows.map(r => r.children[{index}].textContent.trim())"
    )


def test_dashboard__shows_the_chains_counts_and_the_top_providers(page, web, ledger, deployed):
    contracts = deployed.workload.contracts
    response = page.goto(web + "/")
    assert response.status == 200
    shown = {
        key: int(page.locator(f'[data-count="{key}"] .number').inner_text())
        for key in ("tasks", "disputes", "jurors", "nodes", "reports")
    }
    assert shown == queries.overview(ledger.engine)
    assert shown["tasks"] == contracts["TaskEscrow"].functions.task_count().call() == 6
    assert shown["disputes"] == contracts["QualityCourt"].functions.dispute_count().call() == 1
    assert shown["nodes"] == contracts["ComputeRegistry"].functions.node_count().call() == 3
    providers = queries.top_providers(ledger.engine, top=10)
    assert providers, "the workload's nodes reported work"
    assert _column(page, "#top-providers", 3) == [str(p["units"]) for p in providers]
    # The chart over time: one bar per registry epoch, its height the epoch's units.
    bars = page.locator("#work-per-epoch rect").evaluate_all(
        "bars => bars.map(b => [b.dataset.label, Number(b.dataset.value)])"
    )
    assert bars == [[f"epoch {e['epoch']}", e["units"]] for e in queries.epochs(ledger.engine)]


def test_ledger__lists_providers_epochs_and_annotators_accepted_work(page, web, ledger):
    page.goto(web + "/ledger")
    providers = queries.top_providers(ledger.engine, top=100)
    assert _column(page, "#providers", 0) == [p["owner"] for p in providers]
    assert _column(page, "#providers", 3) == [str(p["units"]) for p in providers]
    # The nodes table reads the summary tables: the same as the `nodes` view.
    assert reads.nodes(ledger.engine) == [
        {key: n[key] for key in reads.nodes(ledger.engine)[0]} for n in queries.nodes(ledger.engine)
    ]
    epochs = queries.epochs(ledger.engine)
    assert len(epochs) == 2
    assert _column(page, "#epochs", 0) == [str(e["epoch"]) for e in epochs]
    assert _column(page, "#epochs", 3) == [str(e["units"]) for e in epochs]
    annotators = queries.annotators(ledger.engine)
    page.locator("#annotators").wait_for()  # loaded by htmx after the page
    assert _column(page, "#annotators", 0) == [a["annotator"] for a in annotators]
    # The workload accepted two tasks of ten items each.
    assert sum(int(n) for n in _column(page, "#annotators", 2)) == 2
    assert sum(int(n) for n in _column(page, "#annotators", 3)) == 20


def test_ledger__shows_a_nodes_epochs_on_demand_through_htmx(page, web, ledger):
    page.goto(web + "/ledger")
    node_id = queries.nodes(ledger.engine)[0]["node_id"]
    fragment = page.locator(f"#node-{node_id}-epochs")
    assert fragment.inner_text() == ""
    page.locator(f'tr[data-node="{node_id}"] button').click()
    fragment.locator("table").wait_for()
    reports = queries.node(ledger.engine, node_id)[1:]
    assert _column(page, f"#node-{node_id}-epochs table", 1) == [str(r["units"]) for r in reports]
    heights = fragment.locator("figure.chart rect").evaluate_all(
        "bars => bars.map(b => Number(b.dataset.value))"
    )
    assert heights == [r["units"] for r in reports]


def test_dispute__shows_the_question_the_meaning_of_each_choice_and_its_round(
    page, web, ledger, deployed
):
    (dispute,) = queries.disputes(ledger.engine)
    # The URI the escrow logged in ERC-1497's MetaEvidence for the disputed task.
    logged = {
        log.args.meta_evidence_id: log.args.evidence
        for log in deployed.workload.contracts["TaskEscrow"]
        .events.MetaEvidence()
        .get_logs(from_block=0)
    }
    assert dispute["meta_evidence_uri"] == logged[dispute["task_id"]]
    page.goto(web + "/")
    page.locator(f'#disputes a[href="/disputes/{dispute["dispute_id"]}"]').click()
    page.wait_for_url(f"**/disputes/{dispute['dispute_id']}")
    document = MetaEvidence.parse(TASK_TEMPLATE.read_bytes())
    assert page.locator("#question .question").inner_text() == document.question
    assert _column(page, "#choices", 1) == [title for _, title, _ in document.choices()]
    assert _column(page, "#choices", 2) == [meaning for _, _, meaning in document.choices()]
    assert page.locator("#ruling").inner_text() == "pending"
    assert page.locator("#meta-evidence-uri").inner_text() == dispute["meta_evidence_uri"]
    assert page.locator("section.round").count() == dispute["rounds"] == 1
    assert "No panel drawn yet." in page.locator("section.round").inner_text()
    # The evidence period's countdown, ticking in the browser.
    countdown = page.locator("section.round .countdown").first
    page.wait_for_function("() => document.querySelector('.countdown').textContent.length > 0")
    assert countdown.inner_text() == "passed" or countdown.inner_text().startswith("in ")


def test_dispute__an_unknown_dispute_is_a_clear_404(page, web):
    response = page.goto(web + "/disputes/999")
    assert response.status == 404
    assert page.locator(".error").inner_text() == "no dispute 999 in the ledger"
