"""Trains the phone close-up lesion model (PAD-UFES-20) and exports it to ONNX.

    /usr/bin/python3 tools/train/train_closeup.py --out models/ --start DERMOSCOPY.onnx

The set is small (970 photos, 735 patients), so the model starts from a
dermoscopy LesionNet 16,32,64,128 (--start, beside its sidecar: the shipped
close-up model started from the dermoscopy model of commit f8a7067,
docs/MODEL.md; its convolutions are read back from the ONNX, its last layer's
rows mapped onto the close-up classes) and is fine-tuned. Patients are cut 80/20 into development and test
(splits.py; the test part is never read here) and the development patients
into 5 folds. For each input size of --sizes, 5-fold cross-validation gives
out-of-fold predictions for every development photo; the size with the best
out-of-fold ROC AUC (malignant vs benign) is chosen. Each fold's model of that
size is exported to <work>/fold<k>.onnx beside an eval folder of its held-out
patients (<work>/fold<k>/labels.csv), so that calibrate.py fits the combination
and chooses the operating points on the out-of-fold figures the C++ service
computes (docs/MODEL.md). The shipped model is fold 0's (trained on folds 1-4):
it is the same kind of model as the ones the calibration was fitted on, and
fold 0 is its validation split. It is written as <out>/lesion-closeup.onnx with
its sidecar and <out>/lesion-closeup.splits.
"""
import argparse
import csv
import os
import random
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import closeup_data  # noqa: E402
import data  # noqa: E402
import export  # noqa: E402
import metrics  # noqa: E402
import splits  # noqa: E402
from model import LesionNet  # noqa: E402
from train import augment, predict, to_tensor  # noqa: E402

FOLDS = 5
DEVELOPMENT = (("development", 0.8), ("test", 0.2))
MALIGNANT_INDEX = [closeup_data.CLASSES.index(c) for c in closeup_data.MALIGNANT_CLASSES]
# Which dermoscopy class's output row starts each close-up class.
START_ROW = {"naevus": "naevus", "melanoma": "melanoma", "bcc": "bcc", "scc": "ak_scc",
             "actinic_keratosis": "ak_scc", "seborrhoeic_keratosis": "keratosis"}


