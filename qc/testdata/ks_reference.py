"""Reference figures for qc.KS2Samp and the recomputed per-study check.

Writes ks_reference.json (to stdout) with, for every case, scipy's
ks_2samp(a, b) statistic and p-value (two-sided, method='auto'), plus direct
values of scipy.stats.kstwo.sf and scipy.special.smirnov over the regions of
their algorithms, and the worst sample of each bundled real study.

Inputs are not stored: each sample is generated from a small spec by
splitmix64 and IEEE-exact arithmetic only (integer mixing, u = (r >> 11)·2⁻⁵³,
sums, products, floor), so Go regenerates the very same float64 values. See
README.md beside this file for the command that made the JSON.
"""
import csv
import json
import math
import os
import sys

import numpy as np
import scipy
from scipy import special, stats

MASK = (1 << 64) - 1


def splitmix64(seed):
    state = seed & MASK
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield z ^ (z >> 31)


def generate(spec):
    """spec: seed, n, kind (uniform | bell), loc, scale, q (0: no rounding)."""
    rng = splitmix64(spec["seed"])
    u = lambda: float(next(rng) >> 11) * 2.0 ** -53
    out = []
    for _ in range(spec["n"]):
        if spec["kind"] == "uniform":
            v = u()
        elif spec["kind"] == "bell":
            v = ((u() + u()) + (u() + u())) - 2.0
        else:
            raise ValueError(spec["kind"])
        v = spec["loc"] + spec["scale"] * v
        if spec["q"]:
            v = math.floor(v * spec["q"]) / spec["q"]
        out.append(v)
    return out


def spec(seed, n, kind="bell", loc=0.0, scale=1.0, q=0):
    return {"seed": seed, "n": n, "kind": kind, "loc": loc, "scale": scale, "q": q}


def pair_cases():
    cases = []

    def add(name, a, b, pool=False):
        cases.append({"name": name, "a": a, "b": b, "pool_with_a": pool})

    # Small samples: exact distribution, equal and unequal sizes.
    for i, (n1, n2, shift) in enumerate([(1, 1, 0.0), (1, 5, 0.0), (3, 200, 0.0), (5, 5, 0.0), (5, 5, 1.0),
                                          (8, 12, 0.3), (10, 7, -0.5), (20, 20, 0.4), (30, 45, 0.0),
                                          (50, 50, 0.2), (100, 80, 0.25), (250, 400, 0.1), (999, 1000, 0.05)]):
        add(f"small {n1}x{n2} shift {shift}", spec(100 + i, n1), spec(200 + i, n2, loc=shift))
    # Ties: values rounded to a coarse grid, so both samples share values.
    for i, (n1, n2, q) in enumerate([(10, 10, 2), (25, 40, 5), (60, 60, 3), (300, 200, 10), (2000, 3000, 20),
                                      (12000, 9000, 50)]):
        add(f"ties {n1}x{n2} grid 1/{q}", spec(300 + i, n1, q=q), spec(400 + i, n2, loc=0.1, q=q))
    add("all values equal", spec(1, 10, kind="uniform", scale=0.0), spec(2, 20, kind="uniform", scale=0.0))
    # Identical samples: D = 0, p = 1.
    add("identical 40", spec(7, 40), spec(7, 40))
    add("identical 12000", spec(8, 12000), spec(8, 12000))
    # Disjoint samples: D = 1, the smallest p-value the sizes allow.
    add("disjoint 6x9", spec(9, 6, kind="uniform"), spec(10, 9, kind="uniform", loc=2.0))
    add("disjoint 40x40", spec(11, 40, kind="uniform"), spec(12, 40, kind="uniform", loc=2.0))
    add("disjoint 300x500", spec(13, 300, kind="uniform"), spec(14, 500, kind="uniform", loc=2.0))
    add("disjoint 20000x30", spec(15, 20000, kind="uniform"), spec(16, 30, kind="uniform", loc=2.0))
    # Large, still exact (max size 10,000) and just past it (asymptotic).
    for i, (n1, n2, shift) in enumerate([(5000, 9000, 0.02), (10000, 10000, 0.01), (10000, 3000, 0.0),
                                          (10001, 500, 0.1), (20000, 5000, 0.01), (15000, 12000, 0.0),
                                          (50000, 5000, 0.005), (40000, 4000, 0.05), (30000, 30000, 0.003),
                                          (11000, 150, 0.2), (12000, 100, 0.6), (25000, 80, 1.5)]):
        add(f"large {n1}x{n2} shift {shift}", spec(500 + i, n1), spec(600 + i, n2, loc=shift))
    # A sample against the pool of its study (the sample included), as the
    # per-study check does.
    add("pool 3000 in 4x3000", spec(700, 3000, loc=0.05),
        [spec(700, 3000, loc=0.05), spec(701, 3000), spec(702, 3000), spec(703, 3000)], pool=True)
    add("pool 5000 in 10x5000", spec(710, 5000, scale=1.1),
        [spec(710, 5000, scale=1.1)] + [spec(711 + i, 5000) for i in range(9)], pool=True)
    return cases


