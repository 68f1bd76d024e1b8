"""Labelled dermoscopy images, decoded and resized once into a cached uint8 array.

Every image of ../shared/datasets/dermoscopy-isic and dermoscopy-train is squashed
to one square size (the sources range from 84 to 224 px: one size for all removes
the resolution shortcut) with area averaging, the way the service's classifier
resizes (cv::INTER_AREA over the whole image), and stored with its labels as
<cache>/dermoscopy-<size>.npz. A second call reads the cache.
"""
import csv
import hashlib
import os

import numpy as np
from PIL import Image

DATASETS = os.environ.get("TELEDERM_DATASETS", "/work/shared/datasets")
CACHE = os.environ.get("TELEDERM_TRAIN_CACHE", "/var/tmp/telederm-train")
FOLDERS = ("dermoscopy-isic", "dermoscopy-train")

# Model classes (index order is the ONNX output order). Malignant: the three
# malignant groups; "unknown" (ISIC 2020 benign, not biopsied) joins other_benign.
CLASSES = ("naevus", "melanoma", "bcc", "ak_scc", "keratosis", "other_benign")
MALIGNANT_CLASSES = ("melanoma", "bcc", "ak_scc")
DIAGNOSIS_TO_CLASS = {
    "nevus": "naevus", "common_nevus": "naevus", "atypical_nevus": "naevus",
    "melanoma": "melanoma",
    "basal_cell_carcinoma": "bcc",
    "actinic_keratosis": "ak_scc", "squamous_cell_carcinoma": "ak_scc",
    "pigmented_benign_keratosis": "keratosis", "seborrheic_keratosis": "keratosis",
    "lentigo_NOS": "other_benign", "dermatofibroma": "other_benign",
    "vascular_lesion": "other_benign", "unknown": "other_benign",
}


def read_labels():
    """One dict per image: path, rel (folder/file), source, diagnosis, malignant, group."""
    rows = []
    for folder in FOLDERS:
        with open(os.path.join(DATASETS, folder, "labels.csv"), newline="") as f:
            for row in csv.DictReader(f):
                rel = f"{folder}/{row['file']}"
                # One lesion may have images in both folders (HAM_ ids are shared).
                group = (row.get("lesion_id") or row.get("patient_id") or "").strip()
                malignant = row["benign_malignant"] == "malignant"
                cls = DIAGNOSIS_TO_CLASS[row["diagnosis"]]
                if (cls in MALIGNANT_CLASSES) != malignant:
                    raise ValueError(f"{rel}: {row['diagnosis']} vs {row['benign_malignant']}")
                rows.append({
                    "rel": rel,
                    "path": os.path.join(DATASETS, rel),
                    "source": row["source"] if folder == "dermoscopy-isic" else f"train_{row['source']}",
                    "diagnosis": row["diagnosis"],
                    "malignant": malignant,
                    "label": CLASSES.index(cls),
                    "group": group or f"file:{rel}",
                })
    return rows


def load(size):
    """(images uint8 [N,size,size,3] RGB, rows) from the cache, building it if absent."""
    rows = read_labels()
    return cached_images(rows, size, "dermoscopy"), rows


def cached_images(rows, size, name):
    """The rows' images ("path") squashed to size x size with area averaging,
    cached as <cache>/<name>-<size>.npz and rebuilt when the file list changes."""
    path = os.path.join(CACHE, f"{name}-{size}.npz")
    key = hashlib.sha256("\n".join(r["rel"] for r in rows).encode()).hexdigest()
    if os.path.exists(path):
        cached = np.load(path)
        if str(cached["key"]) == key:
            return cached["images"]
    os.makedirs(CACHE, exist_ok=True)
    images = np.empty((len(rows), size, size, 3), np.uint8)
    for i, row in enumerate(rows):
        with Image.open(row["path"]) as image:
            images[i] = np.asarray(image.convert("RGB").resize((size, size), Image.BOX))
    tmp = path + ".tmp.npz"
    np.savez(tmp, images=images, key=np.array(key))
    os.replace(tmp, path)
    return images


if __name__ == "__main__":
    import sys
    import time
    for size in [int(s) for s in sys.argv[1:]] or [64]:
        start = time.time()
        images, rows = load(size)
        print(f"{size}px: {images.shape} in {time.time() - start:.1f} s")
