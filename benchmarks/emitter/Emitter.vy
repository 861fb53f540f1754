# pragma version 0.4.3
"""
@title Log emitter for the indexer benchmark
@notice Installed with `anvil_setCode` at the addresses of a synthetic
        deployment, it replays a protocol event `n` times per call with
        varying indexed ids, so that a million logs need a few hundred
        transactions instead of a million. Benchmark-only; never deployed.
"""


@internal
@pure
def _topic(formula: uint256, i: uint256, m: uint256) -> bytes32:
    if formula == 1:
        return convert(i % m, bytes32)
    if formula == 2:
        return convert(i // m, bytes32)
    return convert(i, bytes32)


@external
def replay(
    topic0: bytes32,
    start: uint256,
    n: uint256,
    moduli: uint256[3],
    formulas: uint256[3],
    extra_topics: uint256,
    data: Bytes[512],
):
    """
    @notice Emits `n` logs with `topic0`, `extra_topics` topics (formula
            0: i, 1: i % modulus, 2: i // modulus, for i from `start`) and `data`.
    """
    for k: uint256 in range(n, bound=100_000):
        i: uint256 = start + k
        a: bytes32 = self._topic(formulas[0], i, moduli[0])
        b: bytes32 = self._topic(formulas[1], i, moduli[1])
        c: bytes32 = self._topic(formulas[2], i, moduli[2])
        if extra_topics == 0:
            raw_log([topic0], data)
        elif extra_topics == 1:
            raw_log([topic0, a], data)
        elif extra_topics == 2:
            raw_log([topic0, a, b], data)
        else:
            raw_log([topic0, a, b, c], data)
