"""Train/validation/test split by lesion (else patient, else file), never by image.

Groups are shuffled with a fixed seed and cut 70/15/15 by group count, so every
image of one lesion or patient lands in the same split.
"""
import hashlib
import random

SEED = 16
FRACTIONS = (("train", 0.70), ("validation", 0.15), ("test", 0.15))


def assign(rows, seed=SEED):
    """{split name: [row index]} for the rows of data.read_labels()."""
    groups = sorted({row["group"] for row in rows})
    random.Random(seed).shuffle(groups)
    split_of_group = {}
    start = 0
    for i, (name, fraction) in enumerate(FRACTIONS):
        end = len(groups) if i == len(FRACTIONS) - 1 else start + round(fraction * len(groups))
        for group in groups[start:end]:
            split_of_group[group] = name
        start = end
    splits = {name: [] for name, _ in FRACTIONS}
    for index, row in enumerate(rows):
        splits[split_of_group[row["group"]]].append(index)
    return splits


def listing(rows, indices):
    """The split's file list as text (one dataset-relative path a line, sorted)."""
    return "".join(f"{rows[i]['rel']}\n" for i in sorted(indices, key=lambda i: rows[i]["rel"]))


def sha256(rows, indices):
    return hashlib.sha256(listing(rows, indices).encode()).hexdigest()
