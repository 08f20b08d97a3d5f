"""ACRO building and checking magnitude tables from microdata: the SDC row's baseline.

Runs in its own virtual environment (``make bench`` creates ``var/bench/acro-venv`` with
``pip install acro``), so ACRO's scientific stack stays out of the platform's lock file.
Prints JSON: cells per table, rounds, seconds per round.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import sys
import time

import numpy as np
import pandas as pd
from acro import ACRO


def main() -> None:
    side, rows, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    rng = np.random.default_rng(42)
    df = pd.DataFrame(
        {
            "region": rng.integers(0, side, rows),
            "year": rng.integers(0, side, rows),
            "income": rng.exponential(20_000, rows),
        }
    )
    logging.disable(logging.CRITICAL)
    acro = ACRO(suppress=False)
    timings = []
    for _ in range(rounds):
        with contextlib.redirect_stdout(io.StringIO()):
            started = time.perf_counter()
            table = acro.crosstab(df.region, df.year, values=df.income, aggfunc="mean")
            timings.append(time.perf_counter() - started)
    print(json.dumps({"cells": int(table.size), "seconds": timings}))


if __name__ == "__main__":
    main()
