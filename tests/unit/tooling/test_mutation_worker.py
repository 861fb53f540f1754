"""labeldao.assurance.mutation_worker: the compile cache sees every module."""

from pathlib import Path

from labeldao.assurance import mutation_worker


def test_tree_fingerprint__changes_with_a_nested_module(tmp_path: Path, monkeypatch):
    modules = tmp_path / "contracts" / "modules"
    modules.mkdir(parents=True)
    (tmp_path / "contracts" / "Top.vy").write_text("from .modules import a\n")
    (modules / "a.vy").write_text("from . import b\n")
    (modules / "b.vy").write_text("X: constant(uint256) = 1\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(mutation_worker, "_BOA_FINGERPRINT", lambda module_t, seen=None: "boa")
    first = mutation_worker._tree_fingerprint(object())
    assert first.startswith("boa")
    assert mutation_worker._tree_fingerprint(object()) == first
    (modules / "b.vy").write_text("X: constant(uint256) = 2\n")
    assert mutation_worker._tree_fingerprint(object()) != first


class _Report:
    def __init__(self, nodeid: str, failed: bool) -> None:
        self.nodeid, self.failed = nodeid, failed


def test_first_failure__keeps_the_first_failing_test_only():
    recorder = mutation_worker.FirstFailure()
    recorder.pytest_runtest_logreport(_Report("t.py::test_passes", False))
    assert recorder.nodeid == ""
    recorder.pytest_runtest_logreport(_Report("t.py::test_fails", True))
    recorder.pytest_runtest_logreport(_Report("t.py::test_fails_later", True))
    assert recorder.nodeid == "t.py::test_fails"
