"""Read the weights of a BERT-family ONNX export into training/bert.py's CrossEncoder (for fine-tuning).

Supported (checked on: the all-MiniLM-L6-v2 fp32 export from Maven, our own fp32 and int8 cross-encoders):
* post-LayerNorm BERT encoders with absolute position embeddings, token-type embeddings and exact (erf) GELU:
  BERT, MiniLM, bge-small/-base style, ms-marco-MiniLM cross-encoders; any number of layers and width;
* weight naming either Hugging Face's (`[bert.]embeddings.word_embeddings`, `encoder.layer.N.attention.self.query`,
  ...; the MatMul weights may be anonymous `onnx::MatMul_*` initializers: they are named through the bias Add
  that consumes the MatMul, or through the node's name path) or this repository's (`layers.N.query`, ...);
* fp32 weights, or int8 weights in the forms our quantize.py writes (MatMulInteger with per-column scales,
  DequantizeLinear of the word-embedding table): they are dequantized (the int8 rounding stays in the weights);
* heads: the Reshape to [batch, seq, heads, head_dim] in the graph, else --heads; the head: an optional
  `[bert.]pooler.dense` + `classifier` (BertForSequenceClassification) or our `classifier` on [CLS]; an encoder
  without a head (a sentence-embedding export) gets a new, randomly initialised one.
Not supported, with an error that says so: RoBERTa/XLM-R (position ids offset by the padding index), DistilBERT
(no token types), pre-LayerNorm or rotary models, graphs optimized into fused Attention/SkipLayerNormalization
ops by ONNX Runtime (export the unoptimized graph), tanh-approximated GELU."""
import re

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from bert import CrossEncoder

PARTS = {"attention.self.query": "query", "attention.self.key": "key", "attention.self.value": "value",
         "attention.output.dense": "attn_out", "attention.output.LayerNorm": "attn_norm",
         "intermediate.dense": "intermediate", "output.dense": "output", "output.LayerNorm": "out_norm"}
OURS = set(PARTS.values())


class UnsupportedModel(Exception):
    pass


def _canonical(name):
    """A weight's or module's name -> this repository's name (e.g. layers.3.query), or None."""
    n = name.replace("/", ".").strip(".")
    n = re.sub(r"^(bert|model|encoder_model)\.", "", n)
    m = re.search(r"(?:encoder\.)?layer\.(\d+)\.(attention\.self\.(?:query|key|value)|attention\.output\.dense|"
                  r"attention\.output\.LayerNorm|intermediate\.dense|output\.dense|output\.LayerNorm)", n)
    if m:
        return f"layers.{m.group(1)}.{PARTS[m.group(2)]}"
    m = re.search(r"layers\.(\d+)\.(" + "|".join(OURS) + r")\b", n)
    if m:
        return f"layers.{m.group(1)}.{m.group(2)}"
    for src, dst in (("embeddings.word_embeddings", "word"), ("embeddings.position_embeddings", "position"),
                     ("embeddings.token_type_embeddings", "token_type"), ("embeddings.LayerNorm", "emb_norm"),
                     ("pooler.dense", "pooler"), ("classifier", "classifier")):
        if re.search(r"(^|\.)" + re.escape(src) + r"($|\.)", n):
            return dst
    m = re.match(r"(word|position|token_type|emb_norm|pooler|classifier)(\.|$)", n)
    return m.group(1) if m else None


