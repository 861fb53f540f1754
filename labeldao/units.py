"""Units of LabelDAO: one definition of `LDAO` (18 decimals), amounts of
LDAO written and read as people write them, and durations and dates
relative to the chain's clock.

Core module: imports neither titanoboa nor Ape.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

DECIMALS = 18
LDAO = 10**DECIMALS  # base units in one LDAO


def format_ldao(amount: int) -> str:
    """`1234500000000000000000` -> `"1,234.5 LDAO"` (exact, no rounding)."""
    whole, frac = divmod(abs(int(amount)), LDAO)
    text = f"{whole:,}"
    if frac:
        text += "." + f"{frac:018d}".rstrip("0")
    return f"{'-' if amount < 0 else ''}{text} LDAO"


def parse_ldao(text: str) -> int:
    """`"1000"`, `"1_000.5"`, `"1000 LDAO"` -> base units; raises ValueError
    with a message fit for the user."""
    cleaned = text.strip().removesuffix("LDAO").strip().replace("_", "")
    if "," in cleaned:
        raise ValueError(f"'{text}': write amounts without commas, e.g. 1000 or 1000.5")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"'{text}' is not an amount of LDAO (e.g. 1000 or 12.5)") from None
    if not value.is_finite():
        raise ValueError(f"'{text}' is not an amount of LDAO (e.g. 1000 or 12.5)")
    if value <= 0:
        raise ValueError(f"'{text}': the amount must be positive")
    base = value * LDAO
    if base != base.to_integral_value():
        raise ValueError(f"'{text}': LDAO has {DECIMALS} decimals at most")
    return int(base)


def format_duration(seconds: int) -> str:
    """A short human duration: `"2d 3h"`, `"5h 10m"`, `"42s"`."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m {secs}s" if secs else f"{minutes}m"
    return f"{secs}s"


def format_time(timestamp: int, now: int) -> str:
    """`"2026-11-25 10:00 UTC (in 1d 2h)"`, relative to the chain's `now`."""
    when = datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d %H:%M UTC")
    delta = int(timestamp) - int(now)
    if delta > 0:
        return f"{when} (in {format_duration(delta)})"
    if delta < 0:
        return f"{when} ({format_duration(-delta)} ago)"
    return f"{when} (now)"
