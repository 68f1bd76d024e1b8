"""Copies a fixed, seeded sample of a shipped model's validation split into the
repository for the shipped-model ctests (tests must not read ../shared/datasets).

    /usr/bin/python3 tools/train/fixed_set.py --out tests/data/model-validation
    /usr/bin/python3 tools/train/fixed_set.py --closeup --out tests/data/closeup-validation

Dermoscopy: 120 malignant and 120 benign validation images (seed 16), their
labels.csv (file, diagnosis, benign_malignant, age, sex, source) and
ATTRIBUTION.md. Close-ups: 40 malignant and 40 benign photos of fold 0 (the
close-up model's validation split, train_closeup.py) with telederm-eval's
close-up columns (closeup_data.EVAL_HEADER) and ATTRIBUTION.md.
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
CLOSEUP_PER_CLASS = 40
CLOSEUP_ATTRIBUTION = """# closeup-validation: 80 phone close-ups for the shipped close-up model's test

A fixed, seeded sample (40 malignant, 40 benign) of fold 0 of
`../shared/datasets/pad-ufes-20`, the close-up model's validation split,
copied by `tools/train/fixed_set.py --closeup`. `labels.csv` gives each photo's
diagnosis, age, sex, Fitzpatrick type, diameter and history items as
telederm-eval reads them; `origin.csv` names each photo's source repository,
commit, path and SHA-256. No photo of these patients was used to train the
shipped close-up model (docs/MODEL.md).

Licence: CC BY 4.0. Pacheco AGC, Lima GR, Salomao AS, et al. PAD-UFES-20: a
skin lesion dataset composed of patient data and clinical images collected from
smartphones. Data in Brief 32 (2020) 106221, doi:10.1016/j.dib.2020.106221;
data: Mendeley Data, doi:10.17632/zr7vgbcyr2.1.
"""


def closeup(out):
    import closeup_data  # noqa: E402
    import train_closeup  # noqa: E402
    rows = closeup_data.read_labels()
    _, folds = train_closeup.development_folds(rows)
    validation = sorted(folds[0], key=lambda i: rows[i]["rel"])
    rng = random.Random(splits.SEED)
    chosen = []
    for malignant in (True, False):
        pool = [i for i in validation if rows[i]["malignant"] == malignant]
        chosen += rng.sample(pool, CLOSEUP_PER_CLASS)
    os.makedirs(os.path.join(out, "images"), exist_ok=True)
    with open(os.path.join(out, "labels.csv"), "w", newline="") as f, \
            open(os.path.join(out, "origin.csv"), "w", newline="") as g:
        writer, origin = csv.writer(f), csv.writer(g)
        writer.writerow(closeup_data.EVAL_HEADER)
        origin.writerow(["file", "source_repo", "source_commit", "source_path", "sha256"])
        for i in sorted(chosen, key=lambda i: rows[i]["rel"]):
            row = rows[i]
            name = f"images/{os.path.basename(row['rel'])}"
            shutil.copyfile(row["path"], os.path.join(out, name))
            writer.writerow(closeup_data.eval_row(row, name))
            labels = row["labels"]
            origin.writerow([name, labels["source_repo"], labels["source_commit"], labels["source_path"],
                             labels["sha256"]])
    with open(os.path.join(out, "ATTRIBUTION.md"), "w") as f:
        f.write(CLOSEUP_ATTRIBUTION)
    print(f"{len(chosen)} photos in {out}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--closeup", action="store_true", help="the close-up model's set")
    args = parser.parse_args()
    if args.closeup:
        closeup(args.out)
        return
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
