"""Sharing a whole number of rupiah out in proportion, so the shares add up exactly."""

from __future__ import annotations

from collections.abc import Sequence


def allocate(amount: int, weights: Sequence[int]) -> list[int]:
    """``amount`` split in proportion to ``weights``: each share rounded down, the rupiah
    left over to the largest remainders (ties to the earlier weight). Equal shares when
    every weight is zero; a negative amount is shared like its size, signs kept."""
    if not weights:
        return []
    sign, amount = (-1 if amount < 0 else 1), abs(amount)
    weights = [max(w, 0) for w in weights]
    if not any(weights):
        weights = [1] * len(weights)
    total = sum(weights)
    exact = [amount * w for w in weights]
    shares = [value // total for value in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] % total), i))
    for i in order[: amount - sum(shares)]:
        shares[i] += 1
    return [sign * share for share in shares]
