"""Copies a fixed, seeded sample of the validation split into the repository
for the shipped-model ctest (tests must not read ../shared/datasets).

    /usr/bin/python3 tools/train/fixed_set.py --out tests/data/model-validation

120 malignant and 120 benign validation images (seed 16), their labels.csv
(file, diagnosis, benign_malignant, age, sex, source) and ATTRIBUTION.md.
"""
import argparse
import csv
import os
import random
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
import splits  # noqa: E402

PER_CLASS = 120


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rows = data.read_labels()
    validation = sorted(splits.assign(rows)["validation"], key=lambda i: rows[i]["rel"])
    rng = random.Random(splits.SEED)
    chosen = []
    for malignant in (True, False):
        pool = [i for i in validation if rows[i]["malignant"] == malignant]
        chosen += rng.sample(pool, PER_CLASS)
    extra = {}
    for folder in data.FOLDERS:
        with open(os.path.join(data.DATASETS, folder, "labels.csv"), newline="") as f:
            for row in csv.DictReader(f):
                extra[f"{folder}/{row['file']}"] = row
    os.makedirs(os.path.join(args.out, "images"), exist_ok=True)
    with open(os.path.join(args.out, "labels.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["file", "diagnosis", "benign_malignant", "age", "sex", "source", "origin"])
        for i in sorted(chosen, key=lambda i: rows[i]["rel"]):
            row = rows[i]
            name = f"images/{row['source']}_{os.path.basename(row['rel'])}"
            shutil.copyfile(row["path"], os.path.join(args.out, name))
            source_row = extra[row["rel"]]
            writer.writerow([name, row["diagnosis"], "malignant" if row["malignant"] else "benign",
                             source_row.get("age", ""), source_row.get("sex", ""), row["source"], row["rel"]])
    print(f"{len(chosen)} images in {args.out}")


if __name__ == "__main__":
    main()
