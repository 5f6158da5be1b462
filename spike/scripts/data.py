import json, random, sys
random.seed(1)
words = "goldfish grow slowly cats sleep dogs run fast fish swim water tanks large small food eat bowl river ocean".split()
out = []
n = int(sys.argv[2]) if len(sys.argv) > 2 else 30
idx = sys.argv[1]
for i in range(n):
    t = " ".join(random.choice(words) for _ in range(random.randint(3, 9)))
    v = [random.uniform(-1, 1) for _ in range(3)]
    out.append(json.dumps({"index": {"_index": idx, "_id": str(i)}}))
    out.append(json.dumps({"text": t, "vec": v}))
print("\n".join(out))
