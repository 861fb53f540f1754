"""The MetaEvidence document a dispute page and the juror page show."""

from __future__ import annotations

from typing import Any

from labeldao.metaevidence import COMPUTE_DOCUMENT, TASK_TEMPLATE, MetaEvidence


def meta_evidence_of(row: dict[str, Any]) -> MetaEvidence | None:
    """The MetaEvidence document of a dispute's kind: a task's quality or a
    compute report's fraud. (The page shows the dispute's indexed MetaEvidence
    URI beside it; the question and the choices shown are the committed
    template's, which a task's own document fills in, so the page reads no
    URI while it renders.)"""
    if row.get("task_id") is not None:
        path = TASK_TEMPLATE
    elif row.get("node_id") is not None:
        path = COMPUTE_DOCUMENT
    else:
        return None
    return MetaEvidence.parse(path.read_bytes(), path.name)
