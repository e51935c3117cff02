"""Generates operators/src/test/resources/models/tiny-multilingual-bert: a seeded tiny BertForMaskedLM
shaped like opensearch-neural-sparse-encoding-multilingual-v1 where it matters to the encoder: a cased
vocabulary of another size (no lower-casing, no accent stripping), special tokens at other ids than
bert-base-uncased's, its own tokenizer.json and idf.json. The expected vectors are computed here,
independently of the Java encoder: a WordPiece tokenizer written out below (BertNormalizer with
lowercase=false, strip_accents=false; BertPreTokenizer; added tokens matched first) and the model
card's recipe on the plain-PyTorch forward pass of ../shared/tools/pytorch_peer.py.

Run from the repository root (Debian's python3-torch): /usr/bin/python3 operators/src/test/python/make_tiny_multilingual.py
"""
import json
import math
import os
import re
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "..", "shared", "tools"))
import bert_wp  # noqa: E402  (character classes of BERT's basic tokenizer)
import pytorch_peer  # noqa: E402  (the plain-PyTorch forward pass and safetensors writer)

OUT = os.path.join(ROOT, "operators", "src", "test", "resources", "models", "tiny-multilingual-bert")
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]  # ids 0..4, not bert-base's 0, 100..103
TEXTS = [
    "Berlin ist die Hauptstadt Deutschlands. berlin BERLIN",
    "Les éléphants d'Afrique sont énormes, et l'Élysée aussi.",
    "Москва — столица России, а Київ — України.",
    "東京は日本の首都です。北京也是首都。",
    "القاهرة عاصمة مصر",
    "Ça coûte 12,50 € à São Paulo!",
    "Straße und STRASSE sind nicht gleich.",
    "emoji 🎉 and a literal [MASK] and [CLS] inside",
    "",
    "   ",
    "Ünïcödé ÀÉÎÕÜ àéîõü",
    " ".join(["Zürich Genève Lugano"] * 200),
]


def basic_cased(text):
    """BertNormalizer(clean_text, handle_chinese_chars, strip_accents=False, lowercase=False) + BertPreTokenizer."""
    out = []
    for c in text:
        cp = ord(c)
        if cp == 0 or cp == 0xFFFD or bert_wp._is_ctrl(c):
            continue
        out.append(" " if bert_wp._is_ws(c) else c)
    text = "".join(out)
    text = "".join(" %s " % c if bert_wp._is_cjk(ord(c)) else c for c in text)
    toks = []
    for t in text.strip().split():
        cur = ""
        for c in t:
            if bert_wp._is_punc(c):
                if cur:
                    toks.append(cur)
                    cur = ""
                toks.append(c)
            else:
                cur += c
        if cur:
            toks.append(cur)
    return toks


def vocabulary():
    words, chars = set(), set()
    for t in TEXTS:
        for w in basic_cased(t):
            chars.update(w)
            if len(w) <= 6:
                words.add(w)  # longer words are split into pieces
    pieces = ["##" + c for c in sorted(chars)] + ["##en", "##er", "##stadt", "##ants", "##ique", "##ица"]
    vocab = SPECIALS + sorted(words | chars) + pieces
    seen = set()
    return [v for v in vocab if not (v in seen or seen.add(v))]


def ids_of(text, vocab):
    index = {t: i for i, t in enumerate(vocab)}
    ids = []
    for part in re.split("(" + "|".join(re.escape(s) for s in SPECIALS) + ")", text):
        if part in SPECIALS:
            ids.append(index[part])
        elif part:
            for w in basic_cased(part):
                ids.extend(index[p] for p in bert_wp.wordpiece(w, index))
    return [index["[CLS]"]] + ids[:510] + [index["[SEP]"]]


