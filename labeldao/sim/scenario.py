"""Scenario files (`scenarios/*.toml`): population, behaviour, protocol.

A scenario fixes everything a run depends on besides the seed: how many
agents of each kind, how they behave, how many epochs, and the protocol
parameters (overrides of the contracts' parameter structs, applied by the
deployment plan exactly as `deployments/params/<net>.toml` overrides are).
Amounts in `[behaviour]` are whole LDAO; protocol overrides use the
contracts' own units (base units, bps, seconds). Every bound is checked
here, with a message that names the field.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SCENARIOS_DIR = REPO_ROOT / "scenarios"

# Simulation epochs are registry epochs (one day): every agent acts once
# per epoch, and the escrow's 7-day bonus epochs span several of them.
SIM_EPOCH_SECONDS = 86_400


class ScenarioError(ValueError):
    """A scenario that cannot run, with a message that names the problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Population(_Strict):
    """How many agents of each kind take part."""

    requesters: int = Field(default=3, ge=1, le=1_000)
    honest_annotators: int = Field(default=4, ge=0, le=1_000)
    lazy_annotators: int = Field(default=2, ge=0, le=1_000)
    malicious_annotators: int = Field(default=2, ge=0, le=1_000)
    honest_jurors: int = Field(default=6, ge=0, le=1_000)
    lazy_jurors: int = Field(default=2, ge=0, le=1_000)
    bribed_jurors: int = Field(default=2, ge=0, le=1_000)
    honest_providers: int = Field(default=3, ge=0, le=1_000)
    overreporting_providers: int = Field(default=1, ge=0, le=1_000)
    flaky_providers: int = Field(default=1, ge=0, le=1_000)
    # The adversaries of the threat model (docs/THREATS.md); none by default.
    planting_requesters: int = Field(default=0, ge=0, le=1_000)
    self_judging_requesters: int = Field(default=0, ge=0, le=1_000)
    griefing_requesters: int = Field(default=0, ge=0, le=1_000)
    splitting_providers: int = Field(default=0, ge=0, le=1_000)

    @model_validator(mode="after")
    def _someone_works(self) -> Population:
        if self.honest_annotators + self.lazy_annotators + self.malicious_annotators == 0:
            raise ValueError("at least one annotator is needed")
        if self.honest_jurors + self.lazy_jurors + self.bribed_jurors == 0:
            raise ValueError("at least one juror is needed (disputes need a panel)")
        return self


class Behaviour(_Strict):
    """How agents decide; probabilities are in [0, 1], amounts in whole LDAO."""

    tasks_per_requester: int = Field(default=2, ge=0, le=100, description="new tasks per epoch")
    items_per_task: int = Field(default=16, ge=2, le=1_024)
    gold_items: int = Field(default=4, ge=1, le=64)
    answer_choices: int = Field(default=4, ge=2, le=64, description="label classes per item")
    reward: int = Field(default=100, ge=1, le=1_000_000, description="LDAO per task")
    annotator_stake: int = Field(default=50, ge=0, le=1_000_000, description="LDAO per task")
    review_period: int = Field(default=86_400, ge=3_600, le=30 * 86_400, description="seconds")
    good_work_threshold: float = Field(default=0.8, ge=0, le=1, description="share of right items")
    honest_accuracy: float = Field(default=0.95, ge=0, le=1)
    malicious_error_rate: float = Field(default=0.5, ge=0, le=1)
    requester_detects_bad_work: float = Field(default=0.7, ge=0, le=1)
    requester_unfair_reject: float = Field(default=0.05, ge=0, le=1)
    requester_silent: float = Field(default=0.1, ge=0, le=1)
    juror_stake: int = Field(default=5_000, ge=1, le=1_000_000, description="LDAO per juror")
    honest_juror_accuracy: float = Field(default=0.95, ge=0, le=1)
    lazy_forgets_reveal: float = Field(default=0.3, ge=0, le=1)
    bribe: int = Field(default=20, ge=0, le=1_000_000, description="LDAO per bought vote")
    provider_gpus: int = Field(default=4, ge=1, le=1_024)
    provider_tier: int = Field(default=0, ge=0, le=3)
    utilisation: float = Field(default=0.6, gt=0, le=1, description="share of GPU capacity used")
    overreport_factor: float = Field(default=1.5, gt=1, le=100)
    flaky_miss_rate: float = Field(default=0.3, ge=0, le=1)
    flaky_uptime_bps: int = Field(default=7_000, ge=1, le=10_000)
    watchdog_detects: float = Field(default=0.8, ge=0, le=1)
    split_nodes: int = Field(
        default=4, ge=1, le=64, description="1-GPU nodes of a splitting provider"
    )
    self_judge_stake: int = Field(
        default=3_000, ge=1, le=1_000_000, description="LDAO a self-judging requester stakes"
    )
    grief_from_epoch: int = Field(
        default=0, ge=0, le=1_000, description="first epoch a griefing requester griefs"
    )
    requester_funds: int = Field(default=50_000, ge=1, le=10_000_000)
    annotator_funds: int = Field(default=2_000, ge=0, le=10_000_000)
    provider_funds: int = Field(default=2_000, ge=0, le=10_000_000)
    watchdog_funds: int = Field(default=20_000, ge=0, le=10_000_000)

    @model_validator(mode="after")
    def _gold_fits(self) -> Behaviour:
        if self.gold_items > self.items_per_task:
            raise ValueError("gold_items must not exceed items_per_task")
        return self


