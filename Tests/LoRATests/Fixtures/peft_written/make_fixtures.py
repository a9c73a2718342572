#!/usr/bin/env python3
"""Write reference fixtures with the real Hugging Face PEFT library.

Run from the package root:

    /work/venv-peft/bin/python Tests/LoRATests/Fixtures/peft_written/make_fixtures.py

Everything this script owns under Tests/LoRATests/Fixtures/peft_written/ (the case
folders, loraconfig_defaults.json, manifest.json) is deleted and written again.
README.md and this script are not touched. The output is deterministic: the same
torch/peft versions give byte-identical files.

Each case builds the same tiny LLaMA-named model, wraps it with
peft.get_peft_model, overwrites every LoRA parameter with seeded non-zero random
values, saves the adapter with save_pretrained (safetensors) and writes
expected.safetensors with PEFT's own numbers. It then checks, and stops with a
non-zero exit on any mismatch:
  * PEFT's per-module r, lora_alpha and scaling against the values this script
    predicts from PEFT's pattern rule (so a change of rule in a new PEFT shows up);
  * PEFT's get_delta_weight, the layer's forward output and the merged weight
    against plain torch arithmetic written here;
  * that every saved folder reloads with PeftModel.from_pretrained into a fresh
    copy of the base model and gives bit-identical delta weights, scalings, ranks,
    outputs (and DoRA magnitudes). The one exception is the `both_patterns` case,
    whose reload PEFT itself gets wrong; there the script asserts the exact
    failure (see README.md).
"""

import os
import sys

# adapter_config.json stores target_modules as list(set(...)); a set of strings
# iterates in hash order, so fix the hash seed for byte-identical output.
if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

import copy
import json
import math
import shutil
import tempfile
import warnings
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import save_file

import peft
from peft import LoraConfig, PeftModel, get_peft_model
from peft.tuners.lora import LoraLayer

HERE = Path(__file__).resolve().parent

D_MODEL = 16
N_LAYERS = 2
VOCAB = 12
CONTEXT = 8
D_MLP = 64

BASE_SEED = 1234      # base model weights
INPUT_SEED = 4321     # the x fed through each adapted layer

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
warnings.filterwarnings("ignore")


# --------------------------------------------------------------------------
# The tiny transformer, with the Swift package's module paths.
# --------------------------------------------------------------------------

class Norm(nn.Module):
    """RMS norm with a weight parameter (never adapted)."""

    def __init__(self, d):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * self.weight


