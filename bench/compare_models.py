"""Side by side: cross-encoders and score modes per collection, from evaluate.py's result files.

  python3 bench/compare_models.py --out bench/results/cross-encoders RESULT.json [RESULT.json ...]

Each file is one evaluate.py run (one cross-encoder, one set of cross_encoder options, windows 50/100/200 over the
hybrid_rrf first stage). Writes OUT.md (a table: collection, model, score mode, nDCG@10 at each window, the first
stage's nDCG@10) and OUT.png (nDCG@10 against the window, one panel per collection, the first stage dashed) when
matplotlib imports. nDCG@10 is the gain = label one (trec_eval's), as the README's tables show next to _rank_eval's."""
import argparse
import json
import os

FIRST = "hybrid_rrf"


def series(result):
    """(label, {window: nDCG@10}) of a result's hybrid_rrf + cross_encoder runs."""
    options = result.get("cross_encoder_options") or {}
    mode = options.get("score_mode", "replace")
    if mode == "combine":
        scale = options.get("first_stage_scale")
        mode += (f" (first_stage_scale {scale}, " if scale else " (min-max, ") + f"weight {options.get('first_stage_weight', 1)})"
    points = {run["window"]: run["ndcg@10_client"] for name, run in result["runs"].items()
              if run.get("first_stage") == FIRST and run.get("window")}
    return f"{result['cross_encoder']}, {mode}", points


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, help="path without extension")
    p.add_argument("results", nargs="+")
    a = p.parse_args()
    # runs on the same collection (same queries and documents, whatever each run was named) share a panel, named
    # after the shortest run name among them (scifact for scifact, scifact-combine, scifact-v2)
    groups = {}
    for path in a.results:
        with open(path) as f:
            r = json.load(f)
        label, points = series(r)
        if points:
            entry = groups.setdefault((r["queries"], r["documents"]), {"names": [], "first": [], "series": []})
            entry["names"].append(r["dataset"])
            entry["first"].append(r["runs"][FIRST]["ndcg@10_client"])
            entry["series"].append((label, points, os.path.basename(path)))
    # the first stage as the runs at its full depth (200) saw it: the highest of the runs' values
    by_dataset = {min(g["names"], key=len): {"first": max(g["first"]), "series": g["series"]} for g in groups.values()}
    windows = sorted({w for d in by_dataset.values() for _, pts, _ in d["series"] for w in pts})
    lines = ["| collection | cross-encoder, score mode | " + " | ".join(f"@{w}" for w in windows) +
             f" | {FIRST} alone | file |", "| --- | --- | " + " | ".join("---" for _ in windows) + " | --- | --- |"]
    for dataset, d in by_dataset.items():
        for label, pts, name in d["series"]:
            cells = " | ".join(f"{pts[w]:.4f}" if w in pts else "" for w in windows)
            lines.append(f"| {dataset} | {label} | {cells} | {d['first']:.4f} | {name} |")
    with open(a.out + ".md", "w") as f:
        f.write("nDCG@10 (gain = label) of hybrid_rrf + cross_encoder at each window, through the plugin.\n\n")
        f.write("\n".join(lines) + "\n")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not importable: no plot")
        return
    fig, axes = plt.subplots(1, len(by_dataset), figsize=(5 * len(by_dataset), 4), squeeze=False)
    for ax, (dataset, d) in zip(axes[0], by_dataset.items()):
        for label, pts, _ in d["series"]:
            ws = sorted(pts)
            ax.plot(ws, [pts[w] for w in ws], marker="o", label=label)
        ax.axhline(d["first"], linestyle="--", color="grey", label=f"{FIRST} alone")
        ax.set_title(dataset)
        ax.set_xlabel("window (candidates reranked per shard)")
        ax.set_ylabel("nDCG@10")
        ax.set_xticks(windows)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(a.out + ".png", dpi=110)
    print(f"wrote {a.out}.md and {a.out}.png")


if __name__ == "__main__":
    main()
