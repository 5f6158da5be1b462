"""Static int8 quantization of an fp32 BERT ONNX graph (our export), as a plain graph rewrite: a pair's score no
longer depends on the rows it is batched with.

Dynamic quantization (quantize.py, v1) takes each MatMul input's scale and zero point from the batch at run time
(DynamicQuantizeLinear: min/max over the whole batch tensor), so a row's score moves with its batch-mates (up to
0.16 logits on v1). Here every activation scale and zero point is a constant, calibrated once on training pairs:

* every MatMul with a constant 2-D weight W[K, N]:
      x -> QuantizeLinear(x, s_x, z_x: constants, uint8)
        -> MatMulInteger(x_q, W_q int8 [K, N], z_x, zeros int8 [N]) -> Cast(float) -> Mul(s_x * w_scale[N])
  with symmetric per-output-column weight scales w_scale = max|W[:, n]| / 127, and s_x, z_x from the calibrated
  range [min(lo, 0), max(hi, 0)] of x over the real (unpadded) tokens of the calibration pairs (lo/hi: the
  CLIP_QUANTILE quantiles of the per-row minima/maxima, then widened by MARGIN, so a rare outlier row does not
  coarsen every other row's steps);
* the word-embedding Gather: int8 table (per tensor) then DequantizeLinear, as in quantize.py.
Everything else (position/type embeddings, LayerNorm, softmax, the attention products, the classifier) stays fp32.
Integer products are exact and every other op works row by row, so the same row gets the same score in any batch.

usage: quantize_static.py fp32.onnx state.pt out.onnx  (calibrates on work/train_groups_v2.jsonl pairs)"""
import json
import os
import random
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

CLIP_QUANTILE, MARGIN = 1.0, 1.0


def calibrate(model, rows, pad_id, batch_size=16):
    """nn.Linear module name -> (lo, hi) of its input over the real tokens of rows [(ids, types)]."""
    per_row = {}
    hooks = []
    mask_holder = {}

    def hook(name):
        def fn(module, inputs):
            x = inputs[0].detach()
            m = mask_holder["mask"].bool()
            for r in range(x.shape[0]):
                v = x[r][m[r]]
                per_row.setdefault(name, []).append((float(v.min()), float(v.max())))
        return fn

    for name, module in model.named_modules():
        if isinstance(module, torch.nn.Linear) and name != "classifier":
            hooks.append(module.register_forward_pre_hook(hook(name)))
    model.eval()
    order = sorted(range(len(rows)), key=lambda i: len(rows[i][0]))
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            chunk = [rows[i] for i in order[start:start + batch_size]]
            length = max(len(r[0]) for r in chunk)
            ids = torch.full((len(chunk), length), pad_id, dtype=torch.long)
            types = torch.zeros_like(ids)
            mask = torch.zeros_like(ids)
            for r, (i, t) in enumerate(chunk):
                ids[r, :len(i)] = torch.tensor(i)
                types[r, :len(t)] = torch.tensor(t)
                mask[r, :len(i)] = 1
            mask_holder["mask"] = mask
            model(ids, mask, types)
    for h in hooks:
        h.remove()
    ranges = {}
    for name, values in per_row.items():
        lo = np.quantile([a for a, _ in values], 1.0 - CLIP_QUANTILE) * MARGIN
        hi = np.quantile([b for _, b in values], CLIP_QUANTILE) * MARGIN
        ranges[name] = (min(float(lo), 0.0), max(float(hi), 0.0))
    return ranges


def module_of(node):
    """'/layers.0/query/MatMul' -> 'layers.0.query'."""
    return node.name.rsplit("/", 1)[0].strip("/").replace("/", ".")