class SelfAttention(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.q_proj = nn.Linear(d, d, bias=False)
        self.k_proj = nn.Linear(d, d, bias=False)
        self.v_proj = nn.Linear(d, d, bias=False)
        self.o_proj = nn.Linear(d, d, bias=False)

    def forward(self, x):  # single head, causal
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
        t = x.shape[-2]
        mask = torch.ones(t, t, dtype=torch.bool).triu(1)
        scores = scores.masked_fill(mask, float("-inf"))
        return self.o_proj(scores.softmax(-1) @ v)


class FeedForward(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.up_proj = nn.Linear(d, hidden, bias=False)
        self.down_proj = nn.Linear(hidden, d, bias=False)

    def forward(self, x):
        return self.down_proj(F.gelu(self.up_proj(x)))


class Block(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.input_layernorm = Norm(d)
        self.self_attn = SelfAttention(d)
        self.post_attention_layernorm = Norm(d)
        self.mlp = FeedForward(d, hidden)

    def forward(self, x):
        x = x + self.self_attn(self.input_layernorm(x))
        return x + self.mlp(self.post_attention_layernorm(x))


class TinyLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed_tokens = nn.Embedding(VOCAB, D_MODEL)
        self.embed_positions = nn.Embedding(CONTEXT, D_MODEL)
        self.layers = nn.ModuleList([Block(D_MODEL, D_MLP) for _ in range(N_LAYERS)])
        self.norm = Norm(D_MODEL)
        self.lm_head = nn.Linear(D_MODEL, VOCAB, bias=False)

    def forward(self, input_ids):
        pos = torch.arange(input_ids.shape[-1])
        x = self.embed_tokens(input_ids) + self.embed_positions(pos)
        for layer in self.layers:
            x = layer(x)
        return self.lm_head(self.norm(x))


def build_base():
    torch.manual_seed(BASE_SEED)
    return TinyLM().eval()


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

class FixtureError(AssertionError):
    pass


def check(cond, msg):
    if not cond:
        raise FixtureError(msg)


def close(a, b, what, atol=1e-5, rtol=1e-5):
    check(a.shape == b.shape, f"{what}: shape {tuple(a.shape)} != {tuple(b.shape)}")
    if not torch.allclose(a, b, atol=atol, rtol=rtol):
        err = (a - b).abs().max().item()
        raise FixtureError(f"{what}: max abs difference {err}")


def identical(a, b, what):
    check(a.shape == b.shape, f"{what}: shape {tuple(a.shape)} != {tuple(b.shape)}")
    check(torch.equal(a, b), f"{what}: not bit-identical (max diff {(a - b).abs().max().item()})")


def lora_modules(peft_model):
    """(path, LoraLayer) in model order; paths have no `base_model.model.` prefix."""
    inner = peft_model.base_model.model
    return [(name, mod) for name, mod in inner.named_modules() if isinstance(mod, LoraLayer)]


def fill_adapter(peft_model, adapter, seed):
    """Overwrite lora_A, lora_B (and a DoRA magnitude) with seeded non-zero values."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for path, mod in lora_modules(peft_model):
            if adapter not in mod.lora_A:
                continue
            for p in (mod.lora_A[adapter].weight, mod.lora_B[adapter].weight):
                p.copy_(torch.randn(p.shape, generator=g) * 0.5)
            if adapter in mod.lora_magnitude_vector:
                m = mod.lora_magnitude_vector[adapter].weight
                m.copy_(torch.rand(m.shape, generator=g) + 0.5)   # in [0.5, 1.5)
            for name, p in mod.named_parameters():
                if f".{adapter}." in f".{name}." and "base_layer" not in name:
                    check(bool((p != 0).all()), f"{path}.{name} has a zero entry")


def module_input(path, in_features):
    """The fixed input for one module: shape (3, in), seeded from the path."""
    seed = INPUT_SEED + sum(ord(c) * (i + 1) for i, c in enumerate(path))
    g = torch.Generator().manual_seed(seed)
    return torch.randn(3, in_features, generator=g)


def scalar(v):
    return torch.tensor([float(v)], dtype=torch.float32)


def f32(t):
    return t.detach().to(torch.float32).contiguous().clone()


def own_delta(mod, adapter):
    A = mod.lora_A[adapter].weight.detach()
    B = mod.lora_B[adapter].weight.detach()
    return (B @ A) * mod.scaling[adapter]


def own_effective_weight(mod, adapter):
    """W' such that the adapted layer computes x @ W'.T (LoRA or DoRA)."""
    W = mod.get_base_layer().weight.detach()
    Wd = W + own_delta(mod, adapter)
    if adapter in mod.lora_magnitude_vector:
        m = mod.lora_magnitude_vector[adapter].weight.detach()
        return Wd * (m / torch.linalg.norm(Wd, dim=1)).unsqueeze(1)
    return Wd


def record(expected, prefix, path, mod, adapter, x):
    """PEFT's own numbers for one module and one adapter, plus own-math checks."""
    key = f"{prefix}{path}"
    delta = mod.get_delta_weight(adapter)
    expected[f"{key}.delta_weight"] = f32(delta)
    expected[f"{key}.scaling"] = scalar(mod.scaling[adapter])
    expected[f"{key}.rank"] = scalar(mod.r[adapter])
    expected[f"{key}.alpha"] = scalar(mod.lora_alpha[adapter])
    expected[f"{key}.lora_A"] = f32(mod.lora_A[adapter].weight)
    expected[f"{key}.lora_B"] = f32(mod.lora_B[adapter].weight)
    if adapter in mod.lora_magnitude_vector:
        expected[f"{key}.magnitude"] = f32(mod.lora_magnitude_vector[adapter].weight)

    with torch.no_grad():
        out = mod(x)
        merged_mod = copy.deepcopy(mod)
        merged_mod.merge(safe_merge=True, adapter_names=[adapter])
        merged = merged_mod.get_base_layer().weight.detach()
    expected[f"{key}.output"] = f32(out)
    if adapter in mod.lora_magnitude_vector:
        # only DoRA's merge is more than base_weight + delta_weight; keep the files small
        expected[f"{key}.merged_weight"] = f32(merged)

    # own arithmetic, independent of PEFT's code paths
    close(delta, own_delta(mod, adapter), f"{key} delta vs B@A*scaling")
    Weff = own_effective_weight(mod, adapter)
    close(out, x @ Weff.T, f"{key} forward vs own math")
    close(merged, Weff, f"{key} merged weight vs own math")


def record_base(expected, path, mod, x):
    expected[f"{path}.base_weight"] = f32(mod.get_base_layer().weight)
    expected[f"{path}.input"] = f32(x)


def write_expected(case_dir, expected, meta):
    # One metadata key only: the safetensors writer keeps __metadata__ in a hash map
    # whose order changes from run to run, which would make the file bytes differ.
    # (json.dumps without sort_keys keeps the insertion order of rank_pattern.)
    save_file(dict(sorted(expected.items())), str(case_dir / "expected.safetensors"),
              metadata={"fixture": json.dumps(meta)})


def save_adapter(peft_model, save_dir, selected=None):
    """save_pretrained, minus the generated model card (README.md)."""
    if selected is None:
        peft_model.save_pretrained(str(save_dir))
    else:
        peft_model.save_pretrained(str(save_dir), selected_adapters=selected)
    card = save_dir / "README.md"
    if card.exists():
        card.unlink()


def file_keys(path):
    with safe_open(str(path), framework="pt") as f:
        return {k: {"shape": list(f.get_slice(k).get_shape()), "dtype": f.get_slice(k).get_dtype()}
                for k in sorted(f.keys())}


def load_expected(path):
    with safe_open(str(path), framework="pt") as f:
        # clone: a tensor viewing the file's buffer can be misaligned, and BLAS then
        # takes another kernel path whose float32 rounding differs in the last bits
        return {k: f.get_tensor(k).clone() for k in f.keys()}


def check_predicted(case, prefix, mod_info, predicted, use_rslora=False):
    """PEFT's per-module (r, alpha, scaling) must equal the values predicted here."""
    got_paths = sorted(mod_info)
    check(got_paths == sorted(predicted),
          f"{case}: PEFT adapted {got_paths}, predicted {sorted(predicted)}")
    for path, (r, alpha) in predicted.items():
        gr, galpha, gscale = mod_info[path]
        want_scale = alpha / math.sqrt(r) if use_rslora else alpha / r
        check(gr == r and galpha == alpha and abs(gscale - want_scale) < 1e-12,
              f"{case} {prefix}{path}: PEFT r={gr} alpha={galpha} scaling={gscale}, "
              f"predicted r={r} alpha={alpha} scaling={want_scale}")


def check_reload(case, adapter_dir, expected, prefix=""):
    """Reload a saved folder into a fresh base model; compare with expected."""
    reloaded = PeftModel.from_pretrained(build_base(), str(adapter_dir)).eval()
    mods = dict(lora_modules(reloaded))
    want_paths = sorted(k[len(prefix):-len(".delta_weight")] for k in expected
                        if k.startswith(prefix + "layers.") and k.endswith(".delta_weight"))
    check(sorted(mods) == want_paths, f"{case}: reload adapted {sorted(mods)}, expected {want_paths}")
    for path, mod in mods.items():
        key = f"{prefix}{path}"
        with torch.no_grad():
            identical(f32(mod.get_delta_weight("default")), expected[f"{key}.delta_weight"],
                      f"{case} reload {key}.delta_weight")
            identical(scalar(mod.scaling["default"]), expected[f"{key}.scaling"], f"{case} reload {key}.scaling")
            identical(scalar(mod.r["default"]), expected[f"{key}.rank"], f"{case} reload {key}.rank")
            identical(f32(mod.lora_A["default"].weight), expected[f"{key}.lora_A"], f"{case} reload {key}.lora_A")
            identical(f32(mod.lora_B["default"].weight), expected[f"{key}.lora_B"], f"{case} reload {key}.lora_B")
            if f"{key}.magnitude" in expected:
                identical(f32(mod.lora_magnitude_vector["default"].weight), expected[f"{key}.magnitude"],
                          f"{case} reload {key}.magnitude")
            identical(f32(mod.get_base_layer().weight), expected[f"{path}.base_weight"],
                      f"{case} reload {path}.base_weight")
            out = mod(expected[f"{path}.input"])
            identical(f32(out), expected[f"{key}.output"], f"{case} reload {key}.output")


# --------------------------------------------------------------------------
# Single-adapter cases
# --------------------------------------------------------------------------

def q(i): return f"layers.{i}.self_attn.q_proj"
def k(i): return f"layers.{i}.self_attn.k_proj"
def v(i): return f"layers.{i}.self_attn.v_proj"
def o(i): return f"layers.{i}.self_attn.o_proj"
def up(i): return f"layers.{i}.mlp.up_proj"
def down(i): return f"layers.{i}.mlp.down_proj"


# name -> (LoraConfig kwargs, {path: (r, alpha)} predicted by PEFT's rule, reload expectation)
SINGLE_CASES = {
    "alpha_pattern": (
        dict(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], alpha_pattern={"q_proj": 32}),
        {q(0): (4, 32), v(0): (4, 8), q(1): (4, 32), v(1): (4, 8)},
        "ok",
    ),
    "rank_pattern": (
        dict(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "up_proj"], rank_pattern={"up_proj": 2}),
        {q(0): (4, 8), v(0): (4, 8), up(0): (2, 8), q(1): (4, 8), v(1): (4, 8), up(1): (2, 8)},
        "ok",
    ),
    # In memory PEFT takes the first pattern key that matches, in the dict's insertion order:
    # layers.0 k_proj -> "layers.0.self_attn.k_proj" (2); layers.1 k_proj -> "k_proj" (3).
    # save_pretrained writes adapter_config.json with json.dumps(sort_keys=True), so the
    # saved rank_pattern reads {"k_proj": 3, "layers.0.self_attn.k_proj": 2}; on reload
    # "k_proj" matches first, PEFT builds r=3 for layers.0 k_proj and load_state_dict
    # fails on the r=2 tensors. The script asserts exactly that failure.
    "both_patterns": (
        dict(r=4, lora_alpha=8, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"],
             rank_pattern={"layers.0.self_attn.k_proj": 2, "k_proj": 3},
             alpha_pattern={"o_proj": 2, "layers.1.self_attn.q_proj": 16}),
        {q(0): (4, 8), k(0): (2, 8), v(0): (4, 8), o(0): (4, 2),
         q(1): (4, 16), k(1): (3, 8), v(1): (4, 8), o(1): (4, 2)},
        "fails:" + k(0),
    ),
    # The same patterns with rank_pattern already in the order the saved file has
    # (sorted): "k_proj" is first and matches both k_proj modules, so the more
    # specific key never applies. This one reloads.
    "both_patterns_file_order": (
        dict(r=4, lora_alpha=8, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"],
             rank_pattern={"k_proj": 3, "layers.0.self_attn.k_proj": 2},
             alpha_pattern={"layers.1.self_attn.q_proj": 16, "o_proj": 2}),
        {q(0): (4, 8), k(0): (3, 8), v(0): (4, 8), o(0): (4, 2),
         q(1): (4, 16), k(1): (3, 8), v(1): (4, 8), o(1): (4, 2)},
        "ok",
    ),
    "regex_targets": (
        dict(r=2, lora_alpha=4, target_modules=r".*\.(q_proj|down_proj)$"),
        {q(0): (2, 4), down(0): (2, 4), q(1): (2, 4), down(1): (2, 4)},
        "ok",
    ),
    "rslora_patterns": (
        dict(r=4, lora_alpha=8, use_rslora=True, target_modules=["v_proj"],
             alpha_pattern={"v_proj": 4}, rank_pattern={"layers.1.self_attn.v_proj": 1}),
        {v(0): (4, 4), v(1): (1, 4)},
        "ok",
    ),
    "dora": (
        dict(r=4, lora_alpha=8, use_dora=True, target_modules=["q_proj", "v_proj"]),
        {q(0): (4, 8), v(0): (4, 8), q(1): (4, 8), v(1): (4, 8)},
        "ok",
    ),
}


def run_single_case(case_index, name, kwargs, predicted, reload_expect, manifest):
    case_dir = HERE / name
    case_dir.mkdir(parents=True)
    model = get_peft_model(build_base(), LoraConfig(**kwargs)).eval()
    fill_adapter(model, "default", seed=1000 + case_index)

    expected = {}
    info = {}
    for path, mod in lora_modules(model):
        x = module_input(path, mod.in_features)
        record_base(expected, path, mod, x)
        record(expected, "", path, mod, "default", x)
        info[path] = (mod.r["default"], mod.lora_alpha["default"], mod.scaling["default"])
    check_predicted(name, "", info, predicted, use_rslora=kwargs.get("use_rslora", False))

    save_adapter(model, case_dir)
    meta = {"peft_version": peft.__version__, "torch_version": torch.__version__, "case": name,
            "lora_config_kwargs": kwargs}
    write_expected(case_dir, expected, meta)

    saved_config = json.loads((case_dir / "adapter_config.json").read_text())
    manifest[name] = {
        "lora_config_kwargs": kwargs,
        "saved_rank_pattern": saved_config["rank_pattern"],
        "saved_alpha_pattern": saved_config["alpha_pattern"],
        "modules": {p: {"r": r, "lora_alpha": a, "scaling": s} for p, (r, a, s) in info.items()},
        "adapter_model.safetensors": file_keys(case_dir / "adapter_model.safetensors"),
        "reload_in_peft": reload_expect,
    }

    exp = load_expected(case_dir / "expected.safetensors")
    if reload_expect == "ok":
        check_reload(name, case_dir, exp)
    else:
        bad = reload_expect.split(":", 1)[1]
        try:
            PeftModel.from_pretrained(build_base(), str(case_dir))
        except RuntimeError as e:
            msg = str(e)
            check("size mismatch" in msg and bad in msg,
                  f"{name}: reload failed, but not as expected:\n{msg}")
            others = [p for p in predicted if p != bad and f"{p}.lora_A" in msg]
            check(not others, f"{name}: reload also mismatched {others}")
            manifest[name]["reload_error"] = msg.strip().splitlines()[0] + " (size mismatch for " + bad + ")"
        else:
            raise FixtureError(
                f"{name}: PEFT {peft.__version__} now reloads this folder. PEFT changed how a saved "
                "rank_pattern is ordered or matched; re-read get_pattern_key and update the README.")
    print(f"  {name}: {len(info)} modules, reload {reload_expect}")


# --------------------------------------------------------------------------
# add_weighted_adapter
# --------------------------------------------------------------------------

SOURCES = {  # name -> LoraConfig kwargs
    "t1": dict(r=2, lora_alpha=4, target_modules=["q_proj", "v_proj"]),
    "t2": dict(r=3, lora_alpha=3, target_modules=["q_proj", "v_proj"]),
    "t3": dict(r=2, lora_alpha=4, target_modules=["q_proj", "v_proj"]),
    "t4": dict(r=2, lora_alpha=8, target_modules=["q_proj", "v_proj"]),
}

COMBINED = {  # name -> (sources, weights, combination_type)
    "cat": (["t1", "t2"], [1.0, 1.0], "cat"),
    "cat_weighted": (["t1", "t2"], [0.5, -2.0], "cat"),
    "linear": (["t3", "t4"], [0.5, 1.5], "linear"),
    "linear_neg": (["t3", "t4"], [1.0, -0.5], "linear"),
    "svd": (["t3", "t4"], [0.5, 1.5], "svd"),
}


def own_combination(model_mods, path, sources, weights, ctype):
    """The combined (A, B) or delta computed here from the sources, for checking."""
    mod = model_mods[path]
    As = [mod.lora_A[s].weight.detach() for s in sources]
    Bs = [mod.lora_B[s].weight.detach() for s in sources]
    scales = [mod.scaling[s] for s in sources]
    if ctype == "cat":
        A = torch.cat([a * w * s for a, w, s in zip(As, weights, scales)], dim=0)
        B = torch.cat(Bs, dim=1)
        return A, B
    if ctype == "linear":
        ws = [w * s for w, s in zip(weights, scales)]
        A = sum(math.copysign(math.sqrt(abs(x)), x) * a for x, a in zip(ws, As))
        B = sum(math.sqrt(abs(x)) * b for x, b in zip(ws, Bs))
        return A, B
    raise ValueError(ctype)


def run_combined_case(manifest):
    name = "combined_cat"
    case_dir = HERE / name
    case_dir.mkdir(parents=True)

    first, *rest = SOURCES
    model = get_peft_model(build_base(), LoraConfig(**SOURCES[first]), adapter_name=first)
    for src in rest:
        model.add_adapter(src, LoraConfig(**SOURCES[src]))
    model.eval()
    for i, src in enumerate(SOURCES):
        fill_adapter(model, src, seed=2000 + i)

    # PEFT refuses linear on unequal ranks: that is why linear/svd use t3, t4.
    try:
        model.add_weighted_adapter(["t1", "t2"], [1.0, 1.0], "linear_refused", combination_type="linear")
    except ValueError as e:
        linear_unequal_error = str(e)
    else:
        raise FixtureError("PEFT accepted linear on ranks 2 and 3; update the README")

    for cname, (sources, weights, ctype) in COMBINED.items():
        model.add_weighted_adapter(sources, weights, cname, combination_type=ctype)

    mods = dict(lora_modules(model))
    # svd leaves lora_A as a column-major view of torch.linalg.svd's Vh. Same values,
    # but a non-contiguous operand makes BLAS round the forward pass differently in
    # the last bit from the contiguous tensor that save_pretrained writes and a
    # reload reads. Record what a loader of the saved file computes.
    with torch.no_grad():
        for mod in mods.values():
            for adapter in COMBINED:
                for p in (mod.lora_A[adapter].weight, mod.lora_B[adapter].weight):
                    if not p.is_contiguous():
                        p.data = p.data.contiguous()
    expected = {}
    modules_info = {}
    for path, mod in mods.items():
        x = module_input(path, mod.in_features)
        record_base(expected, path, mod, x)
        for adapter in list(SOURCES) + list(COMBINED):
            model.base_model.set_adapter(adapter)
            record(expected, f"{adapter}.", path, mod, adapter, x)
            modules_info.setdefault(adapter, {})[path] = {
                "r": mod.r[adapter], "lora_alpha": mod.lora_alpha[adapter], "scaling": mod.scaling[adapter]}

    # source adapters: r and scaling straight from their configs
    for src, kw in SOURCES.items():
        info = {p: (d["r"], d["lora_alpha"], d["scaling"]) for p, d in modules_info[src].items()}
        check_predicted(name, f"{src}.", info, {p: (kw["r"], kw["lora_alpha"]) for p in mods})

    # combined adapters: own math
    for cname, (sources, weights, ctype) in COMBINED.items():
        ranks = [SOURCES[s]["r"] for s in sources]
        new_r = sum(ranks) if ctype == "cat" else max(ranks)
        info = {p: (d["r"], d["lora_alpha"], d["scaling"]) for p, d in modules_info[cname].items()}
        check_predicted(name, f"{cname}.", info, {p: (new_r, new_r) for p in mods})
        expected[f"{cname}.weights"] = torch.tensor(weights, dtype=torch.float32)
        for path, mod in mods.items():
            key = f"{cname}.{path}"
            target = sum(w * own_delta(mod, s) for s, w in zip(sources, weights))
            if ctype in ("cat", "linear"):
                A, B = own_combination(mods, path, sources, weights, ctype)
                close(expected[f"{key}.lora_A"], A, f"{key}.lora_A vs own {ctype}")
                close(expected[f"{key}.lora_B"], B, f"{key}.lora_B vs own {ctype}")
            if ctype == "cat":
                # cat is exact: the combined delta is the weighted sum of source deltas
                close(expected[f"{key}.delta_weight"], target, f"{key} cat == sum w_i dW_i")
            if ctype == "svd":
                U, S, Vh = torch.linalg.svd(target)
                best = (U[:, :new_r] * S[:new_r]) @ Vh[:new_r]
                close(expected[f"{key}.delta_weight"], best, f"{key} svd == rank-{new_r} truncation", atol=1e-4)

    meta = {"peft_version": peft.__version__, "torch_version": torch.__version__, "case": name,
            "sources": SOURCES, "combined": COMBINED}
    for adapter in list(SOURCES) + list(COMBINED):
        save_adapter(model, case_dir, selected=[adapter])
    write_expected(case_dir, expected, meta)

    exp = load_expected(case_dir / "expected.safetensors")
    for adapter in list(SOURCES) + list(COMBINED):
        check_reload(name, case_dir / adapter, exp, prefix=f"{adapter}.")

    manifest[name] = {
        "sources": SOURCES,
        "combined": {c: {"sources": s, "weights": w, "combination_type": t} for c, (s, w, t) in COMBINED.items()},
        "linear_on_unequal_ranks_error": linear_unequal_error,
        "modules": modules_info,
        "saved_configs": {a: {kk: vv for kk, vv in json.loads((case_dir / a / "adapter_config.json").read_text()).items()
                              if kk in ("r", "lora_alpha", "target_modules", "rank_pattern", "alpha_pattern")}
                          for a in list(SOURCES) + list(COMBINED)},
        "adapter_model.safetensors": {a: file_keys(case_dir / a / "adapter_model.safetensors")
                                      for a in list(SOURCES) + list(COMBINED)},
        "reload_in_peft": "ok",
    }
    print(f"  {name}: sources {list(SOURCES)}, combined {list(COMBINED)}, reload ok")


# --------------------------------------------------------------------------
# DoRA over a bitsandbytes 4-bit base (dora_nf4)
# --------------------------------------------------------------------------

# path -> (out, in, double quantization). 40x448 has 280 blocks of 64, so its
# double-quantized absmax spans two groups of 256. Both widths are multiples of 64:
# bitsandbytes 0.50.2's CPU dequantize kernel takes block row*(in//64) + col//64,
# which is not the block its quantizer used when a block straddles two rows (see README).
NF4_MODULES = {"nf4_proj": (32, 128, False), "nf4_dq_proj": (40, 448, True)}
NF4_SEED = 2024


class FourBitPair(nn.Module):
    """Two bitsandbytes Linear4bit layers (nf4, compute dtype float32), each with a bias."""

    def __init__(self):
        super().__init__()
        import bitsandbytes as bnb
        g = torch.Generator().manual_seed(NF4_SEED)
        for path, (out_f, in_f, dq) in NF4_MODULES.items():
            w = torch.randn(out_f, in_f, generator=g) / math.sqrt(in_f)
            b = torch.randn(out_f, generator=g) * 0.1
            layer = bnb.nn.Linear4bit(in_f, out_f, bias=True, compute_dtype=torch.float32,
                                      compress_statistics=dq, quant_type="nf4")
            layer.weight = bnb.nn.Params4bit(w, requires_grad=False, quant_type="nf4",
                                             compress_statistics=dq, blocksize=64)
            layer.bias = nn.Parameter(b, requires_grad=False)
            # On a CPU with AVX512-BF16, bitsandbytes' eval forward repacks the weight once
            # for its own kernel and rounds every absmax to bfloat16 (_convert_weight_packed_for_cpu),
            # so the output depends on the machine. Off: the float32 dequantization of the
            # stored format, which is what every other device computes.
            layer.support_avx512bf16_for_cpu = False
            setattr(self, path, layer.to("cpu"))   # moving to a device is when bnb quantizes
        # what transformers sets on a model loaded in 4 bits; PEFT's bnb dispatch reads it
        self.is_loaded_in_4bit = True

    def forward(self, x):
        return sum(getattr(self, p)(x) for p in NF4_MODULES)


def bytes_as_f32(t):
    """uint8 storage as float32 values (exact for 0...255): the Swift reader has no U8."""
    check(t.dtype == torch.uint8, f"expected uint8 storage, got {t.dtype}")
    return t.detach().flatten().to(torch.float32).contiguous().clone()


def run_dora_nf4_case(manifest):
    """PEFT's DoRA on bitsandbytes Linear4bit layers (peft.tuners.lora.bnb.Linear4bit), on CPU."""
    import bitsandbytes as bnb
    import bitsandbytes.functional as bnbf
    from peft.tuners.lora.bnb import Linear4bit as PeftLinear4bit

    name = "dora_nf4"
    case_dir = HERE / name
    case_dir.mkdir(parents=True)
    kwargs = dict(r=4, lora_alpha=8, use_dora=True, target_modules=list(NF4_MODULES))
    model = get_peft_model(FourBitPair(), LoraConfig(**kwargs)).eval()
    mods = dict(lora_modules(model))
    check(sorted(mods) == sorted(NF4_MODULES), f"{name}: PEFT adapted {sorted(mods)}")

    expected = {}
    for path, mod in mods.items():
        check(isinstance(mod, PeftLinear4bit), f"{name} {path}: PEFT chose {type(mod).__name__}, not its bnb Linear4bit")
        base = mod.get_base_layer()
        weight = base.weight
        state = weight.quant_state
        out_f, in_f, dq = NF4_MODULES[path]
        check(state.quant_type == "nf4" and state.blocksize == 64 and bool(state.nested) == dq,
              f"{name} {path}: quant state {state.quant_type}, {state.blocksize}, nested {state.nested}")
        W = bnbf.dequantize_4bit(weight.data, state).detach()
        # PEFT's magnitude at creation (B = 0): the row norms of the dequantized weight
        expected[f"{path}.init_magnitude"] = f32(mod.lora_magnitude_vector["default"].weight)
        close(expected[f"{path}.init_magnitude"], torch.linalg.norm(W, dim=1), f"{name} {path} initial magnitude")
        # the quantized base exactly as bitsandbytes stores it
        expected[f"{path}.weight_packed"] = bytes_as_f32(weight.data)
        expected[f"{path}.code"] = f32(state.code)
        expected[f"{path}.blocksize"] = scalar(state.blocksize)
        if dq:
            expected[f"{path}.absmax_codes"] = bytes_as_f32(state.absmax)
            expected[f"{path}.absmax2"] = f32(state.state2.absmax)
            expected[f"{path}.absmax_offset"] = f32(state.offset.reshape(1))
            expected[f"{path}.nested_code"] = f32(state.state2.code)
            check(state.state2.blocksize == 256, f"{name} {path}: nested blocksize {state.state2.blocksize}")
        else:
            expected[f"{path}.absmax"] = f32(state.absmax)
        expected[f"{path}.bias"] = f32(base.bias)
        expected[f"{path}.dequantized"] = f32(W)
        # own arithmetic: code[nibble] * absmax[flat index / 64], first element in the high nibble;
        # double quantized: absmax = nested_code[q] * absmax2[block / 256] + offset
        packed = weight.data.flatten().to(torch.int64)
        nibbles = torch.stack([packed >> 4, packed & 15], dim=1).flatten()
        if dq:
            q8 = state.absmax.to(torch.int64)
            absmax = state.state2.code[q8] * state.state2.absmax.repeat_interleave(256)[: q8.numel()] + state.offset
        else:
            absmax = state.absmax
        own = state.code[nibbles] * absmax.repeat_interleave(64)[: nibbles.numel()]
        identical(own.reshape(out_f, in_f), W, f"{name} {path} dequantization vs code[nibble]*absmax")

    fill_adapter(model, "default", seed=3000)
    with torch.no_grad():
        for path, mod in mods.items():
            # a smaller B keeps W + sBA near W, as after training
            mod.lora_B["default"].weight.mul_(0.2)
    for path, mod in mods.items():
        x = module_input(path, mod.in_features)
        expected[f"{path}.input"] = f32(x)
        expected[f"{path}.lora_A"] = f32(mod.lora_A["default"].weight)
        expected[f"{path}.lora_B"] = f32(mod.lora_B["default"].weight)
        expected[f"{path}.magnitude"] = f32(mod.lora_magnitude_vector["default"].weight)
        expected[f"{path}.scaling"] = scalar(mod.scaling["default"])
        with torch.no_grad():
            out = mod(x)
        expected[f"{path}.output"] = f32(out)
        check(not getattr(mod.get_base_layer().weight.quant_state, "packing_format_for_cpu", False),
              f"{name} {path}: bitsandbytes repacked the weight for its CPU kernel")
        W = expected[f"{path}.dequantized"]
        Wd = W + own_delta(mod, "default")
        m = expected[f"{path}.magnitude"]
        close(out, x @ (Wd * (m / torch.linalg.norm(Wd, dim=1)).unsqueeze(1)).T + expected[f"{path}.bias"],
              f"{name} {path} forward vs own math on the dequantized weight")

    save_adapter(model, case_dir)
    meta = {"peft_version": peft.__version__, "torch_version": torch.__version__,
            "bitsandbytes_version": bnb.__version__, "case": name, "lora_config_kwargs": kwargs,
            "modules": {p: {"out": o, "in": i, "double_quantization": d} for p, (o, i, d) in NF4_MODULES.items()}}
    write_expected(case_dir, expected, meta)

    # reload onto a freshly quantized base: same adapter, same outputs, bit for bit
    exp = load_expected(case_dir / "expected.safetensors")
    reloaded = PeftModel.from_pretrained(FourBitPair(), str(case_dir)).eval()
    for path, mod in dict(lora_modules(reloaded)).items():
        identical(f32(mod.lora_magnitude_vector["default"].weight), exp[f"{path}.magnitude"], f"{name} reload {path}.magnitude")
        with torch.no_grad():
            identical(f32(mod(exp[f"{path}.input"])), exp[f"{path}.output"], f"{name} reload {path}.output")

    manifest[name] = {
        "lora_config_kwargs": kwargs,
        "bitsandbytes_version": bnb.__version__,
        "modules": {p: {"out": o, "in": i, "double_quantization": d} for p, (o, i, d) in NF4_MODULES.items()},
        "adapter_model.safetensors": file_keys(case_dir / "adapter_model.safetensors"),
        "reload_in_peft": "ok",
    }
    print(f"  {name}: {len(mods)} bnb Linear4bit modules (bitsandbytes {bnb.__version__}), reload ok")


# --------------------------------------------------------------------------

def write_defaults():
    """What PEFT writes for LoraConfig() with every default, via its own save_pretrained."""
    with tempfile.TemporaryDirectory() as tmp:
        LoraConfig().save_pretrained(tmp)
        text = Path(tmp, "adapter_config.json").read_text()
    (HERE / "loraconfig_defaults.json").write_text(text + ("" if text.endswith("\n") else "\n"))
    to_dict_keys = sorted(LoraConfig().to_dict())
    check(sorted(json.loads(text)) == to_dict_keys, "saved defaults differ from LoraConfig().to_dict() keys")
    return to_dict_keys


def main():
    print(f"torch {torch.__version__}, peft {peft.__version__}")
    keep = {"make_fixtures.py", "README.md", "make_lora_bias_fixture.py", "lora_bias", "__pycache__"}
    for entry in HERE.iterdir():
        if entry.name in keep:
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()

    # the base model must be the same every time it is built
    a, b = build_base().state_dict(), build_base().state_dict()
    check(all(torch.equal(a[n], b[n]) for n in a), "build_base is not deterministic")

    manifest = {"torch_version": torch.__version__, "peft_version": peft.__version__,
                "model": {"d_model": D_MODEL, "layers": N_LAYERS, "vocab": VOCAB, "context": CONTEXT,
                          "mlp": D_MLP, "base_seed": BASE_SEED, "input_seed": INPUT_SEED}}
    manifest["loraconfig_keys"] = write_defaults()
    manifest["cases"] = {}
    for i, (name, (kwargs, predicted, reload_expect)) in enumerate(SINGLE_CASES.items()):
        run_single_case(i, name, kwargs, predicted, reload_expect, manifest["cases"])
    run_combined_case(manifest["cases"])
    run_dora_nf4_case(manifest["cases"])
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    print("all fixtures written and self-checked")


if __name__ == "__main__":
    try:
        main()
    except FixtureError as e:
        sys.stdout.flush()
        print(f"FIXTURE SELF-CHECK FAILED: {e}", file=sys.stderr)
        sys.exit(1)
