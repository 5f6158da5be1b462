"""Fine-tune the cross-encoder on SciFact train groups (1 positive + 7 BM25 negatives per group).

Loss: listwise softmax cross-entropy over each group (the positive must win) + 0.2 x pointwise BCE so the
logit also reads as a probability through a sigmoid. AdamW, linear warmup/decay, one pass over the groups.
Checkpoints every 25 steps to work/checkpoint.pt and resumes from it.
"""
import json
import os
import time

import torch

from bert import CrossEncoder, load_base
from common import BASE_ONNX, BASE_TOKENIZER, WORK, doc_text, load_corpus, load_queries, seed_everything
from wordpiece import WordPiece

MAX_LENGTH = 256
GROUPS_PER_STEP = 2
EPOCHS = 1
LR, HEAD_LR, WARMUP, WEIGHT_DECAY, BCE_WEIGHT = 5e-5, 2e-4, 0.1, 0.01, 0.2
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
    head = [p for n, p in model.named_parameters() if n.startswith(("pooler", "classifier"))]
    decay = [p for n, p in model.named_parameters()
             if not n.startswith(("pooler", "classifier")) and p.dim() > 1]
    no_decay = [p for n, p in model.named_parameters()
                if not n.startswith(("pooler", "classifier")) and p.dim() <= 1]
    return torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                              {"params": no_decay, "weight_decay": 0.0},
                              {"params": head, "weight_decay": WEIGHT_DECAY, "lr": HEAD_LR}], lr=LR)


def main():
    torch.set_num_threads(2)
    seed_everything()
    wp = WordPiece(BASE_TOKENIZER)
    corpus, queries = load_corpus(), load_queries()
    with open(os.path.join(WORK, "train_groups.jsonl")) as f:
        groups = [json.loads(line) for line in f]
    doc_ids = {d: wp.ids(doc_text(corpus[d])) for g in groups for d in [g["pos"]] + g["negs"]}
    query_ids = {g["qid"]: wp.ids(queries[g["qid"]]) for g in groups}

    model = load_base(CrossEncoder(), BASE_ONNX)
    optimizer = optimizer_for(model)
    steps = EPOCHS * len(groups) // GROUPS_PER_STEP
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
        rows = [wp.pair(query_ids[g["qid"]], doc_ids[d], MAX_LENGTH) for g in chosen for d in [g["pos"]] + g["negs"]]
        logits = model(*batch_tensors(rows, wp.pad_id)).view(GROUPS_PER_STEP, group_size)
        target = torch.zeros(GROUPS_PER_STEP, dtype=torch.long)  # the positive comes first
        labels = torch.zeros_like(logits)
        labels[:, 0] = 1.0
        loss = torch.nn.functional.cross_entropy(logits, target) + BCE_WEIGHT * \
            torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
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
        if step % 25 == 0 or step == steps:
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                        "schedule": schedule.state_dict(), "rng": torch.get_rng_state(), "step": step},
                       CHECKPOINT + ".tmp")
            os.replace(CHECKPOINT + ".tmp", CHECKPOINT)
    torch.save(model.state_dict(), FINAL)
    print(f"trained {steps} steps in {(time.time() - started) / 60:.1f} min -> {FINAL}")


if __name__ == "__main__":
    main()
