"""Generates operators/src/test/resources/models/tiny-gte: a seeded tiny NewForMaskedLM (GTE, the
architecture of opensearch-neural-sparse-encoding-doc-v3-gte) in a sentence-transformers folder
(MLMTransformer + SpladePooling with log1p_relu, as the v3 models ship), with expected vectors from
an independent reference of the forward pass, written below from Alibaba-NLP/new-impl's modeling.py
(NewEmbeddings, RotaryEmbedding/NTKScalingRotaryEmbedding, NewAttention, NewGatedMLP, NewLayer,
NewLMPredictionHead) and cross-read with text-embeddings-inference's gte.rs. It reuses the tokenizer
and texts of tiny-multilingual-bert (make_tiny_multilingual.py) so that the files stay small.

Run from the repository root (Debian's python3-torch): /usr/bin/python3 operators/src/test/python/make_tiny_gte.py
"""
import json
import math
import os
import shutil
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_tiny_multilingual as ml  # noqa: E402  (tokenizer, texts, safetensors writer)

OUT = os.path.join(ml.ROOT, "operators", "src", "test", "resources", "models", "tiny-gte")
CONFIG = {
    "architectures": ["NewForMaskedLM"], "model_type": "new", "hidden_size": 32, "num_hidden_layers": 2,
    "num_attention_heads": 4, "intermediate_size": 48, "hidden_act": "gelu", "max_position_embeddings": 8192,
    "type_vocab_size": 2, "layer_norm_type": "layer_norm", "layer_norm_eps": 1e-12, "position_embedding_type": "rope",
    "rope_theta": 500000.0, "rope_scaling": {"type": "ntk", "factor": 2.0}, "logn_attention_scale": False,
    "pack_qkv": True, "unpad_inputs": False, "use_memory_efficient_attention": False, "pad_token_id": 0,
}


