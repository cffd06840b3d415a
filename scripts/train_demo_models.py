#!/usr/bin/python3
"""Build MeRino's demo corpus and train its two tiny byte-level language models.

Outputs (see docs/demo-models.md):
  demo/calib.txt, demo/eval.txt          calibration / evaluation text (PSF-licensed)
  demo/tiny-gpt.onnx, demo/config.json   GPT-2-style demo model + HF-style config
  demo/reference.json                    its perplexity on eval.txt measured here
  test/fixtures/models/tiny-llama.onnx   LLaMA-style fixture (RMSNorm, SwiGLU, RoPE)
  test/fixtures/models/config.json, reference.json
  test/fixtures/models/tiny-gpt-kv.onnx  the demo model exported with a KV cache

Run from the repository root:  /usr/bin/python3 scripts/train_demo_models.py
Python and torch are only needed to regenerate these files, never at run time.
"""

import argparse
import ast
import hashlib
import json
import math
import multiprocessing as mp
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STDLIB = "/usr/lib/python3.11"
CONTEXT = 256
VOCAB = 256
SEED = 1234
# Per model: training steps and torch threads. The two models train in parallel, each
# in its own process with one thread, so the 2 cores are used.
PER_MODEL = {"gpt": dict(steps=500, threads=1), "llama": dict(steps=500, threads=1)}
CHECKPOINTS = "/tmp/merino-demo-models"  # trained weights, to re-export without retraining
SKIP_TRAIN = False

GPT_CONFIG = dict(model_type="gpt2", vocab_size=VOCAB, n_positions=CONTEXT, n_embd=128,
                  n_layer=4, n_head=4, n_inner=512, activation_function="gelu",
                  layer_norm_epsilon=1e-5, tie_word_embeddings=False)
LLAMA_CONFIG = dict(model_type="llama", vocab_size=VOCAB, max_position_embeddings=CONTEXT,
                    hidden_size=128, num_hidden_layers=4, num_attention_heads=4,
                    num_key_value_heads=4, intermediate_size=384, hidden_act="silu",
                    rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=False,
                    attention_bias=False, mlp_bias=False)
TRAIN = dict(batch=8, lr=3e-3, min_lr=3e-4, warmup=30, weight_decay=0.1,
             clip=1.0)


# ----------------------------------------------------------------------------- corpus

# Parts of the standard library that carry a licence other than the PSF License
# (Debian's /usr/share/doc/python3.11/copyright): left out so the corpus is PSF-only.
NOT_PSF = ("logging/", "multiprocessing/", "sqlite3/", "asyncio/", "asynchat.py",
           "asyncore.py", "tarfile.py", "turtle.py", "ctypes/macholib/",
           "_distutils_system_mod.py")  # the last one is a Debian addition


def stdlib_documents():
    """(id, text) for every docstring of CPython's pure-Python standard library and
    every pydoc help topic, in a fixed order. Third-party and test code is skipped."""
    skip = {"dist-packages", "site-packages", "test", "tests", "idle_test", "__pycache__"}
    docs = []
    for dirpath, dirnames, filenames in os.walk(STDLIB):
        dirnames[:] = sorted(d for d in dirnames if d not in skip)
        for name in sorted(filenames):
            if not name.endswith(".py"):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, STDLIB)
            if rel.startswith(NOT_PSF):
                continue
            try:
                with open(path, encoding="utf-8") as f:
                    tree = ast.parse(f.read())
            except (SyntaxError, UnicodeDecodeError, ValueError):
                continue
            parts = []
            for node in ast.walk(tree):
                if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                     ast.AsyncFunctionDef)):
                    doc = ast.get_docstring(node)
                    if doc:
                        parts.append(doc.strip())
            if parts:
                docs.append(("stdlib/" + rel, "\n\n".join(parts)))
    import pydoc_data.topics as topics
    for key in sorted(topics.topics):
        docs.append(("pydoc_data/" + key, topics.topics[key].strip()))
    return docs


def split_of(doc_id):
    """Deterministic split by a hash of the document id: ~5% eval, ~15% calib, rest train."""
    h = int(hashlib.sha256(doc_id.encode()).hexdigest()[:8], 16) % 100
    return "eval" if h < 5 else "calib" if h < 20 else "train"


def normalise(text):
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return "".join(ch for ch in text if ch == "\n" or ch.isprintable())


