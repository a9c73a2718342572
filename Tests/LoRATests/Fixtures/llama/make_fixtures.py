#!/usr/bin/env python3
"""Write LLaMA checkpoint and PEFT adapter fixtures with the real transformers and PEFT.

Run from the package root:

    /work/venv/bin/python Tests/LoRATests/Fixtures/llama/make_fixtures.py

Everything this script owns under Tests/LoRATests/Fixtures/llama/ (the model and adapter
folders, expected.safetensors, expected.json) is deleted and written again; README.md,
check_with_transformers.py and this script are not touched.

Models (tiny random LlamaForCausalLM, GQA: 4 query heads share 2 key/value heads):
  tied/         tie_word_embeddings = true,  rope_theta 10000,  rms_norm_eps 1e-6
  untied/       tie_word_embeddings = false, rope_theta 500000, rms_norm_eps 1e-5
  tied_bf16/    tied/ saved in bfloat16 and sharded (model.safetensors.index.json)
Adapters written by PEFT on untied/ (lora_B perturbed so every adapter changes the logits):
  lora_qv/      LoRA r=4 α=8 on q_proj, v_proj
  lora_all/     LoRA r=4 α=8 on "all-linear"
  dora_qv/      DoRA r=4 α=8 on q_proj, v_proj (magnitude perturbed too)
expected.safetensors: float32 logits of transformers / PEFT on INPUT_IDS, per case
  (`<case>.logits`, shape (len(INPUT_IDS), vocab)).
expected.json: the ids, greedy continuations (32 tokens, do_sample=False, no EOS stop) and
  the smallest top-1/top-2 logit gap met while generating each (how far a re-implementation
  may drift before its argmax could flip), plus the library versions.

Checks before writing anything it reports: each saved folder reloads with from_pretrained
and gives bit-identical logits; PEFT adapters reload with PeftModel.from_pretrained with no
missing or unexpected keys.
"""

import os
import sys

# PEFT writes target_modules as list(set(...)): fix the hash seed for byte-identical files.
if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

import json
import shutil
import warnings
from pathlib import Path

import torch
import safetensors
import transformers
import peft
from safetensors.torch import save_file
from transformers import LlamaConfig, LlamaForCausalLM
from peft import LoraConfig, PeftModel, get_peft_model

HERE = Path(__file__).resolve().parent
OWNED = ["tied", "untied", "tied_bf16", "lora_qv", "lora_all", "dora_qv", "expected.safetensors", "expected.json"]

VOCAB = 300
INPUT_IDS = [1, 17, 250, 3, 99, 42, 7, 123, 299, 0, 64, 5, 200, 31, 8, 150]
PROMPT_IDS = [1, 17, 250, 3]
NEW_TOKENS = 32

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
warnings.filterwarnings("ignore")


class FixtureError(AssertionError):
    pass


def check(cond, msg):
    if not cond:
        raise FixtureError(msg)


def config(tied, theta, eps):
    fields = dict(
        vocab_size=VOCAB, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
        rms_norm_eps=eps, tie_word_embeddings=tied, bos_token_id=1, eos_token_id=2,
        initializer_range=0.2,  # larger than the default 0.02, so the logits are not all ~0
    )
    try:  # transformers >= 5 takes rope_parameters; older versions take rope_theta
        return LlamaConfig(**fields, rope_parameters={"rope_type": "default", "rope_theta": theta})
    except TypeError:
        return LlamaConfig(**fields, rope_theta=theta)


def build(tied, theta, eps, seed):
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config(tied, theta, eps)).eval()
    # Norm weights start at 1; make them differ so a norm applied to the wrong tensor shows.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1 + 0.1 * torch.randn(p.shape))
    check(model.config.rope_theta == theta if hasattr(model.config, "rope_theta") and model.config.rope_theta is not None
          else model.config.rope_parameters["rope_theta"] == theta, "rope_theta not taken")
    return model


@torch.no_grad()
def logits(model, ids=INPUT_IDS):
    return model(torch.tensor([ids])).logits[0].float().contiguous()


@torch.no_grad()
def greedy(model):
    """32 greedy tokens with generate(do_sample=False), EOS not stopping; and the smallest
    top-1/top-2 gap of the logits that chose them."""
    model.generation_config.eos_token_id = None
    model.generation_config.pad_token_id = 0
    out = model.generate(torch.tensor([PROMPT_IDS]), max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS,
                         do_sample=False, eos_token_id=None, pad_token_id=0)
    ids = out[0].tolist()
    check(len(ids) == len(PROMPT_IDS) + NEW_TOKENS, f"generate gave {len(ids)} ids")
    new = ids[len(PROMPT_IDS):]
    # The same ids by plain argmax over full forward passes (the definition of greedy).
    seq, gap = list(PROMPT_IDS), float("inf")
    for _ in range(NEW_TOKENS):
        last = logits(model, seq)[-1]
        top = torch.topk(last, 2).values
        gap = min(gap, (top[0] - top[1]).item())
        seq.append(int(last.argmax()))
    check(seq[len(PROMPT_IDS):] == new, "generate and argmax-by-forward disagree")
    return new, gap


