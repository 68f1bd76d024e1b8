"""Fits the model + rules combination and chooses the SOON and URGENT operating
points on the validation split, from what the C++ service computed.

    build/tools/eval/telederm-eval --downsized --json \\
        --model models/lesion-dermoscopy.onnx DIR > validation.jsonl   # sidecar without calibration
    /usr/bin/python3 tools/train/calibrate.py validation.jsonl models/lesion-dermoscopy.onnx.sidecar

Reads each image's rule risk and model probability from its explanation
("from rules R and lesion model", "lesion model: malignant P"), fits
score = sigmoid(a + b * logit(P) + c * R) by logistic regression (b > 0, c >= 0:
c is dropped if the fit makes it negative), with --with_form also + d * F, F
the case form's risk ("form risk F"; d >= 0, dropped if negative: the
close-up model, whose photos come with their history), and chooses
  soon_from:   the highest score that keeps >= --sensitivity of the malignant
               images URGENT or SOON (images the service cannot screen go
               URGENT and count as caught);
  urgent_from: the score above which only --urgent_fpr of the benign images lie.
Writes the three keys into the sidecar (replacing earlier ones).
"""
import argparse
import json
import math
import re
import sys

import os

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from metrics import roc_auc as auc  # noqa: E402

RULES = re.compile(r"from rules ([0-9.]+) and lesion model")
FORM = re.compile(r"form risk ([0-9.]+)")
MODEL = re.compile(r"lesion model: malignant ([0-9.]+)")
MELANOMA = re.compile(r"\(melanoma ([0-9.]+)\)")
NAEVI = ("nevus", "common_nevus", "atypical_nevus")


def read(path):
    images = []
    with open(path) as f:
        for line in f:
            record = json.loads(line)
            if record.get("summary"):
                continue
            rule = model = melanoma = form = None
            for text in record["explanation"]:
                if (m := FORM.search(text)) and form is None:
                    form = float(m.group(1))
                if (m := MELANOMA.search(text)) and melanoma is None:
                    melanoma = float(m.group(1))
                if (m := RULES.search(text)) and rule is None:
                    rule = float(m.group(1))
                if (m := MODEL.search(text)) and model is None:
                    model = float(m.group(1))
            screened = record["screened"] and rule is not None and model is not None
            images.append({"malignant": record["malignant"], "screened": screened,
                           "rule": rule, "model": model, "melanoma": melanoma, "form": form or 0.0,
                           "diagnosis": record["diagnosis"], "source": record.get("source", "")})
    return images


def logit(p):
    p = np.clip(p, 5e-4, 1 - 5e-4)  # The explanation prints 3 decimals.
    return np.log(p / (1 - p))


def fit_logistic(x, y, l2=1e-3, iterations=50):
    """Newton-Raphson; x without the intercept column. Returns [intercept, weights...]."""
    x = np.column_stack([np.ones(len(x)), x])
    w = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-x @ w))
        gradient = x.T @ (p - y) + l2 * np.r_[0, w[1:]]
        hessian = (x.T * (p * (1 - p))) @ x + l2 * np.diag(np.r_[0, np.ones(len(w) - 1)])
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w


