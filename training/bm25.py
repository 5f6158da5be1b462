"""BM25 over SciFact title + text (Lucene's formula, k1=0.9, b=0.4): first stage for evaluation and the
source of hard negatives for training. Analysis: lowercase, split on non-alphanumerics, Lucene's English
stop words removed, no stemming."""
import math
import re
from collections import Counter, defaultdict

from common import doc_text

STOP = set("a an and are as at be but by for if in into is it no not of on or such that the their then "
           "there these they this to was will with".split())  # Lucene EnglishAnalyzer.ENGLISH_STOP_WORDS_SET
_SPLIT = re.compile(r"[^0-9a-z]+")


def analyze(text, stop=True):
    return [t for t in _SPLIT.split(text.lower()) if t and not (stop and t in STOP)]


class BM25:
    def __init__(self, corpus, k1=0.9, b=0.4, stop=True):
        """stop=False, k1=1.2, b=0.75: OpenSearch's defaults (standard analyzer), used by hybrid.py."""
        self.ids, self.stop = list(corpus), stop
        lengths, self.postings = [], defaultdict(list)
        for n, did in enumerate(self.ids):
            terms = Counter(analyze(doc_text(corpus[did]), stop))
            lengths.append(sum(terms.values()))
            for term, tf in terms.items():
                self.postings[term].append((n, tf))
        avg = sum(lengths) / len(lengths)
        self.norm = [k1 * (1 - b + b * dl / avg) for dl in lengths]
        self.idf = {t: math.log(1 + (len(self.ids) - len(p) + 0.5) / (len(p) + 0.5))
                    for t, p in self.postings.items()}

    def search(self, query, k=100):
        """[(doc id, score)] best first; ties broken by corpus order."""
        scores = defaultdict(float)
        for term, qtf in Counter(analyze(query, self.stop)).items():
            idf = self.idf.get(term)
            if idf is None:
                continue
            for n, tf in self.postings[term]:
                scores[n] += qtf * idf * tf / (tf + self.norm[n])
        top = sorted(scores.items(), key=lambda x: (-x[1], x[0]))[:k]
        return [(self.ids[n], s) for n, s in top]