def _contract_value(value: Any) -> bool:
    """A value a contract parameter can take: a whole number >= 0, a 0x
    string (address, bytes) or a list of those."""
    if isinstance(value, list):
        return all(_contract_value(v) for v in value)
    if isinstance(value, str):
        return bool(re.fullmatch(r"0x[0-9a-fA-F]*", value))
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class Protocol(_Strict):
    """Overrides of the contracts' parameters (names of their Params structs)."""

    escrow: dict[str, Any] = Field(default_factory=dict)
    court: dict[str, Any] = Field(default_factory=dict)
    registry: dict[str, Any] = Field(default_factory=dict)
    registry_epoch_emission: int = Field(default=10_000 * 10**18, ge=0, le=10**25)

    @field_validator("escrow", "court", "registry")
    @classmethod
    def _whole_numbers(cls, overrides: dict[str, Any]) -> dict[str, Any]:
        for key, value in overrides.items():
            if not _contract_value(value):
                raise ValueError(
                    f"{key} = {value!r}: contract parameters are whole numbers >= 0 in the "
                    "contracts' units (bps, seconds, base units) or 0x addresses"
                )
        return overrides


class Search(_Strict):
    """`--search`: parameter ranges (`"behaviour.bribe" = [0, 200]`; whole
    numbers give whole-number draws) and how many trials to run."""

    trials: int = Field(default=20, ge=1, le=10_000)
    ranges: dict[str, list[int | float]] = Field(default_factory=dict)

    @field_validator("ranges")
    @classmethod
    def _low_high(cls, ranges: dict[str, list[int | float]]) -> dict[str, list[int | float]]:
        for path, bounds in ranges.items():
            if len(bounds) != 2 or not bounds[0] < bounds[1]:
                raise ValueError(f"{path} = {bounds!r}: expected [low, high] with low < high")
        return ranges


# Court parameters the simulation sets unless the scenario names them: at
# most one appeal (a first panel, then one of 2n + 1 seats). A scenario may
# allow more rounds (`protocol.court.max_rounds`, the contract's default is
# 5), as the appeal griefer of `adversarial` needs.
SIM_COURT = {"max_rounds": 2}


class Scenario(_Strict):
    """One scenario: who takes part, how they behave, what the protocol is."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    epochs: int = Field(default=10, ge=1, le=1_000)
    runs: int = Field(default=1, ge=1, le=1_000, description="seeds per scenario or sweep point")
    population: Population = Field(default_factory=Population)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    protocol: Protocol = Field(default_factory=Protocol)
    search: Search | None = None

    def with_overrides(self, overrides: dict[str, Any]) -> Scenario:
        """A copy with dotted-path overrides (`behaviour.reward=10`), validated."""
        data = self.model_dump()
        for path, value in overrides.items():
            _set_path(data, path, value)
        return validate(data, source=f"{self.name} with {overrides}")


def _set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Sets `data[a][b][c] = value` for `path` "a.b.c"; unknown keys are errors."""
    parts = path.split(".")
    node = data
    for i, part in enumerate(parts[:-1]):
        child = node.get(part)
        if not isinstance(child, dict):
            groups = ", ".join(k for k, v in node.items() if isinstance(v, dict))
            raise ScenarioError(
                f"unknown parameter {path!r}: {'.'.join(parts[: i + 1])} is no group; "
                f"known groups{' of ' + '.'.join(parts[:i]) if i else ''}: {groups}"
            )
        node = child
    last = parts[-1]
    is_override_group = parts[0] == "protocol" and len(parts) == 3
    if last not in node and not is_override_group:
        known = ", ".join(sorted(node))
        raise ScenarioError(f"unknown parameter {path!r}; known here: {known}")
    node[last] = value


def validate(data: dict[str, Any], *, source: str) -> Scenario:
    """Validates raw scenario data; errors name each bad field."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        lines = []
        for e in error.errors():
            where = ".".join(str(p) for p in e["loc"]) or "(scenario)"
            lines.append(f"  {where}: {e['msg'].removeprefix('Value error, ')}")
        raise ScenarioError(f"invalid scenario {source}:\n" + "\n".join(lines)) from None


def one_line(error: ScenarioError) -> str:
    """The problems of a validation error on one line (the first line,
    "invalid scenario ...", names the source the caller already names)."""
    lines = str(error).splitlines()
    details = [line.strip() for line in lines[1:] if line.strip()]
    return "; ".join(details) if details else lines[0]


def override(base: Scenario, flag: str, path: str, value: Any) -> Scenario:
    """`base` with one command-line override, validated; the error is one
    line naming the option, the parameter and the value."""
    try:
        return base.with_overrides({path: value})
    except ScenarioError as error:
        raise ScenarioError(f"{flag} {path}={value!r}: {one_line(error)}") from None


def scenario_path(name_or_path: str) -> Path:
    """`demo` -> scenarios/demo.toml; a path to a .toml file is used as it is."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml":
        return candidate
    return SCENARIOS_DIR / f"{name_or_path}.toml"


def available() -> list[str]:
    """The names of the scenarios shipped in `scenarios/`."""
    return sorted(p.stem for p in SCENARIOS_DIR.glob("*.toml"))


def load(name_or_path: str) -> Scenario:
    """Loads and validates a scenario by name or path."""
    path = scenario_path(name_or_path)
    if not path.is_file():
        names = ", ".join(available())
        raise ScenarioError(f"no scenario {name_or_path!r} ({path}); available: {names}")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{path}: not valid TOML: {error}") from None
    return validate(data, source=str(path))


def qualify(path: str) -> str:
    """A command-line parameter path, stripped; a protocol group may be named
    without its prefix (`court.alpha_bps` is `protocol.court.alpha_bps`)."""
    path = path.strip()
    if path.split(".")[0] in ("escrow", "court", "registry"):
        return f"protocol.{path}"
    return path


def parse_value(text: str) -> Any:
    """A command-line value: int, float, bool or string, as TOML reads it."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text