def bootstrap_auc(scores, positive, resamples=2000, seed=16):
    """(AUC, 2.5th, 97.5th percentile) over images resampled with replacement."""
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(resamples):
        pick = rng.integers(0, len(scores), len(scores))
        if positive[pick].all() or not positive[pick].any():
            continue
        values.append(auc(scores[pick], positive[pick]))
    return auc(scores, positive), np.percentile(values, 2.5), np.percentile(values, 97.5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("eval_json")
    parser.add_argument("sidecar")
    parser.add_argument("--sensitivity", type=float, default=0.95)
    parser.add_argument("--urgent_fpr", type=float, default=0.10)
    parser.add_argument("--with_form", action="store_true", help="fit the form's risk in as well")
    parser.add_argument("--fitted_on", default="the validation split", help="for the sidecar's comment")
    args = parser.parse_args()

    images = read(args.eval_json)
    screened = [im for im in images if im["screened"]]
    y = np.array([im["malignant"] for im in screened], float)
    p = np.array([im["model"] for im in screened])
    r = np.array([im["rule"] for im in screened])
    form = np.array([im["form"] for im in screened])
    features = [logit(p), r] + ([form] if args.with_form else [])
    keep = list(range(len(features)))
    while True:  # Drop the rule or form feature while the fit makes it negative.
        w = fit_logistic(np.column_stack([features[i] for i in keep]), y)
        negative = [k for k, i in enumerate(keep) if i > 0 and w[k + 1] < 0]
        if not negative:
            break
        keep.pop(negative[0])
    weights = np.zeros(len(features) + 1)
    weights[0] = w[0]
    for k, i in enumerate(keep):
        weights[i + 1] = w[k + 1]
    w = weights
    if w[1] <= 0:
        sys.exit(f"the fit gives the model a weight {w[1]:.3f} <= 0: the model is no use")
    score = 1 / (1 + np.exp(-(w[0] + sum(w[i + 1] * f for i, f in enumerate(features)))))
    positive = y == 1
    print(f"{len(images)} images, {len(screened)} screened; fit: intercept {w[0]:.4f}, "
          f"model logit {w[1]:.4f}, rule risk {w[2]:.4f}" + (f", form risk {w[3]:.4f}" if args.with_form else ""))
    print(f"screened images' ROC AUC: model {auc(p, positive):.4f}, rules {auc(r, positive):.4f}, "
          + (f"form {auc(form, positive):.4f}, " if args.with_form else "")
          + f"combination {auc(score, positive):.4f}")
    mel_nv = [im for im in screened if im["diagnosis"] == "melanoma" or im["diagnosis"] in NAEVI]
    mel = np.array([im["melanoma"] for im in mel_nv])
    is_mel = np.array([im["diagnosis"] == "melanoma" for im in mel_nv])
    print("melanoma vs naevus (%d vs %d screened), ROC AUC of the melanoma probability: %.4f [%.4f, %.4f]"
          % ((is_mel.sum(), (~is_mel).sum()) + bootstrap_auc(mel, is_mel)))

    malignant_total = sum(im["malignant"] for im in images)
    malignant_unscreened = malignant_total - int(positive.sum())
    # soon_from: the highest score with enough malignant images at or above it.
    needed = math.ceil(args.sensitivity * malignant_total) - malignant_unscreened
    malignant_scores = np.sort(score[positive])[::-1]
    soon_from = float(malignant_scores[max(needed, 1) - 1])
    benign_total = len(images) - malignant_total
    benign_scores = np.sort(score[~positive])[::-1]
    allowed = int(args.urgent_fpr * benign_total) - (benign_total - len(benign_scores))
    urgent_from = float(benign_scores[max(allowed, 0)]) + 1e-6
    urgent_from = max(urgent_from, soon_from + 1e-3)
    soon_from = max(soon_from - 1e-9, 1e-6)

    caught = ((score[positive] >= soon_from).sum() + malignant_unscreened) / malignant_total
    routine = (score[~positive] < soon_from).sum() / benign_total
    print(f"soon_from {soon_from:.6f}: malignant URGENT+SOON {caught:.4f}, benign ROUTINE {routine:.4f}")
    print(f"urgent_from {urgent_from:.6f}: benign URGENT "
          f"{((score[~positive] >= urgent_from).sum() + benign_total - len(benign_scores)) / benign_total:.4f}, "
          f"malignant URGENT {((score[positive] >= urgent_from).sum() + malignant_unscreened) / malignant_total:.4f}")

    with open(args.sidecar) as f:
        kept = [line for line in f if not re.match(r"\s*(combine|soon_from|urgent_from)\s*=", line)
                and not line.startswith("# Calibration")]
    kept.append(f"# Calibration fitted and operating points chosen on {args.fitted_on} "
                f"(tools/train/calibrate.py --sensitivity {args.sensitivity} --urgent_fpr {args.urgent_fpr}"
                f"{' --with_form' if args.with_form else ''})\n")
    kept.append("combine = " + ", ".join(f"{v:.6f}" for v in w) + "\n")
    kept.append(f"soon_from = {soon_from:.6f}\n")
    kept.append(f"urgent_from = {urgent_from:.6f}\n")
    with open(args.sidecar, "w") as f:
        f.writelines(kept)


if __name__ == "__main__":
    main()
