"""ERC-1497 MetaEvidence: what a dispute asks and what each ruling means.

Every arbitrable of LabelDAO logs `MetaEvidence(meta_evidence_id, uri)`
for its kind of dispute and, when a dispute opens, `Dispute(arbitrator,
dispute_id, meta_evidence_id, evidence_group_id)`:

- `TaskEscrow`: one MetaEvidence per task (id = task id, the uri is the
  task's specification, built from `metaevidence/task-quality.json`);
- `ComputeRegistry`: one for every challenge (id `meta_evidence_id()`,
  published at deployment: `metaevidence/compute-fraud.json`).

`MetaEvidenceReader.for_dispute` follows those two events from a court
dispute to its document and resolves the uri: a path (relative to the
reader's roots), `file://`, `data:` (plain or base64) or `http(s)://`.
Nothing here imports Ape or titanoboa: events come from a `LogSource`
(`labeldao.ape_clients.ApeLogs`, or the titanoboa journal of the tests).
"""

from __future__ import annotations

import base64
import json
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from eth_abi import decode
from eth_utils import keccak, to_checksum_address

REPO_ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = REPO_ROOT / "metaevidence"
TASK_TEMPLATE = DOCUMENTS / "task-quality.json"
COMPUTE_DOCUMENT = DOCUMENTS / "compute-fraud.json"
MAX_DOCUMENT_BYTES = 5_000_000
HTTP_TIMEOUT = 10

META_EVIDENCE_TOPIC = keccak(text="MetaEvidence(uint256,string)")
DISPUTE_TOPIC = keccak(text="Dispute(address,uint256,uint256,uint256)")
EVIDENCE_TOPIC = keccak(text="Evidence(address,uint256,address,string)")
TASK_CREATED_TOPIC = keccak(
    text="TaskCreated(uint256,address,uint256,bytes32,uint256,uint256,uint256,uint256,uint256,"
    "uint256,bytes32,uint256)"
)

REFUSE_MEANING = "refuse to arbitrate (a tie: see the dispute's document)"


class MetaEvidenceError(RuntimeError):
    """A document cannot be found, read or understood; the message says which."""


@dataclass(frozen=True)
class RawLog:
    """A log as `eth_getLogs` returns it."""

    address: str
    topics: tuple[bytes, ...]
    data: bytes
    block_number: int = 0
    log_index: int = 0


class LogSource(Protocol):
    """Where events come from (a node's `eth_getLogs`, or a test journal)."""

    def get_logs(self, address: str, topics: Sequence[bytes | None]) -> list[RawLog]:
        """Logs of `address` whose first topics match (None: any), in chain order."""
        ...


def topic_of(value: int | str) -> bytes:
    """An indexed uint256 or address as a 32-byte topic."""
    if isinstance(value, str):
        return bytes(12) + bytes.fromhex(value.removeprefix("0x"))
    return int(value).to_bytes(32, "big")


# ---------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MetaEvidence:
    """An ERC-1497 MetaEvidence document."""

    title: str
    question: str
    titles: tuple[str, ...]
    descriptions: tuple[str, ...]
    description: str = ""
    refuse: str = ""
    evidence_format: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def parse(cls, text: str | bytes, source: str = "the document") -> MetaEvidence:
        try:
            data = json.loads(text)
        except ValueError:
            raise MetaEvidenceError(f"{source} is not JSON") from None
        if not isinstance(data, dict):
            raise MetaEvidenceError(f"{source} is not a JSON object")
        options = data.get("rulingOptions") or {}
        titles = tuple(str(t) for t in options.get("titles") or ())
        descriptions = tuple(str(d) for d in options.get("descriptions") or ())
        question = str(data.get("question") or "")
        if not question or not titles:
            raise MetaEvidenceError(f"{source} has no question or no rulingOptions.titles")
        return cls(
            title=str(data.get("title") or ""),
            question=question,
            titles=titles,
            descriptions=descriptions,
            description=str(data.get("description") or ""),
            refuse=str(data.get("refuseToArbitrate") or ""),
            evidence_format=str(data.get("evidenceFormat") or ""),
            raw=data,
        )

    def choice_title(self, choice: int) -> str:
        """`0` -> refuse, `1` -> the first ruling option's title, ..."""
        if choice == 0:
            return "refuse to arbitrate"
        if 1 <= choice <= len(self.titles):
            return self.titles[choice - 1]
        return f"choice {choice} (not in the document)"

    def choice_meaning(self, choice: int) -> str:
        """What ruling `choice` does, from the document."""
        if choice == 0:
            return self.refuse or REFUSE_MEANING
        if 1 <= choice <= len(self.descriptions):
            return self.descriptions[choice - 1]
        return self.choice_title(choice)

    def choices(self) -> list[tuple[int, str, str]]:
        """Every choice a juror may vote, 0 included: (choice, title, meaning)."""
        return [
            (c, self.choice_title(c), self.choice_meaning(c)) for c in range(len(self.titles) + 1)
        ]

    def summary(self) -> str:
        """One line: the question and each choice's title."""
        options = "; ".join(f"{c} = {t}" for c, t, _ in self.choices())
        return f"{self.question} [{options}]"


