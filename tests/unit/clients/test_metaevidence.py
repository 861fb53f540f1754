"""The MetaEvidence documents and the URI reader: the committed documents
state every ruling's meaning as the contracts' NatSpec does, and each kind
of URI resolves (or says why not)."""

from __future__ import annotations

import base64
import json

import pytest

from labeldao.metaevidence import (
    COMPUTE_DOCUMENT,
    TASK_TEMPLATE,
    MetaEvidence,
    MetaEvidenceError,
    generic_choices_help,
    read_uri,
)


@pytest.mark.parametrize("path", [TASK_TEMPLATE, COMPUTE_DOCUMENT])
def test_documents__two_options_and_a_refusal_meaning(path):
    document = MetaEvidence.parse(path.read_bytes())
    assert [c for c, _, _ in document.choices()] == [0, 1, 2]
    assert document.choice_meaning(1).startswith("Ruling 1.")
    assert document.choice_meaning(2).startswith("Ruling 2.")
    assert document.refuse.startswith("Ruling 0")
    assert document.evidence_format


def test_task_document__ruling_1_pays_the_annotator_and_2_rejects():
    document = MetaEvidence.parse(TASK_TEMPLATE.read_bytes())
    assert "annotator is paid the reward" in document.choice_meaning(1)
    assert "REJECTED" in document.choice_meaning(2)
    assert "SPLIT" in document.choice_meaning(0)


def test_generic_help__names_both_kinds():
    text = generic_choices_help()
    assert "1 = Yes: accept the work" in text and "2 = Fraud: the report is false" in text


def test_read_uri__data_file_relative_and_unsupported(tmp_path):
    raw = json.dumps({"question": "q?", "rulingOptions": {"titles": ["a", "b"]}})
    encoded = base64.b64encode(raw.encode()).decode()
    assert read_uri(f"data:application/json;base64,{encoded}") == raw.encode()
    assert read_uri("data:,hello%20there") == b"hello there"
    (tmp_path / "doc.json").write_text(raw)
    assert read_uri((tmp_path / "doc.json").as_uri()) == raw.encode()
    assert read_uri("doc.json", roots=[tmp_path]) == raw.encode()
    assert MetaEvidence.parse(read_uri("doc.json", roots=[tmp_path])).choice_title(2) == "b"
    with pytest.raises(MetaEvidenceError, match="ipfs:// is not supported here"):
        read_uri("ipfs://Qm123")
    with pytest.raises(MetaEvidenceError, match="is not a file under"):
        read_uri("missing.json", roots=[tmp_path])


@pytest.mark.parametrize(
    ("text", "message"),
    [("nope", "is not JSON"), ("[]", "not a JSON object"), ("{}", "no question")],
)
def test_parse__bad_document__says_what_is_wrong(text, message):
    with pytest.raises(MetaEvidenceError, match=message):
        MetaEvidence.parse(text)
