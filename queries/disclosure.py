"""Statistical disclosure control: the one rule every protected output passes through.

The published rule (the Civil Service Statistics data-browser convention; the access contract
says where it applies, the CLI applies it under ``--disclosure-control``):

* a count under 5 is shown as ``[c]``; a row whose population (its count of people) is under 5
  is suppressed whole, every measure in it, because every measure is about those few people;
* mean and median salaries over fewer than 10 people are suppressed;
* a ratio (a rate, share, mean span or per-person figure: :class:`Ratio`) is suppressed
  wherever a count it is worked out from is, or where it is over fewer people than its
  minimum, so that it cannot give back a suppressed count;
* suppression comes first and rounding after: counts (headcount and FTE alike) to the nearest
  5, money and averages to the nearest £10, halves away from zero;
* secondary suppression, so that no suppressed cell can be recovered by differencing.  The
  grand total and the margins of every grouping dimension are always obtainable by an analyst
  (by re-querying at a coarser grouping), so they are treated as published.

Secondary suppression works on *lines*.  For a table grouped by ``dims`` and each additive
measure (population, counts, money), a line of dimension ``d`` is the set of rows sharing the
values of every other dimension: its total is a margin an analyst can obtain.  In a 1-D table
all rows form one line whose total is the grand total.  Each identity in the rule (e.g. the
flows identity ``end = start + joiners - leavers + in - out``) also forms a line within a row.
It runs in two stages:

1. *Boxes.*  Around every primary cell, the cheapest hypercube of cells is suppressed: one
   other level in every dimension, all ``2**k`` combinations (in 1-D, a pair; in 2-D, a
   2 x 2 rectangle).  Adding ``+t`` and ``-t`` alternately round a box changes no line total,
   so no combination of margins can pin the cell down.  Where a sparse table has no box, the
   cheapest cycle of cells does the same job.  Balancing lines alone (stage 2) is not enough
   in two or more dimensions: a pattern can leave two or more suppressed cells in every line
   and still be solved exactly (in random 3-D tables, most of the time).
2. *Lines.*  Until nothing changes: a line with exactly one suppressed cell gives that cell
   away (total minus the cells shown), so the unsuppressed cell with the smallest absolute
   value in it is suppressed too (ties broken by row order; within an identity, by column
   order).  A row whose population is suppressed has its other measures suppressed too.

Cells that would not really hide anything are avoided:

* A line with a single (non-null) cell is left alone: its total *is* the cell, and the coarser
  table that publishes the total applies this same rule to it.
* For the same reason, a cell that is the only cell of some other line is published by that
  coarser table, so it is a useless secondary: boxes never use it (unless it is itself
  primary), and line balancing takes it only when no other candidate is left.

What one table cannot do: a primary cell whose protection would need such a published cell
(typical of very sparse tables) stays only as safe as the coarser tables' own suppression.
Protecting a complete table (every combination present, zeros included) avoids that.

Averages are not additive (a margin's mean is not the sum of the cells' means), so they are
not balanced along lines: they are suppressed by the population rule and with their row.

Null (or NaN) measure values are "not available", not suppressed: they stay null, are not
counted, and are not cells of any line.  A null population cannot be checked, so its row is
suppressed (fail closed).  This module is pure polars/numpy, with no Streamlit or Plotly.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from queries.definition_model import MIN_COUNT, Ratio

__all__ = [
    "AVERAGE_BASE",
    "COUNT_BASE",
    "MIN_AVERAGE_POPULATION",
    "MIN_COUNT",
    "MONEY_BASE",
    "SUPPRESSED",
    "DisclosureRule",
    "Protected",
    "Ratio",
    "protect",
    "render",
    "round_places",
    "round_to",
]

SUPPRESSED = "[c]"
"""What a suppressed cell reads in rendered output (the GSS shorthand for "confidential")."""

MIN_AVERAGE_POPULATION = 10
"""Means and medians over fewer people than this are suppressed."""

COUNT_BASE = 5
"""Counts, headcount and FTE alike, are rounded to the nearest multiple of this."""

MONEY_BASE = 10
"""Money is rounded to the nearest multiple of this many pounds."""

AVERAGE_BASE = 10
"""Mean and median salaries are rounded to the nearest multiple of this many pounds."""


@dataclass(frozen=True)
class DisclosureRule:
    """Which columns of a table are which kind of measure.

    Every column of a protected table must be either a dimension (passed to :func:`protect`) or
    named here: an undeclared column is refused rather than published unprotected.

    Attributes:
        population: the row's count of people (``"headcount"``, ``"workers"``,
            ``"headcount_end"``...).  A row whose population is under 5 is suppressed whole.
            It is itself a count (suppressed under 5, rounded to 5) whether or not it is also
            listed in ``counts``.  ``None`` for tables without one (then there can be no
            averages).
        counts: count-like measures (headcount, FTE, joiners...): suppressed when under 5 in
            absolute value, rounded to the nearest 5.
        money: £ measures (pay bill...): suppressed with their row, rounded to the nearest £10.
        averages: mean or median salary-like measures: suppressed when the population is under
            10, rounded to the nearest £10.
        identities: sets of count or money columns linked by an identity within a row, such as
            ``("headcount_end", "headcount_start", "joiners", "leavers", "transfers_in",
            "transfers_out")``, so that one suppressed cell among them would be recoverable.
        ratios: rates, shares and means worked out from counts or money of the row
            (:class:`Ratio`).
    """

    population: str | None
    counts: tuple[str, ...] = ()
    money: tuple[str, ...] = ()
    averages: tuple[str, ...] = ()
    identities: tuple[tuple[str, ...], ...] = ()
    ratios: tuple[Ratio, ...] = ()

    def __post_init__(self) -> None:
        roles = {
            "counts": self.count_columns,
            "money": self.money,
            "averages": self.averages,
            "ratios": self.ratio_columns,
        }
        seen: dict[str, str] = {}
        for role, columns in roles.items():
            for column in columns:
                if column in seen and seen[column] != role:
                    raise ValueError(f"column {column!r} is both {seen[column]} and {role}")
                if column in seen:
                    raise ValueError(f"column {column!r} is listed twice in {role}")
                seen[column] = role
        if not self.measures:
            raise ValueError("a disclosure rule needs at least one measure")
        if self.averages and self.population is None:
            raise ValueError("averages need a population column to check the 10-person rule")
        additive = set(self.additive)
        for identity in self.identities:
            if len(identity) < 2 or len(set(identity)) != len(identity):
                raise ValueError(f"an identity needs two or more distinct columns: {identity}")
            loose = [column for column in identity if column not in additive]
            if loose:
                raise ValueError(f"identity columns must be counts or money: {loose}")
        for ratio in self.ratios:
            parts = [c for c in (ratio.numerator, ratio.denominator) if c is not None]
            loose = [column for column in parts if column not in additive]
            if loose:
                raise ValueError(f"{ratio.column} must be worked out from counts or money: {loose}")

    @property
    def count_columns(self) -> tuple[str, ...]:
        """The population (first) and the other counts: everything rounded to 5."""
        if self.population is None or self.population in self.counts:
            head: tuple[str, ...] = () if self.population is None else (self.population,)
            return head + tuple(c for c in self.counts if c != self.population)
        return (self.population, *self.counts)

    @property
    def additive(self) -> tuple[str, ...]:
        """Measures that add up along a dimension, so are balanced along lines."""
        return self.count_columns + self.money

    @property
    def measures(self) -> tuple[str, ...]:
        """Every measure column the rule covers."""
        return self.additive + self.averages + self.ratio_columns

    @property
    def ratio_columns(self) -> tuple[str, ...]:
        """The columns of the ratios."""
        return tuple(ratio.column for ratio in self.ratios)

    def base(self, column: str) -> int:
        """The rounding base of a measure column."""
        if column in self.money:
            return MONEY_BASE
        if column in self.averages:
            return AVERAGE_BASE
        return COUNT_BASE


@dataclass(frozen=True, eq=False)  # eq=False: DataFrames do not compare to a single bool
class Protected:
    """A table after disclosure control.

    Attributes:
        values: the input's rows and columns, in order; suppressed cells null, every measure
            rounded (counts to 5, money and averages to £10) and typed ``Int64``, but for
            ratios, rounded to their decimals (``Float64``; ``Int64`` for tens and more).
        suppressed: one boolean column per measure (dimensions omitted), in the input's column
            order: ``True`` where the cell is suppressed.  A cell that was null in the input is
            not suppressed: it was never there to publish.
        cells_suppressed: ``primary + secondary`` (the number recorded in the audit log).
        primary: cells suppressed by the small-number rules themselves.
        secondary: cells suppressed only so that the primary ones cannot be recovered.
    """

    values: pl.DataFrame
    suppressed: pl.DataFrame
    cells_suppressed: int
    primary: int
    secondary: int


def round_to(values: pl.Expr, base: int) -> pl.Expr:
    """Round to the nearest multiple of ``base``, halves away from zero, as ``Int64``.

    ``12.5`` to 5 gives ``15``, ``-12.5`` gives ``-15``, ``48215`` to 10 gives ``48220``.  Float
    noise just under a half (``48214.999999999996``, a sum of pennies) counts as the half.
    Null and NaN give null.
    """
    if base <= 0:
        raise ValueError(f"rounding base must be positive, not {base}")
    number = values.cast(pl.Float64).fill_nan(None)
    steps = (number.abs() / base).round(9)
    return (number.sign() * (steps + 0.5).floor() * base).cast(pl.Int64)


def protect(frame: pl.DataFrame, dims: Sequence[str], rule: DisclosureRule) -> Protected:
    """Apply the published disclosure rule to an aggregated table.

    Args:
        frame: one row per combination of ``dims`` (a 0-dimension table has at most one row:
            the total), with every other column declared in ``rule``.
        dims: the grouping dimensions, whose margins are treated as published.  List only
            true dimensions: a label column that merely names another dimension's values
            would make every line a single cell and so defeat secondary suppression; join
            labels on after protection instead.
        rule: which columns are the population, counts, money and averages.

    Returns:
        The rounded values with suppressed cells null, the suppression mask and the counts of
        primary and secondary suppressions.  Deterministic: the same input (in the same row
        order) always gives the same output.

    Raises:
        ValueError: a column is missing, undeclared, non-numeric, or both a dimension and a
            measure, or the dimensions do not identify the rows uniquely.
    """
    dims = list(dims)
    _check(frame, dims, rule)
    measures = [c for c in frame.columns if c in set(rule.measures)]
    col = {name: j for j, name in enumerate(measures)}

    values = frame.select(pl.col(m).cast(pl.Float64).fill_nan(None) for m in measures).to_numpy()
    values = values.reshape(frame.height, len(measures)).astype(np.float64, copy=False)
    valid = ~np.isnan(values)
    magnitude = np.where(valid, np.abs(values), np.inf)

    suppressed = _primary(values, valid, rule, col)
    primary = suppressed.copy()

    # Level codes of the dimensions that vary: a dimension with one value adds no margins.
    codes = _level_codes(frame, dims)
    codes = codes[:, [i for i in range(codes.shape[1]) if codes[:, i].max(initial=0) > 0]]
    lines = [_line_ids(np.delete(codes, i, axis=1)) for i in range(codes.shape[1])]
    additive = [col[m] for m in rule.additive]
    exposed = np.zeros_like(valid)
    for ids, n_lines in lines:
        for j in additive:
            sizes = np.bincount(ids[valid[:, j]], minlength=n_lines)
            exposed[:, j] |= valid[:, j] & (sizes[ids] == 1)
    identities = [[col[c] for c in identity] for identity in rule.identities]
    population = None if rule.population is None else col[rule.population]

    # Stage 1: a hypercube of suppressed cells around every primary additive cell.  In one
    # dimension without identities, a box is a pair and stage 2 finds the same pairs.
    if len(lines) > 1 or identities:
        boxes = _Boxes(
            codes, valid, magnitude, suppressed, primary, exposed, population, identities
        )
        for j in additive:
            for row in np.flatnonzero(primary[:, j]):
                if not boxes.covered[row, j]:
                    boxes.protect_cell(int(row), j)

    # Stage 2: no line (margin) or identity with exactly one suppressed cell.
    while True:
        before = int(suppressed.sum())
        for j in additive:
            for ids, n_lines in lines:
                _balance_lines(suppressed, valid, magnitude, exposed, ids, n_lines, j)
            if j == population:
                _with_population(suppressed, valid, population)
        for identity in identities:
            _balance_identity(suppressed, valid, magnitude, exposed, identity)
        _with_population(suppressed, valid, population)
        if int(suppressed.sum()) == before:
            break
    _with_parts(suppressed, valid, rule, col)

    mask = pl.DataFrame(
        {m: suppressed[:, col[m]] for m in measures}, schema=dict.fromkeys(measures, pl.Boolean)
    )
    decimals = {ratio.column: ratio.decimals for ratio in rule.ratios}
    protected = frame.with_columns(
        pl.when(pl.lit(mask.get_column(m)))
        .then(pl.lit(None, dtype=_ratio_type(decimals[m]) if m in decimals else pl.Int64))
        .otherwise(
            round_places(pl.col(m), decimals[m])
            if m in decimals
            else round_to(pl.col(m), rule.base(m))
        )
        .alias(m)
        for m in measures
    )
    n_primary = int(primary.sum())
    n_total = int(suppressed.sum())
    return Protected(
        values=protected,
        suppressed=mask,
        cells_suppressed=n_total,
        primary=n_primary,
        secondary=n_total - n_primary,
    )


def render(protected: Protected) -> pl.DataFrame:
    """The protected table with every measure as text, for CSV and JSON output.

    A suppressed cell reads ``[c]``; any other value reads as a plain number (``"125"``,
    ``"48210"``, ``"-15"``: no separators; a ratio with its decimals, ``"0.125"``).  A value
    missing from the input stays null.  Dimension columns are unchanged.
    """
    values = protected.values
    return values.with_columns(
        pl.when(pl.lit(protected.suppressed.get_column(m)))
        .then(pl.lit(SUPPRESSED))
        .otherwise(
            pl.col(m).cast(pl.String)
            if values.schema[m] == pl.Float64
            else pl.col(m).cast(pl.Int64).cast(pl.String)
        )
        .alias(m)
        for m in protected.suppressed.columns
    )


def round_places(values: pl.Expr, decimals: int) -> pl.Expr:
    """Round to ``decimals`` places, halves away from zero (:func:`round_to`): ``Float64`` for
    places after the point, ``Int64`` for 0 or fewer (``-1``: to the nearest 10)."""
    if decimals <= 0:
        return round_to(values, 10**-decimals)
    scale = 10**decimals
    # round() again: dividing may be done as multiplying by 1/scale, off in the last bit.
    return (round_to(values.cast(pl.Float64) * scale, 1).cast(pl.Float64) / scale).round(decimals)


def _ratio_type(decimals: int) -> pl.DataType:
    return pl.Float64() if decimals > 0 else pl.Int64()


# --- internals ------------------------------------------------------------------------------


def _check(frame: pl.DataFrame, dims: list[str], rule: DisclosureRule) -> None:
    measures = set(rule.measures)
    missing = [c for c in [*dims, *rule.measures] if c not in frame.columns]
    if missing:
        raise ValueError(f"columns not in the table: {missing}")
    if len(set(dims)) != len(dims):
        raise ValueError(f"a dimension is listed twice: {dims}")
    both = sorted(measures.intersection(dims))
    if both:
        raise ValueError(f"columns cannot be both dimensions and measures: {both}")
    undeclared = [c for c in frame.columns if c not in measures and c not in dims]
    if undeclared:
        raise ValueError(
            f"columns neither dimensions nor declared measures: {undeclared}; "
            "declare them in the rule, list them in dims, or drop them before protecting"
        )
    not_numeric = [m for m in rule.measures if not frame.schema[m].is_numeric()]
    if not_numeric:
        raise ValueError(f"measure columns must be numeric: {not_numeric}")
    if dims:
        duplicated = frame.select(pl.struct(dims).is_duplicated().any()).item()
    else:
        duplicated = frame.height > 1
    if duplicated:
        raise ValueError(f"the dimensions {dims} do not identify the rows uniquely")


def _primary(
    values: np.ndarray, valid: np.ndarray, rule: DisclosureRule, col: dict[str, int]
) -> np.ndarray:
    """The cells the small-number rules suppress by themselves."""
    suppressed = np.zeros_like(valid)
    with np.errstate(invalid="ignore"):
        for m in rule.count_columns:
            j = col[m]
            suppressed[:, j] |= valid[:, j] & (np.abs(values[:, j]) < MIN_COUNT)
        if rule.population is not None:
            people = values[:, col[rule.population]]  # NaN (unknown) fails both tests
            few = ~(people >= MIN_COUNT)
            suppressed[few] |= valid[few]
            too_few_to_average = ~(people >= MIN_AVERAGE_POPULATION)
            for m in rule.averages:
                j = col[m]
                suppressed[:, j] |= valid[:, j] & too_few_to_average
        for ratio in rule.ratios:  # over too few: an unknown denominator fails too
            j = col[ratio.column]
            over = values[:, col[ratio.denominator]]
            suppressed[:, j] |= valid[:, j] & ~(over >= ratio.minimum)
    return suppressed


def _level_codes(frame: pl.DataFrame, dims: list[str]) -> np.ndarray:
    """Each row's level of each dimension, numbered from 0 in sorted order (null first)."""
    codes = np.zeros((frame.height, len(dims)), dtype=np.int64)
    for i, dim in enumerate(dims):
        if frame.height:
            # A struct of one field ranks nulls too (a bare column would give them no rank).
            ranks = frame.select(pl.struct(dim).rank("dense")).to_series().to_numpy()
            codes[:, i] = ranks.astype(np.int64) - 1
    return codes


