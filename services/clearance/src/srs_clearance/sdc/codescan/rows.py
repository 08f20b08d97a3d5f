"""Commands that print, view or pick rows of a dataset (pure).

Which names hold datasets is followed through the file: a name read from a file or built
from a dataset without aggregating is a dataset; a name built by counting, summarising or
modelling is an aggregate, and printing it is what the researcher is meant to do.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from srs_clearance.sdc.codescan import identifiers
from srs_clearance.sdc.codescan.source import Statement

AGGREGATING = re.compile(
    r"\b(?:describe|groupby|group_by|summari[sz]e|aggregate|agg|count|counts|size|shape|columns"
    r"|dtypes|info|len|nrow|ncol|dim|names|colnames|nunique|value_counts|crosstab|pivot_table"
    r"|pivot|mean|median|sum|std|sd|var|min|max|quantile|corr|cov|summary|table|tabyl|xtabs"
    r"|tally|lm|glm|fit|ols|logit|probit|predict|coef|params|plot|hist|ggplot|str|class|type"
    r"|isna|isnull|unique|n_distinct|length|memory_usage|tidy|svyby|svymean|crossprod|cor"
    r"|freq|prop\.table|proportions|round)\b"
)
_READS = re.compile(
    r"\b(?:read\w*|fread|readRDS|load|DataFrame|data\.frame|tibble|as_tibble|as\.data\.frame"
    r"|data\.table|as\.data\.table|merge|\w*_join|join|concat|rbind|cbind|bind_rows|bind_cols"
    r"|copy|dbGetQuery|dbReadTable|tbl|collect|open_dataset|read_sql\w*|sql|table_from\w*"
    r"|get_dummies|assign|mutate|transform|select|filter|arrange|sort_values|drop|dropna"
    r"|fillna|rename|set_index|reset_index|subset|sample|slice\w*|distinct|query|where|loc"
    r"|iloc|head|tail)\b"
)
# Conventional dataset names, a dataset unless the file makes them something else.
_CONVENTIONAL = re.compile(r"(?:df|dt|dat|data|raw|tbl)(?:_\w+|\d+)?|\w+_(?:df|dt|data|raw|tbl)")
_ASSIGN = re.compile(r"^\s*(?P<name>[A-Za-z_.][\w.]*)\s*(?:<<?-|=(?!=))\s*(?P<rhs>.+)$", re.S)
_ASSIGN_RIGHT = re.compile(r"(?:->)\s*(?P<name>[A-Za-z_.][\w.]*)\s*$")

_VIEW_CALL = re.compile(
    r"(?<![\w.])(?P<fn>View|view|glimpse|fix|edit|datatable|head|tail|print|display|kable|show"
    r"|paged_table|gt|flextable|reactable|as_hux)\s*\("
)
_METHOD_VIEW = re.compile(
    r"(?<![\w.$])(?P<base>[A-Za-z_]\w*"
    r"(?:\([^()]*\)|\[[^\]]*\]|\.[A-Za-z_]\w*)*)"
    r"\s*\.\s*(?P<fn>head|tail|show"
    r"|to_string|to_markdown|display)\s*\("
)
_PIPE_VIEW = re.compile(r"(?:%>%|\|>)\s*(?:utils::)?(?P<fn>head|tail|View|print|glimpse|show)\b")
_PY_ROW = re.compile(
    r"(?:(?<![\w.$])(?P<base>[A-Za-z_][\w.]*)|[)\]])\s*\.\s*(?:iloc\s*\[\s*\[?\s*-?\d+\s*\]?\s*(?:,[^\]]*)?\]"
    r"|loc\s*\[\s*\[?\s*(?:\"[^\"]*\"|'[^']*'|-?\d+)\s*\]?\s*(?:,[^\]]*)?\]"
    r"|i?at\s*\[|loc\s*\[.*?\.idx(?:max|min)\s*\("
    r"|n(?:largest|smallest)\s*\(\s*1\s*[,)])"
)
_R_ROW = re.compile(
    r"(?<![\w.$])(?P<base>[A-Za-z_.][\w.]*)\s*\[\s*(?:c\(\s*)?-?\d+L?\s*\)?\s*,"
    r"|\[\s*which\.(?:max|min)\s*\("
    r"|\bslice\s*\(\s*(?:[A-Za-z_.][\w.]*\s*,\s*)?\d+L?\s*\)"
    r"|\bslice_(?:max|min)\s*\([^)]*\bn\s*=\s*1L?\b|\btop_n\s*\(\s*(?:[\w.]+\s*,\s*)?1L?\b"
)
_STATA_PREFIX = r"^\s*(?:(?:by|bys|bysort)\b[^:]*:\s*|(?:qui|quietly|noi|noisily|cap|capture)\s+)*"
_STATA_LIST = re.compile(
    _STATA_PREFIX + r"(?:l|li|lis|list|br|bro|brow|brows|browse|ed|edi|edit"
    r")\b(?!\s*\()"
)
_STATA_KEEP_ONE = re.compile(_STATA_PREFIX + r"keep\s+in\s+(-?\d+|f|l)(?:\s*/\s*\1)?\s*$")
_STATA_DISPLAY_ROW = re.compile(_STATA_PREFIX + r"di(?:s|sp|spl|spla|splay)?\b.*\w\[\s*-?\d+\s*\]")
_SAS_PRINT = re.compile(r"^\s*proc\s+(?:print|fsview|fsbrowse|fsedit|fsprint)\b", re.I)
_SAS_PUT = re.compile(r"^\s*put\b|\b(?:then|else)\s+put\b", re.I)
_SAS_ROW = re.compile(
    r"\b_n_\s*(?:=|eq)\s*\d+|\bfirstobs\s*=\s*(\d+)\s+obs\s*=\s*\1\b"
    r"|\bpoint\s*=",
    re.I,
)
_STATA_AGGREGATE = re.compile(_STATA_PREFIX + r"(?:collapse|contract|statsby|table\b.*\breplace)\b")
_STATA_RELOAD = re.compile(
    _STATA_PREFIX + r"(?:use|u|import|insheet|infile|restore|clear|sysuse"
    r"|webuse|frame\s+change)\b"
)
_SQL_CREATE = re.compile(r"\s*create\s+(?:temp\w*\s+)?(?:table|view)\s+(?P<name>[\w.]+)", re.I)
_SQL_AGGREGATES = re.compile(
    r"\b(?:count|sum|avg|min|max|median|stddev\w*|stdev\w*|variance|var_\w+|percentile\w*"
    r"|approx_\w+|listagg|string_agg|array_agg)\s*\(|\bgroup\s+by\b",
    re.I,
)


@dataclass
class Datasets:
    """Which names hold datasets and which hold aggregates, as the file goes on."""

    datasets: set[str] = field(default_factory=set)
    aggregates: set[str] = field(default_factory=set)
    # Stata holds one dataset in memory: after collapse or contract it is an aggregate.
    stata_aggregated: bool = False

    def is_dataset(self, expression: str) -> bool:
        roots = _roots(expression)
        if any(root in self.aggregates for root in roots):
            return False
        return any(root in self.datasets or _CONVENTIONAL.fullmatch(root) for root in roots)

    def is_aggregate(self, expression: str) -> bool:
        return any(root in self.aggregates for root in _roots(expression))

    def learn(self, statement: Statement, language: str | None) -> None:
        bare = statement.bare
        if language == "stata":
            if _STATA_AGGREGATE.match(bare):
                self.stata_aggregated = True
            elif _STATA_RELOAD.match(bare):
                self.stata_aggregated = False
            return
        if language == "sql":
            created = _SQL_CREATE.match(bare)
            if created:
                target = self.aggregates if _SQL_AGGREGATES.search(bare) else self.datasets
                target.add(created.group("name").lower())
            return
        match = _ASSIGN.match(bare) or _ASSIGN_RIGHT.search(bare)
        if not match:
            return
        name = match.group("name")
        rhs = match.groupdict().get("rhs") or bare
        source = re.match(r"\s*([A-Za-z_.][\w.]*)", rhs)
        starts_from_dataset = source is not None and self.is_dataset(source.group(1))
        if AGGREGATING.search(rhs):
            self.aggregates.add(name)
            self.datasets.discard(name)
        elif _READS.search(rhs) or starts_from_dataset:
            self.datasets.add(name)
            self.aggregates.discard(name)


def _roots(expression: str) -> list[str]:
    """The name an expression starts from: ``my.data`` (R) or ``df`` of ``df.head()``."""
    match = re.match(r"\s*([A-Za-z_.][\w.]*)", expression)
    if not match:
        return []
    name = match.group(1)
    return [name, name.split(".", 1)[0]] if "." in name.strip(".") else [name]


@functools.lru_cache(maxsize=4)
def _closing_brackets(text: str) -> dict[int, int]:
    """Each opening bracket's offset -> its closing bracket's offset, in one pass."""
    closing: dict[int, int] = {}
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch in "([{":
            stack.append(i)
        elif ch in ")]}" and stack:
            closing[stack.pop()] = i
    return closing


def _call_argument(text: str, open_paren: int) -> str:
    """The text inside the brackets opening at ``open_paren`` (to the end if never closed)."""
    end = _closing_brackets(text).get(open_paren)
    return text[open_paren + 1 : end] if end is not None else text[open_paren + 1 :]


Hit = tuple[int, str]  # offset in the statement, what it does


def viewing(
    statement: Statement, language: str | None, datasets: Datasets, autoprint: bool
) -> list[Hit]:
    """Commands that print or show rows of a dataset."""
    bare, hits = statement.bare, []
    if language == "stata":
        if _STATA_LIST.match(bare) and not datasets.stata_aggregated:
            hits.append((len(bare) - len(bare.lstrip()), "lists or browses observations"))
        return hits
    if language in ("sas", "sql"):
        if _SAS_PRINT.match(bare) or (language == "sas" and _SAS_PUT.search(bare)):
            hits.append((len(bare) - len(bare.lstrip()), "prints observations"))
        return hits
    for match in _VIEW_CALL.finditer(bare):
        argument = _call_argument(bare, match.end() - 1).strip()
        fn = match.group("fn")
        if not argument or datasets.is_aggregate(argument):
            continue
        if fn in (
            "print",
            "display",
            "kable",
            "show",
            "gt",
            "flextable",
            "reactable",
            "as_hux",
            "paged_table",
        ) and (not datasets.is_dataset(argument) or AGGREGATING.search(argument)):
            continue
        if fn in ("head", "tail") and AGGREGATING.search(argument):
            continue
        hits.append((match.start(), f"shows rows of a dataset ({fn})"))
    for match in _METHOD_VIEW.finditer(bare):
        base = match.group("base")
        if (
            datasets.is_aggregate(base)
            or AGGREGATING.search(base)
            or re.match(r"(?:plt|fig|ax|sns|chart|g|p)\b", base)
        ):
            continue
        if match.group("fn") == "show" and not datasets.is_dataset(base):
            continue
        hits.append((match.start(), f"shows rows of a dataset (.{match.group('fn')})"))
    for match in _PIPE_VIEW.finditer(bare):
        if not AGGREGATING.search(bare[: match.start()]):
            hits.append((match.start(), f"shows rows of a dataset ({match.group('fn')})"))
    if autoprint:
        expression = bare.strip()
        assigned = _ASSIGN.match(bare) or _ASSIGN_RIGHT.search(bare)
        first = re.match(r"[A-Za-z_.][\w.]*", expression)
        if (
            first
            and not assigned
            and datasets.is_dataset(first.group(0))
            and not AGGREGATING.search(expression)
            and re.fullmatch(r"[A-Za-z_.][\w.]*\s*(?:\[.*\]|%>%.*|\|>.*|\$\w+)?", expression, re.S)
        ):
            hits.append((len(bare) - len(bare.lstrip()), "prints a dataset"))
    return hits


def picking_rows(statement: Statement, language: str | None, datasets: Datasets) -> list[Hit]:
    """Commands that pick one row by position or label, or the row of an extreme value."""
    bare, hits = statement.bare, []
    if language == "stata":
        if _STATA_KEEP_ONE.match(bare) or _STATA_DISPLAY_ROW.match(bare):
            hits.append((len(bare) - len(bare.lstrip()), "picks a single observation"))
        return hits
    if language == "sas":
        hits += [(m.start(), "picks a single observation") for m in _SAS_ROW.finditer(bare)]
        return hits
    if language == "sql":
        return hits
    patterns = {"python": (_PY_ROW,), "r": (_R_ROW,)}.get(language or "", (_PY_ROW, _R_ROW))
    for pattern in patterns:
        for match in pattern.finditer(bare):
            base = match.groupdict().get("base")
            if base and (datasets.is_aggregate(base) or AGGREGATING.search(base)):
                continue
            hits.append((match.start(), "picks a single row by position, label or extreme value"))
    return hits


def sql_listing(
    statement_bare: str, catalogued: tuple[str, ...], aggregates: set[str] | None = None
) -> bool:
    """A top-level SELECT that returns rows rather than aggregates (a table this file built by
    aggregating counts as an aggregate)."""
    text = statement_bare.strip().lstrip("(").strip()
    if not re.match(r"(?:select|with)\b", text, re.I):
        return False
    sources = {name.lower() for name in re.findall(r"\b(?:from|join)\s+([\w.]+)", text, re.I)}
    if sources and aggregates and sources <= aggregates:
        return False
    if re.search(r"\binto\b", text, re.I) or _SQL_AGGREGATES.search(text):
        return False
    distinct = re.match(r"select\s+distinct\s+(?P<columns>.*?)\s+from\b", text, re.I | re.S)
    if distinct:
        columns = [
            c.strip().split()[-1].rsplit(".", 1)[-1]
            for c in distinct.group("columns").split(",")
            if c.strip()
        ]
        return any(c == "*" or identifiers.column_kind(c, catalogued) for c in columns)
    return True
