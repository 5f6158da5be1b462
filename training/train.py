"""Fine-tune the cross-encoder on SciFact train groups (1 positive + 7 BM25 negatives per group).

Loss: listwise softmax cross-entropy over each group (the positive must win) + 0.2 x pointwise BCE so the
logit also reads as a probability through a sigmoid. AdamW, linear warmup/decay over all epochs
(prepare_data.py writes one pass per epoch with fresh negatives). Matmuls run in bfloat16 autocast where the
CPU has bf16 instructions (3x faster here than OpenBLAS fp32; weights and optimizer stay fp32). After each
epoch the model is scored on the 60 dev queries; the best epoch becomes work/model.pt.
Checkpoints every 25 steps to work/checkpoint.pt and resumes from it.
"""
import json
import os
import time

import torch

from bert import CrossEncoder, load_base
from common import (BASE_ONNX, BASE_TOKENIZER, RECIPE, RECIPES, WORK, doc_text, load_corpus, load_qrels, load_queries,
                    mean_ndcg, seed_everything, write_json)
from wordpiece import WordPiece

if RECIPE == "v1":
    from prepare_data import EPOCHS
else:
    from prepare_hybrid_data import EPOCHS

MAX_LENGTH = 256  # the model's max_length (model.json, evaluation)
GROUPS_PER_STEP = 2
# training rows as long as the model reads (TRAIN_LENGTH=128 halves a step's cost); v2 freezes the embeddings (no
# 30522 x 384 gradient and AdamW update per step); TRAIN_MAX_STEPS caps the steps
TRAIN_LENGTH = int(os.environ.get("TRAIN_LENGTH", "256"))
FREEZE_EMBEDDINGS = RECIPE != "v1"
MAX_STEPS = int(os.environ.get("TRAIN_MAX_STEPS", "0"))
LR, HEAD_LR, WARMUP, WEIGHT_DECAY, BCE_WEIGHT = 5e-5, 1e-3, 0.1, 0.01, 0.2
# v2 learns from v1 too: KL between v1's and the student's softmax over each group (temperature 1), weight
# TRAIN_KD_WEIGHT (0 turns it off). The labels alone are one positive per group; v1's scores rank all eight.
KD_WEIGHT = float(os.environ.get("TRAIN_KD_WEIGHT", "0" if RECIPE == "v1" else "1.0"))
if RECIPE != "v1":
    HEAD_LR = 1e-4  # the head comes trained (v1's)
DEV_WINDOWS = (30,) if RECIPE == "v1" else (50, 100, 200)  # v2: the epoch with the best mean over the windows the plugin is used at
BF16 = os.environ.get("TRAIN_BF16", "auto") == "1" or (
    os.environ.get("TRAIN_BF16", "auto") == "auto" and " avx512_bf16" in open("/proc/cpuinfo").read())
CHECKPOINT = os.path.join(WORK, "checkpoint.pt")
FINAL = os.path.join(WORK, "model.pt")


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


def optimizer_for(model):
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    head = [p for n, p in params if n.startswith("classifier")]
    decay = [p for n, p in params if not n.startswith("classifier") and p.dim() > 1]
    no_decay = [p for n, p in params if not n.startswith("classifier") and p.dim() <= 1]
    return torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                              {"params": no_decay, "weight_decay": 0.0},
                              {"params": head, "weight_decay": WEIGHT_DECAY, "lr": HEAD_LR}], lr=LR)


def dev_ndcg(model, wp, corpus, queries, windows=DEV_WINDOWS, detail=None):
    """nDCG@10 of the 60 dev queries' first-stage top N reranked by the model (eval mode, same autocast), averaged
    over the windows N (v1: BM25 top 30; v2: hybrid top 50, 100, 200). detail: dict that gets each window's value."""
    with open(os.path.join(WORK, RECIPES[RECIPE]["dev_run"])) as f:
        first = json.load(f)
    qrels = load_qrels("train")
    model.eval()
    runs = {n: {} for n in windows}
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=BF16):
        for qid, ranked in first.items():
            ranked = ranked[:max(windows)]
            rows = [wp.pair(wp.ids(queries[qid]), wp.ids(doc_text(corpus[d])), MAX_LENGTH) for d, _ in ranked]
            order = sorted(range(len(rows)), key=lambda i: len(rows[i][0]))
            scores = [0.0] * len(rows)
            for start in range(0, len(order), 32):
                chunk = order[start:start + 32]
                out = model(*batch_tensors([rows[i] for i in chunk], wp.pad_id))[:, 0].float().tolist()
                for i, s in zip(chunk, out):
                    scores[i] = s
            for n in windows:
                runs[n][qid] = [d for (d, _), _ in sorted(zip(ranked[:n], scores[:n]), key=lambda x: -x[1])]
    model.train()
    values = {n: mean_ndcg(runs[n], {q: qrels[q] for q in first}) for n in windows}
    if detail is not None:
        detail.update({f"window_{n}": round(v, 4) for n, v in values.items()})
    return sum(values.values()) / len(values)


def initial_model():
    recipe = RECIPES[RECIPE]
    if recipe["init"] == "base":
        return load_base(CrossEncoder(), BASE_ONNX)
    from onnx_import import load
    model, notes = load(recipe["init"], keep=recipe["keep"])
    print(f"initialised from {recipe['init']}: {notes}")
    return model


