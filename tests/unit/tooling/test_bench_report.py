"""benchmarks.report.delta_table: every action against its earlier figure, and
a reason for every action more than 5 % dearer."""

from benchmarks.report import NO_REASON, Report, delta_table

BEFORE_BY_SIZE = {
    "stake": {"10": 100_000, "1000": 100_000},
    "draw": {"10": 200_000, "1000": 200_000},
    "vote": {"10": 50_000, "1000": 50_000},
    "gone": {"10": 1, "1000": 1},
}
NOW_BY_SIZE = {
    10: {"stake": 104_000, "draw": 200_000, "vote": 40_000, "new": 7},
    1_000: {"stake": 106_000, "draw": 230_000, "vote": 52_000, "new": 7},
}


def _rows(table) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in table.rows}


def test_delta_table__by_size_shows_the_middle_delta_and_the_worst_size():
    report = Report()
    table = delta_table(
        report, "Court now vs before", BEFORE_BY_SIZE, NOW_BY_SIZE, {"draw": "a bigger panel"},
        unit="jurors",
    )  # fmt: skip
    assert report.tables == [table]
    assert table.columns == [
        "action", "before, 1,000 jurors", "now", "delta", "worst size's delta", "why",
    ]  # fmt: skip
    rows = _rows(table)
    # Only actions measured both times get a row, in the order of the run now.
    assert list(rows) == ["stake", "draw", "vote"]
    # 6 % dearer at 1,000, 4 % at 10: over 5 %, and no reason given.
    assert rows["stake"] == ["100,000", "106,000", "+6.0 %", "+6.0 %", NO_REASON]
    assert rows["draw"] == ["200,000", "230,000", "+15.0 %", "+15.0 %", "a bigger panel"]
    # Cheaper at 10 (-20 %) but 4 % dearer at 1,000: the worst size is the dearest.
    assert rows["vote"] == ["50,000", "52,000", "+4.0 %", "+4.0 %", "-"]


def test_delta_table__the_worst_size_alone_can_need_a_reason():
    before = {"draw": {"10": 100, "1000": 100}}
    now = {10: {"draw": 110}, 1_000: {"draw": 100}}
    table = delta_table(Report(), "t", before, now, {}, unit="jurors")
    assert _rows(table)["draw"] == ["100", "100", "+0.0 %", "+10.0 %", NO_REASON]


def test_delta_table__one_size_has_no_worst_size_column():
    before = {"create": 100_000, "accept": 100_000}
    now = {0: {"create": 104_990, "accept": 105_100}}
    table = delta_table(Report(), "Escrow now vs before", before, now, {})
    assert table.columns == ["action", "before", "now", "delta", "why"]
    rows = _rows(table)
    assert rows["create"] == ["100,000", "104,990", "+5.0 %", "-"]  # under 5 %: no reason needed
    assert rows["accept"] == ["100,000", "105,100", "+5.1 %", NO_REASON]
