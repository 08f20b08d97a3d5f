"""The code-file scan: what a literal is (by the column it is compared with), catalogued
identifier columns, languages, lines of multi-line statements, notebooks."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srs_clearance.sdc import codescan
from srs_clearance.sdc.codescan import identifiers


def rules(code: str, filename: str | None = None, **kwargs) -> set[tuple[str, int, str]]:
    return {
        (f.rule, f.line, f.severity)
        for f in codescan.scan_code(code, filename=filename, **kwargs)
        if f.rule != "annotation"
    }


@pytest.mark.parametrize(
    "number, valid",
    [
        ("9434765919", True),
        ("4010232137", True),
        ("1234567890", False),
        ("9434765918", False),
        ("123456789", False),
    ],
)
def test_nhs_check_digit(number, valid):
    assert identifiers.nhs_check_digit_valid(number) is valid


def test_a_long_number_is_labelled_by_the_column_it_is_compared_with():
    # an amount compared with income is not an NHS number, even with a valid check digit
    assert rules("rich = df[df.income > 9434765919]\n", "a.py") == set()
    assert rules("keep if turnover == 4010232137\n", "a.do") == set()
    # compared with an NHS-number column it is one, whatever its check digit
    assert ("nhs-number", 1, "fail") in rules("x = df[df.nhs_no == 1234567890]\n", "a.py")
    # on its own, only a valid check digit makes it one
    assert ("nhs-number", 1, "fail") in rules("ids = [9434765919]\n", "a.py")
    assert rules("big = 1234567890\n", "a.py") == set()


def test_a_date_is_a_date_of_birth_only_beside_a_birth_column():
    assert rules("after <- filter(df, interview_date >= '1984-03-07')\n", "a.R") == set()
    found = rules("x <- filter(df, dob == '1984-03-07')\n", "a.R")
    assert {("row-level", 1, "fail"), ("date-of-birth", 1, "fail")} <= found


def test_a_catalogued_operational_identifier_is_an_identifier_whatever_its_name():
    code = "keep if schl_key == 100345\n"
    assert rules(code, "a.do") == set()
    assert rules(code, "a.do", identifier_columns=["SCHL_KEY"]) == {("row-level", 1, "fail")}


def test_a_value_held_in_a_variable_goes_to_review_and_column_comparisons_pass():
    assert rules("one = df[df.person_id == wanted]\n", "a.py") == {("row-level", 1, "review")}
    assert rules("same = a[a.person_id == a.partner_id]\n", "a.py") == set()
    assert rules("CREATE TABLE j AS SELECT a.x FROM a JOIN b ON a.id = b.id;\n", "a.sql") == set()


def test_a_finding_names_the_line_where_a_multiline_selection_compares():
    code = "# one respondent\none <- survey %>%\n  filter(\n    person_id == 501\n  )\n"
    assert rules(code, "a.R") == {("row-level", 4, "fail")}


def test_sas_assignments_are_not_comparisons_but_conditions_are():
    assert rules("data b; set s; person_id = 1; run;\n", "a.sas") == set()
    assert rules("data b; set s; if person_id = 1 then flag = 1; run;\n", "a.sas") == {
        ("row-level", 1, "fail")
    }


def test_operators_inside_strings_and_comments_are_not_read_as_code():
    assert rules('# we never do df[df.id == 5]\nprint("id == 5")\n', "a.py") == set()
    assert rules("/* keep if id == 5 */\n* list\ntabulate region\n", "a.do") == set()


def test_notebook_code_cells_are_scanned_and_markdown_counts_as_annotation():
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": ["Look at one person"]},
            {
                "cell_type": "code",
                "source": ["df = pd.read_csv('x.csv')\n", "df[df.person_id == 42]"],
            },
        ]
    }
    findings = codescan.scan_code(json.dumps(notebook), filename="a.ipynb")
    # the selection, and the notebook showing the row it selected
    assert {(f.rule, f.line, f.severity) for f in findings} == {
        ("row-level", 3, "fail"),
        ("row-level", 3, "review"),
    }


def test_an_unknown_language_still_reads_every_idiom():
    assert ("row-level", 1, "fail") in rules("one <- df[df$id == 123, ]\n")
    assert ("row-level", 1, "fail") in rules("one = df[df['id'] == 42]\n")


def test_a_very_long_file_is_read_in_bounded_time_and_the_rest_left_to_a_checker():
    line = "counts <- table(df$region)  # one count a region\n"
    repeats = codescan.MAX_SCANNED_CHARS // len(line) + 10
    code = line * repeats + "ids <- c(9434765919)  # an NHS number past the limit\n"
    findings = codescan.scan_code(code, filename="long.R")
    assert {(f.rule, f.severity) for f in findings} == {
        ("unscanned", "review"),
        ("nhs-number", "fail"),
    }
    assert next(f.line for f in findings if f.rule == "nhs-number") == repeats + 1


def test_r_markdown_prose_is_annotation_and_only_chunks_are_code():
    document = (
        "---\ntitle: Pay\n---\n\nWe never print rows, e.g. head(df) or df[df$id == 5, ].\n\n"
        "```{r}\npay <- df %>% group_by(region) %>% summarise(n = n())\n"
        "one <- df[df$id == 5, ]\n```\n"
    )
    findings = codescan.scan_code(document, filename="report.Rmd")
    assert [(f.rule, f.line, f.severity) for f in findings] == [("row-level", 9, "fail")]


_PIECES = st.sampled_from(
    [
        "df",
        "person_id",
        "==",
        "=",
        " if ",
        "where ",
        "select * from t",
        "proc sql;",
        "quit;",
        "list",
        "print(",
        "head(",
        "%in%",
        "c(",
        "(",
        ")",
        "[",
        "]",
        "'",
        '"',
        "`",
        "#",
        "/*",
        "*/",
        "*",
        ";",
        "\n",
        " ",
        "9434765919",
        ".isin(",
        "inlist(",
        "```{r}\n",
        ".astype(str)",
        "5",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    pieces=st.lists(_PIECES, max_size=60),
    filename=st.sampled_from(["a.py", "a.R", "a.do", "a.sas", "a.sql", "a.ipynb", "a.Rmd", None]),
)
def test_any_text_scans_without_error_and_findings_point_at_its_lines(pieces, filename):
    text = "".join(pieces)
    findings = codescan.scan_code(text, filename=filename, identifier_columns=["x"])
    lines = max(len(text.splitlines()), 1)
    assert all(0 <= f.line <= lines + 1 for f in findings)