def read_onnx(path):
    """-> (config for CrossEncoder, state dict of float32 tensors, notes)."""
    model = onnx.load(path)
    graph = model.graph
    ops = {n.op_type for n in graph.node}
    fused = ops & {"Attention", "SkipLayerNormalization", "EmbedLayerNormalization", "FastGelu", "BiasGelu",
                   "QAttention", "DynamicQuantizeMatMul", "MatMulIntegerToFloat", "QLinearMatMul"}
    if fused:
        raise UnsupportedModel(f"{path}: ONNX Runtime-fused ops {sorted(fused)}; export the unoptimized graph")
    names = " ".join(t.name for t in graph.initializer) + " " + " ".join(n.name for n in graph.node)
    if re.search(r"roberta|xlm|distilbert|deberta|electra", names, re.I):
        raise UnsupportedModel(f"{path}: RoBERTa/XLM-R/DistilBERT/DeBERTa/ELECTRA weights are not supported "
                               "(BERT-family post-LN encoders with token types only)")
    if "Tanh" in ops and "Erf" not in ops:
        raise UnsupportedModel(f"{path}: tanh-approximated GELU is not supported (exact erf GELU only)")
    raw = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    for n in graph.node:  # Constant nodes holding weights (some exporters do this)
        if n.op_type == "Constant" and n.attribute and n.attribute[0].name == "value":
            raw.setdefault(n.output[0], numpy_helper.to_array(n.attribute[0].t))
    producers = {o: n for n in graph.node for o in n.output}
    consumers = {}
    for n in graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)

    def dequant(q_name, scale_name, zp_name):
        q = raw[q_name].astype(np.float32)
        zp = raw[zp_name].astype(np.float32) if zp_name in raw else 0.0
        return (q - zp) * raw[scale_name].astype(np.float32)

    state, notes = {}, []
    # 1. direct weights (embeddings, LayerNorms, biases, Gemm/MatMul weights named *.weight)
    for name, value in raw.items():
        if value.dtype != np.float32 or name.startswith("onnx::"):
            continue
        canon = _canonical(re.sub(r"\.(weight|bias|gamma|beta)$", "", name))
        kind = re.search(r"\.(weight|bias|gamma|beta)$", name)
        if canon and kind:
            state[canon + "." + {"gamma": "weight", "beta": "bias"}.get(kind.group(1), kind.group(1))] = value
    # 2. the int8 word-embedding table (Gather -> DequantizeLinear)
    for n in graph.node:
        if n.op_type == "DequantizeLinear" and n.input[0] not in raw and producers.get(n.input[0]) is not None:
            g = producers[n.input[0]]
            if g.op_type == "Gather" and g.input[0] in raw:
                canon = _canonical(g.input[0].replace("_quantized", "")) or "word"
                state[canon + ".weight"] = dequant(g.input[0], n.input[1], n.input[2] if len(n.input) > 2 else "")
    # 3. MatMul weights (fp32 or MatMulInteger), named through the bias Add or the node path; [in, out] -> [out, in]
    for n in graph.node:
        if n.op_type == "MatMul" and n.input[1] in raw and raw[n.input[1]].ndim == 2:
            w = raw[n.input[1]].astype(np.float32)
        elif n.op_type == "MatMulInteger" and n.input[1] in raw and raw[n.input[1]].ndim == 2:
            w = raw[n.input[1]].astype(np.float32) - (raw[n.input[3]].astype(np.float32) if len(n.input) > 3 else 0)
            scale_mul = [c for c in consumers.get(_follow(n.output[0], consumers, "Cast"), []) if c.op_type == "Mul"]
            scales = [i for c in scale_mul for i in c.input if i in raw] + \
                     [i for c in scale_mul for i in c.input if i in producers for i in producers[i].input if i in raw]
            if not scales:
                raise UnsupportedModel(f"{path}: cannot find the weight scale of {n.name}")
            stem = n.input[1][:-len("_quantized")] if n.input[1].endswith("_quantized") else n.input[1]
            by_name = [s for s in scales if s == stem + "_scale"]
            by_size = [s for s in scales if raw[s].size == w.shape[1]]
            w = w * raw[(by_name or by_size or scales)[0]].astype(np.float32)
        else:
            continue
        out = n.output[0]
        if n.op_type == "MatMulInteger":
            out = next(o for c in scale_mul for o in c.output)
        canon = None
        for c in consumers.get(out, []):
            if c.op_type == "Add":
                bias = next((i for i in c.input if i in raw and i.endswith("bias")), None)
                if bias:
                    canon = _canonical(bias[:-len(".bias")])
        canon = canon or _canonical(n.name.rsplit("/", 1)[0]) or _canonical(n.output[0].rsplit("/", 1)[0])
        if canon is None:
            raise UnsupportedModel(f"{path}: cannot name the weight of MatMul {n.name} ({n.input[1]})")
        state[canon + ".weight"] = w.T
    # 4. classifier from a Gemm (transB=1: [out, in] stored)
    for n in graph.node:
        if n.op_type == "Gemm" and n.input[1] in raw:
            trans_b = next((a.i for a in n.attribute if a.name == "transB"), 0)
            w = raw[n.input[1]].astype(np.float32)
            canon = _canonical(n.input[1][:-len(".weight")] if n.input[1].endswith(".weight") else n.name) or "classifier"
            state[canon + ".weight"] = w if trans_b else w.T
            if len(n.input) > 2 and n.input[2] in raw:
                state[canon + ".bias"] = raw[n.input[2]].astype(np.float32)
    if "word.weight" not in state:
        raise UnsupportedModel(f"{path}: no word-embedding table found (not a BERT-family encoder?)")
    if "token_type.weight" not in state:
        raise UnsupportedModel(f"{path}: no token-type embeddings (DistilBERT-like models are not supported)")
    layers = 1 + max((int(k.split(".")[1]) for k in state if k.startswith("layers.")), default=-1)
    hidden = state["word.weight"].shape[1]
    expected = {f"layers.{i}.{p}.{k}" for i in range(layers) for p in OURS for k in ("weight", "bias")}
    missing = sorted(expected - set(state))
    if missing or layers == 0:
        raise UnsupportedModel(f"{path}: encoder weights not found: {missing[:6]}{'...' if len(missing) > 6 else ''}")
    heads = _heads(raw, graph, hidden)
    notes.append(f"{layers} layers, hidden {hidden}, heads {heads}, vocab {state['word.weight'].shape[0]}")
    config = {"hidden": hidden, "layers": layers, "heads": heads, "intermediate": state["layers.0.intermediate.weight"].shape[0],
              "vocab": state["word.weight"].shape[0], "positions": state["position.weight"].shape[0],
              "type_vocab": state["token_type.weight"].shape[0], "eps": _eps(raw, graph),
              "pooler": "pooler.weight" in state and "classifier.weight" in state}
    if "classifier.weight" in state and state["classifier.weight"].shape[0] != 1:
        raise UnsupportedModel(f"{path}: the classifier has {state['classifier.weight'].shape[0]} outputs (need 1 logit)")
    if "classifier.weight" not in state:
        notes.append("no classifier in the graph: a new head on [CLS] is initialised")
        state.pop("pooler.weight", None), state.pop("pooler.bias", None)
    return config, {k: torch.tensor(np.ascontiguousarray(v, dtype=np.float32)) for k, v in state.items()}, notes


