"""Automatic statistical disclosure control: the rules output checkers know from ACRO.

Pure and columnar: a table is a handful of parallel sequences (one entry per cell), the
rules run in one tight loop per table, and each cell's outcome is a small bit set of
reasons. No I/O, no per-cell objects.

Semantics follow ACRO's aggregation functions exactly (``agg_threshold``,
``agg_p_percent``, ``agg_nk``, ``agg_negative``, ``agg_missing``):

* threshold: a cell with fewer contributors than the threshold fails; a zero count fails
  only while zeros are disclosive (class disclosure);
* p-ratio: ``(sum - largest - second largest) / largest < p`` fails; when the sum is
  ``<= 0`` or the cell has at most one contributor the ratio is undefined and the cell
  fails exactly when zeros are disclosive (ACRO returns ``ZEROS_ARE_DISCLOSIVE``);
* n-k dominance: with a positive sum, ``(n largest) / sum > k`` fails; a sum ``<= 0``
  passes (ACRO returns ``False``);
* negative or missing values: dominance is not defined, the cell goes to review and
  the dominance rules are not applied to it;
* regression: residual degrees of freedom below the minimum fail;
* single-observation statistics (min, max, median, mode, percentiles): review.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from math import isnan
from typing import Any, Literal

TableKind = Literal["frequency", "magnitude", "regression"]
Status = Literal["pass", "review", "fail"]

THRESHOLD = 1
P_RATIO = 2
NK_RULE = 4
NEGATIVE = 8
MISSING = 16
DOF = 32
SINGLE_OBSERVATION = 64
DIFFERENCING = 128

REASON_NAMES: tuple[tuple[int, str], ...] = (
    (THRESHOLD, "threshold"),
    (P_RATIO, "p-ratio"),
    (NK_RULE, "nk-rule"),
    (NEGATIVE, "negative"),
    (MISSING, "missing"),
    (DOF, "dof"),
    (SINGLE_OBSERVATION, "single-observation"),
    (DIFFERENCING, "differencing"),
)
FAILING = THRESHOLD | P_RATIO | NK_RULE | DOF
NEEDS_REVIEW = NEGATIVE | MISSING | SINGLE_OBSERVATION | DIFFERENCING

# Statistics that reveal one observation's value: a checker must look at them.
SINGLE_OBSERVATION_STATISTICS = frozenset({"min", "max", "median", "mode", "percentile"})


@dataclass(frozen=True, slots=True)
class Rules:
    """The thresholds in force for one check (ACRO's defaults)."""

    threshold: int = 10
    p_ratio: float = 0.10
    nk_n: int = 2
    nk_k: float = 0.90
    min_dof: int = 10
    zeros_disclosive: bool = True

    def relaxed_by(self, **overrides: float | bool | None) -> Rules:
        """These rules with a checker's per-request overrides, which may only relax them.

        Raises ``ValueError`` naming the first override that would tighten a rule."""
        values: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
        looser: dict[str, Callable[[Any, Any], bool]] = {
            "threshold": lambda new, old: new <= old,
            "p_ratio": lambda new, old: new <= old,
            "nk_n": lambda new, old: new <= old,
            "nk_k": lambda new, old: new >= old,
            "min_dof": lambda new, old: new <= old,
            "zeros_disclosive": lambda new, old: (not new) or old,
        }
        for name, value in values.items():
            if not looser[name](value, getattr(self, name)):
                raise ValueError(f"{name} may only be relaxed (in force: {getattr(self, name)})")
        return replace(self, **values)


def reasons_of(flags: int) -> list[str]:
    return [name for bit, name in REASON_NAMES if flags & bit]


def status_of(flags: int) -> Status:
    if flags & FAILING:
        return "fail"
    if flags & NEEDS_REVIEW:
        return "review"
    return "pass"


def overall_status(cell_flags: Iterable[int]) -> Status:
    """Fail if any cell fails, else review if any needs review, else pass."""
    combined = 0
    for flags in cell_flags:
        combined |= flags
    return status_of(combined)


def check_frequency(counts: Sequence[int], rules: Rules) -> list[int]:
    """Reason flags per cell of a frequency table (counts of contributors)."""
    threshold = rules.threshold
    zeros = rules.zeros_disclosive
    return [THRESHOLD if (count < threshold and (count > 0 or zeros)) else 0 for count in counts]


def check_magnitude(
    counts: Sequence[int],
    sums: Sequence[float],
    largest: Sequence[float],
    second_largest: Sequence[float],
    has_negative: Sequence[bool],
    has_missing: Sequence[bool],
    rules: Rules,
) -> list[int]:
    """Reason flags per cell of a magnitude table.

    ``second_largest`` is 0 for a cell with one contributor. Cells with negative or
    missing values are not tested for dominance (ACRO: "dominance not defined")."""
    threshold = rules.threshold
    zeros = rules.zeros_disclosive
    p = rules.p_ratio
    k = rules.nk_k
    two = rules.nk_n >= 2
    out: list[int] = []
    append = out.append
    for count, total, top1, top2, negative, missing in zip(
        counts, sums, largest, second_largest, has_negative, has_missing, strict=True
    ):
        flags = THRESHOLD if (count < threshold and (count > 0 or zeros)) else 0
        if negative or missing:
            flags |= (NEGATIVE if negative else 0) | (MISSING if missing else 0)
        elif count > 0:
            if total <= 0.0 or count <= 1:
                if zeros:
                    flags |= P_RATIO
            elif (total - top1 - top2) / top1 < p:
                flags |= P_RATIO
            if total > 0.0 and ((top1 + top2) if two and count > 1 else top1) / total > k:
                flags |= NK_RULE
        append(flags)
    return out


def check_regression(residual_dof: int, rules: Rules) -> int:
    return DOF if residual_dof < rules.min_dof else 0


def inconsistent_magnitude_cell(
    counts: Sequence[int],
    sums: Sequence[float],
    largest: Sequence[float],
    second_largest: Sequence[float],
    has_negative: Sequence[bool],
) -> tuple[int, str] | None:
    """The first cell whose summary cannot come from real contributions, and why."""
    for index, (count, total, top1, top2, negative) in enumerate(
        zip(counts, sums, largest, second_largest, has_negative, strict=True)
    ):
        if negative:
            continue
        if top2 > top1:
            return index, "second_largest exceeds largest"
        if top1 < 0 or top2 < 0:
            return index, "negative contribution without has_negative"
        if count == 1 and top2 != 0:
            return index, "a single contributor has no second largest"
        if count >= 1 and not (top1 + top2 <= total * (1 + 1e-9) + 1e-9):
            return index, "largest contributions exceed the sum"
        if count >= 1 and total > top1 * count * (1 + 1e-9) + 1e-9:
            return index, "sum exceeds count times largest"
    return None


@dataclass(slots=True)
class MagnitudeCells:
    """A magnitude table as parallel columns, in first-seen key order."""

    keys: list[Hashable]
    counts: list[int]
    sums: list[float]
    largest: list[float]
    second_largest: list[float]
    has_negative: list[bool]
    has_missing: list[bool]


def cells_from_microdata(rows: Iterable[tuple[Hashable, float | None]]) -> MagnitudeCells:
    """Build a magnitude table from microdata ``(cell key, value)`` rows in one pass.

    ``None`` is a missing value: it makes the cell ``has_missing`` and is not counted."""
    index: dict[Hashable, int] = {}
    keys: list[Hashable] = []
    counts: list[int] = []
    sums: list[float] = []
    top1: list[float] = []
    top2: list[float] = []
    negative: list[bool] = []
    missing: list[bool] = []
    for key, value in rows:
        i = index.get(key)
        if i is None:
            i = index[key] = len(keys)
            keys.append(key)
            counts.append(0)
            sums.append(0.0)
            top1.append(0.0)
            top2.append(0.0)
            negative.append(False)
            missing.append(False)
        if value is None or isnan(value):  # NaN is missing too
            missing[i] = True
            continue
        counts[i] += 1
        sums[i] += value
        if value < 0:
            negative[i] = True
        if counts[i] == 1:
            top1[i] = value
        elif value > top1[i]:
            top2[i] = top1[i]
            top1[i] = value
        elif counts[i] == 2 or value > top2[i]:
            top2[i] = value
    return MagnitudeCells(keys, counts, sums, top1, top2, negative, missing)
