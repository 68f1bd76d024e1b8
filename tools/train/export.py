"""Export a trained LesionNet to ONNX that OpenCV 4.6's DNN loads, with its sidecar.

OpenCV's rules (docs/IMAGING.md): static input shape, opset <= 13, Conv with an
explicit kernel_shape, Gemm with transB=1. BatchNorm is folded into the
convolutions by exporting in eval mode with constant folding.
"""
import onnx
import torch

from data import CLASSES, MALIGNANT_CLASSES

OPSET = 11


def export(model, size, mean, std, onnx_path, sidecar_path, note,
           classes=CLASSES, malignant=MALIGNANT_CLASSES, modality=None):
    """Writes the ONNX and its sidecar; `modality` (a sidecar key) when the
    model is for images other than dermoscopy."""
    model.eval()
    dummy = torch.zeros(1, 3, size, size)
    torch.onnx.export(model, dummy, onnx_path, opset_version=OPSET,
                      input_names=["image"], output_names=["logits"],
                      do_constant_folding=True,
                      training=torch.onnx.TrainingMode.EVAL)
    inline_identities(onnx_path)
    check(onnx_path, size)
    with open(sidecar_path, "w") as f:
        f.write(f"# {note}\n")
        if modality:
            f.write(f"modality = {modality}\n")
        f.write(f"classes = {', '.join(classes)}\n")
        f.write(f"malignant = {', '.join(malignant)}\n")
        f.write(f"input_width = {size}\ninput_height = {size}\n")
        f.write("channel_order = RGB\n")
        f.write(f"scale = {1 / 255!r}\n")
        f.write(f"mean = {', '.join(f'{m:.6f}' for m in mean)}\n")
        f.write(f"std = {', '.join(f'{s:.6f}' for s in std)}\n")
        f.write("output = logits\n")


def inline_identities(onnx_path):
    """Replaces Identity nodes over initializers (the exporter shares equal
    constants that way) by copies of the initializer."""
    model = onnx.load(onnx_path)
    initializers = {t.name: t for t in model.graph.initializer}
    for node in list(model.graph.node):
        if node.op_type == "Identity" and node.input[0] in initializers:
            copy = onnx.TensorProto()
            copy.CopyFrom(initializers[node.input[0]])
            copy.name = node.output[0]
            model.graph.initializer.append(copy)
            model.graph.node.remove(node)
    onnx.save(model, onnx_path)


def check(onnx_path, size):
    """Raises ValueError if the graph breaks one of OpenCV 4.6's import rules."""
    model = onnx.load(onnx_path)
    onnx.checker.check_model(model)
    opset = max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    if opset > 13:
        raise ValueError(f"opset {opset} > 13")
    dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    if dims != [1, 3, size, size]:
        raise ValueError(f"input shape {dims} is not static 1x3x{size}x{size}")
    allowed = {"Conv", "Relu", "MaxPool", "GlobalAveragePool", "Flatten", "Gemm"}
    for node in model.graph.node:
        if node.op_type not in allowed:
            raise ValueError(f"operator {node.op_type} is not in {sorted(allowed)}")
        attributes = {a.name: a for a in node.attribute}
        if node.op_type == "Conv" and "kernel_shape" not in attributes:
            raise ValueError(f"Conv {node.name} lacks kernel_shape")
        if node.op_type == "Gemm" and attributes.get("transB") is None or (
                node.op_type == "Gemm" and attributes["transB"].i != 1):
            raise ValueError(f"Gemm {node.name} needs transB=1")
