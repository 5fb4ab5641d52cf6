"""Reference figures for the recomputed per-study check on matrices larger
than its old 5,000-row sample.

Each bundled real matrix (testdata/refinebio, 300 gene rows) is tiled 20
times into 6,000 rows: tile k (0–19) repeats every row with the gene id
suffixed "_k" and every value v replaced by v + k (one IEEE addition, which
Go's test repeats bit for bit, writing the sum with strconv's shortest
round-trip text). For each tiled matrix it writes the column whose
scipy.stats.ks_2samp(column, all columns pooled) has the lowest p-value
(ties: larger statistic, then first column), with that statistic and
p-value, as ks_reference.py does for the untiled matrices. See README.md
beside this file for the command that made the JSON.
"""
import csv
import json
import math
import os
import sys

import numpy as np
import scipy
from scipy import stats

TILES = 20


def tiled(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    names = rows[0][1:]
    cols = [[] for _ in names]
    for k in range(TILES):
        for r in rows[1:]:
            for i, cell in enumerate(r[1:]):
                if cell in ("", "NA", "NaN"):
                    continue
                cols[i].append(float(cell) + float(k))
    return names, cols, TILES * (len(rows) - 1)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.join(here, "..", "..", "testdata", "refinebio")
    out = []
    for rel in ["GSE71270/GSE71270/GSE71270.tsv", "SRP110235/SRP110235/SRP110235.tsv"]:
        names, cols, nrows = tiled(os.path.join(root, rel))
        pool = [v for c in cols for v in c]
        results = []
        for i, c in enumerate(cols):
            res = stats.ks_2samp(c, pool)
            results.append((float(res.pvalue), -float(res.statistic), i))
        p, negd, i = min(results)
        out.append({"matrix": rel, "tiles": TILES, "rows": nrows,
                    "worst_column": names[i], "d": -negd, "p": p})
    doc = {
        "generator": "qc/testdata/ks_tiled_reference.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "tiled_studies": out,
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
