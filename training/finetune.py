"""Fine-tune a BERT-family cross-encoder (or encoder) on your own judged queries and write a ready model folder.

    training/finetune.sh --data BEIR_DIR --base MODEL --out OUT_DIR [options]

BEIR_DIR: corpus.jsonl ({"_id", "title", "text"}), queries.jsonl ({"_id", "text"}), qrels/train.tsv
(query-id, corpus-id, score; a header line is skipped) and optionally qrels/dev.tsv; without dev.tsv, --dev-split N
train queries (seeded) are held out for the before/after report and for picking the best epoch.
MODEL: a model folder (model.json naming model_file + tokenizer_file, e.g. models/scifact-minilm-l4-ce-v2, or any
folder with one *.onnx and a tokenizer.json) or an .onnx file with --tokenizer. The ONNX weights are read into
PyTorch by onnx_import.py (BERT-family post-LN encoders, fp32 or our int8 forms; see its docstring for what is
supported; anything else stops with UnsupportedModel and the reason). The tokenizer must be a WordPiece
tokenizer.json (BERT's); its lowercasing and accent stripping are read from it.

Training: per epoch each judged positive (label > 0) of each training query gets a group of 1 positive +
--negatives negatives sampled from the query's BM25 top --depth (judged positives excluded); listwise softmax
cross-entropy + 0.2 x BCE; AdamW (lr --lr, head 10x unless it came trained), 10% warmup, linear decay, 2 groups per
step, bfloat16 autocast where the CPU has it; dev nDCG@10 (BM25 top --dev-depth reranked) after each epoch, best
epoch kept. Export: ONNX opset 14 (input_ids, attention_mask, token_type_ids -> logits), int8 = static quantization
calibrated on training pairs (quantize_static.py: scores do not depend on the batch).
Output OUT_DIR: model.onnx, tokenizer.json, model.json (type cross_encoder, sha256 of both files, max_length,
output logit, activation sigmoid) - with --precision both the fp32 model goes to OUT_DIR-fp32 - and
finetune-report.json: nDCG@10 on the held-out queries of BM25, of BM25 reranked by the base model (if it has a
trained head) and by the fine-tuned model (PyTorch, and the written ONNX file in ONNX Runtime Java when the jars are
there), with timings. The plugin loads the folder as a model named after it (copy it into the node's models dir).
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "bench"))

from bm25 import BM25  # noqa: E402
from metrics import ndcg_at as ndcg_at_10  # noqa: E402  trec_eval's nDCG@10, as the benchmarks compute it
from onnx_import import UnsupportedModel, load as load_onnx  # noqa: E402
from wordpiece import WordPiece  # noqa: E402

BCE_WEIGHT, WARMUP, WEIGHT_DECAY, GROUPS_PER_STEP = 0.2, 0.1, 0.01, 2
BF16 = os.environ.get("TRAIN_BF16", "auto") == "1" or (
    os.environ.get("TRAIN_BF16", "auto") == "auto" and " avx512_bf16" in open("/proc/cpuinfo").read())


def log(*a):
    print(*a, flush=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_beir(folder):
    corpus, queries = {}, {}
    with open(os.path.join(folder, "corpus.jsonl"), encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            corpus[str(d["_id"])] = {"title": d.get("title", "") or "", "text": d.get("text", "") or ""}
    with open(os.path.join(folder, "queries.jsonl"), encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            queries[str(q["_id"])] = q["text"]

    def qrels(name):
        path = os.path.join(folder, "qrels", name)
        if not os.path.exists(path):
            return None
        out = {}
        with open(path, encoding="utf-8", newline="") as f:
            for i, line in enumerate(f):
                parts = line.rstrip("\r\n").split("\t")
                if len(parts) < 3 or (i == 0 and not parts[2].lstrip("-").isdigit()):
                    continue
                out.setdefault(parts[0], {})[parts[1]] = int(parts[2])
        return out
    return corpus, queries, qrels


def doc_text(doc):
    return (doc["title"] + " " + doc["text"]).strip()


def batch_tensors(rows, pad_id):
    length = max(len(ids) for ids, _ in rows)
    ids = torch.full((len(rows), length), pad_id, dtype=torch.long)
    types = torch.zeros((len(rows), length), dtype=torch.long)
    mask = torch.zeros((len(rows), length), dtype=torch.long)
    for r, (i, t) in enumerate(rows):
        ids[r, :len(i)] = torch.tensor(i)
        types[r, :len(t)] = torch.tensor(t)
        mask[r, :len(i)] = 1
    return ids, mask, types


def rerank_ndcg(model, wp, corpus, queries, runs, qrels, max_length):
    model.eval()
    values = []
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=BF16):
        for qid, ranked in runs.items():
            q = wp.ids(queries[qid])
            rows = [wp.pair(q, wp.ids(doc_text(corpus[d])), max_length) for d in ranked]
            scores = []
            for start in range(0, len(rows), 32):
                scores += model(*batch_tensors(rows[start:start + 32], wp.pad_id))[:, 0].float().tolist()
            values.append(ndcg_at_10([d for d, _ in sorted(zip(ranked, scores), key=lambda x: -x[1])], qrels[qid]))
    model.train()
    return float(np.mean(values))


def resolve_base(base, tokenizer):
    if os.path.isdir(base):
        descriptor = os.path.join(base, "model.json")
        if os.path.exists(descriptor):
            with open(descriptor) as f:
                d = json.load(f)
            return (os.path.join(base, d.get("model_file", "model.onnx")),
                    tokenizer or os.path.join(base, d.get("tokenizer_file", "tokenizer.json")), d)
        onnx_files = sorted(f for f in os.listdir(base) if f.endswith(".onnx"))
        if len(onnx_files) != 1:
            raise SystemExit(f"{base}: expected model.json or exactly one .onnx file, found {onnx_files}")
        return os.path.join(base, onnx_files[0]), tokenizer or os.path.join(base, "tokenizer.json"), {}
    if not tokenizer:
        raise SystemExit("--base is an .onnx file: pass --tokenizer tokenizer.json")
    return base, tokenizer, {}


def check_tokenizer(path):
    with open(path, encoding="utf-8") as f:
        t = json.load(f)
    kind = (t.get("model") or {}).get("type")
    if kind != "WordPiece":
        raise SystemExit(f"{path}: tokenizer model {kind!r} is not supported (WordPiece / BERT tokenizers only)")


def export_onnx(model, path):
    model.eval()
    ids = torch.tensor([[101, 2023, 102, 6254, 2003, 102]])
    axes = {0: "batch", 1: "sequence"}
    torch.onnx.export(model, (ids, torch.ones_like(ids), torch.tensor([[0, 0, 0, 1, 1, 1]])), path,
                      input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
                      dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                    "logits": {0: "batch"}},
                      opset_version=14, do_constant_folding=True)


def write_folder(out, onnx_file, tokenizer, name, max_length, precision, source):
    os.makedirs(out, exist_ok=True)
    shutil.copyfile(onnx_file, os.path.join(out, "model.onnx"))
    shutil.copyfile(tokenizer, os.path.join(out, "tokenizer.json"))
    descriptor = {"name": name, "type": "cross_encoder", "model_file": "model.onnx", "tokenizer_file": "tokenizer.json",
                  "sha256": {f: sha256(os.path.join(out, f)) for f in ("model.onnx", "tokenizer.json")},
                  "max_length": max_length, "output": "logit", "activation": "sigmoid",
                  "source": source + f" Precision: {precision}.",
                  "license": "Weights: the base model's license; fine-tuned on the user's data (see its terms)."}
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump(descriptor, f, indent=2)
        f.write("\n")


def ort_ndcg(onnx_file, wp, corpus, queries, runs, qrels, max_length, work, jars, tag):
    """The written file scored by ONNX Runtime Java (java/OrtScore.java), if a JDK >= 22 and the jars are there."""
    import glob
    import subprocess
    java = os.environ.get("JAVA", "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java")
    cp = ":".join(sorted(glob.glob(os.path.join(jars, "*.jar"))))
    if not cp or not os.path.exists(java):
        return None
    pairs = [(q, d) for q, ranked in runs.items() for d in ranked]
    rows_path, out_path = os.path.join(work, f"rows_{tag}.jsonl"), os.path.join(work, f"ort_{tag}.txt")
    with open(rows_path, "w") as f:
        for q, d in pairs:
            ids, types = wp.pair(wp.ids(queries[q]), wp.ids(doc_text(corpus[d])), max_length)
            f.write(json.dumps({"ids": ids, "types": types}) + "\n")
    os.makedirs(os.path.join(work, "tmp"), exist_ok=True)
    subprocess.run([java, "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + os.path.join(work, "tmp"), "-cp", cp,
                    os.path.join(HERE, "java", "OrtScore.java"), onnx_file, rows_path, out_path, "8", "2"], check=True)
    with open(out_path) as f:
        scores = [float(line) for line in f]
    by_q = {}
    for (q, d), s in zip(pairs, scores):
        by_q.setdefault(q, []).append((d, s))
    return float(np.mean([ndcg_at_10([d for d, _ in sorted(v, key=lambda x: -x[1])], qrels[q]) for q, v in by_q.items()]))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="BEIR folder with qrels/train.tsv (and qrels/dev.tsv)")
    p.add_argument("--base", required=True, help="model folder (model.json or one .onnx + tokenizer.json) or .onnx file")
    p.add_argument("--tokenizer", help="tokenizer.json, when --base is a file")
    p.add_argument("--out", required=True, help="model folder to write (its name is the model's name on the node)")
    p.add_argument("--name", help="model name in model.json (default: the folder's name)")
    p.add_argument("--dev-split", type=int, default=50, help="train queries held out when there is no qrels/dev.tsv")
    p.add_argument("--dev-qrels", help="a qrels file for the held-out queries (instead of qrels/dev.tsv)")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--max-train-queries", type=int, help="use at most this many training queries (CI smoke runs)")
    p.add_argument("--max-dev-queries", type=int, help="evaluate at most this many held-out queries")
    p.add_argument("--negatives", type=int, default=7)
    p.add_argument("--depth", type=int, default=100, help="BM25 depth that negatives are sampled from")
    p.add_argument("--dev-depth", type=int, default=30, help="BM25 top N reranked for the dev nDCG@10")
    p.add_argument("--max-length", type=int, default=256)
    p.add_argument("--lr", type=float, default=5e-5)
    p.add_argument("--layers", type=int, help="keep only the bottom N encoder layers (a faster, shallower model)")
    p.add_argument("--heads", type=int, help="attention heads, if the graph does not tell")
    p.add_argument("--precision", choices=["int8", "fp32", "both"], default="int8")
    p.add_argument("--int8", dest="precision", action="store_const", const="int8")
    p.add_argument("--fp32", dest="precision", action="store_const", const="fp32")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--work", help="scratch folder (default OUT_DIR.work)")
    p.add_argument("--node", metavar="URL", help="also measure before/after through the plugin on this running node")
    p.add_argument("--node-models", metavar="DIR", help="the node's models folder on this machine: the written folder "
                   "(and the base model folder) are copied there before loading")
    p.add_argument("--node-index", help="search this existing index (ids = corpus ids) instead of a fresh one")
    p.add_argument("--node-fields", default="title,text", help="the index's text fields (--node-index)")
    p.add_argument("--jars", default=os.environ.get("TRAIN_JARS", os.path.join(HERE, "scratch", "jars")),
                   help="ONNX Runtime jars for scoring the written file (training/java/pom.xml)")
    a = p.parse_args(argv)
    t_start = time.time()
    torch.set_num_threads(a.threads)
    random.seed(a.seed)
    np.random.seed(a.seed)
    torch.manual_seed(a.seed)
    out = os.path.abspath(a.out)
    work = os.path.abspath(a.work or out.rstrip("/") + ".work")
    os.makedirs(work, exist_ok=True)
    name = a.name or os.path.basename(out.rstrip("/"))

    onnx_file, tokenizer, descriptor = resolve_base(a.base, a.tokenizer)
    check_tokenizer(tokenizer)
    try:
        keep = list(range(a.layers)) if a.layers else None
        model, notes = load_onnx(onnx_file, heads=a.heads, keep=keep)
    except UnsupportedModel as e:
        raise SystemExit(f"unsupported base model: {e}")
    trained_head = not any("new head" in n for n in notes)
    log(f"base {onnx_file}: {'; '.join(notes)}")
    wp = WordPiece(tokenizer)

    corpus, queries, qrels = read_beir(a.data)
    train = qrels("train.tsv")
    if not train:
        raise SystemExit(f"{a.data}: qrels/train.tsv is missing or empty")
    rng = random.Random(a.seed)
    dev = read_beir_qrels(a.dev_qrels) if a.dev_qrels else qrels("dev.tsv")
    train_ids = sorted(q for q in train if q in queries and any(v > 0 for v in train[q].values()))
    if dev is None:
        held = set(rng.sample(train_ids, min(a.dev_split, len(train_ids) // 5)))
        dev = {q: train[q] for q in held}
        train_ids = [q for q in train_ids if q not in held]
        dev_source = f"{len(held)} train queries held out (seed {a.seed})"
    else:
        dev_source = "qrels/dev.tsv" if not a.dev_qrels else a.dev_qrels
        train_ids = [q for q in train_ids if q not in dev]
    dev = {q: j for q, j in dev.items() if q in queries and any(v > 0 for v in j.values())}
    if a.max_train_queries:
        train_ids = sorted(rng.sample(train_ids, min(a.max_train_queries, len(train_ids))))
    dev_ids = sorted(dev)
    if a.max_dev_queries:
        dev_ids = sorted(rng.sample(dev_ids, min(a.max_dev_queries, len(dev_ids))))
    if not train_ids or not dev_ids:
        raise SystemExit(f"need judged training and held-out queries: {len(train_ids)} train, {len(dev_ids)} dev")
    log(f"data {a.data}: {len(corpus)} docs, {len(train_ids)} training queries, {len(dev_ids)} held-out ({dev_source})")

    bm25 = BM25(corpus, k1=1.2, b=0.75, stop=False)
    t0 = time.time()
    dev_runs = {q: [d for d, _ in bm25.search(queries[q], a.dev_depth)] for q in dev_ids}
    dev_qrels = {q: dev[q] for q in dev_ids}
    pools = {}
    for q in train_ids:
        positives = sorted(d for d, v in train[q].items() if v > 0 and d in corpus)
        negs = [d for d, _ in bm25.search(queries[q], a.depth) if d not in train[q] or train[q][d] <= 0]
        if positives and len(negs) >= 1:
            pools[q] = (positives, negs)
    log(f"BM25 first stage in {time.time() - t0:.0f} s")
    report = {"data": os.path.abspath(a.data), "base": os.path.abspath(onnx_file), "base_notes": notes,
              "out": out, "name": name, "precision": a.precision, "train_queries": len(pools), "dev_queries": len(dev_ids),
              "dev_source": dev_source, "dev_first_stage": f"BM25 (k1 1.2, b 0.75) top {a.dev_depth}",
              "epochs": a.epochs, "max_length": a.max_length, "negatives": a.negatives, "depth": a.depth, "lr": a.lr,
              "bf16_autocast": BF16, "ndcg@10": {}}
    report["ndcg@10"]["bm25"] = round(float(np.mean([ndcg_at_10(dev_runs[q], dev_qrels[q]) for q in dev_ids])), 4)
    if trained_head:
        report["ndcg@10"]["base_reranked_pytorch"] = round(rerank_ndcg(model, wp, corpus, queries, dev_runs, dev_qrels,
                                                                       a.max_length), 4)
    log(f"before: {report['ndcg@10']}")

    groups = []
    for epoch in range(a.epochs):
        passage = [(q, pos, rng.sample(negs, min(a.negatives, len(negs))))
                   for q, (positives, negs) in pools.items() for pos in positives]
        rng.shuffle(passage)
        groups.append(passage)
    head = [p_ for n, p_ in model.named_parameters() if n.startswith("classifier")]
    body_decay = [p_ for n, p_ in model.named_parameters() if not n.startswith("classifier") and p_.dim() > 1]
    body_no = [p_ for n, p_ in model.named_parameters() if not n.startswith("classifier") and p_.dim() <= 1]
    optimizer = torch.optim.AdamW([{"params": body_decay, "weight_decay": WEIGHT_DECAY},
                                   {"params": body_no, "weight_decay": 0.0},
                                   {"params": head, "weight_decay": WEIGHT_DECAY,
                                    "lr": a.lr * (2 if trained_head else 20)}], lr=a.lr)
    steps_per_epoch = max(1, len(groups[0]) // GROUPS_PER_STEP)
    steps = steps_per_epoch * a.epochs
    warmup = max(1, int(WARMUP * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / warmup if s < warmup else max(0.0, (steps - s) / max(1, steps - warmup)))
    ids_cache = {}

    def ids(text_key, text):
        if text_key not in ids_cache:
            ids_cache[text_key] = wp.ids(text)
        return ids_cache[text_key]

    best, by_epoch, t_train = None, [], time.time()
    model.train()
    for epoch in range(a.epochs):
        passage = groups[epoch]
        for s in range(steps_per_epoch):
            chosen = passage[s * GROUPS_PER_STEP:(s + 1) * GROUPS_PER_STEP]
            if not chosen:
                break
            size = 1 + min(len(g[2]) for g in chosen)
            rows = [wp.pair(ids("q" + q, queries[q]), ids("d" + d, doc_text(corpus[d])), a.max_length)
                    for q, pos, negs in chosen for d in [pos] + negs[:size - 1]]
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=BF16):
                logits = model(*batch_tensors(rows, wp.pad_id)).float().view(len(chosen), size)
            labels = torch.zeros_like(logits)
            labels[:, 0] = 1.0
            loss = torch.nn.functional.cross_entropy(logits, torch.zeros(len(chosen), dtype=torch.long)) + \
                BCE_WEIGHT * torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            if (s + 1) % 20 == 0:
                log(f"epoch {epoch + 1} step {s + 1}/{steps_per_epoch} loss {loss.item():.4f} "
                    f"({(time.time() - t_train) / (epoch * steps_per_epoch + s + 1):.2f} s/step)")
        value = rerank_ndcg(model, wp, corpus, queries, dev_runs, dev_qrels, a.max_length)
        by_epoch.append(round(value, 4))
        log(f"epoch {epoch + 1}: dev nDCG@10 {value:.4f}")
        if best is None or value > best[0]:
            best = (value, {k: v.detach().clone() for k, v in model.state_dict().items()}, epoch + 1)
    train_seconds = time.time() - t_train
    model.load_state_dict(best[1])
    model.eval()
    report["ndcg@10"]["finetuned_pytorch"] = round(best[0], 4)
    report["dev_ndcg@10_by_epoch"] = by_epoch
    report["best_epoch"] = best[2]

    fp32 = os.path.join(work, "model-fp32.onnx")
    export_onnx(model, fp32)
    state_path = os.path.join(work, "model.pt")
    torch.save(model.state_dict(), state_path)
    with open(os.path.join(work, "model_config.json"), "w") as f:
        json.dump(model.config, f)
    source = (f"Fine-tuned by training/finetune.sh from {os.path.basename(onnx_file)} ({'; '.join(notes)}) on "
              f"{os.path.basename(os.path.abspath(a.data))}: {len(pools)} judged training queries, {a.epochs} epochs, "
              f"BM25 top-{a.depth} negatives, max {a.max_length} tokens; best epoch {best[2]} on {dev_source}.")
    written = {}
    if a.precision in ("int8", "both"):
        from quantize_static import calibrate, calibration_pairs, quantize_static
        rows = calibration_pairs(pools, queries, corpus, wp, a.max_length, a.seed, doc_text)
        ranges = calibrate(model, rows, wp.pad_id)
        int8 = os.path.join(work, "model-int8.onnx")
        quantize_static(fp32, int8, ranges)
        write_folder(out, int8, tokenizer, name, a.max_length, "int8 (static activations)", source)
        written["int8"] = out
    if a.precision in ("fp32", "both"):
        target = out if a.precision == "fp32" else out.rstrip("/") + "-fp32"
        write_folder(target, fp32, tokenizer, name if a.precision == "fp32" else name + "-fp32", a.max_length, "fp32", source)
        written["fp32"] = target
    for precision, folder in written.items():
        value = ort_ndcg(os.path.join(folder, "model.onnx"), wp, corpus, queries, dev_runs, dev_qrels, a.max_length,
                         work, a.jars, precision)
        if value is not None:
            report["ndcg@10"][f"finetuned_{precision}_onnxruntime"] = round(value, 4)
    report["folders"] = written
    if a.node:
        from node_report import measure
        base_folder = a.base if os.path.isdir(a.base) and descriptor and trained_head else None
        report["node"] = measure(a.node, a.node_models, out, base_folder, corpus, queries, dev_qrels, a.dev_depth,
                                 a.node_index, a.node_fields.split(","))
        log(f"through the node: {report['node']['ndcg@10']}")
    report["seconds"] = {"training": round(train_seconds), "total": round(time.time() - t_start)}
    with open(os.path.join(out, "finetune-report.json"), "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    log(json.dumps(report["ndcg@10"]), f"-> {written} ({report['seconds']['total']} s)")
    return report


def read_beir_qrels(path):
    out = {}
    with open(path, encoding="utf-8", newline="") as f:
        for i, line in enumerate(f):
            parts = line.rstrip("\r\n").split("\t")
            if len(parts) < 3 or (i == 0 and not parts[2].lstrip("-").isdigit()):
                continue
            out.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return out


if __name__ == "__main__":
    main()
