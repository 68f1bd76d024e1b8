#!/usr/bin/python3
"""Builds the tiny ONNX classifier the imaging tests load.

Usage: /usr/bin/python3 make_test_model.py OUTPUT_DIR

Writes OUTPUT_DIR/redness.onnx and OUTPUT_DIR/redness.sidecar. The model
takes a 1x3x32x32 RGB image scaled to [0, 1] and outputs two logits
(benign, malignant):

  Conv 1x1 (identity weights) -> GlobalAveragePool -> Flatten -> Gemm

with Gemm weights chosen so that logit_malignant - logit_benign =
8 * (mean red - mean green). A red image is therefore "malignant" and a green
one "benign", known from the construction and not from running the model.
Needs Debian's python3-onnx and python3-numpy; OpenCV 4.6's ONNX importer
wants Conv's kernel_shape explicit and Gemm's weights laid out for transB=1.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main() -> None:
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    conv_w = np.eye(3, dtype=np.float32).reshape(3, 3, 1, 1)
    conv_b = np.zeros(3, dtype=np.float32)
    # Rows: classes (benign, malignant); columns: channels (R, G, B).
    gemm_w = np.array([[-4.0, 4.0, 0.0], [4.0, -4.0, 0.0]], dtype=np.float32)
    gemm_b = np.zeros(2, dtype=np.float32)
    nodes = [
        helper.make_node("Conv", ["input", "conv_w", "conv_b"], ["conv"],
                         kernel_shape=[1, 1], strides=[1, 1], pads=[0, 0, 0, 0]),
        helper.make_node("GlobalAveragePool", ["conv"], ["pooled"]),
        helper.make_node("Flatten", ["pooled"], ["flat"], axis=1),
        helper.make_node("Gemm", ["flat", "gemm_w", "gemm_b"], ["logits"],
                         alpha=1.0, beta=1.0, transB=1),
    ]
    graph = helper.make_graph(
        nodes, "redness",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 2])],
        initializer=[
            numpy_helper.from_array(conv_w, "conv_w"),
            numpy_helper.from_array(conv_b, "conv_b"),
            numpy_helper.from_array(gemm_w, "gemm_w"),
            numpy_helper.from_array(gemm_b, "gemm_b"),
        ])
    model = helper.make_model(graph, producer_name="telederm-imaging-test",
                              opset_imports=[helper.make_opsetid("", 11)])
    model.ir_version = 6
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out_dir, "redness.onnx"))
    with open(os.path.join(out_dir, "redness.sidecar"), "w") as f:
        f.write("# Test model: malignant when the image is redder than green.\n"
                "classes = benign, malignant\n"
                "malignant = malignant\n"
                "input_width = 32\n"
                "input_height = 32\n"
                "channel_order = RGB\n"
                "scale = 0.00392156862745098\n"
                "mean = 0, 0, 0\n"
                "std = 1, 1, 1\n"
                "output = logits\n")


if __name__ == "__main__":
    main()