def materialize(side):
    if isinstance(side, list):
        vals = []
        for s in side:
            vals.extend(generate(s))
        return vals
    return generate(side)


def dist_points():
    """kstwo.sf and smirnov over every region of their algorithms."""
    kstwo, smirnov = [], []
    for n in [1, 2, 5, 10, 40, 100, 140, 141, 500, 1000, 4545, 10000, 100000, 200000]:
        for x in [0.3 / n, 0.75 / n, 1.0 / n, 1.5 / n, 0.01, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.45,
                  0.5, 0.6, 0.8, 1 - 1.5 / n, 0.999]:
            if 0 <= x <= 1:
                kstwo.append({"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n))})
    for n in [2, 3, 10, 50, 140, 1000, 1012, 1013, 5000, 20000]:
        for x in [0.0, 0.5 / n, 1.0 / n, 2.5 / n, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 0.7, 0.95, 1.0]:
            if 0 <= x <= 1:
                smirnov.append({"n": n, "x": x, "sf": float(special.smirnov(n, x))})
    return kstwo, smirnov


def real_studies(root):
    """Worst sample of each bundled matrix: each column against all columns."""
    out = []
    for rel in ["GSE71270/GSE71270/GSE71270.tsv", "SRP110235/SRP110235/SRP110235.tsv",
                "E-GEOD-39842/E-GEOD-39842/E-GEOD-39842.tsv"]:
        with open(os.path.join(root, rel), newline="") as f:
            rows = list(csv.reader(f, delimiter="\t"))
        names = rows[0][1:]
        cols = [[] for _ in names]
        for r in rows[1:]:
            for i, cell in enumerate(r[1:]):
                v = float(cell) if cell not in ("", "NA", "NaN") else math.nan
                if not math.isnan(v):
                    cols[i].append(v)
        pool = [v for c in cols for v in c]
        results = []
        for i, c in enumerate(cols):
            res = stats.ks_2samp(c, pool)
            results.append((float(res.pvalue), -float(res.statistic), i))
        p, negd, i = min(results)
        out.append({"matrix": rel, "worst_column": names[i], "d": -negd, "p": p})
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    cases = []
    for c in pair_cases():
        a, b = materialize(c["a"]), materialize(c["b"])
        res = stats.ks_2samp(a, b)
        c["d"], c["p"] = float(res.statistic), float(res.pvalue)
        c["n1"], c["n2"] = len(a), len(b)
        cases.append(c)
    kstwo, smirnov = dist_points()
    doc = {
        "generator": "qc/testdata/ks_reference.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "cases": cases,
        "kstwo_sf": kstwo,
        "smirnov": smirnov,
        "real_studies": real_studies(os.path.join(here, "..", "..", "testdata", "refinebio")),
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