def rotary_tables(cfg, length):
    """RotaryEmbedding with fixed NTK scaling: the cache is built for max_position * factor > max_position."""
    d = cfg["hidden_size"] // cfg["num_attention_heads"]
    factor = cfg["rope_scaling"]["factor"] if cfg.get("rope_scaling") else 1.0
    base = cfg["rope_theta"] * factor
    inv_freq = 1.0 / (base ** (torch.arange(0, d, 2).float() / d))
    if factor != 1.0:
        inv_freq = inv_freq / factor ** (2 / d)
    t = torch.arange(length, dtype=torch.float32)
    emb = torch.cat((torch.outer(t, inv_freq),) * 2, dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def forward(W, cfg, ids, mask):
    B, L = ids.shape
    D, H, FF, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["intermediate_size"], cfg["layer_norm_eps"]
    d = D // H
    ln = lambda x, n: F.layer_norm(x, (D,), W[n + ".weight"], W[n + ".bias"], eps)
    x = W["new.embeddings.word_embeddings.weight"][ids] + W["new.embeddings.token_type_embeddings.weight"][0]
    x = ln(x, "new.embeddings.LayerNorm")
    cos, sin = rotary_tables(cfg, L)
    cos, sin = cos[None, :, None, :], sin[None, :, None, :]
    bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    for i in range(cfg["num_hidden_layers"]):
        a = f"new.encoder.layer.{i}."
        qkv = x @ W[a + "attention.qkv_proj.weight"].T + W[a + "attention.qkv_proj.bias"]
        q, k, v = (t.view(B, L, H, d) for t in qkv.split(D, dim=-1))
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        probs = ((q @ k.transpose(-1, -2)) / math.sqrt(d) + bias).softmax(-1)
        context = (probs @ v).transpose(1, 2).reshape(B, L, D)
        x = ln(x + context @ W[a + "attention.o_proj.weight"].T + W[a + "attention.o_proj.bias"], a + "attn_ln")
        up, gate = (x @ W[a + "mlp.up_gate_proj.weight"].T).split(FF, dim=-1)
        x = ln(x + (F.gelu(gate) * up) @ W[a + "mlp.down_proj.weight"].T + W[a + "mlp.down_proj.bias"], a + "mlp_ln")
    h = ln(F.gelu(x @ W["lm_head.dense.weight"].T + W["lm_head.dense.bias"]), "lm_head.norm")
    return h @ W["new.embeddings.word_embeddings.weight"].T + W["lm_head.decoder.bias"]


def weights(cfg, vocab_size):
    torch.manual_seed(23)
    D, FF = cfg["hidden_size"], cfg["intermediate_size"]
    r = lambda *shape, s=1.0: torch.randn(*shape) * s
    W = {"new.embeddings.word_embeddings.weight": r(vocab_size, D, s=0.5),
         "new.embeddings.token_type_embeddings.weight": r(2, D, s=0.1),
         "new.embeddings.LayerNorm.weight": 1 + r(D, s=0.1), "new.embeddings.LayerNorm.bias": r(D, s=0.1),
         "lm_head.dense.weight": r(D, D, s=1 / math.sqrt(D)), "lm_head.dense.bias": r(D, s=0.1),
         "lm_head.norm.weight": 1 + r(D, s=0.1), "lm_head.norm.bias": r(D, s=0.1),
         "lm_head.decoder.bias": r(vocab_size, s=0.5)}
    for i in range(cfg["num_hidden_layers"]):
        a = f"new.encoder.layer.{i}."
        W.update({a + "attention.qkv_proj.weight": r(3 * D, D, s=1 / math.sqrt(D)), a + "attention.qkv_proj.bias": r(3 * D, s=0.1),
                  a + "attention.o_proj.weight": r(D, D, s=1 / math.sqrt(D)), a + "attention.o_proj.bias": r(D, s=0.1),
                  a + "mlp.up_gate_proj.weight": r(2 * FF, D, s=1 / math.sqrt(D)),
                  a + "mlp.down_proj.weight": r(D, FF, s=1 / math.sqrt(FF)), a + "mlp.down_proj.bias": r(D, s=0.1)})
        for n in ("attn_ln", "mlp_ln"):
            W[a + n + ".weight"] = 1 + r(D, s=0.1)
            W[a + n + ".bias"] = r(D, s=0.1)
    return W


def main():
    vocab = ml.vocabulary()
    cfg = dict(CONFIG, vocab_size=len(vocab))
    W = weights(cfg, len(vocab))
    os.makedirs(os.path.join(OUT, "1_SpladePooling"), exist_ok=True)
    ml.pytorch_peer.save_safetensors(os.path.join(OUT, "model.safetensors"), W)  # tied: no decoder weight
    json.dump(cfg, open(os.path.join(OUT, "config.json"), "w"), indent=2)
    shutil.copy(os.path.join(ml.OUT, "tokenizer.json"), os.path.join(OUT, "tokenizer.json"))
    json.dump([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.sparse_encoder.models.MLMTransformer"},
               {"idx": 1, "name": "1", "path": "1_SpladePooling",
                "type": "sentence_transformers.sparse_encoder.models.SpladePooling"}],
              open(os.path.join(OUT, "modules.json"), "w"), indent=2)
    json.dump({"pooling_strategy": "max", "activation_function": "log1p_relu", "word_embedding_dimension": len(vocab)},
              open(os.path.join(OUT, "1_SpladePooling", "config.json"), "w"), indent=2)
    with open(os.path.join(OUT, "expected_docs.jsonl"), "w", encoding="utf-8") as out:
        for text in ml.TEXTS:
            ids = ml.ids_of(text, vocab)
            mask = torch.ones((1, len(ids)), dtype=torch.long)
            with torch.inference_mode():
                logits = forward(W, cfg, torch.tensor([ids]), mask)
                v = torch.log1p(torch.log1p(torch.relu(torch.max(logits * mask.unsqueeze(-1), dim=1).values)))[0]
                v[: len(ml.SPECIALS)] = 0
            vec = {i: float(v[i]) for i in v.nonzero().flatten().tolist()}
            out.write(json.dumps({"text": text, "input_ids": ids, "doc_vector": {vocab[i]: w for i, w in vec.items()},
                                  "doc_vector_ids": {str(i): w for i, w in vec.items()}}, ensure_ascii=False) + "\n")
    print(f"{OUT}: NewForMaskedLM, vocabulary {len(vocab)}, {len(ml.TEXTS)} texts")


if __name__ == "__main__":
    main()
