"""What a native export knows about a person that the contract does not: NI number, birth date.

The contract demo keeps one person as one element of the population's arrays for the whole
run, across organisations, clusters and OVERSEAS's move to Hera.  Both values are derived from
that element, so the same person has the same NI number in every cluster and night, and so the
ingest's keyed hash of it gives one person_key everywhere.

* **NI number**: a bijection of the person's number onto the valid numbers (two prefix
  letters HMRC allocates, six digits) with a suffix A-D: no two people ever share one.
* **Date of birth**: the contract demo keeps a birth day and bands ``(day - birth) / 365.25``.
  A real date of birth is banded by completed years, which crosses a band on a birthday.  The
  date chosen makes the birthday of the band boundary nearest the person's age in the demo
  window fall on the very day the contract demo moves them into the next band, so the two
  paths give every person the same age band on every extract date.  (The other boundaries are
  at least 2.5 years from the person's age mid-window, so in a window of up to five years they
  are never crossed; a boundary falling on 29 February is met on the 28th, one day early.)
"""

from __future__ import annotations

from math import gcd

import numpy as np
import polars as pl

from pipeline.demo import calibration as cal

_BAD_LETTERS = set("DFIQUV")
_UNALLOCATED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
NI_PREFIXES = np.array(
    [
        a + b
        for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        if a not in _BAD_LETTERS and b not in _BAD_LETTERS | {"O"} and a + b not in _UNALLOCATED
    ]
)
_PREFIXES, _SUFFIXES = pl.Series(NI_PREFIXES), pl.Series(list("ABCD"))
_NI_SPACE = len(NI_PREFIXES) * 1_000_000
_NI_STEP = 2_654_435_761  # prime, coprime with the space: i → i × step mod space is one-to-one
assert gcd(_NI_STEP, _NI_SPACE) == 1
_BOUNDARIES = np.array([lo for lo, _ in cal.AGE_BAND_BOUNDS.values()][1:], float)


def mix(values: np.ndarray, salt: int) -> np.ndarray:
    """A fixed pseudo-random 64-bit number per value (splitmix64), for stable choices."""
    with np.errstate(over="ignore"):
        z = values.astype(np.uint64) + np.uint64(salt) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def ni_numbers(person: np.ndarray, spaced: bool = False) -> pl.Series:
    """Each person's NI number, ``AB123456C`` (or ``AB 12 34 56 C``)."""
    if person.max(initial=0) >= _NI_SPACE:
        raise ValueError("more people than NI numbers")
    number = (person.astype(np.int64) * _NI_STEP + 424_242) % _NI_SPACE
    frame = pl.DataFrame(
        {
            "prefix": _PREFIXES.gather(number // 1_000_000),
            "digits": pl.Series(number % 1_000_000).cast(pl.String).str.zfill(6),
            "suffix": _SUFFIXES.gather((mix(person, 1) % np.uint64(4)).astype(np.int64)),
        }
    )
    if spaced:
        parts = [pl.col("digits").str.slice(i, 2) for i in (0, 2, 4)]
        return frame.select(
            pl.concat_str([pl.col("prefix"), *parts, pl.col("suffix")], separator=" ")
        ).to_series()
    return frame.select(pl.concat_str("prefix", "digits", "suffix")).to_series()


def birth_dates(birth_day: np.ndarray, mid_day: int) -> pl.Series:
    """Dates of birth banding as the contract demo does on every date near ``mid_day``."""
    age = (mid_day - birth_day) / 365.25
    boundary = _BOUNDARIES[np.abs(age[:, None] - _BOUNDARIES[None, :]).argmin(axis=1)]
    # The day the contract demo moves the person across that boundary: their birthday then.
    crossing = birth_day + np.ceil(boundary * 365.25).astype(np.int64)
    frame = pl.DataFrame(
        {"crossing": pl.Series(crossing).cast(pl.Date), "years": boundary.astype(np.int32)}
    )
    year = pl.col("crossing").dt.year() - pl.col("years")
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month, day = pl.col("crossing").dt.month(), pl.col("crossing").dt.day()
    day = pl.when((month == 2) & (day == 29) & ~leap).then(28).otherwise(day)
    return frame.select(pl.date(year, month, day).alias("date_of_birth")).to_series()


def sites(
    person: np.ndarray, region: pl.Series, table: dict[str, tuple[str, ...]], unknown: str
) -> pl.Series:
    """Each person's workplace: one of their region's sites, kept for good."""
    lookup = pl.DataFrame(
        [(r, slot, site) for r, names in table.items() for slot, site in enumerate(names)],
        schema={"region": pl.String, "slot": pl.Int64, "site": pl.String},
        orient="row",
    )
    count = {r: len(names) for r, names in table.items()}
    frame = pl.DataFrame(
        {"region": region, "draw": (mix(person, 2) % np.uint64(2520)).astype(np.int64)}
    ).with_columns(slot=pl.col("draw") % pl.col("region").replace_strict(count, default=1))
    return (
        frame.join(lookup, on=["region", "slot"], how="left", maintain_order="left")
        .select(pl.col("site").fill_null(unknown))
        .to_series()
    )