def _line_ids(others: np.ndarray) -> tuple[np.ndarray, int]:
    """Number the lines that vary one dimension: rows sharing the ``others`` levels."""
    if others.shape[1] == 0 or others.shape[0] == 0:
        return np.zeros(others.shape[0], dtype=np.int64), 1
    keys, ids = np.unique(others, axis=0, return_inverse=True)
    return ids.reshape(-1).astype(np.int64), len(keys)


class _Boxes:
    """Hypercubes of suppressed cells: the protection that margins cannot undo.

    Choose, for a primary cell, one other level in every varying dimension: the ``2**k``
    combinations of the cell's levels and those others are the corners of a box.  With every
    corner suppressed, adding ``+t`` and ``-t`` alternately round the corners changes no line
    total (each line through the box meets it in two corners of opposite sign), so no set of
    margins, however combined, pins the primary cell down.  Balancing lines alone does not give
    that in two or more dimensions: the suppressed cells of a 3-D table can leave every line
    with two or more and still be solvable.

    A corner must be a cell that is there (not null) and not the only cell of any line (whose
    coarser table would publish it), unless it is itself primary.  Among the boxes available,
    the one adding the least (sum of absolute values of the cells newly suppressed) wins; ties
    go to the lowest levels.  Where an identity links the cell's column to others, a partner
    column of the identity is suppressed on the same corners, so the identity also holds for
    every ``t``.  A cell with no box (a sparse table) gets the cheapest cycle instead (see
    :meth:`_cycle`); with neither, it is left to the line balancing.  The search looks at the
    ``NEAREST`` cheapest other levels of each dimension first, then at all of them.
    """

    NEAREST = 6  # alternatives tried per dimension before trying them all
    MOST_BOXES = 20_000  # ... as long as that is no more boxes than this
    MOST_CYCLE_CELLS = 50_000  # cycles are sought in two dimensions of at most this many cells
    DENSE_CELLS = 4_000_000  # up to this many level combinations, look cells up in an array

    def __init__(
        self,
        codes: np.ndarray,
        valid: np.ndarray,
        magnitude: np.ndarray,
        suppressed: np.ndarray,
        primary: np.ndarray,
        exposed: np.ndarray,
        population: int | None,
        identities: list[list[int]],
    ) -> None:
        self.codes = codes
        self.levels = codes.max(axis=0, initial=0) + 1 if codes.size else np.zeros(0, np.int64)
        self.valid = valid
        self.suppressed = suppressed
        self.population = population
        self.identities = identities
        # What suppressing a cell costs: nothing if already suppressed, otherwise its size;
        # impossible if it is absent, or published by a coarser table and not primary.
        usable = valid & ~(exposed & ~primary)
        self.cost = np.where(usable, np.where(suppressed, 0.0, magnitude), np.inf)
        self.covered = np.zeros_like(valid)  # cells already a corner of a suppressed box
        k = codes.shape[1]
        size = math.prod(int(n) for n in self.levels)
        self.enabled = k > 0 and size < 2**62
        if self.enabled:
            self.strides = np.ones(k, dtype=np.int64)
            for i in range(k - 2, -1, -1):
                self.strides[i] = self.strides[i + 1] * self.levels[i + 1]
            flat = codes @ self.strides
            self.missing = len(flat)  # the row number that stands for "no such cell"
            if size <= self.DENSE_CELLS:
                self.dense = np.full(size, self.missing, dtype=np.int64)
                self.dense[flat] = np.arange(len(flat))
            else:
                self.dense = None
                self.order = np.argsort(flat, kind="stable")
                self.keys = flat[self.order]
            self.patterns = np.array(list(itertools.product((0, 1), repeat=k)), dtype=np.int64)

    def protect_cell(self, row: int, j: int) -> None:
        """Suppress a box of cells around ``(row, j)``, if one exists."""
        if not self.enabled:
            return
        columns = self._columns(row, j)
        if columns is None:
            return
        corners = self._box(row, columns, self.NEAREST)
        if corners is None:
            corners = self._box(row, columns, None)
        if corners is None:
            corners = self._cycle(row, columns)
        if corners is None:
            return
        self._suppress(corners, columns)

    def _columns(self, row: int, j: int) -> list[int] | None:
        """``j`` and, for each identity it is in, the partner column that moves with it."""
        columns = [j]
        for identity in self.identities:
            if j not in identity:
                continue
            others = [c for c in identity if c != j and np.isfinite(self.cost[row, c])]
            if not others:
                return None
            if not any(c in columns for c in others):
                columns.append(min(others, key=lambda c: (self.cost[row, c], identity.index(c))))
        return columns

    def _rows(self, flat: np.ndarray) -> np.ndarray:
        """The row of each flat cell index, or ``self.missing`` where there is none."""
        if self.dense is not None:
            return self.dense[flat]
        at = np.minimum(np.searchsorted(self.keys, flat), len(self.keys) - 1)
        return np.where(self.keys[at] == flat, self.order[at], self.missing)

    def _prices(self, columns: list[int]) -> np.ndarray:
        """What suppressing each row costs, plus a last entry (infinite) for a missing cell."""
        return np.append(self.cost[:, columns].sum(axis=1), np.inf)

    def _steps(
        self, price: np.ndarray, base: np.ndarray, origin: int, i: int, nearest: int | None
    ) -> np.ndarray | None:
        """Flat offsets from the cell to its usable neighbours along dimension ``i``, best
        first (cheapest, then lowest level); ``None`` if there are none."""
        levels = np.arange(self.levels[i])
        levels = levels[levels != base[i]]
        offsets = (levels - base[i]) * self.strides[i]
        cost = price[self._rows(origin + offsets)]
        usable = np.isfinite(cost)
        if not usable.any():
            return None
        offsets, cost = offsets[usable], cost[usable]
        ranked = offsets[np.lexsort((offsets, cost))]
        return ranked if nearest is None else ranked[:nearest]

    def _box(self, row: int, columns: list[int], nearest: int | None) -> np.ndarray | None:
        """The corner rows of the cheapest box around ``row``, or ``None`` if there is none."""
        price = self._prices(columns)
        base = self.codes[row]
        origin = int(base @ self.strides)
        k = len(base)
        steps = []  # per dimension: flat offsets to the other levels worth trying, best first
        for i in range(k):
            step = self._steps(price, base, origin, i, nearest)
            if step is None:
                return None
            steps.append(step)
        shape = tuple(len(step) for step in steps)
        if nearest is None and math.prod(shape) > self.MOST_BOXES:
            return None
        # corners[p, a_1, ..., a_k]: corner p of the box using alternative a_i in dimension i.
        corners = np.full((len(self.patterns), *shape), origin, dtype=np.int64)
        for i, step in enumerate(steps):
            along = [1] * (k + 1)
            along[i + 1] = -1
            moved = self.patterns[:, i].reshape(-1, *[1] * k)
            corners += moved * step.reshape(along)
        rows = self._rows(corners)
        total = price[rows].sum(axis=0)
        best = int(np.argmin(total))  # the first of equal totals: the cheapest levels first
        if not np.isfinite(total.flat[best]):
            return None
        return rows.reshape(len(self.patterns), -1)[:, best]

    def _cycle(self, row: int, columns: list[int]) -> np.ndarray | None:
        """Where no box exists, the cheapest cycle of cells through ``row``, or ``None``.

        In two dimensions a box is a cycle of four cells (level of one dimension, level of the
        other, and so on back to the start, each step a cell), and any longer cycle works as
        well: signs alternating round it change no line total.  A sparse table may have one
        where it has no box.  The cells are the edges of a graph on the levels of the two
        dimensions, and the cheapest path between the cell's two levels that avoids the cell
        itself, plus the cell, is the cheapest cycle (Dijkstra).  With more dimensions, every
        other dimension takes two levels (the cell's and another) as in a box, the cycle is
        repeated in each such slice with alternating signs, and a step is usable only if its
        cell is there in every slice.
        """
        price = self._prices(columns)
        base = self.codes[row]
        origin = int(base @ self.strides)
        k = len(base)
        best: tuple[float, np.ndarray] | None = None
        for p, q in itertools.combinations(range(k), 2):
            if int(self.levels[p]) * int(self.levels[q]) > self.MOST_CYCLE_CELLS:
                continue
            grid = (np.arange(self.levels[p])[:, None] - base[p]) * self.strides[p] + (
                np.arange(self.levels[q])[None, :] - base[q]
            ) * self.strides[q]
            choices = [
                self._steps(price, base, origin, i, self.NEAREST)
                for i in range(k)
                if i not in (p, q)
            ]
            if any(choice is None for choice in choices):
                continue
            for combo in itertools.product(*(c for c in choices if c is not None)):
                slices = [sum(pick) for pick in itertools.product(*((0, int(c)) for c in combo))]
                rows = self._rows(origin + np.array(slices)[:, None, None] + grid[None])
                weight = price[rows].sum(axis=0)
                own = float(weight[base[p], base[q]])  # the cell, and its twins in other slices
                if not np.isfinite(own):
                    continue
                weight[base[p], base[q]] = np.inf
                found = _cheapest_path(weight, int(base[p]), int(base[q]))
                if found is None:
                    continue
                total, steps = found
                if best is None or total + own < best[0]:
                    cells = [(int(base[p]), int(base[q])), *steps]
                    picked = rows[:, [c[0] for c in cells], [c[1] for c in cells]].reshape(-1)
                    best = (total + own, picked)
        return None if best is None else best[1]

    def _suppress(self, rows: np.ndarray, columns: list[int]) -> None:
        for j in columns:
            self.suppressed[rows, j] = True
            self.cost[rows, j] = 0.0  # every corner was usable, so its cost was finite
            self.covered[rows, j] = True
        if self.population not in columns:
            return
        # The corners' rows are now suppressed whole, so the box protects every column that
        # is there at all its corners (and, in an identity, has a partner there too).
        self.suppressed[rows] |= self.valid[rows]
        self.cost[rows] = np.where(np.isfinite(self.cost[rows]), 0.0, np.inf)
        whole = self.valid[rows].all(axis=0)
        for j in np.flatnonzero(whole):
            partnered = all(
                any(whole[c] for c in identity if c != j)
                for identity in self.identities
                if j in identity
            )
            if partnered:
                self.covered[rows, j] = True


