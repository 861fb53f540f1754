"""labeldao.assurance.mutation_worker: the compile cache sees every module."""

from pathlib import Path

import boa
import pytest

from labeldao.assurance import mutation_worker


def _fingerprint(path: Path) -> str:
    data = boa.load_partial(str(path)).compiler_data
    return mutation_worker._tree_fingerprint(data.annotated_vyper_module._metadata["type"])


def test_tree_fingerprint__changes_with_a_nested_module_only(tmp_path: Path, monkeypatch):
    modules = tmp_path / "contracts" / "modules"
    modules.mkdir(parents=True)
    top = tmp_path / "contracts" / "Top.vy"
    top.write_text("from .modules import a\n\n@external\ndef f() -> uint256:\n    return a.Y\n")
    (modules / "a.vy").write_text("from . import b\nY: constant(uint256) = b.X\n")
    (modules / "b.vy").write_text("X: constant(uint256) = 1\n")
    (modules / "other.vy").write_text("Z: constant(uint256) = 1\n")
    monkeypatch.chdir(tmp_path)
    first = _fingerprint(top)
    assert _fingerprint(top) == first
    # A file the contract does not import leaves its cache key alone.
    (modules / "other.vy").write_text("Z: constant(uint256) = 2\n")
    assert _fingerprint(top) == first
    # A module imported through another one changes it.
    (modules / "b.vy").write_text("X: constant(uint256) = 2\n")
    assert _fingerprint(top) != first


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


_PROGRAM = """# pragma version ~=0.4.3
x: public(uint256)

@external
def f(n: uint256):
    # a comment
    self.x = n
"""


def _compiled(source: str) -> bytes:
    import vyper

    out = vyper.compile_code(source, output_formats=["bytecode", "bytecode_runtime"])
    deploy = bytes.fromhex(out["bytecode"].removeprefix("0x"))
    return mutation_worker.without_metadata(deploy) + bytes.fromhex(
        out["bytecode_runtime"].removeprefix("0x")
    )


def test_without_metadata__a_comment_or_pass__compares_equal_a_real_change_does_not():
    original = _compiled(_PROGRAM)
    assert _compiled(_PROGRAM.replace("# a comment", "# another comment")) == original
    assert _compiled(_PROGRAM.replace("    # a comment", "    pass")) == original
    assert _compiled(_PROGRAM.replace("self.x = n", "self.x = n + 1")) != original


def test_without_metadata__raw_bytecode__strips_the_length_prefixed_tail():
    assert mutation_worker.without_metadata(b"\x60\x00" + b"\xa1\x01" + b"\x00\x02") == b"\x60\x00"
    with pytest.raises(ValueError, match="no CBOR metadata"):
        mutation_worker.without_metadata(b"\x00\x09")


def test_claim__each_live_process_holds_its_own_sandbox(tmp_path: Path, monkeypatch):
    boxes = [str(tmp_path / "sandbox-0"), str(tmp_path / "sandbox-1")]
    for box in boxes:
        Path(box).mkdir()
    held: list = []
    monkeypatch.setattr(mutation_worker, "_CLAIM", held)
    try:
        assert mutation_worker.claim(boxes) == 0
        assert mutation_worker.claim(boxes) == 1
        with pytest.raises(RuntimeError, match="no free sandbox"):
            mutation_worker.claim(boxes, wait=0.2)
        held.pop(0).close()  # the process holding sandbox-0 is gone
        assert mutation_worker.claim(boxes, wait=0.2) == 0
    finally:
        for handle in held:
            handle.close()
