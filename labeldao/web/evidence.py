"""The MetaEvidence document a dispute page and the juror page show."""

from __future__ import annotations

from typing import Any

from labeldao.metaevidence import COMPUTE_DOCUMENT, TASK_TEMPLATE, MetaEvidence


def meta_evidence_of(row: dict[str, Any]) -> MetaEvidence | None:
    """The MetaEvidence document of a dispute's kind: a task's quality or a
    compute report's fraud. (The database holds no MetaEvidence URI: a task's
    own document is the task template filled in; the question and the
    choices are the template's.)"""
    if row.get("task_id") is not None:
        path = TASK_TEMPLATE
    elif row.get("node_id") is not None:
        path = COMPUTE_DOCUMENT
    else:
        return None
    return MetaEvidence.parse(path.read_bytes(), path.name)
