"""A minimal OpenSearch REST client (standard library only) for the demo and the benchmarks."""
import json
import sys
import time
import urllib.error
import urllib.request


class OpenSearchError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body[:500]}")
        self.status = status
        self.body = body


class Client:
    def __init__(self, url="http://127.0.0.1:9200", timeout=300):
        self.url = url.rstrip("/")
        self.timeout = timeout

    def call(self, method, path, body=None, ndjson=False, timeout=None):
        data = None
        headers = {}
        if body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            headers["Content-Type"] = "application/x-ndjson" if ndjson else "application/json"
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout or self.timeout) as r:
                return json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            raise OpenSearchError(e.code, e.read().decode(errors="replace")) from None

    def timed_search(self, index, body):
        """(response, wall milliseconds)"""
        t = time.perf_counter()
        r = self.call("POST", f"/{index}/_search", body)
        return r, (time.perf_counter() - t) * 1000

    def bulk(self, index, docs, pipeline=None, batch=200, label="indexing"):
        """Indexes (id, source) pairs with a progress bar; raises on any item error."""
        path = "/_bulk" + (f"?pipeline={pipeline}" if pipeline else "")
        total = len(docs)
        done = 0
        started = time.perf_counter()
        for i in range(0, total, batch):
            chunk = docs[i:i + batch]
            lines = []
            for doc_id, source in chunk:
                lines.append(json.dumps({"index": {"_index": index, "_id": doc_id}}))
                lines.append(json.dumps(source))
            r = self.call("POST", path, "\n".join(lines) + "\n", ndjson=True)
            if r.get("errors"):
                bad = [it for it in r["items"] if "error" in it["index"]][:3]
                raise RuntimeError(f"bulk errors: {bad}")
            done += len(chunk)
            progress(label, done, total, started)
        self.call("POST", f"/{index}/_refresh")


def progress(label, done, total, started):
    width = 30
    filled = int(width * done / max(total, 1))
    rate = done / max(time.perf_counter() - started, 1e-9)
    sys.stderr.write(f"\r{label:<12} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} ({rate:.0f}/s)")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()