def tokenizer_json(vocab):
    template = json.load(open(os.path.join(ROOT, "..", "shared", "models", "tiny-bert", "tokenizer.json"), encoding="utf-8"))
    template["added_tokens"] = [dict(id=i, content=s, single_word=False, lstrip=False, rstrip=False, normalized=False,
                                     special=True) for i, s in enumerate(SPECIALS)]
    template["normalizer"] = {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                              "strip_accents": False, "lowercase": False}
    for name in ("[CLS]", "[SEP]"):
        template["post_processor"]["special_tokens"][name]["ids"] = [SPECIALS.index(name)]
    template["model"]["vocab"] = {t: i for i, t in enumerate(vocab)}
    return template


def main():
    vocab = vocabulary()
    torch.manual_seed(11)
    cfg = json.load(open(os.path.join(ROOT, "..", "shared", "models", "tiny-bert", "config.json")))
    cfg.update(vocab_size=len(vocab), pad_token_id=0)
    h, f, n = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    W = {"bert.embeddings.word_embeddings.weight": torch.randn(n, h) * 0.5,
         "bert.embeddings.position_embeddings.weight": torch.randn(cfg["max_position_embeddings"], h) * 0.1,
         "bert.embeddings.token_type_embeddings.weight": torch.randn(2, h) * 0.1,
         "bert.embeddings.LayerNorm.weight": 1 + torch.randn(h) * 0.1, "bert.embeddings.LayerNorm.bias": torch.randn(h) * 0.1,
         "cls.predictions.transform.dense.weight": torch.randn(h, h) / math.sqrt(h),
         "cls.predictions.transform.dense.bias": torch.randn(h) * 0.1,
         "cls.predictions.transform.LayerNorm.weight": 1 + torch.randn(h) * 0.1,
         "cls.predictions.transform.LayerNorm.bias": torch.randn(h) * 0.1,
         "cls.predictions.bias": torch.randn(n) * 0.5}
    for i in range(cfg["num_hidden_layers"]):
        a = f"bert.encoder.layer.{i}."
        for name, shape in [("attention.self.query", (h, h)), ("attention.self.key", (h, h)), ("attention.self.value", (h, h)),
                            ("attention.output.dense", (h, h)), ("intermediate.dense", (f, h)), ("output.dense", (h, f))]:
            W[a + name + ".weight"] = torch.randn(*shape) / math.sqrt(shape[1])
            W[a + name + ".bias"] = torch.randn(shape[0]) * 0.1
        for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
            W[a + ln + ".weight"] = 1 + torch.randn(h) * 0.1
            W[a + ln + ".bias"] = torch.randn(h) * 0.1
    os.makedirs(OUT, exist_ok=True)
    pytorch_peer.save_safetensors(os.path.join(OUT, "model.safetensors"), W)  # tied: no decoder weight
    json.dump(cfg, open(os.path.join(OUT, "config.json"), "w"), indent=2)
    json.dump(tokenizer_json(vocab), open(os.path.join(OUT, "tokenizer.json"), "w", encoding="utf-8"), ensure_ascii=False)
    json.dump({t: round(1 + (i % 7) / 3, 4) for i, t in enumerate(vocab) if t not in SPECIALS},
              open(os.path.join(OUT, "idf.json"), "w", encoding="utf-8"), ensure_ascii=False)
    with open(os.path.join(OUT, "expected_docs.jsonl"), "w", encoding="utf-8") as out:
        for text in TEXTS:
            ids = ids_of(text, vocab)
            mask = torch.ones((1, len(ids)), dtype=torch.long)
            with torch.inference_mode():
                logits = pytorch_peer.forward(W, cfg, torch.tensor([ids]), mask)
                v = torch.log(1 + torch.relu(torch.max(logits * mask.unsqueeze(-1), dim=1).values))[0]
                v[: len(SPECIALS)] = 0
            vec = {i: float(v[i]) for i in v.nonzero().flatten().tolist()}
            out.write(json.dumps({"text": text, "input_ids": ids, "doc_vector": {vocab[i]: w for i, w in vec.items()},
                                  "doc_vector_ids": {str(i): w for i, w in vec.items()}}, ensure_ascii=False) + "\n")
    print(f"{OUT}: vocabulary {len(vocab)}, {len(TEXTS)} texts")


if __name__ == "__main__":
    main()
