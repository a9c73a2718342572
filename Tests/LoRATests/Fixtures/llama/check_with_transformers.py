#!/usr/bin/env python3
"""Check with the real transformers and PEFT that they read the checkpoints and adapters this
package writes. CI does not run this (no torch).

Run from the package root, after a build (`swift build --build-tests`):

    LORA_LLAMA_WRITE_DIR=/tmp/llama-written swift test --skip-build --filter LlamaCheckpointModelTests
    /work/venv/bin/python Tests/LoRATests/Fixtures/llama/check_with_transformers.py /tmp/llama-written

The Swift tests leave there what the package saved: the tied and untied fixture models loaded
and saved again (`tied/`, `untied/`), and PEFT's three adapters loaded onto the untied model
and saved again (`lora_qv/`, `lora_all/`, `dora_qv/`). For each:
  * checkpoints: LlamaForCausalLM.from_pretrained reports no missing, unexpected or
    mismatched keys, every tensor equals the transformers-written fixture's bit for bit, and
    the logits on expected.json's input_ids equal expected.safetensors' within 1e-5;
  * adapters: LoraConfig.from_pretrained raises no warning (no unknown key);
    PeftModel.from_pretrained on the fixture's untied model reports no missing or unexpected
    adapter keys and gives PEFT's logits (expected.safetensors) within 1e-5.
Exit status 1 and "TRANSFORMERS CHECK FAILED: ..." on any failure.
"""

import json
import sys
import warnings
from pathlib import Path

import torch
from safetensors.torch import load_file
from transformers import LlamaForCausalLM
from peft import LoraConfig, PeftModel
from peft.utils import get_peft_model_state_dict

HERE = Path(__file__).resolve().parent
torch.set_num_threads(1)


class CheckError(AssertionError):
    pass


def check(cond, msg):
    if not cond:
        raise CheckError(msg)


def main(written):
    summary = json.loads((HERE / "expected.json").read_text())
    expected = load_file(HERE / "expected.safetensors")
    ids = torch.tensor([summary["input_ids"]])

    for name in ["tied", "untied"]:
        model, info = LlamaForCausalLM.from_pretrained(written / name, dtype=torch.float32, output_loading_info=True)
        for kind in ("missing_keys", "unexpected_keys", "mismatched_keys"):
            check(not info[kind], f"{name}: {kind} {info[kind]}")
        ours = load_file(written / name / "model.safetensors")
        theirs = load_file(HERE / name / "model.safetensors")
        check(set(ours) == set(theirs), f"{name}: tensor names differ: {set(ours) ^ set(theirs)}")
        for key in theirs:
            check(torch.equal(ours[key], theirs[key]), f"{name}: {key} differs")
        with torch.no_grad():
            logits = model.eval()(ids).logits[0]
        err = (logits - expected[f"{name}.logits"]).abs().max().item()
        check(err <= 1e-5, f"{name}: logits differ by {err}")
        print(f"{name}: loads with no missing/unexpected keys, tensors bit-identical, max |Δlogit| = {err:.3g}")

    for name in ["lora_qv", "lora_all", "dora_qv"]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            LoraConfig.from_pretrained(written / name)
        check(not caught, f"{name}: LoraConfig warned: {[str(w.message) for w in caught]}")
        base = LlamaForCausalLM.from_pretrained(HERE / "untied", dtype=torch.float32).eval()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = PeftModel.from_pretrained(base, written / name).eval()
        key_warnings = [str(w.message) for w in caught if "key" in str(w.message).lower()]
        check(not key_warnings, f"{name}: PEFT warned about keys: {key_warnings}")
        saved = load_file(written / name / "adapter_model.safetensors")
        loaded = get_peft_model_state_dict(model)
        check(set(saved) == set(loaded), f"{name}: file keys and PEFT's differ: {set(saved) ^ set(loaded)}")
        for key in saved:
            check(torch.equal(saved[key], loaded[key]), f"{name}: {key} not loaded as written")
        with torch.no_grad():
            logits = model(ids).logits[0]
        err = (logits - expected[f"{name}.logits"]).abs().max().item()
        check(err <= 1e-5, f"{name}: logits differ by {err}")
        print(f"{name}: PEFT loads it with no unknown config key and no missing/unexpected tensor, max |Δlogit| = {err:.3g}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    try:
        main(Path(sys.argv[1]))
    except CheckError as e:
        print("TRANSFORMERS CHECK FAILED:", e)
        sys.exit(1)
    print("all checks passed")