def load_template(path: Path = TASK_TEMPLATE) -> dict[str, Any]:
    """A committed MetaEvidence document, as a dict to fill in."""
    return json.loads(path.read_text())


def document_bytes(document: dict[str, Any]) -> bytes:
    """The canonical bytes of a document (what its hash commits to)."""
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


# ---------------------------------------------------------------------------
# URIs
# ---------------------------------------------------------------------------


def read_uri(uri: str, roots: Sequence[Path] = (Path.cwd(), REPO_ROOT)) -> bytes:
    """The bytes behind `uri`: `data:`, `file://`, `http(s)://`, or a path
    (absolute, or relative to one of `roots`)."""
    uri = uri.strip()
    if not uri:
        raise MetaEvidenceError("the URI is empty")
    parsed = urllib.parse.urlparse(uri)
    scheme = parsed.scheme.lower()
    if scheme == "data":
        return _read_data(uri)
    if scheme in ("http", "https"):
        return _read_http(uri)
    if scheme == "file":
        return _read_path(Path(urllib.parse.unquote(parsed.path)), uri)
    if scheme and len(scheme) > 1:  # not a Windows drive letter
        raise MetaEvidenceError(
            f"cannot fetch '{uri}': {scheme}:// is not supported here "
            "(use a path, file://, data: or http(s)://; for ipfs:// use a gateway's https URL)"
        )
    path = Path(uri)
    if path.is_absolute():
        return _read_path(path, uri)
    for root in roots:
        if (root / path).is_file():
            return _read_path(root / path, uri)
    raise MetaEvidenceError(f"'{uri}' is not a file under {', '.join(str(r) for r in roots)}")


def _read_data(uri: str) -> bytes:
    header, sep, payload = uri[5:].partition(",")
    if not sep:
        raise MetaEvidenceError(f"'{uri[:40]}...' is not a data: URI (no comma)")
    if header.endswith(";base64"):
        try:
            return base64.b64decode(payload, validate=True)
        except ValueError:
            raise MetaEvidenceError("the data: URI is not valid base64") from None
    return urllib.parse.unquote_to_bytes(payload)


def _read_http(uri: str) -> bytes:
    try:
        with urllib.request.urlopen(uri, timeout=HTTP_TIMEOUT) as response:
            return response.read(MAX_DOCUMENT_BYTES)
    except OSError as exc:
        raise MetaEvidenceError(f"cannot fetch '{uri}': {exc}") from None


def _read_path(path: Path, uri: str) -> bytes:
    try:
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise MetaEvidenceError(f"'{uri}' is larger than {MAX_DOCUMENT_BYTES} bytes")
        return path.read_bytes()
    except OSError as exc:
        raise MetaEvidenceError(f"cannot read '{uri}': {exc.strerror or exc}") from None


# ---------------------------------------------------------------------------
# From a dispute to its document
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DisputeContext:
    """Where a dispute's MetaEvidence is and what it says (`document` is
    None when it could not be read: `problem` says why)."""

    arbitrable: str
    dispute_id: int
    meta_evidence_id: int | None
    evidence_group_id: int | None
    uri: str | None
    document: MetaEvidence | None
    problem: str | None = None
    content: bytes = b""
    # For a task: whether the document's keccak256 is the task's committed
    # `spec_hash` (None when the arbitrable committed no hash).
    hash_matches: bool | None = None

    def choice_title(self, choice: int) -> str:
        if self.document is None:
            return "refuse to arbitrate" if choice == 0 else f"choice {choice}"
        return self.document.choice_title(choice)

    def question(self) -> str:
        if self.document is None:
            return f"(no MetaEvidence: {self.problem})"
        return self.document.question


@dataclass(frozen=True)
class EvidenceItem:
    """One `Evidence` event of a dispute's evidence group."""

    emitter: str
    party: str
    uri: str
    block_number: int


