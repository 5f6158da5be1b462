"""A 6-layer BERT cross-encoder in plain PyTorch, initialised from the all-MiniLM-L6-v2 ONNX graph.

Architecture = BertForSequenceClassification with num_labels=1 (the shape of ms-marco-MiniLM-L-6-v2):
embeddings (word + position + token type, LayerNorm), post-LN encoder layers with exact (erf) GELU,
and a linear head on the final [CLS] vector giving one logit. The base ONNX has no pooler; a randomly
initialised pooler under a random head made the first run spend ~100 steps near chance (the product of two
small random maps passes almost no gradient), so the head reads [CLS] directly (seeded init, std 0.02).
"""
import math

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

HIDDEN, LAYERS, HEADS, INTERMEDIATE, VOCAB, POSITIONS, EPS = 384, 6, 12, 1536, 30522, 512, 1e-12
DEFAULT_CONFIG = {"hidden": HIDDEN, "layers": LAYERS, "heads": HEADS, "intermediate": INTERMEDIATE, "vocab": VOCAB,
                  "positions": POSITIONS, "type_vocab": 2, "eps": EPS, "pooler": False}


class Layer(nn.Module):
    def __init__(self, hidden=HIDDEN, heads=HEADS, intermediate=INTERMEDIATE, eps=EPS):
        super().__init__()
        HIDDEN, INTERMEDIATE, EPS = hidden, intermediate, eps  # noqa: N806 (shadows the module defaults)
        self.hidden, self.n_heads = hidden, heads
        self.query = nn.Linear(HIDDEN, HIDDEN)
        self.key = nn.Linear(HIDDEN, HIDDEN)
        self.value = nn.Linear(HIDDEN, HIDDEN)
        self.attn_out = nn.Linear(HIDDEN, HIDDEN)
        self.attn_norm = nn.LayerNorm(HIDDEN, eps=EPS)
        self.intermediate = nn.Linear(HIDDEN, INTERMEDIATE)
        self.output = nn.Linear(INTERMEDIATE, HIDDEN)
        self.out_norm = nn.LayerNorm(HIDDEN, eps=EPS)
        self.dropout = nn.Dropout(0.1)

    def heads(self, x):
        b, s, _ = x.shape
        return x.view(b, s, self.n_heads, self.hidden // self.n_heads).transpose(1, 2)

    def forward(self, x, mask_bias):
        b, s, _ = x.shape
        q = self.heads(self.query(x) * (1.0 / math.sqrt(self.hidden // self.n_heads)))
        k, v = self.heads(self.key(x)), self.heads(self.value(x))
        # No dropout on the attention probabilities: on CPU its random mask costs ~15% of a training step.
        probs = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) + mask_bias, dim=-1)
        ctx = torch.matmul(probs, v).transpose(1, 2).reshape(b, s, self.hidden)
        x = self.attn_norm(x + self.dropout(self.attn_out(ctx)))
        h = self.output(nn.functional.gelu(self.intermediate(x)))
        return self.out_norm(x + self.dropout(h))


class CrossEncoder(nn.Module):
    """config: DEFAULT_CONFIG's keys (any subset); layers=4 makes a 4-layer student of the same width. With
    pooler=True the head is BERT's (tanh(pooler([CLS])) -> classifier), as in ms-marco-MiniLM-L-6-v2."""
    def __init__(self, config=None, **overrides):
        super().__init__()
        c = dict(DEFAULT_CONFIG, **(config or {}), **overrides)
        self.config = c
        h = c["hidden"]
        self.word = nn.Embedding(c["vocab"], h)
        self.position = nn.Embedding(c["positions"], h)
        self.token_type = nn.Embedding(c["type_vocab"], h)
        self.emb_norm = nn.LayerNorm(h, eps=c["eps"])
        self.dropout = nn.Dropout(0.1)
        self.layers = nn.ModuleList(Layer(h, c["heads"], c["intermediate"], c["eps"]) for _ in range(c["layers"]))
        self.pooler = nn.Linear(h, h) if c["pooler"] else None
        self.classifier = nn.Linear(h, 1)
        nn.init.normal_(self.classifier.weight, std=0.02)
        nn.init.zeros_(self.classifier.bias)

    def encode(self, input_ids, attention_mask, token_type_ids):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        x = self.word(input_ids) + self.position(positions) + self.token_type(token_type_ids)
        x = self.dropout(self.emb_norm(x))
        # Large negative (not -inf) so fully padded rows stay finite; same as BERT's extended mask.
        mask_bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
        for layer in self.layers:
            x = layer(x, mask_bias)
        return x

    def forward(self, input_ids, attention_mask, token_type_ids):
        cls = self.encode(input_ids, attention_mask, token_type_ids)[:, 0]
        if self.pooler is not None:
            cls = torch.tanh(self.pooler(cls))
        return self.classifier(self.dropout(cls))


def from_state(state_path, config_path=None):
    """A CrossEncoder with the weights saved by train.py; its shape from work/model_config.json (train.py writes it)
    if present, else the default 6-layer shape (v1's checkpoints)."""
    import json
    import os
    config_path = config_path or os.path.join(os.path.dirname(state_path), "model_config.json")
    config = None
    if os.path.exists(config_path):
        with open(config_path) as f:
            config = json.load(f)
    model = CrossEncoder(config)
    model.load_state_dict(torch.load(state_path))
    return model


def load_base(model, onnx_path):
    """Copy the encoder weights from the base ONNX graph. MatMul weights are stored as [in, out]
    (x @ W); their names are found through the bias Add that consumes each MatMul's output."""
    graph = onnx.load(onnx_path).graph
    inits = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    named = {k: v for k, v in inits.items() if not k.startswith("onnx::")}
    consumers = {}
    for node in graph.node:
        for i in node.input:
            consumers.setdefault(i, []).append(node)
    for node in graph.node:
        if node.op_type == "MatMul" and node.input[1] in inits and node.input[1].startswith("onnx::"):
            (add,) = consumers[node.output[0]]
            bias = next(i for i in add.input if i.endswith(".bias"))
            named[bias[:-len(".bias")] + ".weight"] = inits[node.input[1]].T
    rename = {"attention.self.query": "query", "attention.self.key": "key", "attention.self.value": "value",
              "attention.output.dense": "attn_out", "attention.output.LayerNorm": "attn_norm",
              "intermediate.dense": "intermediate", "output.dense": "output", "output.LayerNorm": "out_norm"}
    state = {"word.weight": named["embeddings.word_embeddings.weight"],
             "position.weight": named["embeddings.position_embeddings.weight"],
             "token_type.weight": named["embeddings.token_type_embeddings.weight"],
             "emb_norm.weight": named["embeddings.LayerNorm.weight"],
             "emb_norm.bias": named["embeddings.LayerNorm.bias"]}
    for i in range(LAYERS):
        for src, dst in rename.items():
            for kind in ("weight", "bias"):
                state[f"layers.{i}.{dst}.{kind}"] = named[f"encoder.layer.{i}.{src}.{kind}"]
    state = {k: torch.tensor(np.array(v, dtype=np.float32)) for k, v in state.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and sorted(missing) == sorted(
        ["classifier.weight", "classifier.bias"]), (missing, unexpected)
    return model
