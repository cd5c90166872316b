"""A candidate to replace quantize-onnx-int8.py: it fuses the transformer blocks first, then quantises.

Usage: fuse-quantize-onnx-int8.py <model.onnx> <out.int8.onnx>  (in the venv of deploy/local/embedding-model.sh)

Not used by the install. Measured against model.int8.onnx with loadtest/embedding-query.bench.cjs
(onnxruntime-node, one thread, on two shared cores): one 8-40 token query is only 2-6 % faster at
p50, and a padded batch of 16 x 256 tokens (ingestion) about 5 % slower, with vectors as good as
model.int8.onnx's (cosine to fp32 over 600 texts: min 0.978, mean 0.992, the same for both) and
the same eval metrics. ONNX Runtime already fuses
LayerNorm, GELU and the int8 MatMuls of model.int8.onnx when it loads it; what this adds is
QAttention and EmbedLayerNormalization, and 3/4 of a query's time stays in the int8 MatMuls.
Kept so the comparison can be rerun (for example on a CPU with VNNI or another ONNX Runtime).

Steps: (1) rewrite three patterns of bert-safetensors-to-onnx.py into the equivalent forms that
onnxruntime.transformers' BERT fuser matches (position ids expanded to [batch, seq]; the
additive mask as Unsqueeze, Unsqueeze, Cast; the attention scale as a division by sqrt(d)), with
the same results in fp32; (2) optimize_model(model_type='bert') at opt_level 0, the Python
fusions only, so the graph does not depend on this machine's CPU: EmbedLayerNormalization,
6 Attention, 12 SkipLayerNormalization, 6 BiasGelu; (3) quantize_dynamic as
quantize-onnx-int8.py does (int8 weights per channel, 7-bit range), Attention included, so it
becomes QAttention. Inputs and the `sentence_embedding` output are unchanged; deterministic.
"""
import logging
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.quantization import QuantType, quantize_dynamic
from onnxruntime.transformers.fusion_options import FusionOptions
from onnxruntime.transformers.onnx_model import OnnxModel
from onnxruntime.transformers.optimizer import optimize_model

# The fuser warns that the producer is not PyTorch and that shape inference (which does not know
# ReduceL2 with an axes input) is off; neither matters to the fusions checked below.
logging.getLogger().setLevel(logging.ERROR)


def to_fusable_form(model: onnx.ModelProto) -> onnx.ModelProto:
    graph = model.graph
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)

    def const(name, value):
        graph.initializer.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    added = []
    # Positions: Gather(table, Range(0, seq, 1)) -> Gather(table, Expand(Unsqueeze(Range), Shape(input_ids))).
    range_node = next(n for n in graph.node if n.op_type == "Range")
    position_gather = next(n for n in consumers[range_node.output[0]] if n.op_type == "Gather")
    input_shape = next(n for n in graph.node if n.op_type == "Shape" and n.input[0] == "input_ids")
    added.append(helper.make_node("Unsqueeze", [range_node.output[0], const("fusable_axes_0", np.array([0], np.int64))], ["fusable_position_row"]))
    added.append(helper.make_node("Expand", ["fusable_position_row", input_shape.output[0]], ["fusable_position_ids"]))
    position_gather.input[1] = "fusable_position_ids"

    # Mask: Sub(1, Unsqueeze(Cast(mask), [1, 2])) -> Sub(1, Cast(Unsqueeze(Unsqueeze(mask, [1]), [2]))).
    mask_sub = next(n for n in graph.node if n.op_type == "Sub")
    replaced = mask_sub.input[1]
    added.append(helper.make_node("Unsqueeze", ["attention_mask", const("fusable_axes_1", np.array([1], np.int64))], ["fusable_mask_3d"]))
    added.append(helper.make_node("Unsqueeze", ["fusable_mask_3d", const("fusable_axes_2", np.array([2], np.int64))], ["fusable_mask_4d"]))
    added.append(helper.make_node("Cast", ["fusable_mask_4d"], ["fusable_mask_float"], to=TensorProto.FLOAT))
    mask_sub.input[1] = "fusable_mask_float"

    # Scale: Mul(QK, 1/sqrt(d)) -> Div(QK, sqrt(d)).
    scale = numpy_helper.to_array(next(i for i in graph.initializer if i.name == "scale"))
    const("fusable_sqrt_head_dim", np.array(1.0 / scale, np.float32))
    for node in graph.node:
        if node.op_type == "Mul" and node.input[1] == "scale":
            node.op_type, node.input[1] = "Div", "fusable_sqrt_head_dim"

    kept = [n for n in graph.node if n.output[0] != replaced]
    del graph.node[:]
    graph.node.extend(added + kept)
    OnnxModel(model).topological_sort()
    onnx.checker.check_model(model)
    return model


def main(source: str, target: str) -> None:
    options = FusionOptions("bert")
    options.enable_shape_inference = False
    fused = optimize_model(to_fusable_form(onnx.load(source)), model_type="bert", num_heads=12, hidden_size=384, opt_level=0, optimization_options=options)
    counts = {op: n for op, n in fused.get_fused_operator_statistics().items() if n}
    expected = {"EmbedLayerNormalization": 1, "Attention": 6, "SkipLayerNormalization": 12, "BiasGelu": 6}
    if any(counts.get(op) != n for op, n in expected.items()):
        sys.exit(f"fusion incomplete: {counts}, expected {expected}")
    # save_model_to_file adds the com.microsoft opset import that quantize_dynamic needs.
    staged = target + ".fused"
    fused.save_model_to_file(staged)
    # The fused ops are ONNX Runtime's own, which ONNX shape inference cannot type: say they are float.
    quantize_dynamic(staged, target, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Attention"], per_channel=True,
                     reduce_range=True, extra_options={"DefaultTensorType": TensorProto.FLOAT})
    os.remove(staged)
    print(f"fused {counts}; quantised MatMul and Attention")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