def quantize_static(src, dst, ranges, embedding="word.weight", fmt=None):
    """fmt "integer" (default): QuantizeLinear -> MatMulInteger -> Cast -> Mul; "qdq": QuantizeLinear ->
    DequantizeLinear -> MatMul <- DequantizeLinear(int8 W, per column), which ONNX Runtime's QDQ transformer turns
    into its integer kernels."""
    fmt = fmt or os.environ.get("QUANT_FORMAT", "integer")
    model = onnx.load(src)
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    new_nodes, new_inits, dropped = [], [], set()
    quantized_inputs = {}

    def static_quant(x, lo, hi):
        if x not in quantized_inputs:
            scale = np.float32(max(hi - lo, 1e-8) / 255.0)
            zp = np.uint8(np.clip(np.round(-lo / scale), 0, 255))
            names = (x + "_quantized", x + "_scale", x + "_zero_point")
            new_inits.extend([numpy_helper.from_array(np.array(scale, np.float32), names[1]),
                              numpy_helper.from_array(np.array(zp, np.uint8), names[2])])
            new_nodes.append(helper.make_node("QuantizeLinear", [x, names[1], names[2]], [names[0]],
                                              name=x + "_QuantizeLinear"))
            quantized_inputs[x] = names
        return quantized_inputs[x]

    for node in graph.node:
        w_name = node.input[1] if node.op_type == "MatMul" else None
        if w_name in inits and len(inits[w_name].dims) == 2:
            module = module_of(node)
            if module not in ranges:
                raise SystemExit(f"no calibrated range for {node.name} (module {module})")
            w = numpy_helper.to_array(inits[w_name]).astype(np.float32)
            scale = np.maximum(np.abs(w).max(axis=0), 1e-12) / 127.0
            w_q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
            new_inits += [numpy_helper.from_array(w_q, w_name + "_quantized"),
                          numpy_helper.from_array(np.zeros(w.shape[1], np.int8), w_name + "_zero_point"),
                          numpy_helper.from_array(scale.astype(np.float32), w_name + "_scale")]
            dropped.add(w_name)
            x_q, x_scale, x_zp = static_quant(node.input[0], *ranges[module])
            out, base = node.output[0], node.name or node.output[0]
            if fmt == "qdq":
                new_nodes += [
                    helper.make_node("DequantizeLinear", [x_q, x_scale, x_zp], [out + "_x_dq"], name=base + "_XDQ"),
                    helper.make_node("DequantizeLinear", [w_name + "_quantized", w_name + "_scale", w_name + "_zero_point"],
                                     [out + "_w_dq"], name=base + "_WDQ", axis=1),
                    helper.make_node("MatMul", [out + "_x_dq", out + "_w_dq"], [out], name=base)]
                continue
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
    print(f"statically quantized {matmuls} MatMuls ({len(quantized_inputs)} activation ranges) and the word "
          f"embeddings -> {dst}")
    return matmuls


def calibration_rows(groups_path, n_groups, wp, corpus, queries, max_length, seed=13):
    """Pairs of n_groups training groups (positive + negatives), drawn with a fixed seed."""
    from common import doc_text
    with open(groups_path) as f:
        groups = [json.loads(line) for line in f]
    rng = random.Random(seed)
    chosen = rng.sample(groups, min(n_groups, len(groups)))
    return [wp.pair(wp.ids(queries[g["qid"]]), wp.ids(doc_text(corpus[d])), max_length)
            for g in chosen for d in [g["pos"]] + g["negs"]]


def calibration_pairs(pools, queries, corpus, wp, max_length, seed, doc_text, n_groups=64, negatives=7):
    """finetune.py: rows of up to n_groups (query, positive + negatives) groups from the training pools."""
    rng = random.Random(seed)
    keys = [(q, pos) for q, (positives, _) in sorted(pools.items()) for pos in positives]
    rows = []
    for q, pos in rng.sample(keys, min(n_groups, len(keys))):
        negs = pools[q][1]
        for d in [pos] + rng.sample(negs, min(negatives, len(negs))):
            rows.append(wp.pair(wp.ids(queries[q]), wp.ids(doc_text(corpus[d])), max_length))
    return rows


def main(fp32, state, dst, groups=None, n_groups=64):
    from bert import from_state
    from common import BASE_TOKENIZER, RECIPE, RECIPES, WORK, load_corpus, load_queries, write_json
    from train import MAX_LENGTH
    from wordpiece import WordPiece
    torch.set_num_threads(2)
    wp = WordPiece(BASE_TOKENIZER)
    rows = calibration_rows(groups or os.path.join(WORK, RECIPES[RECIPE]["groups"]), n_groups, wp, load_corpus(),
                            load_queries(), MAX_LENGTH)
    ranges = calibrate(from_state(state), rows, wp.pad_id)
    write_json(os.path.join(os.path.dirname(dst), "calibration.json"),
               {"pairs": len(rows), "clip_quantile": CLIP_QUANTILE, "margin": MARGIN, "ranges": ranges})
    quantize_static(fp32, dst, ranges)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
