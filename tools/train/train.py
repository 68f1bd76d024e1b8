"""Trains the dermoscopy lesion model and exports it to ONNX with its sidecar.

    /usr/bin/python3 tools/train/train.py --out models/

Reads ../shared/datasets/dermoscopy-isic and dermoscopy-train (cached by
data.py under /var/tmp/telederm-train), splits by lesion/patient (splits.py),
trains LesionNet (model.py) on one CPU thread with augmentation and class
weighting, keeps the epoch with the best validation ROC AUC, and writes
<out>/lesion-dermoscopy.onnx and .onnx.sidecar, and <out>/lesion-dermoscopy.splits
(the split lists' SHA-256 and sizes). The test split is never read here.
"""
import argparse
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
import export  # noqa: E402
import metrics  # noqa: E402
import splits  # noqa: E402
from model import LesionNet  # noqa: E402

MALIGNANT_INDEX = [data.CLASSES.index(c) for c in data.MALIGNANT_CLASSES]


def augment(x, generator):
    """Random flips, any rotation, scale and shift jitter, colour jitter (a batch at once)."""
    n = x.shape[0]
    def uniform(lo, hi, *shape):
        return torch.rand(n, *shape, generator=generator) * (hi - lo) + lo
    angle = uniform(0, 2 * math.pi)
    scale = uniform(0.85, 1.2)  # >1 zooms out (reflection fills), <1 zooms in.
    flip = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0)
    cos, sin = torch.cos(angle) * scale, torch.sin(angle) * scale
    theta = torch.stack([torch.stack([cos * flip, -sin, uniform(-0.08, 0.08)], 1),
                         torch.stack([sin * flip, cos, uniform(-0.08, 0.08)], 1)], 1)
    grid = F.affine_grid(theta, x.shape, align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    # Colour: brightness, contrast, saturation, per-channel gain (x in 0..1).
    x = x * uniform(0.8, 1.2, 1, 1, 1) * uniform(0.94, 1.06, 3, 1, 1)
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = (x - mean) * uniform(0.8, 1.2, 1, 1, 1) + mean
    grey = x.mean(dim=1, keepdim=True)
    x = (x - grey) * uniform(0.8, 1.2, 1, 1, 1) + grey
    return x.clamp(0, 1)


def to_tensor(images):
    return torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255.0


def predict(model, images, mean, std, batch=256):
    """Class probabilities [N, classes] for uint8 images."""
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            x = (to_tensor(images[i:i + batch]) - mean) / std
            out.append(torch.softmax(model(x), 1))
    return torch.cat(out).numpy()


def validation_auc(probabilities, rows):
    malignant = probabilities[:, MALIGNANT_INDEX].sum(1)
    is_malignant = np.array([r["malignant"] for r in rows])
    mel, nv = data.CLASSES.index("melanoma"), data.CLASSES.index("naevus")
    keep = np.array([r["label"] in (mel, nv) for r in rows])
    labels = np.array([r["label"] for r in rows])
    return (metrics.roc_auc(malignant, is_malignant),
            metrics.roc_auc(probabilities[keep, mel], labels[keep] == mel))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="directory for the model files")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--widths", default="24,48,96,160")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--max_minutes", type=float, default=60,
                        help="stop after the epoch that crosses this wall time")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()

    start = time.time()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)

    images, rows = data.load(args.size)
    split = splits.assign(rows)
    train_idx, val_idx = np.array(split["train"]), np.array(split["validation"])
    val_rows = [rows[i] for i in val_idx]
    labels = torch.tensor([r["label"] for r in rows])
    print(f"images {len(rows)}: train {len(train_idx)}, validation {len(val_idx)}, "
          f"test {len(split['test'])} (not read)", flush=True)

    train_images = to_tensor(images[train_idx])
    mean = train_images.mean(dim=(0, 2, 3), keepdim=True)[0]
    std = train_images.std(dim=(0, 2, 3), keepdim=True)[0]
    train_labels = labels[train_idx]
    counts = torch.bincount(train_labels, minlength=len(data.CLASSES)).float()
    # Balanced class weights, square-rooted so the rare classes do not dominate.
    weights = (counts.sum() / (len(counts) * counts)).sqrt()
    print("class counts", counts.tolist(), "weights", [round(w, 2) for w in weights.tolist()])

    widths = tuple(int(w) for w in args.widths.split(","))
    model = LesionNet(len(data.CLASSES), widths)
    print(f"parameters {sum(p.numel() for p in model.parameters())}", flush=True)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps_per_epoch = len(train_idx) // args.batch
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch, pct_start=0.15)
    generator = torch.Generator().manual_seed(args.seed)

    best = (-1, None, None)
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(train_idx), generator=generator)
        total = 0.0
        for step in range(steps_per_epoch):
            batch = order[step * args.batch:(step + 1) * args.batch]
            x = (augment(train_images[batch], generator) - mean) / std
            loss = F.cross_entropy(model(x), train_labels[batch], weight=weights,
                                   label_smoothing=0.05)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item()
        probabilities = predict(model, images[val_idx], mean, std)
        auc_malignant, auc_melanoma = validation_auc(probabilities, val_rows)
        score = (auc_malignant + auc_melanoma) / 2
        elapsed = (time.time() - start) / 60
        print(f"epoch {epoch + 1}: loss {total / steps_per_epoch:.4f}  validation AUC "
              f"malignant {auc_malignant:.4f} melanoma-vs-naevus {auc_melanoma:.4f}  "
              f"{elapsed:.1f} min", flush=True)
        if score > best[0]:
            best = (score, epoch + 1, {k: v.clone() for k, v in model.state_dict().items()})
        if elapsed > args.max_minutes:
            print("stopping: wall-time limit", flush=True)
            break

    model.load_state_dict(best[2])
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "lesion-dermoscopy.onnx")
    note = (f"LesionNet {args.widths} at {args.size} px, epoch {best[1]} of {args.epochs}, "
            f"seed {args.seed}; trained by tools/train/train.py (docs/MODEL.md)")
    export.export(model, args.size, mean.flatten().tolist(), std.flatten().tolist(),
                  onnx_path, onnx_path + ".sidecar", note)
    with open(os.path.join(args.out, "lesion-dermoscopy.splits"), "w") as f:
        f.write("# split  images  sha256 of the sorted dataset-relative file list\n")
        for name in ("train", "validation", "test"):
            f.write(f"{name} {len(split[name])} {splits.sha256(rows, split[name])}\n")
    print(f"exported epoch {best[1]} (validation mean AUC {best[0]:.4f}) to {onnx_path}; "
          f"wall time {(time.time() - start) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
