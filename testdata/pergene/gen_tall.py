#!/usr/bin/env python3
"""Write a download zip holding one tall matrix: GENES rows x SAMPLES columns.

Usage: gen_tall.py OUT.zip GENES [SAMPLES]

The matrix is GSE71270/GSE71270.tsv, header 'Gene' then the sample
accessions, each row 'ENSG' + an 11-digit number and the value 1 per
sample; the sample sheet beside it is the first SAMPLES rows of
testdata/refinebio/GSE71270/GSE71270/metadata_GSE71270.tsv, with
GSM1831680 first. Used for the peak-RSS figures in docs/performance.md.
"""
import os
import sys
import zipfile

out, genes = sys.argv[1], int(sys.argv[2])
samples = int(sys.argv[3]) if len(sys.argv) > 3 else 1
here = os.path.dirname(os.path.abspath(__file__))
sheet = os.path.join(here, "..", "refinebio", "GSE71270", "GSE71270", "metadata_GSE71270.tsv")
with open(sheet, encoding="utf-8") as f:
    lines = f.read().splitlines()
head, rows = lines[0], lines[1:]
rows.sort(key=lambda r: r.split("\t", 1)[0] != "GSM1831680")
rows = rows[:samples]
if len(rows) < samples:
    sys.exit("the sample sheet has only %d samples" % len(rows))
accs = [r.split("\t", 1)[0] for r in rows]

with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
    z.writestr("GSE71270/metadata_GSE71270.tsv", "\n".join([head] + rows) + "\n")
    with z.open("GSE71270/GSE71270.tsv", "w", force_zip64=True) as m:
        m.write(("Gene\t" + "\t".join(accs) + "\n").encode())
        cells = "\t1" * samples + "\n"
        chunk = []
        for g in range(genes):
            chunk.append("ENSG%011d%s" % (g, cells))
            if len(chunk) == 100000:
                m.write("".join(chunk).encode())
                chunk = []
        m.write("".join(chunk).encode())
