"""Compare wordpiece.py with DJL (the plugin's tokenizer) on real SciFact texts: identical ids required."""
import json
import os
import sys

from common import WORK, load_corpus, load_queries, run_java
from wordpiece import WordPiece


def main(tokenizer_json):
    corpus = load_corpus()
    queries = load_queries()
    texts = [d["title"] + " " + d["text"] for d in corpus.values()] + list(queries.values())
    # A few edge cases on top of the real texts.
    texts += ["Caf\u00e9 na\u00efve \u00c5ngstr\u00f6m \u4e2d\u6587 tab\tnew\nline\u2028x\x0bz \u00a0nbsp",
              "a" * 101 + " unbelievablyunpronounceable [SEP] [MASK]x ##ing", "", "   "]
    path_in = os.path.join(WORK, "tok_in.jsonl")
    path_out = os.path.join(WORK, "tok_djl.txt")
    with open(path_in, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"text": t}) + "\n")
        pairs = list(zip(list(queries.values())[:50], texts[:50]))
        for q, d in pairs:
            f.write(json.dumps({"text": q, "pair": d}) + "\n")
    run_java("DjlTokens.java", tokenizer_json, path_in, path_out)
    with open(path_out, encoding="utf-8") as f:
        djl = [line.rstrip("\n") for line in f]
    wp = WordPiece(tokenizer_json)
    bad = 0
    for i, t in enumerate(texts):
        mine = " ".join(map(str, wp.ids(t)))
        if mine != djl[i]:
            bad += 1
            if bad <= 5:
                print("MISMATCH", repr(t[:200]), "\n  py ", mine[:300], "\n  djl", djl[i][:300])
    pbad = 0
    for j, (q, d) in enumerate(pairs):
        ids, types = wp.pair(wp.ids(q), wp.ids(d), 10 ** 9)
        mine = " ".join(map(str, ids)) + " | " + " ".join(map(str, types))
        if mine != djl[len(texts) + j]:
            pbad += 1
    print(f"tokenizer check: {len(texts) - bad}/{len(texts)} texts identical, "
          f"{len(pairs) - pbad}/{len(pairs)} pairs identical (ids + token types)")
    return bad == 0 and pbad == 0


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1]) else 1)
