"""Builds the tiny real ONNX cross-encoders the tests run through ONNX Runtime.

No public cross-encoder weights are reachable here, so the fixtures compute a transparent relevance
signal with ordinary ONNX operators: for each pair [CLS] query [SEP] document [SEP] the logit is

    (number of query word-pieces that also occur in the document) - 0.001 * (document length)

so a document sharing more query terms ranks higher, and among equals the shorter one wins. Special
and unused BERT ids (< 999) never count. Inputs and outputs are exactly a BERT cross-encoder's:
input_ids / attention_mask / token_type_ids int64 [batch, seq].

  overlap-logit/model.onnx    logits float [batch, 1]
  overlap-2class/model.onnx   logits float [batch, 2] = (-x, x); softmax of the positive class = sigmoid(2x)

Each folder's model.json is the descriptor a node reads; its tokenizer.json (bert-base-uncased WordPiece)
is copied in by the build from a Maven Central jar (see pom.xml, "test-tokenizer").

Run with Debian's python3-onnx:  /usr/bin/python3 make_fixtures.py
"""
import onnx
from onnx import TensorProto, helper


def build(two_class: bool) -> onnx.ModelProto:
    b, s = "batch", "seq"
    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, [b, s])
              for n in ("input_ids", "attention_mask", "token_type_ids")]
    out_dim = 2 if two_class else 1
    output = helper.make_tensor_value_info("logits", TensorProto.FLOAT, [b, out_dim])

    def const(name, value, dtype=TensorProto.FLOAT):
        return helper.make_node("Constant", [], [name], value=helper.make_tensor(name + "_t", dtype, [], [value]))

    nodes = [
        const("zero_i", 0, TensorProto.INT64), const("one_i", 1, TensorProto.INT64),
        const("min_id", 998, TensorProto.INT64), const("len_w", -0.001),
        helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
        helper.make_node("Greater", ["input_ids", "min_id"], ["content_b"]),
        helper.make_node("Cast", ["content_b"], ["content_f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["mask_f", "content_f"], ["real_f"]),
        helper.make_node("Equal", ["token_type_ids", "zero_i"], ["is_q_b"]),
        helper.make_node("Cast", ["is_q_b"], ["is_q_f"], to=TensorProto.FLOAT),
        helper.make_node("Equal", ["token_type_ids", "one_i"], ["is_d_b"]),
        helper.make_node("Cast", ["is_d_b"], ["is_d_f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["real_f", "is_q_f"], ["q_mask"]),        # [b,s]
        helper.make_node("Mul", ["real_f", "is_d_f"], ["d_mask"]),        # [b,s]
        helper.make_node("Unsqueeze", ["input_ids"], ["ids_col"], axes=[2]),  # [b,s,1]
        helper.make_node("Unsqueeze", ["input_ids"], ["ids_row"], axes=[1]),  # [b,1,s]
        helper.make_node("Equal", ["ids_col", "ids_row"], ["same_b"]),    # [b,s,s]
        helper.make_node("Cast", ["same_b"], ["same_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["d_mask"], ["d_row"], axes=[1]),   # [b,1,s]
        helper.make_node("Mul", ["same_f", "d_row"], ["same_in_doc"]),
        helper.make_node("ReduceMax", ["same_in_doc"], ["found"], axes=[2], keepdims=0),  # [b,s]
        helper.make_node("Mul", ["found", "q_mask"], ["q_found"]),
        helper.make_node("ReduceSum", ["q_found"], ["overlap"], axes=[1], keepdims=1),  # [b,1]
        helper.make_node("ReduceSum", ["d_mask"], ["doc_len"], axes=[1], keepdims=1),   # [b,1]
        helper.make_node("Mul", ["doc_len", "len_w"], ["len_penalty"]),
        helper.make_node("Add", ["overlap", "len_penalty"], ["x"]),
    ]
    if two_class:
        nodes += [helper.make_node("Neg", ["x"], ["neg_x"]),
                  helper.make_node("Concat", ["neg_x", "x"], ["logits"], axis=1)]
    else:
        nodes += [helper.make_node("Identity", ["x"], ["logits"])]
    graph = helper.make_graph(nodes, "overlap_cross_encoder", inputs, [output])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)],
                              producer_name="shard-rerank make_fixtures.py")
    model.ir_version = 6
    onnx.checker.check_model(model)
    return model


if __name__ == "__main__":
    onnx.save(build(False), "overlap-logit/model.onnx")
    onnx.save(build(True), "overlap-2class/model.onnx")
