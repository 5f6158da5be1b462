"""Dynamic int8 quantization of an fp32 BERT ONNX graph, as a plain graph rewrite (no onnxruntime
Python package here). Same scheme as onnxruntime.quantization.quantize_dynamic(per_channel=True):

* every MatMul with a constant 2-D weight W[K, N]:
      x -> DynamicQuantizeLinear -> (x_q uint8, x_scale, x_zp)
      MatMulInteger(x_q, W_q int8 [K, N], x_zp, zeros int8 [N]) -> Cast(float) -> Mul(x_scale * w_scale[N])
  with symmetric per-output-column weight scales w_scale = max|W[:, n]| / 127
  (ONNX Runtime fuses this into its DynamicQuantizeMatMul / MatMulIntegerToFloat kernels);
* the word-embedding Gather: the table stored as int8 (symmetric, per tensor), Gather then DequantizeLinear.
Everything else (position/type embeddings, LayerNorm, attention products, the classifier Gemm)
stays fp32.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def quantize(src, dst, embedding="word.weight"):
    model = onnx.load(src)
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    new_nodes, new_inits, dropped = [], [], set()
    quantized_inputs = {}  # activation name -> (x_q, x_scale, x_zp), shared by q/k/v

    def dynamic_quant(x):
        if x not in quantized_inputs:
            outs = (x + "_quantized", x + "_scale", x + "_zero_point")
            new_nodes.append(helper.make_node("DynamicQuantizeLinear", [x], list(outs), name=x + "_DynamicQuantizeLinear"))
            quantized_inputs[x] = outs
        return quantized_inputs[x]

    for node in graph.node:
        w_name = node.input[1] if node.op_type == "MatMul" else None
        if w_name in inits and len(inits[w_name].dims) == 2:
            w = numpy_helper.to_array(inits[w_name]).astype(np.float32)
            scale = np.maximum(np.abs(w).max(axis=0), 1e-12) / 127.0
            w_q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
            new_inits += [numpy_helper.from_array(w_q, w_name + "_quantized"),
                          numpy_helper.from_array(np.zeros(w.shape[1], np.int8), w_name + "_zero_point"),
                          numpy_helper.from_array(scale.astype(np.float32), w_name + "_scale")]
            dropped.add(w_name)
            x_q, x_scale, x_zp = dynamic_quant(node.input[0])
            out, base = node.output[0], node.name or out
            new_nodes += [
                helper.make_node("MatMulInteger", [x_q, w_name + "_quantized", x_zp, w_name + "_zero_point"],
                                 [out + "_int32"], name=base + "_MatMulInteger"),
                helper.make_node("Cast", [out + "_int32"], [out + "_float"], to=TensorProto.FLOAT, name=base + "_Cast"),
                helper.make_node("Mul", [x_scale, w_name + "_scale"], [out + "_scale"], name=base + "_ScaleMul"),
                helper.make_node("Mul", [out + "_float", out + "_scale"], [out], name=base + "_OutMul")]
        elif node.op_type == "Gather" and node.input[0] == embedding:
            table = numpy_helper.to_array(inits[embedding]).astype(np.float32)
            scale = np.float32(np.abs(table).max() / 127.0)
            new_inits += [numpy_helper.from_array(np.clip(np.round(table / scale), -127, 127).astype(np.int8),
                                                  embedding + "_quantized"),
                          numpy_helper.from_array(np.array(scale, np.float32), embedding + "_scale"),
                          numpy_helper.from_array(np.array(0, np.int8), embedding + "_zero_point")]
            dropped.add(embedding)
            out = node.output[0]
            new_nodes += [
                helper.make_node("Gather", [embedding + "_quantized", node.input[1]], [out + "_quantized"],
                                 name=node.name + "_quantized"),
                helper.make_node("DequantizeLinear", [out + "_quantized", embedding + "_scale", embedding + "_zero_point"],
                                 [out], name=node.name + "_DequantizeLinear")]
        else:
            new_nodes.append(node)
    still_used = {i for n in new_nodes for i in n.input}
    assert not dropped & still_used, dropped & still_used
    kept = [t for t in graph.initializer if t.name not in dropped]
    del graph.node[:]
    graph.node.extend(new_nodes)
    del graph.initializer[:]
    graph.initializer.extend(kept + new_inits)
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    matmuls = sum(1 for n in new_nodes if n.op_type == "MatMulInteger")
    print(f"quantized {matmuls} MatMuls and the word embeddings -> {dst}")
    return matmuls


if __name__ == "__main__":
    quantize(sys.argv[1], sys.argv[2])