def read_sidecar(path):
    values = {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if "=" in line:
                key, value = (part.strip() for part in line.split("=", 1))
                values[key] = value
    return values


def dermoscopy_start(onnx_path, widths):
    """A LesionNet holding the dermoscopy model's weights (BatchNorm was folded
    into the convolutions at export: each BatchNorm starts as the identity
    with the folded bias), with a close-up head."""
    graph = onnx.load(onnx_path).graph
    weights = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    convs = [(weights[n.input[1]], weights[n.input[2]]) for n in graph.node if n.op_type == "Conv"]
    model = LesionNet(len(data.CLASSES), widths)
    conv_layers = [m for m in model.features if isinstance(m, torch.nn.Conv2d)]
    norm_layers = [m for m in model.features if isinstance(m, torch.nn.BatchNorm2d)]
    if len(convs) != len(conv_layers):
        raise ValueError(f"{onnx_path}: {len(convs)} convolutions, LesionNet {widths} has {len(conv_layers)}")
    with torch.no_grad():
        for (weight, bias), conv, norm in zip(convs, conv_layers, norm_layers):
            conv.weight.copy_(torch.from_numpy(weight))
            norm.weight.fill_(1.0)
            norm.bias.copy_(torch.from_numpy(bias))
            norm.running_mean.zero_()
            norm.running_var.fill_(1.0 - norm.eps)
        head = torch.nn.Linear(model.classifier.in_features, len(closeup_data.CLASSES))
        for i, name in enumerate(closeup_data.CLASSES):
            row = data.CLASSES.index(START_ROW[name])
            head.weight[i] = torch.from_numpy(weights["classifier.weight"][row])
            head.bias[i] = float(weights["classifier.bias"][row])
        model.classifier = head
    return model


def fit(start, images, labels, mean, std, args, seed):
    """Fine-tunes a copy of `start` on uint8 images; returns the model."""
    torch.manual_seed(seed)
    model = start()
    x_all = to_tensor(images)
    y_all = torch.tensor(labels)
    counts = torch.bincount(y_all, minlength=len(closeup_data.CLASSES)).float().clamp(min=1)
    weights = (counts.sum() / (len(counts) * counts)).sqrt()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps_per_epoch = max(len(x_all) // args.batch, 1)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch, pct_start=0.2)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(args.epochs):
        model.train()
        order = torch.randperm(len(x_all), generator=generator)
        for step in range(steps_per_epoch):
            batch = order[step * args.batch:(step + 1) * args.batch]
            x = (augment(x_all[batch], generator) - mean) / std
            loss = F.cross_entropy(model(x), y_all[batch], weight=weights, label_smoothing=0.05)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
    return model


def write_eval_folder(folder, rows, indices):
    """labels.csv for telederm-eval over the datasets folder (linked)."""
    os.makedirs(folder, exist_ok=True)
    link = os.path.join(folder, "datasets")
    if not os.path.islink(link):
        os.symlink(data.DATASETS, link)
    with open(os.path.join(folder, "labels.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(closeup_data.EVAL_HEADER)
        for i in sorted(indices, key=lambda i: rows[i]["rel"]):
            writer.writerow(closeup_data.eval_row(rows[i], f"datasets/{rows[i]['rel']}"))


def development_folds(rows):
    """(split, folds): the 80/20 development/test split and the development folds."""
    split = splits.assign(rows, fractions=DEVELOPMENT)
    return split, splits.folds(rows, split["development"], FOLDS)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="directory for the model files")
    parser.add_argument("--work", default=os.path.join(data.CACHE, "closeup"),
                        help="fold models and eval folders")
    parser.add_argument("--start", required=True,
                        help="the dermoscopy LesionNet 16,32,64,128 ONNX (with its .sidecar) to start from")
    parser.add_argument("--sizes", default="64,96")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()

    start_time = time.time()
    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    sidecar = read_sidecar(args.start + ".sidecar")
    widths = (16, 32, 64, 128)
    # The dermoscopy model's normalisation: its first convolution expects it.
    mean = torch.tensor([float(v) for v in sidecar["mean"].split(",")]).view(3, 1, 1)
    std = torch.tensor([float(v) for v in sidecar["std"].split(",")]).view(3, 1, 1)

    rows = closeup_data.read_labels()
    split, folds = development_folds(rows)
    development = split["development"]
    labels = np.array([r["label"] for r in rows])
    malignant = np.array([r["malignant"] for r in rows])
    trainable = np.array([r["train"] for r in rows])
    print(f"photos {len(rows)}: development {len(development)} ({FOLDS} folds of "
          f"{[len(f) for f in folds]}), test {len(split['test'])} (not read)", flush=True)

    def start():
        return dermoscopy_start(args.start, widths)

    best = None
    for size in [int(s) for s in args.sizes.split(",")]:
        images, _ = closeup_data.load(size)
        out_of_fold = np.zeros(len(rows))
        fold_models = []
        for k, held_out in enumerate(folds):
            train_idx = [i for f, fold in enumerate(folds) if f != k for i in fold if trainable[i]]
            model = fit(start, images[train_idx], labels[train_idx], mean, std, args, args.seed + k)
            probabilities = predict(model, images[held_out], mean, std)
            out_of_fold[held_out] = probabilities[:, MALIGNANT_INDEX].sum(1)
            fold_models.append(model)
        auc = metrics.roc_auc(out_of_fold[development], malignant[development])
        print(f"size {size}: out-of-fold ROC AUC malignant vs benign {auc:.4f}  "
              f"{(time.time() - start_time) / 60:.1f} min", flush=True)
        if best is None or auc > best[0]:
            best = (auc, size, fold_models)

    auc, size, fold_models = best
    os.makedirs(args.work, exist_ok=True)
    note = (f"LesionNet 16,32,64,128 at {size} px fine-tuned from {os.path.basename(args.start)} on "
            f"PAD-UFES-20, {args.epochs} epochs, seed {args.seed}; trained by tools/train/train_closeup.py "
            f"(docs/MODEL.md)")
    for k, (model, held_out) in enumerate(zip(fold_models, folds)):
        path = os.path.join(args.work, f"fold{k}.onnx")
        export.export(model, size, mean.flatten().tolist(), std.flatten().tolist(), path, path + ".sidecar",
                      f"fold {k} of {FOLDS}: " + note, closeup_data.CLASSES, closeup_data.MALIGNANT_CLASSES,
                      "clinical_close_up")
        write_eval_folder(os.path.join(args.work, f"fold{k}"), rows, held_out)
    write_eval_folder(os.path.join(args.work, "test"), rows, split["test"])

    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "lesion-closeup.onnx")
    export.export(fold_models[0], size, mean.flatten().tolist(), std.flatten().tolist(), onnx_path,
                  onnx_path + ".sidecar", "fold 0's model (validation split: fold 0): " + note,
                  closeup_data.CLASSES, closeup_data.MALIGNANT_CLASSES, "clinical_close_up")
    with open(os.path.join(args.out, "lesion-closeup.splits"), "w") as f:
        f.write("# split  photos  sha256 of the sorted dataset-relative file list; fold0 is the shipped "
                "model's validation split, folds 1-4 its training set\n")
        for name in ("development", "test"):
            f.write(f"{name} {len(split[name])} {splits.sha256(rows, split[name])}\n")
        for k, fold in enumerate(folds):
            f.write(f"fold{k} {len(fold)} {splits.sha256(rows, fold)}\n")
    print(f"chose {size} px (out-of-fold AUC {auc:.4f}); exported {onnx_path}; "
          f"wall time {(time.time() - start_time) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
