"""A keyed pseudo-random permutation of ``range(n)`` for any ``n`` (big integers welcome).

Walking ``perm(0), perm(1), ...`` visits every index exactly once in a seeded, random-looking
order without storing anything: sampling without replacement in O(1) memory. It is a
four-round Feistel network on ``[0, a*b)`` with ``a*b >= n`` as small as possible (so
``a*b - n < a``), with cycle walking for the few indices that land past ``n``. The round
function is CPython's tuple hash of ``(round key, half)``: it is not salted for integers, so
the order is the same in every process (it is not a cryptographic permutation; it need not be).
"""

from __future__ import annotations

import math
import random

__all__ = ["Permutation"]


class Permutation:
    """A bijection on ``range(n)`` keyed by ``seed``.

    Args:
        n: size of the domain (>= 0).
        seed: any value accepted by ``random.Random``.
    """

    def __init__(self, n: int, seed: object) -> None:
        self.n = n
        a = math.isqrt(max(n - 1, 0)) + 1
        b = -(-n // a) if n else 1
        self.a, self.b = a, max(b, 1)
        rng = random.Random(f"permutation:{seed}:{n}")
        self.keys = tuple(rng.getrandbits(64) for _ in range(4))

    def __call__(self, x: int) -> int:
        """Return the image of ``x`` (``0 <= x < n``)."""
        n, a, b = self.n, self.a, self.b
        if n <= 2:
            return x if n < 2 or not self.keys[0] & 1 else 1 - x
        k0, k1, k2, k3 = self.keys
        while True:
            left, right = divmod(x, b)  # left < a, right < b
            left = (left + hash((k0, right))) % a
            right = (right + hash((k1, left))) % b
            left = (left + hash((k2, right))) % a
            right = (right + hash((k3, left))) % b
            x = left * b + right
            if x < n:
                return x