def _cheapest_path(
    weight: np.ndarray, start: int, goal: int
) -> tuple[float, list[tuple[int, int]]] | None:
    """Dijkstra between level ``start`` of one dimension and level ``goal`` of the other.

    ``weight[a, b]`` is the cost of stepping over the cell at levels ``(a, b)``, infinite where
    there is no usable cell.  Returns the total and the cells stepped over, or ``None``.
    Ties go to the lower node number, so the path is deterministic.
    """
    n_a = weight.shape[0]
    goal_node = n_a + goal
    distance = {start: 0.0}
    via: dict[int, tuple[int, tuple[int, int]]] = {}  # node: (previous node, cell between)
    queue = [(0.0, start)]
    usable = np.isfinite(weight)
    while queue:
        dist, node = heapq.heappop(queue)
        if node == goal_node:
            break
        if dist > distance[node]:
            continue
        if node < n_a:
            moves = [(n_a + int(b), (node, int(b))) for b in np.flatnonzero(usable[node])]
        else:
            b = node - n_a
            moves = [(int(a), (int(a), b)) for a in np.flatnonzero(usable[:, b])]
        for other, cell in moves:
            step = dist + float(weight[cell])
            if step < distance.get(other, np.inf):
                distance[other] = step
                via[other] = (node, cell)
                heapq.heappush(queue, (step, other))
    if goal_node not in via:
        return None
    cells, node = [], goal_node
    while node != start:
        node, cell = via[node]
        cells.append(cell)
    return distance[goal_node], cells[::-1]


