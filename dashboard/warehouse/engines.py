"""One SQL, several engines: the queries are written once in DuckDB's dialect and transpiled with
sqlglot for the engine ``CX_WAREHOUSE_URL`` names.

Transforms applied before generating the target's SQL, each for a DuckDB construct the target
lacks or spells differently (the caveats, found by running every query on the fixture):

- ``GROUP BY ALL`` → the ordinal positions of the non-aggregate select items (all targets);
- ``try_cast(x as double)`` → a regular-expression guard around a cast (PostgreSQL has no
  try_cast);
- ``unnest(range(a, b))`` → ``generate_series(a, b - 1)`` as a set-returning select item;
- ``to_months(n)`` → ``make_interval(months => n)``;
- ``len($list)`` → ``cardinality($list)`` (PostgreSQL's ``length`` is for text);
- ``arg_max(x, y)`` / ``arg_min`` → ``(array_agg(x order by y desc|asc nulls last))[1]``;
- ``strftime(d, '%G-W%V')`` → ``to_char(d, 'IYYY-"W"IW')`` (a bare W is a pattern there);
- ``$name`` parameters → the driver's paramstyle (``%(name)s`` for psycopg), and a literal ``%``
  doubled so the driver does not read it as a placeholder.

For Spark (``spark://``, ``sc://``; sqlglot itself writes ``explode(sequence(…))`` for
``unnest(range(…))``, ``max_by``/``min_by`` for ``arg_max``/``arg_min``, a subquery for
``qualify``, ``nulls last`` where DuckDB's default differs, and ``:name`` parameter markers):

- ``from t, generate_series(a, b, step)`` → ``lateral view explode(sequence(a, b, step))
  generate_series as generate_series`` (DuckDB names the column after the function);
- ``cte.*`` in a select with ``join … using (…)`` → the CTE's columns by name (Spark would put the
  using keys first);
- a decimal literal in a division → ``cast(… as double)`` (Spark's decimal quotient is rounded to
  six places, DuckDB's is a double);
- ``to_months(n)`` → ``make_ym_interval(0, n)``;
- ``len($list)`` → ``size($list)`` (Spark's ``length`` is for text);
- ``strftime(d, '%G-W%V')`` → ``format_string('%d-W%02d', extract(yearofweek …), extract(week
  …))`` (``date_format`` has no ISO week-year);
- ``list[i]`` with a computed ``i`` (DuckDB counts from 1, and sqlglot keeps such a subscript as
  written) → ``get(list, i - 1)`` (Spark counts from 0; ``get`` is NULL outside the list, as
  DuckDB's subscript is, where ``list[i]`` would raise).

Only modules of ``dashboard.warehouse`` run the result: ``db`` and ``spark`` to read, ``steps``
(through ``build`` and ``spark``) to build.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd
import sqlglot
from sqlglot import exp

#: URL scheme prefix → sqlglot dialect
DIALECTS = {"duckdb": "duckdb", "postgresql": "postgres", "postgres": "postgres",
            "spark": "spark", "sc": "spark", "databricks": "databricks", "trino": "trino",
            "snowflake": "snowflake", "bigquery": "bigquery"}
_NUMBER_RE = r"^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$"


def dialect_of(url: str) -> str:
    """The sqlglot dialect of a SQLAlchemy URL (``postgresql+psycopg://…`` → postgres)."""
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    try:
        return DIALECTS[scheme]
    except KeyError:
        raise ValueError(f"unsupported warehouse URL scheme {scheme!r}: one of "
                         f"{', '.join(sorted(DIALECTS))}") from None


def _group_by_all(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Select):
        group = node.args.get("group")
        if group is not None and group.args.get("all"):
            keys = [exp.Literal.number(i + 1) for i, item in enumerate(node.expressions)
                    if not item.find(exp.AggFunc) and not item.find(exp.Window)]
            node.set("group", exp.Group(expressions=keys))
    return node


def _postgres(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.TryCast):
        guard = exp.RegexpLike(this=node.this.copy(), expression=exp.Literal.string(_NUMBER_RE))
        cast = exp.Cast(this=node.this.copy(), to=node.args["to"].copy())
        return exp.Case(ifs=[exp.If(this=guard, true=cast)])
    if isinstance(node, exp.Explode) and isinstance(node.this, exp.GenerateSeries):
        return node.this
    if isinstance(node, exp.Anonymous) and node.name.lower() == "to_months":
        months = exp.Cast(this=node.expressions[0].copy(), to=exp.DataType.build("int"))
        return exp.Anonymous(this="make_interval", expressions=[
            exp.Kwarg(this=exp.var("months"), expression=months)])
    if isinstance(node, exp.Length) and (
            isinstance(node.this, exp.Placeholder)
            or (isinstance(node.this, exp.Cast) and node.this.to.is_type(exp.DType.ARRAY))):
        return exp.Anonymous(this="cardinality", expressions=[node.this.copy()])
    if isinstance(node, exp.ArgMax | exp.ArgMin):
        agg = exp.ArrayAgg(this=exp.Order(this=node.this.copy(), expressions=[
            exp.Ordered(this=node.expression.copy(), desc=isinstance(node, exp.ArgMax),
                        nulls_first=False)]))
        # sqlglot indexes from 0 inside its trees; the generator writes [1] for postgres
        return exp.Bracket(this=exp.Paren(this=agg), expressions=[exp.Literal.number(0)])
    if (isinstance(node, exp.TimeToStr) and node.args.get("format") is not None
            and node.args["format"].name == "%G-W%V"):
        return exp.Anonymous(this="to_char", expressions=[
            node.this.copy(), exp.Literal.string('IYYY-"W"IW')])
    return node


def _spark_series(node: exp.Expression) -> exp.Expression:
    """``from t, generate_series(a, b, step)`` (DuckDB names the column generate_series) →
    ``from t lateral view explode(sequence(a, b, step)) generate_series as generate_series``."""
    if isinstance(node, exp.Select):
        for join in list(node.args.get("joins") or []):
            table = join.this
            if (isinstance(table, exp.Table) and isinstance(table.this, exp.GenerateSeries)
                    and not table.alias and not join.args.get("on")):
                name = exp.to_identifier("generate_series")
                node.append("laterals", exp.Lateral(
                    this=exp.Explode(this=table.this.copy()), view=True,
                    alias=exp.TableAlias(this=name, columns=[name.copy()])))
                join.pop()
        if node.args.get("joins") == []:
            node.set("joins", None)
    return node


def _spark_star(node: exp.Expression) -> exp.Expression:
    """``cte.*`` in a select joining ``using (…)`` → the CTE's columns by name: Spark puts the
    using keys first, DuckDB keeps the relation's own column order."""
    if isinstance(node, exp.Select) and any(j.args.get("using")
                                            for j in node.args.get("joins") or []):
        ctes = {cte.alias: cte.this for cte in node.root().find_all(exp.CTE)}
        items: list[exp.Expression] = []
        for item in node.expressions:
            names = (ctes[item.table].named_selects if isinstance(item, exp.Column)
                     and isinstance(item.this, exp.Star) and item.table in ctes else [])
            if names and "*" not in names:
                items.extend(exp.column(name, table=item.table) for name in names)
            else:
                items.append(item)
        node.set("expressions", items)
    return node


def _spark(node: exp.Expression) -> exp.Expression:
    if (isinstance(node, exp.Bracket) and len(node.expressions) == 1
            and not isinstance(node.expressions[0], exp.Literal)):
        index = exp.Sub(this=node.expressions[0].copy(), expression=exp.Literal.number(1))
        return exp.Anonymous(this="get", expressions=[node.this.copy(), index])
    if isinstance(node, exp.Div):  # a decimal literal would make the quotient a rounded decimal
        for side in ("this", "expression"):
            term = node.args[side]
            if isinstance(term, exp.Literal) and not term.is_string and not term.is_int:
                node.set(side, exp.Cast(this=term.copy(), to=exp.DataType.build("double")))
        return node
    if isinstance(node, exp.Anonymous) and node.name.lower() == "to_months":
        months = exp.Cast(this=node.expressions[0].copy(), to=exp.DataType.build("int"))
        return exp.Anonymous(this="make_ym_interval", expressions=[exp.Literal.number(0), months])
    if isinstance(node, exp.Length) and (
            isinstance(node.this, exp.Placeholder)
            or (isinstance(node.this, exp.Cast) and node.this.to.is_type(exp.DType.ARRAY))):
        return exp.ArraySize(this=node.this.copy())
    if (isinstance(node, exp.TimeToStr) and node.args.get("format") is not None
            and node.args["format"].name == "%G-W%V"):
        return exp.Anonymous(this="format_string", expressions=[
            exp.Literal.string("%d-W%02d"),
            exp.Extract(this=exp.var("YEAROFWEEK"), expression=node.this.copy()),
            exp.Extract(this=exp.var("WEEK"), expression=node.this.copy())])
    return node


@lru_cache(maxsize=1024)
def transpile(sql: str, dialect: str, bound: bool = True) -> str:
    """``sql`` (DuckDB's dialect, ``$name`` parameters) as the target dialect's SQL; ``bound``
    when it will run with parameters through the driver (a literal % is then doubled)."""
    if dialect == "duckdb":
        return sql
    tree = sqlglot.parse_one(sql, read="duckdb").transform(_group_by_all)
    if dialect == "postgres":
        tree = tree.transform(_postgres)
    elif dialect in ("spark", "databricks"):
        tree = tree.transform(_spark_series).transform(_spark_star).transform(_spark)
    out = tree.sql(dialect=dialect)
    if dialect == "postgres" and bound:  # psycopg's pyformat: a literal % is doubled
        out = re.sub(r"%(?!\()", "%%", out)
    return out


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Another engine's result with DuckDB's types: exact decimals as floats, zoned timestamps
    as naive UTC."""
    import decimal

    for col in frame.columns:
        s = frame[col]
        if s.dtype == object and len(s.dropna()):
            first = s.dropna().iloc[0]
            if isinstance(first, decimal.Decimal):
                frame[col] = pd.to_numeric(s.astype("float64"))
        elif isinstance(s.dtype, pd.DatetimeTZDtype):
            frame[col] = s.dt.tz_convert("UTC").dt.tz_localize(None)
    return frame
