#!/usr/bin/env python3
"""Check with the real Hugging Face PEFT that it reads the adapters this package writes.

Run from the package root (needs torch + peft, e.g. the venv of peft_written/README.md):

    /work/venv-peft/bin/python Tests/LoRATests/Fixtures/written_by_us/check_with_peft.py

For every case folder next to this script (written by the Swift test WrittenForPEFTTests;
`LORA_WRITE_FIXTURES=1 swift test --filter WrittenForPEFTTests` rewrites them):
  * LoraConfig.from_pretrained(folder) must raise no warning (no unknown keys), and its
    fields must be the ones expected for the case (use_dora, r, lora_alpha, targets);
  * the fixture model of ../peft_written/make_fixtures.py gets our base weights (from
    expected.safetensors) in every adapted module, then PeftModel.from_pretrained(model,
    folder) must report no missing and no unexpected adapter keys;
  * every tensor in adapter_model.safetensors must be the parameter PEFT loaded, bit for bit;
  * each adapted module's output on our input must equal our output within 1e-5.
Exit status 1 and "PEFT CHECK FAILED: ..." on any failure. CI does not run this (no torch).
"""

import importlib.util
import json
import sys
import warnings
from pathlib import Path

import torch
from safetensors.torch import load_file

import peft
from peft import LoraConfig, PeftModel
from peft.tuners.lora import LoraLayer

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "peft_written" / "make_fixtures.py"

torch.set_num_threads(1)


def fixture_module():
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES)
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_fixtures"] = module
    spec.loader.exec_module(module)
    return module


class CheckError(AssertionError):
    pass


def check(cond, msg):
    if not cond:
        raise CheckError(msg)


CASES = {  # folder -> LoraConfig fields that must come back
    "dora": {"use_dora": True, "r": 4, "lora_alpha": 8, "use_rslora": False},
    # LoftQ: the adapter says init_lora_weights = true (as PEFT's LoftQ example saves it) and
    # belongs to LoftQ's own Q, whose dequantized weights are the base weights in expected.
    "loftq": {"use_dora": False, "r": 4, "lora_alpha": 8, "init_lora_weights": True},
}


def run_case(fx, name, expect):
    folder = HERE / name
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        config = LoraConfig.from_pretrained(str(folder))
    check(not caught, f"{name}: LoraConfig.from_pretrained warned: {[str(w.message) for w in caught]}")
    for key, value in expect.items():
        check(getattr(config, key) == value, f"{name}: config.{key} = {getattr(config, key)!r}, expected {value!r}")

    expected = load_file(str(folder / "expected.safetensors"))
    adapter = load_file(str(folder / "adapter_model.safetensors"))
    base = fx.build_base()
    paths = sorted({k[: -len(".base_weight")] for k in expected if k.endswith(".base_weight")})
    with torch.no_grad():
        for path in paths:
            module = base.get_submodule(path)
            module.weight.copy_(expected[f"{path}.base_weight"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = PeftModel.from_pretrained(base, str(folder)).eval()
        # load_adapter reports the keys directly
        result = model.load_adapter(str(folder), adapter_name="again")
    missing = [k for k in result.missing_keys if "lora_" in k]
    check(not missing, f"{name}: missing adapter keys {missing}")
    check(not result.unexpected_keys, f"{name}: unexpected keys {result.unexpected_keys}")
    key_warnings = [str(w.message) for w in caught if "key" in str(w.message).lower()]
    check(not key_warnings, f"{name}: warnings about keys: {key_warnings}")
    model.set_adapter("default")

    state = {k: v for k, v in model.state_dict().items() if ".default" in k}
    for key, tensor in adapter.items():
        module_key = key.replace(".lora_A.weight", ".lora_A.default.weight").replace(
            ".lora_B.weight", ".lora_B.default.weight").replace(
            ".lora_magnitude_vector", ".lora_magnitude_vector.default.weight")
        check(module_key in state, f"{name}: {key} was not loaded (looked for {module_key})")
        check(torch.equal(state[module_key], tensor), f"{name}: {key} differs after loading")

    mods = {p: m for p, m in model.base_model.model.named_modules() if isinstance(m, LoraLayer)}
    check(sorted(mods) == paths, f"{name}: PEFT adapted {sorted(mods)}, we wrote {paths}")
    worst = 0.0
    with torch.no_grad():
        for path, mod in mods.items():
            out = mod(expected[f"{path}.input"])
            diff = (out - expected[f"{path}.output"]).abs().max().item()
            worst = max(worst, diff)
            check(diff <= 1e-5, f"{name} {path}: PEFT's output differs from ours by {diff}")
    print(f"  {name}: config ok (no unknown keys), {len(adapter)} tensors loaded with no missing or "
          f"unexpected keys, {len(mods)} module outputs within {worst:.2e} of ours")


def main():
    print(f"torch {torch.__version__}, peft {peft.__version__}")
    fx = fixture_module()
    for name, expect in CASES.items():
        run_case(fx, name, expect)
    print("PEFT reads every adapter we wrote")


if __name__ == "__main__":
    try:
        main()
    except CheckError as e:
        print(f"PEFT CHECK FAILED: {e}", file=sys.stderr)
        sys.exit(1)
