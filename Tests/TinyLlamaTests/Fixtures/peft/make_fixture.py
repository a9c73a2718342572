#!/usr/bin/env python3
"""What the real transformers, PEFT and tokenizers compute on the committed tiny LLaMA and the
Star Trek adapter chapter 17 writes. CI does not run this (no torch); TinyLlamaExportTests
compares the package with the JSON it writes.

Run from the package root, after a build:

    swift run ch17-a-new-voice --out /tmp/ch17-out
    rm -rf Tests/TinyLlamaTests/Fixtures/peft/startrek-adapter
    cp -r /tmp/ch17-out/startrek-adapter Tests/TinyLlamaTests/Fixtures/peft/
    /work/venv/bin/python Tests/TinyLlamaTests/Fixtures/peft/make_fixture.py

It loads Sources/TinyLlama/Checkpoint with AutoModelForCausalLM (float32) and the adapter with
PeftModel.from_pretrained, failing on any missing, unexpected or mismatched key, and writes
expected.json: the versions, the prompts' token ids (tokenizers' Tokenizer.from_file), the
logits of every prompt position for the base and the adapted model, and 24 greedy tokens of
each (generate(do_sample=False), stopping at <|endoftext|>, id 0).
"""

import json
import sys
from pathlib import Path

import peft
import safetensors
import tokenizers
import torch
import transformers
from peft import PeftModel
from peft.utils import get_peft_model_state_dict
from tokenizers import Tokenizer
from transformers import AutoModelForCausalLM

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]
CHECKPOINT = ROOT / "Sources" / "TinyLlama" / "Checkpoint"
ADAPTER = HERE / "startrek-adapter"
PROMPTS = ["Captain", "Spock: Fascinating", "The meaning of life"]
NEW_TOKENS = 24
torch.set_num_threads(1)


def fail(message):
    print("FIXTURE FAILED: " + message)
    sys.exit(1)


def load_base():
    model, info = AutoModelForCausalLM.from_pretrained(CHECKPOINT, dtype=torch.float32, output_loading_info=True)
    for kind in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"):
        if info.get(kind):
            fail(f"base checkpoint: {kind} {info[kind]}")
    return model.eval()


def run(model, ids):
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0]
        out = model.generate(torch.tensor([ids]), do_sample=False, max_new_tokens=NEW_TOKENS, eos_token_id=0, pad_token_id=0)
    return logits.tolist(), out[0, len(ids):].tolist()


def main():
    tok = Tokenizer.from_file(str(CHECKPOINT / "tokenizer.json"))
    prompts = [{"text": p, "ids": [0] + tok.encode(p, add_special_tokens=False).ids} for p in PROMPTS]
    base = load_base()
    for p in prompts:
        p["base_logits"], p["base_greedy"] = run(base, p["ids"])
    adapted = PeftModel.from_pretrained(load_base(), ADAPTER)
    adapted.eval()
    # The file's tensors are exactly the adapter PEFT built from its config: none missing, none extra.
    in_file = set(safetensors.safe_open(str(ADAPTER / "adapter_model.safetensors"), "pt").keys())
    in_model = set(get_peft_model_state_dict(adapted).keys())
    if in_file != in_model:
        fail(f"adapter keys differ: only in file {sorted(in_file - in_model)[:5]}, only in model {sorted(in_model - in_file)[:5]}")
    for p in prompts:
        p["adapted_logits"], p["adapted_greedy"] = run(adapted, p["ids"])
        if p["adapted_logits"] == p["base_logits"]:
            fail("the adapter did not change the logits")
    summary = {
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__,
                     "tokenizers": tokenizers.__version__, "safetensors": safetensors.__version__,
                     "python": sys.version.split()[0]},
        "prompts": prompts,
    }
    (HERE / "expected.json").write_text(json.dumps(summary, indent=1) + "\n")
    print("wrote", HERE / "expected.json")


if __name__ == "__main__":
    main()
