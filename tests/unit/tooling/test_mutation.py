"""labeldao.assurance.mutation: what counts as a mutant, how the sample is
drawn, how survivors are classified and how the report reads."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from labeldao.assurance import mutation
from labeldao.assurance.anchors import Anchor, normalized
from labeldao.assurance.mutation import (
    EQUIVALENT,
    KILLED,
    SAME_BYTECODE,
    STILLBORN,
    SURVIVED,
    TIMEOUT,
    Draw,
    Equivalence,
    Mutant,
    Outcome,
    Run,
    changed_line,
    classify,
    code_lines,
    code_mutants,
    docstring_lines,
    enclosing_function,
    is_code_change,
    load_equivalents,
    ordered_tests,
    render,
    seeded_order,
    select,
    tally,
    well_formed,
    wilson,
)

SOURCE = '''# pragma version ~=0.4.3
"""
@title Demo
"""

# @dev a counter
count: public(uint256)


@external
def bump(n: uint256) -> uint256:
    """
    @notice Adds `n`.
    """
    assert n > 0, "demo: zero"  # no empty bumps
    self.count += n
    return self.count
'''
TARGET = "contracts/Demo.vy"


def _replace(line: int, text: str) -> str:
    lines = SOURCE.splitlines(keepends=True)
    lines[line - 1] = text + "\n"
    return "".join(lines)


def _mutant(number: int, line: int = 16, after: str = "    self.count -= n") -> Mutant:
    before = SOURCE.splitlines()[line - 1]
    return Mutant(TARGET, number, line, before, after, enclosing_function(SOURCE, line) or "")


# --- what counts as a mutant -------------------------------------------------


def test_changed_line__one_line_rewritten__returns_it():
    mutant = _replace(16, "    self.count -= n")
    assert changed_line(SOURCE, mutant) == (16, "    self.count += n", "    self.count -= n")


def test_changed_line__two_lines_or_a_line_removed__returns_none():
    twice = _replace(16, "    self.count -= n").replace("return self.count", "return 0")
    assert changed_line(SOURCE, twice) is None
    assert changed_line(SOURCE, SOURCE.replace("    self.count += n\n", "")) is None


def test_docstring_lines__module_and_function_docstrings__are_listed():
    assert docstring_lines(SOURCE) == {2, 3, 4, 12, 13, 14}


def test_is_code_change__comment_or_spacing_only__is_false():
    assert not is_code_change(
        '    assert n > 0, "demo: zero"  # no empty bumps',
        '    assert n > 0, "demo: zero"  # no bumps',
    )
    assert not is_code_change("    self.count += n", "    self.count  +=  n")
    assert not is_code_change("# @dev a counter", "# @dev a  ounter")


def test_is_code_change__operator_or_open_bracket__is_true():
    assert is_code_change("    self.count += n", "    self.count -= n")
    assert is_code_change("x: uint256 = (", "x: int256 = (")
    assert is_code_change("    return self.count", "    pass")


def test_code_mutants__drops_docstring_and_comment_mutants__keeps_code():
    generated = [
        (0, _replace(3, "@title Demo!")),  # docstring text
        (1, _replace(2, '""')),  # a docstring's quotes: text, not code
        (2, _replace(6, "# @dev a  counter")),  # comment
        (3, _replace(15, '    assert n > 0, "demo: zero"  # bumps')),  # trailing comment
        (4, _replace(16, "    self.count -= n")),  # code
        (5, _replace(15, '    assert n >= 0, "demo: zero"  # no empty bumps')),  # code
    ]
    kept = code_mutants(TARGET, SOURCE, generated)
    assert [(m.number, m.line) for m in kept] == [(4, 16), (5, 15)]
    assert kept[0].source(SOURCE) == generated[4][1]


# --- selection ------------------------------------------------------------------


def _many(n: int) -> list[Mutant]:
    return [_mutant(i, after=f"    self.count = {i}") for i in range(n)]


def test_select__same_seed__same_sample_in_same_order():
    first, _ = select(_many(50), 10, seed=3, original=SOURCE, parse=lambda s: True)
    again, _ = select(list(reversed(_many(50))), 10, seed=3, original=SOURCE, parse=lambda s: True)
    assert [m.number for m in first] == [m.number for m in again]
    assert len(first) == 10


def test_select__other_seed__other_sample():
    first, _ = select(_many(50), 10, seed=3, original=SOURCE, parse=lambda s: True)
    other, _ = select(_many(50), 10, seed=4, original=SOURCE, parse=lambda s: True)
    assert [m.number for m in first] != [m.number for m in other]


def test_select__unparseable_mutants__are_skipped_and_returned_as_stillborn():
    def parse(source: str) -> bool:
        return "self.count = 1\n" not in source and "self.count = 2\n" not in source

    chosen, broken = select(_many(5), None, seed=1, original=SOURCE, parse=parse)
    assert sorted(m.number for m in chosen) == [0, 3, 4]
    assert sorted(m.number for m in broken) == [1, 2]


def _draw(n: int, quota: int, parse=lambda s: True) -> Draw:
    target = mutation.TARGETS[0]
    return Draw(target, seeded_order(_many(n), 5), quota, SOURCE, parse=parse)


def _finish(draw: Draw, stillborn: set[int], order: str = "fifo") -> None:
    """Runs `draw` to its quota with two jobs in flight at a time, mutants
    numbered in `stillborn` failing to compile; `order`: which of the two
    in-flight results comes back first."""
    flight: list[tuple[int, Mutant]] = []
    while draw.wants_more() or flight:
        while draw.wants_more() and len(flight) < 2:
            taken = draw.take()
            if taken is None:
                break
            flight.append(taken)
        if not flight:
            break
        position, mutant = flight.pop(0 if order == "fifo" else -1)
        status = STILLBORN if mutant.number in stillborn else KILLED
        draw.done(position, {"status": status})


def test_draw__takes_mutants_in_seeded_order_until_quota_compile():
    draw = _draw(40, quota=5)
    order = [m.number for m in draw.order]
    stillborn = set(order[:7:2])  # 1st, 3rd, 5th and 7th of the order
    _finish(draw, stillborn)
    sample = draw.sample()
    compiled = [m.number for m, r in sample if r["status"] != STILLBORN]
    assert len(compiled) == 5
    assert [m.number for m, _ in sample] == order[: len(sample)]  # a prefix of the order
    assert sample[-1][1]["status"] != STILLBORN  # cut right after the 5th that compiled
    assert {m.number for m, r in sample if r["status"] == STILLBORN} == stillborn


def test_draw__results_in_another_order__same_sample():
    fifo, lifo = _draw(40, quota=6), _draw(40, quota=6)
    stillborn = {m.number for m in fifo.order[1:12:3]}
    _finish(fifo, stillborn, "fifo")
    _finish(lifo, stillborn, "lifo")
    assert [m.key for m, _ in fifo.sample()] == [m.key for m, _ in lifo.sample()]


def test_draw__unparseable_mutants__are_recorded_stillborn_without_running():
    draw = _draw(6, quota=2, parse=lambda s: "self.count = 1\n" not in s)
    ran = []
    while draw.wants_more():
        taken = draw.take()
        if taken is None:
            break
        ran.append(taken[1].number)
        draw.done(taken[0], {"status": KILLED})
    assert 1 not in ran and len(ran) == 2
    skipped = [(m.number, r) for m, r in draw.sample() if r["status"] == STILLBORN]
    assert skipped in ([], [(1, {"status": STILLBORN, "test": "does not parse"})])


def test_draw__file_with_too_few_compiling_mutants__takes_them_all():
    draw = _draw(5, quota=10)
    _finish(draw, stillborn={0, 1})
    assert not draw.wants_more() and draw.take() is None
    assert sorted(m.number for m, _ in draw.sample()) == [0, 1, 2, 3, 4]


def test_draw__in_flight_jobs_count_towards_the_quota():
    draw = _draw(10, quota=2)
    draw.take()
    draw.take()
    assert not draw.wants_more()  # two running may be enough


def test_enclosing_function__body_line__names_the_function_module_line__none():
    assert enclosing_function(SOURCE, 16) == "bump"  # self.count += n
    assert enclosing_function(SOURCE, 11) == "bump"  # the def line itself
    assert enclosing_function(SOURCE, 7) is None  # count: public(uint256)


def test_ordered_tests__files_named_like_the_function__run_first_dirs_expanded(tmp_path: Path):
    area = tmp_path / "tests" / "unit" / "court"
    area.mkdir(parents=True)
    for name in ("test_appeals.py", "test_draw.py", "test_disputes.py", "helpers.py"):
        (area / name).write_text("")
    target = mutation.Target("contracts/X.vy", "X", ("tests/unit/court",))
    assert ordered_tests(target, "_draw_seats", root=tmp_path) == [
        "tests/unit/court/test_draw.py",
        "tests/unit/court/test_appeals.py",
        "tests/unit/court/test_disputes.py",
    ]
    assert ordered_tests(target, "createDispute", root=tmp_path)[0] == (
        "tests/unit/court/test_disputes.py"
    )
    assert len(ordered_tests(target, None, root=tmp_path)) == 3  # every file, once


def test_select__per_file_larger_than_population__takes_all():
    chosen, broken = select(_many(4), 10, seed=1, original=SOURCE, parse=lambda s: True)
    assert sorted(m.number for m in chosen) == [0, 1, 2, 3]
    assert broken == []


def test_parses__real_vyper_parser__accepts_source_rejects_broken():
    assert mutation.parses(SOURCE)
    assert not mutation.parses(_replace(16, "    self.count +="))


# --- classification and statistics ----------------------------------------------


def test_load_equivalents__entries_with_reasons__are_loaded(tmp_path: Path):
    path = tmp_path / "eq.toml"
    path.write_text(
        '[[mutant]]\nfile = "contracts/Demo.vy"\nfunction = "bump"\n'
        'before = "self.count += n"\nafter = "self.count -= n"\nreason = "never observable"\n'
    )
    assert load_equivalents(path) == [
        Equivalence(TARGET, "bump", "self.count += n", "self.count -= n", "never observable")
    ]


def test_load_equivalents__entry_without_reason__raises(tmp_path: Path):
    path = tmp_path / "eq.toml"
    path.write_text('[[mutant]]\nfile = "contracts/Demo.vy"\nbefore = "y"\nafter = "x"\n')
    with pytest.raises(ValueError, match="without a reason"):
        load_equivalents(path)


def test_load_equivalents__committed_file__parses_and_every_entry_matches_a_source_line():
    root = Path(mutation.__file__).resolve().parents[2]
    entries = load_equivalents() + load_equivalents(table="survivor")
    assert entries
    for entry in entries:
        source = (root / entry.target).read_text()
        anchor = Anchor(entry.target, entry.function, normalized(entry.before))
        assert anchor.lines(source), entry  # the line is still there
        assert normalized(entry.after) != normalized(entry.before), entry  # a real mutation


def test_classify__survivor_matching_an_equivalence__becomes_equivalent():
    mutant = _mutant(7)
    eq = [Equivalence(TARGET, "bump", "self.count += n", "self.count  -=  n  # x", "reason")]
    outcome = classify(Outcome(mutant.key, SURVIVED, 1.0), mutant, eq)
    assert (outcome.status, outcome.reason) == (EQUIVALENT, "reason")


def test_classify__killed_or_other_line__is_unchanged():
    mutant = _mutant(7)
    eq = [Equivalence(TARGET, "other", "self.count += n", "self.count -= n", "reason")]
    assert classify(Outcome(mutant.key, SURVIVED), mutant, eq).status == SURVIVED
    eq = [Equivalence(TARGET, "bump", "self.count += n", "self.count *= n", "reason")]
    assert classify(Outcome(mutant.key, SURVIVED), mutant, eq).status == SURVIVED
    eq = [Equivalence(TARGET, "bump", "self.count += n", "self.count -= n", "reason")]
    assert classify(Outcome(mutant.key, KILLED), mutant, eq).status == KILLED


def test_wilson__known_values():
    low, high = wilson(95, 100)  # 0.888 - 0.978 (Newcombe 1998, table I)
    assert (low, high) == (pytest.approx(0.8883, abs=2e-4), pytest.approx(0.9785, abs=2e-4))
    assert wilson(0, 0) == (0.0, 1.0)
    low, high = wilson(10, 10)
    assert (low, high) == (pytest.approx(0.7225, abs=2e-4), pytest.approx(1.0))


def test_tally__timeouts_count_as_killed__stillborn_and_equivalent_leave_the_ratio():
    t = tally([KILLED, TIMEOUT, SURVIVED, STILLBORN, EQUIVALENT, SAME_BYTECODE, "error"])
    assert (t.killed, t.timeouts, t.survived) == (2, 1, 1)
    assert (t.stillborn, t.equivalent, t.errors) == (1, 2, 1)
    assert t.scored == 3
    assert t.ratio == pytest.approx(2 / 3)


# --- the report --------------------------------------------------------------------


def _run() -> Run:
    mutants = [_mutant(1), _mutant(2, line=15, after="    pass"), _mutant(3, line=17)]
    mutants[2] = Mutant(TARGET, 3, 17, "    return self.count", "    return 0")
    return Run(
        command="make mutate",
        date="2026-01-01 00:00 UTC",
        seed=8,
        per_file=15,
        versions={"vyper": "0.4.3"},
        seconds=120.0,
        workers=2,
        baselines={"contracts/RewardToken.vy": 10.0},
        timeouts={"contracts/RewardToken.vy": 60.0},
        generated={"contracts/RewardToken.vy": 40},
        mutants=[
            Mutant("contracts/RewardToken.vy", m.number, m.line, m.before, m.after, "bump")
            for m in mutants
        ],
        outcomes=[
            Outcome("RewardToken.1", KILLED, 2.0, "tests/unit/token/test_x.py::test_y"),
            Outcome("RewardToken.2", SURVIVED, 9.0),
            Outcome("RewardToken.3", TIMEOUT, 60.0),
        ],
    )


def test_render__table_ratio_and_survivors():
    text = render(_run())
    assert "**Kill ratio: 2 / 3 = 66.7 %" in text
    assert "| contracts/RewardToken.vy | 40 | 3 | 0 | 0 | 2 (1) | 1 | 66.7 % |" in text
    assert "- `contracts/RewardToken.vy:15` (RewardToken.2)" in text
    assert "  - after: `pass`" in text
    assert "seeded order, taken until 15 of them are scored" in text


def test_render__no_survivor__says_none():
    run = _run()
    run.outcomes[1] = Outcome("RewardToken.2", KILLED, 1.0)
    text = render(run)
    assert "## Survivors\n\nNone." in text
    assert "**Kill ratio: 3 / 3 = 100.0 %" in text


def test_run__json_round_trip__keeps_everything():
    run = _run()
    again = Run.from_json(run.to_json())
    assert again == run
    assert json.loads(run.to_json())["outcomes"][0]["test"].endswith("test_y")


def test_render__survivor_killed_on_rerun__is_listed_with_its_test():
    run = _run()
    run.outcomes[1] = Outcome("RewardToken.2", KILLED, 1.0, "rerun: tests/unit/token/t.py::test_z")
    text = render(run)
    assert "## Mutants run again with the current tests and harness (`--rerun`)" in text
    assert "killed by `tests/unit/token/t.py::test_z`" in text


def _repo(tmp_path: Path) -> Path:
    """A repository with every part a sandbox copies (directories hold one
    file named after them)."""
    root = tmp_path / "repo"
    for part in mutation.SANDBOX_PARTS:
        if "." in part:
            (root / part).parent.mkdir(parents=True, exist_ok=True)
            (root / part).write_text("[tool]" if part.endswith(".toml") else "{}")
        else:
            (root / part).mkdir(parents=True)
            (root / part / "f.txt").write_text(part)
    return root


def test_make_sandbox__copies_sources_and_links_node_modules(tmp_path: Path):
    root = _repo(tmp_path)
    (root / "node_modules").mkdir()
    (root / "contracts" / "__pycache__").mkdir()
    box = mutation.make_sandbox(root, tmp_path / "box")
    (box / "contracts" / "f.txt").write_text("mutated")
    assert (root / "contracts" / "f.txt").read_text() == "contracts"  # a copy
    assert (box / "node_modules").is_symlink()
    assert (box / "pyproject.toml").read_text() == "[tool]"
    assert (box / "deployments" / "f.txt").read_text() == "deployments"  # params the tests read
    assert (box / "abi" / "f.txt").read_text() == "abi"  # the clients' ABI files
    assert (box / "docs" / "events.toml").read_text() == "[tool]"  # a file in a folder
    assert not (box / "contracts" / "__pycache__").exists()


def test_make_sandbox__again__restores_sources_and_keeps_the_compile_cache(tmp_path: Path):
    root = _repo(tmp_path)
    box = mutation.make_sandbox(root, tmp_path / "box")
    (box / "contracts" / "f.txt").write_text("mutated")
    (box / ".boa-cache").mkdir()
    (box / ".boa-cache" / "entry").write_text("compiled")
    mutation.make_sandbox(root, box)
    assert (box / "contracts" / "f.txt").read_text() == "contracts"
    assert (box / ".boa-cache" / "entry").read_text() == "compiled"


def test_render__survivor_note__is_shown_and_it_stays_a_survivor():
    note = Equivalence(
        "contracts/RewardToken.vy", "bump", SOURCE.splitlines()[14], "pass", "unreachable"
    )
    text = render(_run(), notes=[note])
    assert "  - why it does not matter: unreachable" in text
    assert "**Kill ratio: 2 / 3 = 66.7 %" in text


def test_load_equivalents__survivor_table__is_separate(tmp_path: Path):
    path = tmp_path / "eq.toml"
    path.write_text(
        '[[survivor]]\nfile = "contracts/Demo.vy"\nbefore = "y"\nafter = "x"\nreason = "why"\n'
    )
    assert load_equivalents(path) == []
    assert load_equivalents(path, table="survivor") == [Equivalence(TARGET, "", "y", "x", "why")]


def test_render__after_rerun__also_gives_the_sample_runs_own_ratio():
    run = _run()
    run.outcomes[1] = Outcome("RewardToken.2", KILLED, 1.0, "rerun: t.py::test_z", first=SURVIVED)
    text = render(run)
    assert "**Kill ratio: 3 / 3 = 100.0 %" in text
    assert "The sample run itself scored 2 / 3 = 66.7 %" in text


# --- the code-line mask (fewer stillborn mutants) ---------------------------------


def test_code_lines__docstrings_comments_blank_lines_and_pragma__are_not_code():
    assert code_lines(SOURCE) == {7, 10, 11, 15, 16, 17}


def test_well_formed__rewrites_that_cannot_be_vyper__are_masked():
    masked = [
        ("    value: uint256 = self.value_of[request_id]", "    value: uint256 = self.value_of[]"),
        ("value_of: public(HashMap[uint256, uint256])", "selfdestruct(msg.sender);"),
        ("    if a >= b:", "    if a <== b:"),
        ("DELAY: public(immutable(uint256))", "DELAY: public(immutable(uint(256+1)))"),
        ("    return self.x != 0 or y", "    reFalse or y"),
        ("from .interfaces import IRandomness", "from .uinterfaces import IRandomness"),
        ('    assert x, "demo: zero"', '    assert x, ""'),
        ("@external", "pass"),
        ("    return value", "    return"),
        ("    if a:", ""),
        ("    return a", "    return None"),
        ("    if a:", "    pass"),  # the block's body would be left without a header
        ("    target: uint256 = a + b", "    pass"),  # `target` is used further down
        ("    return x or y", "    x or y"),  # Vyper: only a call is a statement
        ("    if value == 0:", "    if value == -1:"),  # no signed integer in the file
        ("    return 0", "    return (0-1)"),
        ("x: public(HashMap[uint256, uint256])", "x: public(HashMap[uint256])"),
        ("x: public(HashMap[uint256, uint256])", "x: public ( uint256,HashMap[uint256])"),
    ]
    for before, after in masked:
        assert not well_formed(before, after), (before, after)


def test_well_formed__ordinary_mutations__pass():
    kept = [
        ("    self.count += n", "    self.count -= n"),
        ("    if a >= b:", "    if a > b:"),
        ("X: constant(uint256) = 2**40 - 1", "X: constant(uint256) = 2**(40-1) - 1"),
        ('    assert n > 0, "demo: zero"', '    assert n >= 0, "demo: zero"'),
        ("@payable", ""),
        ("    return a and b", "    return a or b"),
        ("x: public(HashMap[uint256, uint256])", "x: HashMap[uint256, uint256]"),
        ("    return convert(a, uint256)", "    return convert(b, uint256)"),
        ("    self.count += n", "    pass"),
        ("    amount: uint256,", "    amount: address,"),  # inside brackets: same balance
        ("    log Bumped(n=n)", "    log Bumped(n=0)"),  # not Python: left to the parser
    ]
    for before, after in kept:
        assert well_formed(before, after), (before, after)
    assert well_formed("    x: int256 = 0", "    x: int256 = -1", signed=True)


def test_code_mutants__mask_drops_malformed_rewrites__without_mask_keeps_them():
    generated = [
        (4, _replace(16, "    self.count -= n")),
        (6, _replace(16, "    self.count += ;")),
        (7, _replace(7, "count: public(uint(256+1))")),
    ]
    assert [m.number for m in code_mutants(TARGET, SOURCE, generated)] == [4]
    assert [m.number for m in code_mutants(TARGET, SOURCE, generated, mask=False)] == [4, 6, 7]


# --- keys that survive edits --------------------------------------------------------


def test_equivalence__lines_inserted_above__still_matches_the_same_mutation():
    note = Equivalence(TARGET, "bump", "self.count += n", "self.count -= n", "reason")
    edited = SOURCE.replace(
        "count: public(uint256)\n", "count: public(uint256)\ntotal: public(uint256)\n\n# note\n"
    )
    moved = code_mutants(
        TARGET, edited, [(9, edited.replace("self.count += n", "self.count -= n"))]
    )
    assert moved[0].line == 19 and moved[0].line != _mutant(1).line
    assert note.matches(moved[0])
    outcome = classify(Outcome(moved[0].key, SURVIVED), moved[0], [note])
    assert outcome.status == EQUIVALENT


def test_equivalence__same_text_in_another_function__does_not_match():
    source = SOURCE + "\n\n@external\ndef other(n: uint256):\n    self.count += n\n"
    head, _, tail = source.rpartition("self.count += n")
    (last,) = code_mutants(TARGET, source, [(2, head + "self.count -= n" + tail)])
    note = Equivalence(TARGET, "bump", "self.count += n", "self.count -= n", "reason")
    assert last.function == "other" and not note.matches(last)


# --- a quota of scored mutants per file -----------------------------------------------


def test_draw__scored_quota__stillborn_and_equivalent_mutants_do_not_count():
    note = Equivalence(TARGET, "bump", "self.count += n", "    self.count = 3", "dead")
    draw = Draw(
        mutation.TARGETS[0],
        seeded_order(_many(30), 5),
        4,
        SOURCE,
        parse=lambda s: True,
        counts=mutation.scored_by([note]),
    )
    verdict = {0: STILLBORN, 1: SAME_BYTECODE, 2: SURVIVED, 3: SURVIVED, 5: "error"}
    while draw.wants_more():
        position, mutant = draw.take()
        draw.done(position, {"status": verdict.get(mutant.number, KILLED)})
    sample = draw.sample()
    scored = [m for m, r in sample if mutation.scored_by([note])(m, r)]
    assert len(scored) == 4
    assert 3 not in [m.number for m in scored]  # survived, but equivalent by hand
    assert sample[-1][0] in scored  # cut right after the 4th scored one


def test_resume__keeps_the_earlier_sample_and_draws_on_after_it():
    """`--top-up`: the earlier sample's results stay (a hand classification
    undone: the current table decides), and the draw continues after them."""
    draw = Draw(
        mutation.TARGETS[0],
        seeded_order(_many(30), 5),
        4,
        SOURCE,
        parse=lambda s: True,
        counts=mutation.scored_by([]),
    )
    first, second, third = draw.order[:3]
    earlier = {
        first.key: Outcome(first.key, KILLED, 1.0, "tests/a.py::t"),
        second.key: Outcome(second.key, STILLBORN, 0.0, "TypeMismatch"),
        third.key: Outcome(third.key, EQUIVALENT, 2.0, reason="dead", first=SURVIVED),
        "other.1": Outcome("other.1", KILLED),  # another file's: ignored
    }
    mutation.resume(draw, earlier)
    assert (draw.position, draw.counted()) == (3, 2)  # killed, and the unclassified survivor
    while draw.wants_more():
        position, mutant = draw.take()
        draw.done(position, {"status": KILLED})
    sample = draw.sample()
    assert [m for m, _ in sample] == draw.order[:5]  # two more to reach 4 scored
    assert sample[2][1] == {"status": SURVIVED, "seconds": 2.0, "test": "", "first": SURVIVED}


def test_top_up__a_file_changed_since_its_sample__is_refused(tmp_path):
    token = mutation.TARGETS[0]
    run = replace(_run(), sources={token.path: mutation.source_digest("old source")})
    saved = tmp_path / "run.json"
    saved.write_text(run.to_json())
    assert mutation._earlier_outcomes(saved, [token], {token.path: "old source"})
    with pytest.raises(SystemExit, match="changed since its sample"):
        mutation._earlier_outcomes(saved, [token], {token.path: "new source"})


def test_top_up__without_merge__is_a_usage_error():
    with pytest.raises(SystemExit):
        mutation.main(["--top-up", "--only", "RewardToken"])


def test_estimate__mutants_times_baseline_over_workers():
    targets = mutation.TARGETS[:2]
    baselines = {targets[0].path: 20.0, targets[1].path: 10.0}
    hours = mutation.estimate_hours(targets, 40, baselines, workers=2)
    assert hours == pytest.approx(40 * 30.0 / 2 / 3600)


# --- merging a run of the files that changed (`--merge`) ----------------------------


def _court_run() -> Run:
    """A run of one other file, QualityCourt, with the same seed and sample size."""
    court = "contracts/QualityCourt.vy"
    return replace(
        _run(),
        command="python -m labeldao.assurance.mutation --only QualityCourt --merge",
        date="2026-01-02 00:00 UTC",
        seconds=60.0,
        baselines={court: 30.0},
        timeouts={court: 90.0},
        generated={court: 70},
        mutants=[Mutant(court, 7, 20, "    x: uint256 = 1", "    x: uint256 = 2", "f")],
        outcomes=[Outcome("QualityCourt.7", KILLED, 3.0, "tests/unit/court/test_a.py::test_b")],
        sources={court: "c0ffee"},
        parts=["court part"],
    )


def test_merge__keeps_other_files__replaces_the_rerun_files():
    old = _run()
    old.sources = {"contracts/RewardToken.vy": "abc"}
    old.parts = ["token part"]
    merged = mutation.merge(old, _court_run())
    assert [m.key for m in merged.mutants] == [
        "RewardToken.1",
        "RewardToken.2",
        "RewardToken.3",
        "QualityCourt.7",
    ]
    assert merged.generated == {"contracts/RewardToken.vy": 40, "contracts/QualityCourt.vy": 70}
    assert merged.sources == {
        "contracts/RewardToken.vy": "abc",
        "contracts/QualityCourt.vy": "c0ffee",
    }
    assert merged.parts == ["token part", "court part"]
    assert merged.seconds == 180.0
    text = render(merged)
    assert "**Kill ratio: 3 / 4 = 75.0 %" in text
    assert "  - token part\n  - court part" in text


def test_merge__a_file_run_again__drops_its_old_mutants():
    old = mutation.merge(_run(), _court_run())
    again = _court_run()
    again.outcomes = [Outcome("QualityCourt.7", SURVIVED, 9.0)]
    merged = mutation.merge(old, again)
    assert [o.status for o in merged.outcomes if o.key.startswith("QualityCourt")] == [SURVIVED]
    assert len(merged.mutants) == 4


def test_merge__other_seed__is_refused():
    other = _court_run()
    other.seed = 9
    with pytest.raises(SystemExit, match="seed 8"):
        mutation.merge(_run(), other)


def test_stale_targets__changed_source__is_named_and_rendered(tmp_path: Path):
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "A.vy").write_text("a = 1\n")
    (tmp_path / "contracts" / "B.vy").write_text("b = 1\n")
    run = _run()
    run.sources = {
        "contracts/A.vy": mutation.source_digest("a = 1\n"),
        "contracts/B.vy": mutation.source_digest("b = 0\n"),
    }
    assert mutation.stale_targets(run, tmp_path) == ["contracts/B.vy"]
    assert "**Stale:** these files changed after their mutants ran: `contracts/B.vy`" in render(
        run, stale=["contracts/B.vy"]
    )