def build_corpus():
    splits = {"train": [], "calib": [], "eval": []}
    for doc_id, text in stdlib_documents():
        splits[split_of(doc_id)].append(normalise(text))
    return {k: ("\n\n".join(v) + "\n").encode("utf-8") for k, v in splits.items()}


# ----------------------------------------------------------------------------- GPT-2 style

class GPTAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.n_head, self.n_embd = c["n_head"], c["n_embd"]
        self.scale = 1.0 / math.sqrt(c["n_embd"] // c["n_head"])
        self.c_attn = nn.Linear(c["n_embd"], 3 * c["n_embd"])
        self.c_proj = nn.Linear(c["n_embd"], c["n_embd"])
        t = c["n_positions"]
        self.register_buffer("causal", torch.tril(torch.ones(t, t, dtype=torch.bool)),
                             persistent=False)

    def forward(self, x, mask, past=None):
        b, s, e = x.shape
        h = self.n_head
        q, k, v = self.c_attn(x).split(e, dim=2)
        q = q.view(b, s, h, e // h).transpose(1, 2)
        k = k.view(b, s, h, e // h).transpose(1, 2)
        v = v.view(b, s, h, e // h).transpose(1, 2)
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        present = (k, v)
        p = k.shape[2] - s
        att = (q @ k.transpose(-2, -1)) * self.scale
        allowed = self.causal[p:p + s, :p + s].view(1, 1, s, p + s)
        if mask is not None:
            allowed = allowed & mask.view(b, 1, 1, p + s).bool()
        att = att.masked_fill(~allowed, torch.finfo(att.dtype).min)
        y = F.softmax(att, dim=-1) @ v
        y = y.transpose(1, 2).reshape(b, s, e)
        return self.c_proj(y), present


class GPTMLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_fc = nn.Linear(c["n_embd"], c["n_inner"])
        self.act = nn.GELU()
        self.c_proj = nn.Linear(c["n_inner"], c["n_embd"])

    def forward(self, x):
        return self.c_proj(self.act(self.c_fc(x)))


class GPTBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln_1 = nn.LayerNorm(c["n_embd"], eps=c["layer_norm_epsilon"])
        self.attn = GPTAttention(c)
        self.ln_2 = nn.LayerNorm(c["n_embd"], eps=c["layer_norm_epsilon"])
        self.mlp = GPTMLP(c)

    def forward(self, x, mask, past=None):
        a, present = self.attn(self.ln_1(x), mask, past)
        x = x + a
        return x + self.mlp(self.ln_2(x)), present


class GPTBody(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.wte = nn.Embedding(c["vocab_size"], c["n_embd"])
        self.wpe = nn.Embedding(c["n_positions"], c["n_embd"])
        self.h = nn.ModuleList(GPTBlock(c) for _ in range(c["n_layer"]))
        self.ln_f = nn.LayerNorm(c["n_embd"], eps=c["layer_norm_epsilon"])

    def forward(self, input_ids, attention_mask=None, past=None):
        s = input_ids.shape[1]
        p = 0 if past is None else past[0][0].shape[2]
        pos = torch.arange(p, p + s, dtype=torch.long, device=input_ids.device)
        x = self.wte(input_ids) + self.wpe(pos).unsqueeze(0)
        presents = []
        for i, block in enumerate(self.h):
            x, present = block(x, attention_mask, None if past is None else past[i])
            presents.append(present)
        return self.ln_f(x), presents


class TinyGPT(nn.Module):
    """GPT-2 layout and module names (transformer.h.N.attn.c_attn, ...), untied lm_head."""

    def __init__(self, c):
        super().__init__()
        self.config = c
        self.transformer = GPTBody(c)
        self.lm_head = nn.Linear(c["n_embd"], c["vocab_size"], bias=False)

    def forward(self, input_ids, attention_mask=None, *flat_past):
        """flat_past: key_0, value_0, key_1, ... [batch, heads, past, head_dim]; when given,
        returns (logits, present key_0, value_0, ...) over past + new positions."""
        past = [(flat_past[2 * i], flat_past[2 * i + 1]) for i in range(len(flat_past) // 2)]
        x, presents = self.transformer(input_ids, attention_mask, past or None)
        logits = self.lm_head(x)
        return (logits,) + tuple(t for kv in presents for t in kv) if past else logits


# ----------------------------------------------------------------------------- LLaMA style

class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class LlamaAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        e, self.n_head = c["hidden_size"], c["num_attention_heads"]
        self.scale = 1.0 / math.sqrt(e // self.n_head)
        self.q_proj = nn.Linear(e, e, bias=False)
        self.k_proj = nn.Linear(e, e, bias=False)
        self.v_proj = nn.Linear(e, e, bias=False)
        self.o_proj = nn.Linear(e, e, bias=False)
        t = c["max_position_embeddings"]
        self.register_buffer("causal", torch.tril(torch.ones(t, t, dtype=torch.bool)),
                             persistent=False)

    def forward(self, x, mask, cos, sin):
        b, s, e = x.shape
        h = self.n_head
        q = self.q_proj(x).view(b, s, h, e // h).transpose(1, 2)
        k = self.k_proj(x).view(b, s, h, e // h).transpose(1, 2)
        v = self.v_proj(x).view(b, s, h, e // h).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        att = (q @ k.transpose(-2, -1)) * self.scale
        allowed = self.causal[:s, :s].view(1, 1, s, s)
        if mask is not None:
            allowed = allowed & mask.view(b, 1, 1, s).bool()
        att = att.masked_fill(~allowed, torch.finfo(att.dtype).min)
        y = (F.softmax(att, dim=-1) @ v).transpose(1, 2).reshape(b, s, e)
        return self.o_proj(y)


class LlamaMLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        e, f = c["hidden_size"], c["intermediate_size"]
        self.gate_proj = nn.Linear(e, f, bias=False)
        self.up_proj = nn.Linear(e, f, bias=False)
        self.down_proj = nn.Linear(f, e, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class LlamaBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.input_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.self_attn = LlamaAttention(c)
        self.post_attention_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.mlp = LlamaMLP(c)

    def forward(self, x, mask, cos, sin):
        x = x + self.self_attn(self.input_layernorm(x), mask, cos, sin)
        return x + self.mlp(self.post_attention_layernorm(x))


class LlamaBody(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList(LlamaBlock(c) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])

    def forward(self, input_ids, attention_mask, cos, sin):
        x = self.embed_tokens(input_ids)
        for layer in self.layers:
            x = layer(x, attention_mask, cos, sin)
        return self.norm(x)


class TinyLlama(nn.Module):
    """LLaMA layout and module names (model.layers.N.self_attn.q_proj, ...), rotary
    position embeddings (rotate-half convention) gathered by position_ids."""

    def __init__(self, c):
        super().__init__()
        self.config = c
        self.model = LlamaBody(c)
        self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        hd = c["hidden_size"] // c["num_attention_heads"]
        inv = 1.0 / (c["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
        ang = torch.outer(torch.arange(c["max_position_embeddings"], dtype=torch.float64), inv)
        ang = torch.cat((ang, ang), dim=-1)
        self.register_buffer("rope_cos", ang.cos().float(), persistent=False)
        self.register_buffer("rope_sin", ang.sin().float(), persistent=False)

    def forward(self, input_ids, attention_mask=None, position_ids=None):
        if position_ids is None:
            position_ids = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        cos = self.rope_cos[position_ids].unsqueeze(1)
        sin = self.rope_sin[position_ids].unsqueeze(1)
        return self.lm_head(self.model(input_ids, attention_mask, cos, sin))


# ----------------------------------------------------------------------------- training

def init_weights(model, n_layer):
    for name, p in model.named_parameters():
        if p.dim() == 2:
            std = 0.02
            if name.endswith(("c_proj.weight", "o_proj.weight", "down_proj.weight")):
                std = 0.02 / math.sqrt(2 * n_layer)
            nn.init.normal_(p, 0.0, std)
        elif name.endswith("bias"):
            nn.init.zeros_(p)


def train(model, data, n_layer, log):
    cfg = TRAIN
    gen = torch.Generator().manual_seed(SEED)
    init_weights(model, n_layer)
    decay = [p for n, p in model.named_parameters() if p.dim() == 2]
    other = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg["weight_decay"]},
                             {"params": other, "weight_decay": 0.0}],
                            lr=cfg["lr"], betas=(0.9, 0.95))
    tokens = torch.from_numpy(np.frombuffer(data, dtype=np.uint8).astype(np.int64))
    start, losses = time.time(), []
    model.train()
    for step in range(cfg["steps"]):
        lr = schedule(step)
        for g in opt.param_groups:
            g["lr"] = lr
        offs = torch.randint(0, len(tokens) - CONTEXT - 1, (cfg["batch"],), generator=gen)
        batch = torch.stack([tokens[o:o + CONTEXT + 1] for o in offs.tolist()])
        logits = model(batch[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), batch[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["clip"])
        opt.step()
        losses.append(loss.item())
        if step % 25 == 0 or step == cfg["steps"] - 1:
            log(f"  step {step:5d}  loss {loss.item():.4f}  lr {lr:.2e}  "
                f"{time.time() - start:6.1f}s")
    model.eval()
    return {"steps": cfg["steps"], "seconds": round(time.time() - start, 1),
            "final_train_loss_avg_last_50": round(float(np.mean(losses[-50:])), 4)}


def schedule(step):
    c = TRAIN
    if step < c["warmup"]:
        return c["lr"] * (step + 1) / c["warmup"]
    t = (step - c["warmup"]) / max(1, c["steps"] - c["warmup"])
    return c["min_lr"] + 0.5 * (c["lr"] - c["min_lr"]) * (1 + math.cos(math.pi * t))


# ----------------------------------------------------------------------------- perplexity

@torch.no_grad()
def perplexity(model, text, seqlen, max_windows=None, dtype=torch.float32, extra=None):
    """ALGORITHMS.md §3: non-overlapping windows of seqlen bytes, final partial window
    dropped, positions 0..S-2 predict 1..S-1, natural log, float64 accumulation."""
    tokens = np.frombuffer(text, dtype=np.uint8).astype(np.int64)
    windows = len(tokens) // seqlen
    if max_windows is not None:
        windows = min(windows, max_windows)
    m = model.to(dtype)
    total, count = 0.0, 0
    for w0 in range(0, windows, 16):
        ids = torch.from_numpy(tokens[w0 * seqlen:min(windows, w0 + 16) * seqlen].copy())
        ids = ids.view(-1, seqlen)
        inputs = extra(ids) if extra else {}
        logits = m(ids, **inputs).to(torch.float64)
        logp = torch.log_softmax(logits[:, :-1], dim=-1)
        nll = -logp.gather(-1, ids[:, 1:].unsqueeze(-1)).squeeze(-1)
        total += float(nll.sum().item())
        count += nll.numel()
    model.to(torch.float32)
    return {"windows": windows, "predictions": count, "ppl": math.exp(total / count)}


def unigram_perplexity(train, text, seqlen):
    """Byte-frequency model fitted on the training split (add-one smoothing), scored on
    the same predictions as perplexity()."""
    counts = np.bincount(np.frombuffer(train, dtype=np.uint8), minlength=256) + 1.0
    logp = np.log(counts / counts.sum())
    tokens = np.frombuffer(text, dtype=np.uint8)
    windows = len(tokens) // seqlen
    w = tokens[:windows * seqlen].reshape(windows, seqlen)[:, 1:]
    return math.exp(-float(logp[w].sum()) / w.size)


# ----------------------------------------------------------------------------- export

def ones_mask(ids):
    return torch.ones_like(ids)


def export(model, path, example_inputs, input_names, output_names, dynamic_axes):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp-export"
    torch.onnx.export(model, example_inputs, tmp, input_names=input_names,
                      output_names=output_names, dynamic_axes=dynamic_axes,
                      opset_version=17, do_constant_folding=True)
    import onnx
    m = onnx.load(tmp)
    os.remove(tmp)
    name_matmul_weights(m, [n for n, _ in model.named_modules()])
    m.producer_name = "merino scripts/train_demo_models.py (torch " + torch.__version__ + ")"
    onnx.checker.check_model(m, full_check=True)
    onnx.save_model(m, tmp, save_as_external_data=False)
    os.replace(tmp, path)
    return m


def name_matmul_weights(m, modules):
    """Give the folded MatMul weights (exported as onnx::MatMul_NNN) the module's name:
    node /model/layers.3/mlp/up_proj/MatMul -> initializer model.layers.3.mlp.up_proj.weight,
    stored [K, N] = [in_features, out_features] (the transpose of torch's nn.Linear)."""
    inits = {t.name: t for t in m.graph.initializer}
    renames = {}
    for node in m.graph.node:
        if node.op_type == "MatMul" and node.input[1] in inits and \
                node.input[1].startswith("onnx::"):
            scope = node.name.strip("/").rsplit("/", 1)[0].replace("/", ".")
            module = next(n for n in modules if n == scope or n.endswith("." + scope))
            renames[node.input[1]] = module + ".weight"
    for old, new in renames.items():
        inits[old].name = new
    for node in m.graph.node:
        for i, name in enumerate(node.input):
            if name in renames:
                node.input[i] = renames[name]


def export_gpt(model, path):
    ids = torch.randint(0, VOCAB, (2, 16))
    return export(model, path, (ids, {"attention_mask": ones_mask(ids)}),
                  ["input_ids", "attention_mask"], ["logits"],
                  {"input_ids": {0: "batch", 1: "sequence"},
                   "attention_mask": {0: "batch", 1: "sequence"},
                   "logits": {0: "batch", 1: "sequence"}})


def export_gpt_kv(model, path):
    c = model.config
    n, h, hd = c["n_layer"], c["n_head"], c["n_embd"] // c["n_head"]
    ids = torch.randint(0, VOCAB, (2, 5))
    past = [torch.randn(2, h, 3, hd) for _ in range(2 * n)]
    names = [f"past_key_values.{i}.{kv}" for i in range(n) for kv in ("key", "value")]
    outs = [f"present.{i}.{kv}" for i in range(n) for kv in ("key", "value")]
    axes = {"input_ids": {0: "batch", 1: "sequence"},
            "attention_mask": {0: "batch", 1: "total_sequence"},
            "logits": {0: "batch", 1: "sequence"}}
    axes.update({x: {0: "batch", 2: "past_sequence"} for x in names})
    axes.update({x: {0: "batch", 2: "total_sequence"} for x in outs})
    mask = torch.ones(2, 8, dtype=torch.long)
    return export(model, path, (ids, mask, *past),
                  ["input_ids", "attention_mask"] + names, ["logits"] + outs, axes)


def export_llama(model, path):
    ids = torch.randint(0, VOCAB, (2, 16))
    pos = torch.arange(16).unsqueeze(0).expand(2, 16).contiguous()
    return export(model, path, (ids, {"attention_mask": ones_mask(ids), "position_ids": pos}),
                  ["input_ids", "attention_mask", "position_ids"], ["logits"],
                  {"input_ids": {0: "batch", 1: "sequence"},
                   "attention_mask": {0: "batch", 1: "sequence"},
                   "position_ids": {0: "batch", 1: "sequence"},
                   "logits": {0: "batch", 1: "sequence"}})


def llama_inputs(ids):
    pos = torch.arange(ids.shape[1]).unsqueeze(0).expand_as(ids).contiguous()
    return {"attention_mask": ones_mask(ids), "position_ids": pos}


def gpt_inputs(ids):
    return {"attention_mask": ones_mask(ids)}


# ----------------------------------------------------------------------------- main

def write_bytes(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp-write", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp-write", path)


def write_json(path, obj):
    write_bytes(path, (json.dumps(obj, indent=2) + "\n").encode())


def describe_matmuls(m):
    shapes = {t.name: list(t.dims) for t in m.graph.initializer}
    return [(n.name, n.input[1], shapes[n.input[1]]) for n in m.graph.node
            if n.op_type == "MatMul" and n.input[1] in shapes]


def build_model(kind, corpus, out_dir, model_file, log):
    torch.manual_seed(SEED)
    if kind == "gpt":
        c, model, inputs = GPT_CONFIG, TinyGPT(GPT_CONFIG), gpt_inputs
        n_layer = c["n_layer"]
    else:
        c, model, inputs = LLAMA_CONFIG, TinyLlama(LLAMA_CONFIG), llama_inputs
        n_layer = c["num_hidden_layers"]
    params = sum(p.numel() for p in model.parameters())
    ckpt = os.path.join(CHECKPOINTS, kind + ".pt")
    if SKIP_TRAIN:
        saved = torch.load(ckpt)
        model.load_state_dict(saved["state"])
        model.eval()
        stats = saved["stats"]
        log(f"{kind}: loaded {ckpt} ({params} parameters)")
    else:
        log(f"{kind}: {params} parameters, training {TRAIN['steps']} steps")
        stats = train(model, corpus["train"], n_layer, log)
        os.makedirs(CHECKPOINTS, exist_ok=True)
        torch.save({"state": model.state_dict(), "stats": stats}, ckpt)
    path = os.path.join(out_dir, model_file)
    m = (export_gpt if kind == "gpt" else export_llama)(model, path)
    # Paths are relative to the folder of reference.json.
    text = os.path.relpath(os.path.join(REPO, "demo", "eval.txt"), out_dir)
    ref = {"model": model_file, "text": text, "seqlen": CONTEXT}
    full = perplexity(model, corpus["eval"], CONTEXT, extra=inputs)
    ref.update(full)
    ref["ppl_max_windows_8"] = perplexity(model, corpus["eval"], CONTEXT, 8, extra=inputs)["ppl"]
    ref["calib_ppl_max_windows_64"] = perplexity(model, corpus["calib"], CONTEXT, 64,
                                                 extra=inputs)["ppl"]
    ref["ppl_float64_forward"] = perplexity(model, corpus["eval"], CONTEXT,
                                            dtype=torch.float64, extra=inputs)["ppl"]
    ref["unigram_ppl"] = unigram_perplexity(corpus["train"], corpus["eval"], CONTEXT)
    ref["eval_text_sha256"] = hashlib.sha256(corpus["eval"]).hexdigest()
    ref["train"] = dict(stats, **{k: v for k, v in TRAIN.items() if k != "steps"},
                        seed=SEED, threads=torch.get_num_threads(),
                        torch=torch.__version__)
    ref["parameters"] = params
    ref["file_bytes"] = os.path.getsize(path)
    write_json(os.path.join(out_dir, "reference.json"), ref)
    write_json(os.path.join(out_dir, "config.json"), dict(c, architectures=[
        "GPT2LMHeadModel" if kind == "gpt" else "LlamaForCausalLM"],
        torch_dtype="float32", bos_token_id=None, eos_token_id=None))
    log(f"{kind}: eval ppl {full['ppl']:.4f} (unigram {ref['unigram_ppl']:.3f}), "
        f"{ref['file_bytes']} bytes")
    for name, weight, shape in describe_matmuls(m):
        log(f"  {name:45s} {weight:40s} {shape}")
    return model


def build_worker(kind, corpus, steps, skip_train):
    """One model, in its own process (the two models train in parallel, one thread each)."""
    global SKIP_TRAIN
    TRAIN["steps"] = steps or PER_MODEL[kind]["steps"]
    SKIP_TRAIN = skip_train
    torch.set_num_threads(PER_MODEL[kind]["threads"])
    torch.set_num_interop_threads(1)
    log = lambda s: print(f"[{kind}] {s}", flush=True)  # noqa: E731
    demo = os.path.join(REPO, "demo")
    fixtures = os.path.join(REPO, "test", "fixtures", "models")
    if kind == "gpt":
        gpt = build_model("gpt", corpus, demo, "tiny-gpt.onnx", log)
        m = export_gpt_kv(gpt, os.path.join(fixtures, "tiny-gpt-kv.onnx"))
        log(f"gpt-kv: {len(m.graph.input)} inputs, {len(m.graph.output)} outputs")
    else:
        build_model("llama", corpus, fixtures, "tiny-llama.onnx", log)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", choices=["corpus", "gpt", "llama"], action="append",
                    help="build only these parts (default: all)")
    ap.add_argument("--steps", type=int, help="training steps (default: per model, "
                    + ", ".join(f"{k} {v['steps']}" for k, v in PER_MODEL.items()) + ")")
    ap.add_argument("--write-train", metavar="PATH", help="also write the training split")
    ap.add_argument("--skip-train", action="store_true",
                    help=f"re-export and re-measure the weights saved in {CHECKPOINTS}")
    args = ap.parse_args()
    parts = set(args.only or ["corpus", "gpt", "llama"])

    corpus = build_corpus()
    print("corpus bytes: " + ", ".join(f"{k} {len(v)}" for k, v in corpus.items()), flush=True)
    demo = os.path.join(REPO, "demo")
    if "corpus" in parts:
        write_bytes(os.path.join(demo, "calib.txt"), corpus["calib"])
        write_bytes(os.path.join(demo, "eval.txt"), corpus["eval"])
    if args.write_train:
        write_bytes(os.path.abspath(args.write_train), corpus["train"])
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=build_worker, args=(kind, corpus, args.steps, args.skip_train))
             for kind in ("gpt", "llama") if kind in parts]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return max([p.exitcode for p in procs] + [0])


if __name__ == "__main__":
    sys.exit(main())