def _follow(name, consumers, op):
    nxt = [c for c in consumers.get(name, []) if c.op_type == op]
    return nxt[0].output[0] if nxt else name


def _heads(raw, graph, hidden):
    """The head count from a Reshape shape [.., .., heads, head_dim] with heads * head_dim == hidden."""
    for n in graph.node:
        if n.op_type == "Reshape" and n.input[1] in raw:
            shape = [int(x) for x in raw[n.input[1]].reshape(-1)]
            if len(shape) == 4 and shape[2] > 0 and shape[3] > 0 and shape[2] * shape[3] == hidden:
                return shape[2]
    # shapes built at run time (our exports: Concat of Unsqueeze'd constants): look for head_dim constants
    consts = [int(v.reshape(-1)[0]) for v in raw.values() if v.dtype == np.int64 and v.size == 1]
    for head_dim in (32, 64, 128, 16, 48, 96, 80):
        if head_dim in consts and hidden % head_dim == 0:
            return hidden // head_dim
    raise UnsupportedModel("cannot find the number of attention heads in the graph: pass --heads")


def _eps(raw, graph):
    for n in graph.node:
        if n.op_type == "LayerNormalization":
            return next((a.f for a in n.attribute if a.name == "epsilon"), 1e-5)
    small = [float(v.reshape(-1)[0]) for v in raw.values() if v.dtype == np.float32 and v.size == 1
             and 0 < float(v.reshape(-1)[0]) < 1e-4]
    return min(small) if small else 1e-12


def load(path, heads=None, layers=None, keep=None):
    """A CrossEncoder with the ONNX file's weights. keep: indices of the encoder layers to keep (a shallower
    student initialised from the given layers, e.g. [0, 1, 2, 3])."""
    config, state, notes = read_onnx(path)
    if heads:
        config["heads"] = heads
    if keep is not None:
        state = {k: v for k, v in state.items() if not k.startswith("layers.") or int(k.split(".")[1]) in keep}
        state = {(f"layers.{keep.index(int(k.split('.')[1]))}." + k.split(".", 2)[2] if k.startswith("layers.") else k): v
                 for k, v in state.items()}
        config["layers"] = len(keep)
        notes.append(f"kept layers {keep}")
    model = CrossEncoder(config)
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected:
        raise UnsupportedModel(f"{path}: unexpected weights {unexpected}")
    if set(missing) - {"classifier.weight", "classifier.bias"}:
        raise UnsupportedModel(f"{path}: weights missing {missing}")
    return model, notes


if __name__ == "__main__":
    import sys
    m, notes = load(sys.argv[1])
    print(m.config, notes)