def _balance_lines(
    suppressed: np.ndarray,
    valid: np.ndarray,
    magnitude: np.ndarray,
    exposed: np.ndarray,
    ids: np.ndarray,
    n_lines: int,
    j: int,
) -> None:
    """In every line with exactly one suppressed cell, suppress the best other candidate."""
    hidden = suppressed[:, j]
    present = valid[:, j]
    n_hidden = np.bincount(ids[hidden], minlength=n_lines)
    n_present = np.bincount(ids[present], minlength=n_lines)
    giveaway = (n_hidden == 1) & (n_present >= 2)
    if not giveaway.any():
        return
    candidates = np.flatnonzero(giveaway[ids] & present & ~hidden)
    # np.lexsort sorts by its last key first: line, then usefulness, size, row order.
    order = np.lexsort(
        (candidates, magnitude[candidates, j], exposed[candidates, j], ids[candidates])
    )
    candidates = candidates[order]
    line = ids[candidates]
    first = np.ones(len(candidates), dtype=bool)
    first[1:] = line[1:] != line[:-1]
    suppressed[candidates[first], j] = True


def _balance_identity(
    suppressed: np.ndarray,
    valid: np.ndarray,
    magnitude: np.ndarray,
    exposed: np.ndarray,
    identity: list[int],
) -> None:
    """In every row with exactly one suppressed cell of an identity, suppress another."""
    hidden = suppressed[:, identity]
    present = valid[:, identity]
    giveaway = (hidden.sum(axis=1) == 1) & (present.sum(axis=1) >= 2)
    if not giveaway.any():
        return
    rows = np.flatnonzero(giveaway)
    open_ = present[rows] & ~hidden[rows]
    useful = open_ & ~exposed[rows][:, identity]
    pool = np.where(useful.any(axis=1, keepdims=True), useful, open_)
    size = np.where(pool, magnitude[rows][:, identity], np.inf)
    pick = np.argmin(size, axis=1)  # the first of equal sizes: the identity's column order
    suppressed[rows, np.asarray(identity)[pick]] = True


def _with_parts(
    suppressed: np.ndarray, valid: np.ndarray, rule: DisclosureRule, col: dict[str, int]
) -> None:
    """A ratio whose numerator or denominator is suppressed is suppressed too (it would give
    the hidden count back from the other)."""
    for ratio in rule.ratios:
        j = col[ratio.column]
        for part in (ratio.numerator, ratio.denominator):
            if part is not None:
                suppressed[:, j] |= valid[:, j] & suppressed[:, col[part]]


def _with_population(suppressed: np.ndarray, valid: np.ndarray, population: int | None) -> None:
    """A row whose population is suppressed has every measure suppressed."""
    if population is None:
        return
    rows = suppressed[:, population]
    suppressed[rows] |= valid[rows]
