"""The model card's Python code (Hugging Face transformers + PyTorch), timed on the same model
folder and corpus as `neural-sparse bench`, for a same-machine throughput ratio.

Usage: python model_card_baseline.py MODEL_DIR CORPUS_JSONL_GZ DOCS [BATCH_SIZE] [THREADS]
"""
import gzip, json, sys, time

import torch
from tokenizers import Tokenizer
from transformers import AutoModelForMaskedLM

model_dir, corpus, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
bs = int(sys.argv[4]) if len(sys.argv) > 4 else 32
if len(sys.argv) > 5:
    torch.set_num_threads(int(sys.argv[5]))
docs = []
with gzip.open(corpus, "rt") as f:
    for line in f:
        d = json.loads(line)
        docs.append((d["title"] + " " + d["text"]).strip())
        if len(docs) >= n:
            break
tok = Tokenizer.from_file(model_dir + "/tokenizer.json")
tok.enable_truncation(max_length=512)
model = AutoModelForMaskedLM.from_pretrained(model_dir).eval()
special = [0, 100, 101, 102, 103]


def encode(texts):
    # the model card: max over positions of logits * mask, log(1 + relu), specials zeroed
    encs = tok.encode_batch(texts)
    L = max(len(e.ids) for e in encs)
    ids = torch.zeros((len(encs), L), dtype=torch.long)
    mask = torch.zeros((len(encs), L), dtype=torch.long)
    for i, e in enumerate(encs):
        ids[i, : len(e.ids)] = torch.tensor(e.ids)
        mask[i, : len(e.ids)] = 1
    out = model(input_ids=ids, attention_mask=mask)[0]
    values, _ = torch.max(out * mask.unsqueeze(-1), dim=1)
    values = torch.log(1 + torch.relu(values))
    values[:, special] = 0
    return [v.nonzero().shape[0] for v in values]


with torch.inference_mode():
    encode(docs[:8])
    t0 = time.perf_counter()
    for i in range(0, len(docs), bs):
        encode(docs[i : i + bs])
    sec = time.perf_counter() - t0
print(f"model card code (transformers, torch {torch.__version__}, {torch.get_num_threads()} threads, "
      f"batch {bs}): {len(docs)} docs in {sec:.2f} s: {len(docs) / sec:.2f} docs/s")
