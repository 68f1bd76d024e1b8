"""Writes a split's labels for telederm-eval, so the exported model is measured
through the C++ service code (OpenCV's ONNX importer, the service's
preprocessing, rules and tiers), not through PyTorch.

    /usr/bin/python3 tools/train/evaluate.py --split validation --out /var/tmp/telederm-train/validation
    build/tools/eval/telederm-eval --downsized --bootstrap /var/tmp/telederm-train/validation

DIR/labels.csv names every image of the split (file, diagnosis,
benign_malignant, age, sex, source, group) under DIR/datasets, a symbolic
link to the datasets folder. The test split is for one look at the end.
"""
import argparse
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
import splits  # noqa: E402


def write_labels(out_dir, split_name):
    rows = data.read_labels()
    indices = splits.assign(rows)[split_name]
    os.makedirs(out_dir, exist_ok=True)
    link = os.path.join(out_dir, "datasets")
    if not os.path.islink(link):
        os.symlink(data.DATASETS, link)
    extra = {}
    for folder in data.FOLDERS:
        with open(os.path.join(data.DATASETS, folder, "labels.csv"), newline="") as f:
            for row in csv.DictReader(f):
                extra[f"{folder}/{row['file']}"] = row
    with open(os.path.join(out_dir, "labels.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["file", "diagnosis", "benign_malignant", "age", "sex", "source", "group"])
        for i in sorted(indices, key=lambda i: rows[i]["rel"]):
            row = rows[i]
            source_row = extra[row["rel"]]
            writer.writerow([f"datasets/{row['rel']}", row["diagnosis"],
                             "malignant" if row["malignant"] else "benign",
                             source_row.get("age", ""), source_row.get("sex", ""),
                             row["source"], row["group"]])
    return len(indices)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("validation", "test"), required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    print(f"{write_labels(args.out, args.split)} images in {args.out}/labels.csv")


if __name__ == "__main__":
    main()