def save_model(model, name, **kwargs):
    folder = HERE / name
    model.save_pretrained(folder, safe_serialization=True, **kwargs)
    for extra in ["generation_config.json"]:
        (folder / extra).unlink(missing_ok=True)  # not part of the checkpoint the package reads
    return folder


def reload_check(folder, expected, what, dtype=torch.float32):
    reloaded, info = LlamaForCausalLM.from_pretrained(folder, dtype=dtype, output_loading_info=True)
    for kind in ("missing_keys", "unexpected_keys", "mismatched_keys"):
        check(not info[kind], f"{what}: {kind} {info[kind]}")
    got = logits(reloaded.float().eval())
    check(torch.equal(got, expected), f"{what}: reloaded logits differ by {(got - expected).abs().max().item()}")


def perturb_adapter(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.copy_(torch.randn(p.shape, generator=g) * 0.1)
            elif "lora_magnitude_vector" in name:
                p.mul_(1 + 0.1 * torch.randn(p.shape, generator=g))


def make_adapter(base_folder, name, seed, **lora):
    base = LlamaForCausalLM.from_pretrained(base_folder, dtype=torch.float32).eval()
    torch.manual_seed(seed)
    model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, task_type="CAUSAL_LM", **lora))
    perturb_adapter(model, seed)
    model.eval()
    expected = logits(model)
    folder = HERE / name
    model.save_pretrained(folder)
    (folder / "README.md").unlink(missing_ok=True)  # PEFT's model card template
    # Reload into a fresh base: no missing or unexpected adapter keys, the same logits.
    fresh = LlamaForCausalLM.from_pretrained(base_folder, dtype=torch.float32).eval()
    loaded = PeftModel.from_pretrained(fresh, folder).eval()
    got = logits(loaded)
    check(torch.equal(got, expected), f"{name}: reloaded adapter logits differ by {(got - expected).abs().max().item()}")
    base_logits = logits(LlamaForCausalLM.from_pretrained(base_folder, dtype=torch.float32).eval())
    check((expected - base_logits).abs().max().item() > 1e-2, f"{name}: the adapter hardly changes the logits")
    return expected


def main():
    os.chdir(HERE)  # PEFT records the base's path: keep it relative ("untied")
    for name in OWNED:
        path = HERE / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    tensors, greedy_ids, gaps = {}, {}, {}

    tied = build(True, 10000.0, 1e-6, seed=11)
    untied = build(False, 500000.0, 1e-5, seed=12)
    for name, model in [("tied", tied), ("untied", untied)]:
        folder = save_model(model, name)
        tensors[f"{name}.logits"] = logits(model)
        reload_check(folder, tensors[f"{name}.logits"], name)
        greedy_ids[name], gaps[name] = greedy(model)

    # bfloat16, sharded: transformers' own conversion and index.json.
    bf16 = build(True, 10000.0, 1e-6, seed=11).to(torch.bfloat16)
    folder = save_model(bf16, "tied_bf16", max_shard_size="100KB")
    check((folder / "model.safetensors.index.json").exists(), "tied_bf16 is not sharded")
    upcast = LlamaForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    tensors["tied_bf16.logits"] = logits(upcast)
    reload_check(folder, tensors["tied_bf16.logits"], "tied_bf16")
    greedy_ids["tied_bf16"], gaps["tied_bf16"] = greedy(upcast)

    base = "untied"
    tensors["lora_qv.logits"] = make_adapter(base, "lora_qv", 21, target_modules=["q_proj", "v_proj"])
    tensors["lora_all.logits"] = make_adapter(base, "lora_all", 22, target_modules="all-linear")
    tensors["dora_qv.logits"] = make_adapter(base, "dora_qv", 23, target_modules=["q_proj", "v_proj"], use_dora=True)

    save_file(tensors, HERE / "expected.safetensors", metadata={"fixture": "llama logits, float32"})
    written = json.loads((HERE / "tied" / "config.json").read_text())
    summary = {
        "input_ids": INPUT_IDS, "prompt_ids": PROMPT_IDS, "greedy": greedy_ids, "smallest_top2_gap": gaps,
        "config_rope_form": "rope_parameters" if "rope_parameters" in written else "rope_theta",
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "peft": peft.__version__, "safetensors": safetensors.__version__,
                     "python": sys.version.split()[0]},
    }
    (HERE / "expected.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    print(json.dumps(summary["versions"]), "rope form:", summary["config_rope_form"])
    print("smallest greedy top-2 gaps:", gaps)


if __name__ == "__main__":
    try:
        main()
    except FixtureError as e:
        print("FIXTURE CHECK FAILED:", e)
        sys.exit(1)