def teacher_model():
    """The full model the student was cut from (v2: all of v1's layers), frozen, or None without distillation."""
    recipe = RECIPES[RECIPE]
    if not KD_WEIGHT or recipe["keep"] is None:
        return None
    from onnx_import import load
    model, _ = load(recipe["init"])
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def main():
    torch.set_num_threads(2)
    seed_everything()
    wp = WordPiece(BASE_TOKENIZER)
    corpus, queries = load_corpus(), load_queries()
    with open(os.path.join(WORK, RECIPES[RECIPE]["groups"])) as f:
        groups = [json.loads(line) for line in f]
    doc_ids = {d: wp.ids(doc_text(corpus[d])) for g in groups for d in [g["pos"]] + g["negs"]}
    query_ids = {g["qid"]: wp.ids(queries[g["qid"]]) for g in groups}

    model = initial_model()
    teacher = teacher_model()
    write_json(os.path.join(WORK, "model_config.json"), model.config)
    if FREEZE_EMBEDDINGS:
        for module in (model.word, model.position, model.token_type):
            module.weight.requires_grad_(False)
    optimizer = optimizer_for(model)
    steps = len(groups) // GROUPS_PER_STEP
    if MAX_STEPS:
        steps = min(steps, MAX_STEPS)
    steps_per_epoch = steps // EPOCHS
    warmup = int(WARMUP * steps)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / warmup if s < warmup else max(0.0, (steps - s) / (steps - warmup)))
    step = 0
    if os.path.exists(CHECKPOINT):
        state = torch.load(CHECKPOINT)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        torch.set_rng_state(state["rng"])
        step = state["step"]
        print(f"resumed at step {step}")
    model.train()
    started, losses = time.time(), []
    group_size = 1 + len(groups[0]["negs"])
    while step < steps:
        chosen = [groups[(step * GROUPS_PER_STEP + i) % len(groups)] for i in range(GROUPS_PER_STEP)]
        rows = [wp.pair(query_ids[g["qid"]], doc_ids[d], TRAIN_LENGTH) for g in chosen for d in [g["pos"]] + g["negs"]]
        tensors = batch_tensors(rows, wp.pad_id)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=BF16):
            logits = model(*tensors).float().view(GROUPS_PER_STEP, group_size)
            if teacher is not None:
                with torch.no_grad():
                    teacher_logits = teacher(*tensors).float().view(GROUPS_PER_STEP, group_size)
        target = torch.zeros(GROUPS_PER_STEP, dtype=torch.long)  # the positive comes first
        labels = torch.zeros_like(logits)
        labels[:, 0] = 1.0
        loss = torch.nn.functional.cross_entropy(logits, target) + BCE_WEIGHT * \
            torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
        if teacher is not None:
            loss = loss + KD_WEIGHT * torch.nn.functional.kl_div(
                torch.log_softmax(logits, 1), torch.log_softmax(teacher_logits, 1), log_target=True, reduction="batchmean")
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        step += 1
        losses.append(loss.item())
        if step % 5 == 0 or step == steps:
            per_step = (time.time() - started) / len(losses)
            print(f"step {step}/{steps} loss {sum(losses[-25:]) / len(losses[-25:]):.4f} "
                  f"lr {schedule.get_last_lr()[0]:.2e} {per_step:.2f} s/step, "
                  f"eta {per_step * (steps - step) / 60:.1f} min", flush=True)
        if step % steps_per_epoch == 0:
            epoch = step // steps_per_epoch
            torch.save(model.state_dict(), os.path.join(WORK, f"model-epoch{epoch}.pt"))
            if EPOCHS == 1:  # nothing to choose between: the dev numbers come from evaluate_hybrid.py (ONNX Runtime)
                with open(os.path.join(WORK, "dev_by_epoch.jsonl"), "a") as f:
                    f.write(json.dumps({"epoch": epoch, "step": step, "dev_ndcg@10": None}) + "\n")
                continue
            detail, t_dev = {}, time.time()
            value = dev_ndcg(model, wp, corpus, queries, detail=detail)
            print(f"epoch {epoch}: dev nDCG@10 {value:.4f} {detail} ({time.time() - t_dev:.0f} s)", flush=True)
            with open(os.path.join(WORK, "dev_by_epoch.jsonl"), "a") as f:
                f.write(json.dumps({"epoch": epoch, "step": step, "dev_ndcg@10": value, **detail}) + "\n")
        if step % 25 == 0 or step == steps:
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                        "schedule": schedule.state_dict(), "rng": torch.get_rng_state(), "step": step},
                       CHECKPOINT + ".tmp")
            os.replace(CHECKPOINT + ".tmp", CHECKPOINT)
    with open(os.path.join(WORK, "dev_by_epoch.jsonl")) as f:
        dev = [json.loads(line) for line in f]
    best = max(dev, key=lambda e: e["dev_ndcg@10"] or 0.0)
    torch.save(torch.load(os.path.join(WORK, f"model-epoch{best['epoch']}.pt")), FINAL)
    print(f"trained {steps} steps in {(time.time() - started) / 60:.1f} min (bf16 autocast: {BF16}); dev nDCG@10 "
          f"by epoch {[e['dev_ndcg@10'] and round(e['dev_ndcg@10'], 4) for e in dev]}; epoch {best['epoch']} -> {FINAL}")


if __name__ == "__main__":
    main()
