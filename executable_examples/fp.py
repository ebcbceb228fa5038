"""浮点格式的极限值 / Floating-point format limits derived from the bit layout.

Nothing here is typed in: every limit follows from (exponent bits e, mantissa bits m, bias,
special-value convention).

* ``"ieee"`` convention (FP32, FP16, BF16, TF32, FP8 E5M2): the all-ones exponent is reserved
  for inf/NaN, so the largest usable biased exponent is ``2^e − 2`` and
  ``max = (2 − 2^−m) · 2^(2^e − 2 − bias)``.
* ``"fn"`` convention (FP8 E4M3 in the OCP/NVIDIA spec, "finite + NaN"): no infinities; only
  the pattern with all-ones exponent **and** all-ones mantissa is NaN. The all-ones exponent
  is usable with mantissa up to ``2^m − 2``: ``max = (1 + (2^m − 2)/2^m) · 2^(2^e − 1 − bias)``.
  For E4M3: ``1.75 · 2^8 = 448``.

In both: smallest normal ``2^(1 − bias)``, smallest subnormal ``2^(1 − bias − m)``, machine
epsilon (gap between 1 and the next number) ``2^−m``.

Also :data:`GRAD_SCALER_DEFAULTS`, the constructor defaults of ``torch.amp.GradScaler``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "FloatFormat",
    "FP32",
    "TF32",
    "FP16",
    "BF16",
    "FP8_E4M3",
    "FP8_E5M2",
    "FORMATS",
    "GRAD_SCALER_DEFAULTS",
]


@dataclass(frozen=True)
class FloatFormat:
    """A binary floating-point format.

    Attributes:
        name: display name.
        exp_bits: exponent bits e.
        man_bits: explicitly stored mantissa (fraction) bits m.
        bias: exponent bias.
        convention: ``"ieee"`` (all-ones exponent = inf/NaN) or ``"fn"`` (finite, one NaN
            pattern per sign, e.g. FP8 E4M3).
    """

    name: str
    exp_bits: int
    man_bits: int
    bias: int
    convention: Literal["ieee", "fn"] = "ieee"

    @property
    def bits(self) -> int:
        """Total width: 1 sign bit + e + m (TF32: 19)."""
        return 1 + self.exp_bits + self.man_bits

    @property
    def max_exponent(self) -> int:
        """Unbiased exponent of the largest finite number."""
        top = int(2**self.exp_bits) - (2 if self.convention == "ieee" else 1)
        return top - self.bias

    @property
    def max(self) -> float:
        """Largest finite value."""
        if self.convention == "ieee":
            frac = 2 - 2.0**-self.man_bits
        else:  # all-ones mantissa is NaN at the top exponent
            frac = 1 + (2**self.man_bits - 2) / 2**self.man_bits
        return frac * 2.0**self.max_exponent

    @property
    def min_normal(self) -> float:
        """Smallest positive normal value, ``2^(1 − bias)``."""
        return 2.0 ** (1 - self.bias)

    @property
    def min_subnormal(self) -> float:
        """Smallest positive subnormal value, ``2^(1 − bias − m)``."""
        return 2.0 ** (1 - self.bias - self.man_bits)

    @property
    def eps(self) -> float:
        """Machine epsilon ``2^−m``: the gap between 1 and the next representable number."""
        return 2.0**-self.man_bits


FP32 = FloatFormat("FP32", 8, 23, 127)
TF32 = FloatFormat("TF32", 8, 10, 127)
FP16 = FloatFormat("FP16", 5, 10, 15)
BF16 = FloatFormat("BF16", 8, 7, 127)
FP8_E4M3 = FloatFormat("FP8 E4M3", 4, 3, 7, "fn")
FP8_E5M2 = FloatFormat("FP8 E5M2", 5, 2, 15)

FORMATS: dict[str, FloatFormat] = {
    f.name: f for f in (FP32, TF32, FP16, BF16, FP8_E4M3, FP8_E5M2)
}
"""All formats above by name."""

GRAD_SCALER_DEFAULTS: dict[str, float | int] = {
    "init_scale": 2.0**16,
    "growth_factor": 2.0,
    "backoff_factor": 0.5,
    "growth_interval": 2000,
}
"""Constructor defaults of ``torch.amp.GradScaler``: start at 65536, halve on inf/NaN
gradients (skipping that step), double after 2000 consecutive clean steps."""
