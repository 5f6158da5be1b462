"""BERT uncased WordPiece tokenizer driven by a HuggingFace tokenizer.json.

Reimplements what the Rust `tokenizers` library (and so DJL in the plugin) does for the
BertNormalizer + BertPreTokenizer + WordPiece pipeline of bert-base-uncased style files:
added (special) tokens matched in the raw text, control characters removed, Unicode whitespace
turned into spaces, CJK characters isolated, NFD + accent stripping, lowercasing, splitting on
whitespace and punctuation, greedy longest-match-first word pieces with "##" continuations.
check_tokenizer.py compares it with DJL on real texts.
"""
import json
import re
import unicodedata

# Rust char::is_whitespace (Unicode White_Space property).
_WHITESPACE = set("\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | {
    chr(c) for c in range(0x2000, 0x200B)}
_CJK = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
        (0x2B740, 0x2B81F), (0x2B920, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


def _is_control(ch):
    return ch not in "\t\n\r" and unicodedata.category(ch).startswith("C")


def _is_punct(ch):
    o = ord(ch)
    if 33 <= o <= 47 or 58 <= o <= 64 or 91 <= o <= 96 or 123 <= o <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(ch):
    o = ord(ch)
    return any(lo <= o <= hi for lo, hi in _CJK)


class WordPiece:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
        model = spec["model"]
        norm = spec["normalizer"]
        assert model["type"] == "WordPiece" and norm["type"] == "BertNormalizer"
        assert spec["pre_tokenizer"]["type"] == "BertPreTokenizer"
        self.vocab = model["vocab"]
        self.unk_id = self.vocab[model["unk_token"]]
        self.prefix = model["continuing_subword_prefix"]
        self.max_chars = model["max_input_chars_per_word"]
        self.lowercase = norm["lowercase"]
        strip = norm["strip_accents"]
        self.strip_accents = self.lowercase if strip is None else strip
        self.added = {t["content"]: t["id"] for t in spec["added_tokens"]}
        self._added_re = re.compile("(" + "|".join(re.escape(t) for t in
                                                    sorted(self.added, key=len, reverse=True)) + ")")
        self.cls_id = self.vocab["[CLS]"]
        self.sep_id = self.vocab["[SEP]"]
        self.pad_id = self.vocab["[PAD]"]

    def _normalize(self, text):
        out = []
        for ch in text:
            if ch == "\x00" or ch == "\ufffd" or _is_control(ch):
                continue
            if ch in _WHITESPACE:
                out.append(" ")
            elif _is_cjk(ch):
                out.append(" " + ch + " ")
            else:
                out.append(ch)
        text = "".join(out)
        if self.strip_accents:
            text = "".join(c for c in unicodedata.normalize("NFD", text)
                           if unicodedata.category(c) != "Mn")
        if self.lowercase:
            text = text.lower()
        return text

    @staticmethod
    def _words(text):
        words, cur = [], []
        for ch in text:
            if ch in _WHITESPACE:
                if cur:
                    words.append("".join(cur))
                    cur = []
            elif _is_punct(ch):
                if cur:
                    words.append("".join(cur))
                    cur = []
                words.append(ch)
            else:
                cur.append(ch)
        if cur:
            words.append("".join(cur))
        return words

    def _pieces(self, word):
        if len(word) > self.max_chars:
            return [self.unk_id]
        ids, start = [], 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                sub = word[start:end] if start == 0 else self.prefix + word[start:end]
                found = self.vocab.get(sub)
                if found is not None:
                    break
                end -= 1
            if found is None:
                return [self.unk_id]
            ids.append(found)
            start = end
        return ids

    def ids(self, text):
        """Word-piece ids of text without special tokens ([CLS]/[SEP] are added by pair())."""
        out = []
        for i, part in enumerate(self._added_re.split(text)):
            if i % 2 == 1:
                out.append(self.added[part])
                continue
            for word in self._words(self._normalize(part)):
                out.extend(self._pieces(word))
        return out

    def pair(self, query_ids, doc_ids, max_length):
        """[CLS] query [SEP] doc [SEP], truncating only the document (as the plugin does)."""
        budget = max_length - len(query_ids) - 3
        if budget <= 0:
            raise ValueError("query too long for max_length")
        ids = [self.cls_id] + query_ids + [self.sep_id] + doc_ids[:budget] + [self.sep_id]
        types = [0] * (len(query_ids) + 2) + [1] * (len(ids) - len(query_ids) - 2)
        return ids, types