class MetaEvidenceReader:
    """Finds and reads disputes' MetaEvidence and evidence through `logs`."""

    def __init__(
        self,
        logs: LogSource,
        roots: Sequence[Path] = (Path.cwd(), REPO_ROOT),
        fetch: Callable[[str, Sequence[Path]], bytes] = read_uri,
    ) -> None:
        self.logs = logs
        self.roots = tuple(roots)
        self.fetch = fetch

    def meta_evidence_uri(self, arbitrable: str, meta_evidence_id: int) -> str | None:
        """The URI of an arbitrable's MetaEvidence (the latest one logged
        with that id), or None."""
        found = self.logs.get_logs(arbitrable, [META_EVIDENCE_TOPIC, topic_of(meta_evidence_id)])
        if not found:
            return None
        (uri,) = decode(["string"], found[-1].data)
        return uri

    def dispute_link(self, arbitrable: str, arbitrator: str, dispute_id: int) -> tuple[int, int]:
        """(meta_evidence_id, evidence_group_id) of the arbitrable's `Dispute` event."""
        found = self.logs.get_logs(
            arbitrable, [DISPUTE_TOPIC, topic_of(arbitrator), topic_of(dispute_id)]
        )
        if not found:
            raise MetaEvidenceError(
                f"{arbitrable} logged no ERC-1497 Dispute event for dispute {dispute_id}"
            )
        meta_id, group = decode(["uint256", "uint256"], found[-1].data)
        return int(meta_id), int(group)

    def for_dispute(self, arbitrator: str, dispute_id: int, arbitrable: str) -> DisputeContext:
        """The MetaEvidence of a court dispute; never raises (a document
        that cannot be read comes back with `problem` set)."""
        arbitrable = to_checksum_address(arbitrable)
        meta_id = group = uri = None
        try:
            meta_id, group = self.dispute_link(arbitrable, arbitrator, dispute_id)
            uri = self.meta_evidence_uri(arbitrable, meta_id)
            if uri is None:
                raise MetaEvidenceError(f"{arbitrable} logged no MetaEvidence {meta_id}")
            content = self.fetch(uri, self.roots)
            document = MetaEvidence.parse(content, f"'{uri}'")
        except MetaEvidenceError as exc:
            return DisputeContext(arbitrable, dispute_id, meta_id, group, uri, None, str(exc))
        committed = self.committed_hash(arbitrable, meta_id)
        matches = None if committed is None else keccak(content) == committed
        return DisputeContext(
            arbitrable, dispute_id, meta_id, group, uri, document, None, content, matches
        )

    def committed_hash(self, arbitrable: str, meta_evidence_id: int) -> bytes | None:
        """The `spec_hash` TaskEscrow committed for a task (its meta-evidence
        id), or None for an arbitrable that commits none."""
        found = self.logs.get_logs(arbitrable, [TASK_CREATED_TOPIC, topic_of(meta_evidence_id)])
        if not found:
            return None
        return bytes(found[-1].data[32:64])

    def evidence(self, arbitrator: str, group: int, emitters: Sequence[str]) -> list[EvidenceItem]:
        """Every `Evidence` of evidence group `group` at `arbitrator`, logged
        by any of `emitters` (the arbitrable and the court), oldest first."""
        items = []
        for emitter in emitters:
            for log in self.logs.get_logs(
                emitter, [EVIDENCE_TOPIC, topic_of(arbitrator), topic_of(group)]
            ):
                (uri,) = decode(["string"], log.data)
                party = to_checksum_address(log.topics[3][12:])
                items.append(
                    EvidenceItem(to_checksum_address(emitter), party, uri, log.block_number)
                )
        return sorted(items, key=lambda item: item.block_number)


def generic_choices_help() -> str:
    """What the choices mean in LabelDAO's two kinds of dispute (for help texts)."""
    task = MetaEvidence.parse(TASK_TEMPLATE.read_bytes())
    compute = MetaEvidence.parse(COMPUTE_DOCUMENT.read_bytes())
    return (
        "0 refuses to arbitrate (a tie). Task disputes (TaskEscrow): "
        + "; ".join(f"{c} = {t}" for c, t, _ in task.choices()[1:])
        + ". Compute disputes (ComputeRegistry): "
        + "; ".join(f"{c} = {t}" for c, t, _ in compute.choices()[1:])
        + ". `court disputes` shows each dispute's own question."
    )
