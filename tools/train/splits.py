"""Splits by lesion (else patient, else file), never by image.

Groups are shuffled with a fixed seed and cut by group count (dermoscopy:
70/15/15 train/validation/test), so every image of one lesion or patient lands
in the same split. The small close-up set is cut 80/20 development/test and the
development part into folds by patient for cross-validation.
"""
import hashlib
import random

SEED = 16
FRACTIONS = (("train", 0.70), ("validation", 0.15), ("test", 0.15))


def assign(rows, seed=SEED, fractions=FRACTIONS):
    """{split name: [row index]} for rows with a "group" key (data.read_labels())."""
    groups = sorted({row["group"] for row in rows})
    random.Random(seed).shuffle(groups)
    split_of_group = {}
    start = 0
    for i, (name, fraction) in enumerate(fractions):
        end = len(groups) if i == len(fractions) - 1 else start + round(fraction * len(groups))
        for group in groups[start:end]:
            split_of_group[group] = name
        start = end
    splits = {name: [] for name, _ in fractions}
    for index, row in enumerate(rows):
        splits[split_of_group[row["group"]]].append(index)
    return splits


def folds(rows, indices, k, seed=SEED):
    """The rows `indices` cut into k folds by group: [[row index] per fold]."""
    groups = sorted({rows[i]["group"] for i in indices})
    random.Random(seed).shuffle(groups)
    fold_of_group = {group: n % k for n, group in enumerate(groups)}
    result = [[] for _ in range(k)]
    for i in indices:
        result[fold_of_group[rows[i]["group"]]].append(i)
    return result


def listing(rows, indices):
    """The split's file list as text (one dataset-relative path a line, sorted)."""
    return "".join(f"{rows[i]['rel']}\n" for i in sorted(indices, key=lambda i: rows[i]["rel"]))


def sha256(rows, indices):
    return hashlib.sha256(listing(rows, indices).encode()).hexdigest()
