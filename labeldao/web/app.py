"""The web app (issue 17): public pages rendered on the server from the
indexer's database, read through `labeldao.indexer.queries` only.

The wallet pages (juror, requester, annotator, provider, maintenance) are
in `wallet_pages`; the server holds no key and no secret: they sign in the
browser (EIP-1193, static/wallet.js) and send transactions from there.
htmx (vendored in static/) loads page fragments (`/fragments/...`); charts
are SVG drawn here (`charts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from sqlalchemy import Engine

from labeldao.indexer import queries
from labeldao.indexer.store import connect, database_url
from labeldao.web import reads
from labeldao.web.charts import bar_chart
from labeldao.web.evidence import meta_evidence_of
from labeldao.web.wallet_pages import ROUTES as WALLET_ROUTES

HERE = Path(__file__).resolve().parent
DECIMALS = 10**18


def ldao(amount: int | None) -> str:
    """A token amount (18 decimals) as LDAO with at most 4 decimals."""
    if amount is None:
        return "—"
    whole, rest = divmod(int(amount), DECIMALS)
    fraction = f"{rest * 10_000 // DECIMALS:04d}".rstrip("0")
    return f"{whole:,}" + (f".{fraction}" if fraction else "")


def when(timestamp: int | None) -> str:
    """A unix time as UTC date and time."""
    if not timestamp:
        return "—"
    return datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d %H:%M UTC")


def short(address: str | None) -> str:
    """0x1234…abcd."""
    return f"{address[:6]}…{address[-4:]}" if address else "—"


def _engine(state: State) -> Engine:
    return state.engine


def _work_chart(epochs: list[dict[str, Any]]) -> Any:
    totals: dict[int, int] = {}
    for row in epochs:
        totals[row["epoch"]] = totals.get(row["epoch"], 0) + int(row["units"] or 0)
    return bar_chart(
        [(f"epoch {e}", units) for e, units in sorted(totals.items())],
        title="Work units reported per registry epoch",
        unit="units",
        chart_id="work-per-epoch",
    )


@get("/", name="dashboard", sync_to_thread=True)
def dashboard(state: State) -> Template:
    engine = _engine(state)
    return Template(
        "dashboard.html",
        context={
            "counts": queries.overview(engine),
            "work_chart": _work_chart(queries.epochs(engine)),
            "providers": queries.top_providers(engine, top=10),
            "disputes": queries.disputes(engine, limit=10),
            "tasks": queries.tasks(engine, limit=10),
        },
    )


@get("/ledger", name="ledger", sync_to_thread=True)
def ledger(state: State) -> Template:
    engine = _engine(state)
    epochs = queries.epochs(engine)
    return Template(
        "ledger.html",
        context={
            "providers": queries.top_providers(engine, top=100),
            "nodes": reads.nodes(engine),
            "epochs": epochs,
            "work_chart": _work_chart(epochs),
        },
    )


@get("/fragments/annotators", name="annotators", sync_to_thread=True)
def annotators(state: State) -> Template:
    """The ledger's annotators, loaded by htmx once the page is shown: a row
    per annotator of the indexer's `annotator_totals` summary."""
    return Template("annotators.html", context={"annotators": queries.annotators(_engine(state))})


@get("/fragments/nodes/{node_id:int}", name="node-epochs", sync_to_thread=True)
def node_epochs(state: State, node_id: FromPath[int]) -> Template:
    rows = queries.node(_engine(state), node_id)
    if not rows:
        raise NotFoundException(f"no node {node_id} in the ledger")
    chart = bar_chart(
        [(f"epoch {r['epoch']}", r["units"]) for r in rows[1:]],
        title=f"Node {node_id}: work units per epoch",
        unit="units",
        chart_id=f"node-{node_id}-chart",
    )
    return Template(
        "node_epochs.html", context={"node": rows[0], "reports": rows[1:], "chart": chart}
    )


@get("/disputes/{dispute_id:int}", name="dispute", sync_to_thread=True)
def dispute(state: State, dispute_id: FromPath[int]) -> Template:
    row = queries.dispute(_engine(state), dispute_id)
    if row is None:
        raise NotFoundException(f"no dispute {dispute_id} in the ledger")
    return Template("dispute.html", context={"d": row, "meta": meta_evidence_of(row)})


def not_found(request: Request, exc: NotFoundException) -> Response:
    return Template("not_found.html", context={"detail": exc.detail}, status_code=404)


def _template_engine(engine: JinjaTemplateEngine) -> None:
    engine.engine.filters["ldao"] = ldao
    engine.engine.filters["short"] = short
    engine.engine.filters["when"] = when
    engine.engine.globals["now"] = lambda: int(datetime.now(UTC).timestamp())


@dataclass(frozen=True)
class WebSettings:
    """What the server needs: the database URL (nothing secret)."""

    database: str


def create_app(url: str | None = None) -> Litestar:
    """The app over the database at `url` ($DATABASE_URL, else the SQLite default)."""
    settings = WebSettings(database_url(url))
    engine = connect(settings.database)
    return Litestar(
        route_handlers=[
            dashboard,
            ledger,
            node_epochs,
            annotators,
            dispute,
            *WALLET_ROUTES,
            create_static_files_router(path="/static", directories=[HERE / "static"]),
        ],
        template_config=TemplateConfig(
            directory=HERE / "templates",
            engine=JinjaTemplateEngine,
            engine_callback=_template_engine,
        ),
        exception_handlers={NotFoundException: not_found},
        state=State({"engine": engine}),
        on_shutdown=[lambda: engine.dispose()],
    )
