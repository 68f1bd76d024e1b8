"""Labelled phone close-ups (../shared/datasets/pad-ufes-20), decoded and resized once.

PAD-UFES-20 (CC BY 4.0): smartphone photos with biopsy or clinical diagnoses,
the patient's history items and Fitzpatrick types. Every photo is squashed to
one square size with area averaging, as the service's classifier resizes, and
cached with its labels as <cache>/closeup-<size>.npz.

Malignant: basal and squamous cell carcinoma and melanoma. Actinic keratosis
is pre-malignant; the set labels it benign and so do the targets here (docs/MODEL.md).
"""
import csv
import os

from data import DATASETS, cached_images

FOLDER = "pad-ufes-20"
CLASSES = ("naevus", "melanoma", "bcc", "scc", "actinic_keratosis", "seborrhoeic_keratosis")
MALIGNANT_CLASSES = ("melanoma", "bcc", "scc")
DIAGNOSIS_TO_CLASS = {
    "nevus": "naevus", "melanoma": "melanoma", "basal_cell_carcinoma": "bcc",
    "squamous_cell_carcinoma": "scc", "actinic_keratosis": "actinic_keratosis",
    "seborrheic_keratosis": "seborrhoeic_keratosis",
}
# The set's history items; "UNK" (not asked) reads as not present.
HISTORY = ("itch", "grew", "hurt", "changed", "bleed", "elevation")


def read_labels():
    """One dict per photo: rel, path, diagnosis, malignant, label, group (patient),
    train (False for the near-duplicate pair whose labels conflict), and the labels' row."""
    rows = []
    with open(os.path.join(DATASETS, FOLDER, "labels.csv"), newline="") as f:
        for row in csv.DictReader(f):
            cls = DIAGNOSIS_TO_CLASS[row["diagnosis"]]
            malignant = row["benign_malignant"] == "malignant"
            if (cls in MALIGNANT_CLASSES) != malignant:
                raise ValueError(f"{row['file']}: {row['diagnosis']} vs {row['benign_malignant']}")
            rows.append({
                "rel": f"{FOLDER}/{row['file']}",
                "path": os.path.join(DATASETS, FOLDER, row["file"]),
                "diagnosis": row["diagnosis"],
                "malignant": malignant,
                "label": CLASSES.index(cls),
                "group": row["patient_id"],
                "train": "label_conflict" not in row["qc_flag"],
                "labels": row,
            })
    return rows


# telederm-eval's labels.csv columns for a close-up: each photo is screened as
# a clinical close-up with its form (age, sex, diameter, history items).
EVAL_HEADER = ("file", "diagnosis", "benign_malignant", "age", "sex", "modality", "fitzpatrick", "source",
               "group", "diameter_mm") + HISTORY


def eval_row(row, file):
    """The EVAL_HEADER values of `row` (read_labels()) stored at `file`."""
    labels = row["labels"]
    return [file, row["diagnosis"], "malignant" if row["malignant"] else "benign", labels["age"], labels["sex"],
            "clinical_close_up", labels["fitzpatrick"].split(".")[0], "pad-ufes-20", row["group"],
            labels["diameter_1_mm"], *[str(labels[h] == "True").lower() for h in HISTORY]]


def load(size):
    """(images uint8 [N,size,size,3] RGB, rows) from the cache, building it if absent."""
    rows = read_labels()
    return cached_images(rows, size, "closeup"), rows
