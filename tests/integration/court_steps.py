"""What keepers and jurors do in the court, as Ape calls (shared by the
integration flows). Jurors derive their salts from a signature of their Ape
account (`labeldao.court.derive_salt_with`), as the juror CLI does."""

from __future__ import annotations

from typing import Any

from eth_account.messages import encode_typed_data

from labeldao.court import commitment, derive_salt_with


def lens(court: Any) -> Any:
    """The court's lens (`QualityCourtLens` at `court.LENS()`): its decoding
    views (`round_info`, `dispute_info`, `juror_status`, ...)."""
    from ape import project

    return project.QualityCourtLens.at(court.LENS())


def next_epoch(chain: Any, epoch_seconds: int) -> None:
    """Mines a block at the first second of the next stake-snapshot epoch
    (the court's epoch is `block.timestamp // epoch_seconds`)."""
    head = chain.blocks.head.timestamp
    travel_to(chain, head - head % epoch_seconds + epoch_seconds)


def travel_to(chain: Any, timestamp: int) -> None:
    """Mines a block at `timestamp` if it is ahead of the chain."""
    if timestamp > chain.blocks.head.timestamp:
        chain.mine(1, timestamp=timestamp)


def salt(court: Any, chain: Any, juror: Any, dispute: int, round_: int) -> bytes:
    """The juror's salt for a round, from its wallet's EIP-712 signature."""

    def sign(message: dict) -> bytes:
        return juror.sign_message(encode_typed_data(full_message=message)).encode_rsv()

    return derive_salt_with(
        sign, court=court.address, chain_id=chain.chain_id, dispute_id=dispute, round_=round_
    )


def draw(court: Any, chain: Any, keeper: Any, dispute: int, batch: int = 2) -> Any:
    """Draws the open round's panel in batches; returns its `round_info`."""
    for _ in range(20):
        views = lens(court)
        info = views.round_info(court, dispute, views.dispute_info(court, dispute).rounds - 1)
        if info.drawn == info.panel:
            return info
        chain.mine(1)  # the randomness is ready one block after the request
        court.draw(dispute, batch, sender=keeper)
    raise AssertionError("panel not drawn")


def vote(
    court: Any, chain: Any, by_address: dict[str, Any], dispute: int, round_: int, plan: dict
) -> None:
    """plan: juror address -> choice, or None to commit 1 and never reveal."""
    info = lens(court).round_info(court, dispute, round_)
    travel_to(chain, info.commit_start)
    for address, choice in plan.items():
        juror = by_address[address]
        digest = commitment(
            dispute,
            round_,
            address,
            1 if choice is None else choice,
            salt(court, chain, juror, dispute, round_),
        )
        court.commit(dispute, round_, digest, sender=juror)
    travel_to(chain, info.reveal_start)
    for address, choice in plan.items():
        if choice is not None:
            juror = by_address[address]
            court.reveal(
                dispute, round_, choice, salt(court, chain, juror, dispute, round_), sender=juror
            )


def seated(court: Any, dispute: int, round_: int) -> list[str]:
    """The jurors holding seats in a round."""
    info = lens(court).round_info(court, dispute, round_)
    return [court.round_juror(dispute, round_, i) for i in range(info.jurors)]


def execute_all(court: Any, keeper: Any, dispute: int, batch: int = 3) -> None:
    """Executes every round in batches, then delivers the ruling."""
    for round_ in range(lens(court).dispute_info(court, dispute).rounds):
        while True:
            info = lens(court).round_info(court, dispute, round_)
            if info.execution_steps_done == info.execution_steps:
                break
            court.execute(dispute, round_, batch, sender=keeper)
    court.execute_ruling(dispute, sender=keeper)
