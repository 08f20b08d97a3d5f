"""The disclosure rules, edge cases included, and a property test against a direct
computation from microdata written the way ACRO's aggregation functions are."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srs_clearance.sdc import engine as sdc

RULES = sdc.Rules()


def magnitude(cells, rules=RULES):
    """cells: (count, sum, largest, second, negative, missing) tuples."""
    columns = list(zip(*cells, strict=True))
    return [sdc.reasons_of(f) for f in sdc.check_magnitude(*columns, rules)]


def test_threshold_fails_below_and_passes_at_the_threshold():
    flags = sdc.check_frequency([9, 10, 11, 1], RULES)
    assert [sdc.status_of(f) for f in flags] == ["fail", "pass", "pass", "fail"]
    assert sdc.reasons_of(flags[0]) == ["threshold"]


def test_zero_count_fails_only_while_zeros_are_disclosive():
    assert sdc.check_frequency([0], RULES) == [sdc.THRESHOLD]
    assert sdc.check_frequency([0], sdc.Rules(zeros_disclosive=False)) == [0]


def test_p_ratio_fails_when_the_rest_is_small_next_to_the_largest():
    # (1000 - 950 - 30) / 950 = 0.021 < 0.10
    assert magnitude([(12, 1000.0, 950.0, 30.0, False, False)]) == [["p-ratio", "nk-rule"]]
    # (1000 - 400 - 300) / 400 = 0.75: safe; (400 + 300) / 1000 = 0.7 <= 0.9: safe
    assert magnitude([(12, 1000.0, 400.0, 300.0, False, False)]) == [[]]


def test_nk_rule_fails_strictly_above_k():
    # top two = 0.95 of the sum, rest enough for p-ratio: (2000-1000-900)/1000 = 0.1 not < 0.1
    assert magnitude([(12, 2000.0, 1000.0, 900.0, False, False)]) == [["nk-rule"]]
    # exactly k is not above k
    assert magnitude([(12, 1000.0, 450.0, 450.0, False, False)]) == [[]]


def test_sum_not_positive_fails_p_ratio_while_zeros_disclosive_and_passes_nk():
    assert magnitude([(12, 0.0, 0.0, 0.0, False, False)]) == [["p-ratio"]]
    relaxed = sdc.Rules(zeros_disclosive=False)
    assert magnitude([(12, 0.0, 0.0, 0.0, False, False)], relaxed) == [[]]


def test_one_contributor_fails_threshold_p_ratio_and_nk():
    assert magnitude([(1, 500.0, 500.0, 0.0, False, False)]) == [
        ["threshold", "p-ratio", "nk-rule"]
    ]


def test_equal_values_two_contributors_fail_three_pass_p_ratio():
    # two equal: rest is 0 -> p 0 < 0.1; top two = everything -> nk
    assert magnitude([(2, 20.0, 10.0, 10.0, False, False)]) == [["threshold", "p-ratio", "nk-rule"]]
    # ten equal: p = 8, nk = 0.2
    assert magnitude([(10, 100.0, 10.0, 10.0, False, False)]) == [[]]


def test_negative_and_missing_go_to_review_without_dominance():
    reasons = magnitude([(12, 100.0, 99.0, 1.0, True, False), (12, 100.0, 99.0, 1.0, False, True)])
    assert reasons == [["negative"], ["missing"]]
    flags = sdc.check_magnitude([3], [5.0], [4.0], [1.0], [True], [False], RULES)
    assert sdc.status_of(flags[0]) == "fail"  # the threshold still applies


def test_regression_dof_below_the_minimum_fails():
    assert sdc.status_of(sdc.check_regression(9, RULES)) == "fail"
    assert sdc.status_of(sdc.check_regression(10, RULES)) == "pass"


def test_overall_is_fail_then_review_then_pass():
    assert sdc.overall_status([0, sdc.NEGATIVE, sdc.THRESHOLD]) == "fail"
    assert sdc.overall_status([0, sdc.MISSING]) == "review"
    assert sdc.overall_status([0, 0]) == "pass"


def test_rules_may_only_be_relaxed():
    assert RULES.relaxed_by(threshold=5, nk_k=0.95).threshold == 5
    for tighter in ({"threshold": 11}, {"p_ratio": 0.2}, {"nk_k": 0.8}, {"min_dof": 20}):
        with pytest.raises(ValueError, match="may only be relaxed"):
            RULES.relaxed_by(**tighter)


def test_inconsistent_cells_are_named():
    assert (
        sdc.inconsistent_magnitude_cell([5], [10.0], [1.0], [2.0], [False])[1]
        == "second_largest exceeds largest"
    )
    assert (
        sdc.inconsistent_magnitude_cell([5], [10.0], [8.0], [7.0], [False])[1]
        == "largest contributions exceed the sum"
    )
    assert sdc.inconsistent_magnitude_cell([5], [10.0], [4.0], [3.0], [False]) is None


# --- property test: microdata -> aggregates -> engine == ACRO's functions on microdata ---


def acro_reference(values: list[float | None], rules: sdc.Rules) -> set[str]:
    """ACRO's aggregation functions, applied directly to one cell's microdata."""
    present = [v for v in values if v is not None]
    reasons = set()
    count = len(present)
    if count < rules.threshold and (count > 0 or rules.zeros_disclosive):
        reasons.add("threshold")  # agg_threshold: vals.count() < THRESHOLD
    if any(v < 0 for v in present):  # agg_negative
        reasons.add("negative")
    if len(present) != len(values):  # agg_missing
        reasons.add("missing")
    if reasons & {"negative", "missing"} or not present:
        return reasons
    ordered = sorted(present, reverse=True)
    total = sum(present)
    if total <= 0.0 or len(ordered) <= 1:  # agg_p_percent's guard
        if rules.zeros_disclosive:
            reasons.add("p-ratio")
    elif (total - ordered[0] - ordered[1]) / ordered[0] < rules.p_ratio:
        reasons.add("p-ratio")
    if total > 0 and sum(ordered[: rules.nk_n]) / total > rules.nk_k:  # agg_nk
        reasons.add("nk-rule")
    return reasons


values = st.one_of(
    st.sampled_from([0.0, 1.0, 5.0, 10.0, 100.0]),
    st.integers(min_value=0, max_value=10_000).map(float),
    st.floats(min_value=-50, max_value=1e6, allow_nan=False),
)
cell = st.lists(st.one_of(values, st.just(None)), min_size=0, max_size=25)
rules_strategy = st.builds(
    sdc.Rules,
    threshold=st.integers(1, 12),
    p_ratio=st.sampled_from([0.05, 0.1, 0.2]),
    nk_n=st.sampled_from([1, 2]),
    nk_k=st.sampled_from([0.8, 0.9, 0.95]),
    zeros_disclosive=st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(table=st.lists(cell, min_size=1, max_size=8), rules=rules_strategy)
def test_engine_matches_acro_on_microdata(table, rules):
    rows = [(index, value) for index, values_ in enumerate(table) for value in values_]
    built = sdc.cells_from_microdata(rows)
    flags = sdc.check_magnitude(
        built.counts,
        built.sums,
        built.largest,
        built.second_largest,
        built.has_negative,
        built.has_missing,
        rules,
    )
    by_key = dict(zip(built.keys, flags, strict=True))
    for index, values_ in enumerate(table):
        if not values_:
            continue  # an empty cell never appears in microdata
        got = set(sdc.reasons_of(by_key[index]))
        assert got == acro_reference(values_, rules), (values_, rules)


@settings(max_examples=200, deadline=None)
@given(counts=st.lists(st.integers(0, 30), min_size=1, max_size=50), rules=rules_strategy)
def test_frequency_matches_a_direct_count(counts, rules):
    flags = sdc.check_frequency(counts, rules)
    for count, flag in zip(counts, flags, strict=True):
        disclosive = 0 < count < rules.threshold or (count == 0 and rules.zeros_disclosive)
        assert (flag == sdc.THRESHOLD) is disclosive
