"""Builds an ONNX graph for a BERT sentence encoder from its safetensors weights.

Why by hand: the registries reachable here ship all-MiniLM-L6-v2 only as safetensors, and the
usual exporters (torch.onnx, optimum) need a multi-gigabyte PyTorch. The graph below is the
plain BertModel forward pass (absolute positions, post-LayerNorm, erf GELU) followed by the
sentence-transformers head (mean pooling over the attention mask, then L2 normalisation), so
the output `sentence_embedding` [batch, hidden] is what SentenceTransformer.encode returns.

usage: python bert-safetensors-to-onnx.py MODEL_DIR OUT.onnx
"""
import json
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load_file


def build(model_dir: str, out_path: str) -> None:
    config = json.load(open(f"{model_dir}/config.json"))
    weights = load_file(f"{model_dir}/model.safetensors")
    hidden = config["hidden_size"]
    heads = config["num_attention_heads"]
    head_dim = hidden // heads
    eps = float(config["layer_norm_eps"])
    nodes, inits = [], []

    def const(name, array):
        inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def weight(key, transpose=False):
        value = weights[key]
        return const(key + (".T" if transpose else ""), value.T.copy() if transpose else value)

    counter = [0]

    def node(op, inputs, **attrs):
        counter[0] += 1
        out = f"{op.lower()}_{counter[0]}"
        nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def linear(x, prefix):
        return node("Add", [node("MatMul", [x, weight(prefix + ".weight", transpose=True)]), weight(prefix + ".bias")])

    def layer_norm(x, prefix):
        return node("LayerNormalization", [x, weight(prefix + ".weight"), weight(prefix + ".bias")], axis=-1, epsilon=eps)

    # Embeddings: word + position (0..seq-1) + token type, then LayerNorm.
    seq_len = node("Gather", [node("Shape", ["input_ids"]), const("one_i", np.array(1, dtype=np.int64))])
    positions = node("Range", [const("zero_i", np.array(0, dtype=np.int64)), seq_len, const("step_i", np.array(1, dtype=np.int64))])
    x = node("Add", [
        node("Add", [
            node("Gather", [weight("embeddings.word_embeddings.weight"), "input_ids"]),
            node("Gather", [weight("embeddings.position_embeddings.weight"), positions]),
        ]),
        node("Gather", [weight("embeddings.token_type_embeddings.weight"), "token_type_ids"]),
    ])
    x = layer_norm(x, "embeddings.LayerNorm")

    # Additive mask [batch, 1, 1, seq]: 0 where attended, -10000 on padding (as BertModel does).
    mask_f = node("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    mask_4d = node("Unsqueeze", [mask_f, const("axes_12", np.array([1, 2], dtype=np.int64))])
    additive_mask = node("Mul", [node("Sub", [const("one_f", np.array(1.0, dtype=np.float32)), mask_4d]), const("neg_f", np.array(-10000.0, dtype=np.float32))])

    split_shape = const("split_shape", np.array([0, 0, heads, head_dim], dtype=np.int64))
    merge_shape = const("merge_shape", np.array([0, 0, hidden], dtype=np.int64))
    scale = const("scale", np.array(1.0 / np.sqrt(head_dim), dtype=np.float32))

    def split_heads(t):
        return node("Transpose", [node("Reshape", [t, split_shape])], perm=[0, 2, 1, 3])

    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}"
        q = split_heads(linear(x, f"{p}.attention.self.query"))
        k = split_heads(linear(x, f"{p}.attention.self.key"))
        v = split_heads(linear(x, f"{p}.attention.self.value"))
        scores = node("Add", [node("Mul", [node("MatMul", [q, node("Transpose", [k], perm=[0, 1, 3, 2])]), scale]), additive_mask])
        context = node("MatMul", [node("Softmax", [scores], axis=-1), v])
        context = node("Reshape", [node("Transpose", [context], perm=[0, 2, 1, 3]), merge_shape])
        x = layer_norm(node("Add", [linear(context, f"{p}.attention.output.dense"), x]), f"{p}.attention.output.LayerNorm")
        inner = linear(x, f"{p}.intermediate.dense")
        gelu = node("Mul", [
            node("Mul", [inner, const(f"half_{i}", np.array(0.5, dtype=np.float32))]),
            node("Add", [const(f"one_{i}", np.array(1.0, dtype=np.float32)), node("Erf", [node("Div", [inner, const(f"sqrt2_{i}", np.array(np.sqrt(2.0), dtype=np.float32))])])]),
        ])
        x = layer_norm(node("Add", [linear(gelu, f"{p}.output.dense"), x]), f"{p}.output.LayerNorm")

    # Mean pooling over attended tokens, then L2 normalisation.
    mask_3d = node("Unsqueeze", [mask_f, const("axes_2", np.array([2], dtype=np.int64))])
    summed = node("ReduceSum", [node("Mul", [x, mask_3d]), const("axes_1", np.array([1], dtype=np.int64))], keepdims=0)
    counts = node("Max", [node("ReduceSum", [mask_3d, "axes_1"], keepdims=0), const("tiny", np.array(1e-9, dtype=np.float32))])
    pooled = node("Div", [summed, counts])
    norm = node("Max", [node("ReduceL2", [pooled, const("axes_last", np.array([1], dtype=np.int64))], keepdims=1), const("tiny_norm", np.array(1e-12, dtype=np.float32))])
    nodes.append(helper.make_node("Div", [pooled, norm], ["sentence_embedding"]))

    int_input = lambda name: helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "sequence"])
    graph = helper.make_graph(
        nodes, "sentence_encoder",
        [int_input("input_ids"), int_input("attention_mask"), int_input("token_type_ids")],
        [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", hidden])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], producer_name="llmops-retrieval")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, out_path)


if __name__ == "__main__":
    build(sys.argv[1], sys.argv[2])
