#!/usr/bin/env python3
"""Write the `lora_bias` fixture with the real Hugging Face PEFT library.

Run from the package root (any venv with torch, peft and safetensors):

    /work/venv/bin/python Tests/LoRATests/Fixtures/peft_written/make_lora_bias_fixture.py

It deletes and rewrites only Tests/LoRATests/Fixtures/peft_written/lora_bias/. The base
model, the per-module inputs and the file helpers are make_fixtures.py's (imported), so
this case sits beside the others on the same TinyLM.

The case: LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"],
lora_bias=True). PEFT then builds each lora_B as nn.Linear(r, out, bias=True) and saves
its bias as `base_model.model.<P>.lora_B.bias` (1-D, out). A, B and the bias are
overwritten with seeded N(0, 0.5^2) values. expected.safetensors holds, per module P:
P.base_weight, P.input, P.lora_A, P.lora_B, P.lora_bias, P.scaling and P.output (PEFT's
layer on P.input, float32, eval mode).

Self-checks (exit 1 with FIXTURE SELF-CHECK FAILED on a mismatch):
  * PEFT's output equals x @ (W + s*B@A).T + s*b_B, written here in plain torch;
  * PEFT refuses to merge, because the TinyLM linears have no bias (the message is
    asserted: the Swift layer refuses the same merge);
  * the saved folder reloads with PeftModel.from_pretrained into a fresh base and gives
    bit-identical A, B, bias and outputs.
"""

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import make_fixtures as mf  # noqa: E402  (re-executes this script with PYTHONHASHSEED=0)

import json  # noqa: E402

import peft  # noqa: E402
import torch  # noqa: E402
from peft import LoraConfig, PeftModel, get_peft_model  # noqa: E402

CASE = "lora_bias"
KWARGS = dict(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], lora_bias=True)
SEED = 1900


def fill(model):
    g = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for path, mod in mf.lora_modules(model):
            for p in (mod.lora_A["default"].weight, mod.lora_B["default"].weight, mod.lora_B["default"].bias):
                p.copy_(torch.randn(p.shape, generator=g) * 0.5)
                mf.check(bool((p != 0).all()), f"{path}: a zero entry")


def main():
    print(f"torch {torch.__version__}, peft {peft.__version__}")
    case_dir = HERE / CASE
    if case_dir.exists():
        shutil.rmtree(case_dir)
    case_dir.mkdir()
    model = get_peft_model(mf.build_base(), LoraConfig(**KWARGS)).eval()
    fill(model)
    expected = {}
    for path, mod in mf.lora_modules(model):
        x = mf.module_input(path, mod.in_features)
        mf.record_base(expected, path, mod, x)
        A = mod.lora_A["default"].weight.detach()
        B = mod.lora_B["default"].weight.detach()
        b = mod.lora_B["default"].bias.detach()
        s = mod.scaling["default"]
        expected[f"{path}.lora_A"] = mf.f32(A)
        expected[f"{path}.lora_B"] = mf.f32(B)
        expected[f"{path}.lora_bias"] = mf.f32(b)
        expected[f"{path}.scaling"] = mf.scalar(s)
        with torch.no_grad():
            out = mod(x)
        expected[f"{path}.output"] = mf.f32(out)
        W = mod.get_base_layer().weight.detach()
        mf.close(out, x @ (W + s * (B @ A)).T + s * b, f"{path} forward vs own math")
        try:
            mod.merge(safe_merge=True)
        except RuntimeError as e:
            mf.check("base layer has no bias" in str(e), f"{path}: merge failed otherwise: {e}")
        else:
            raise mf.FixtureError(f"{path}: PEFT merged lora_bias into a base without a bias")
    mf.save_adapter(model, case_dir)
    meta = {"peft_version": peft.__version__, "torch_version": torch.__version__, "case": CASE,
            "lora_config_kwargs": KWARGS}
    mf.write_expected(case_dir, expected, meta)

    saved = mf.load_expected(case_dir / "expected.safetensors")
    reloaded = PeftModel.from_pretrained(mf.build_base(), str(case_dir)).eval()
    mods = dict(mf.lora_modules(reloaded))
    mf.check(sorted(mods) == sorted(k[:-len(".output")] for k in saved if k.endswith(".output")), "reload: modules")
    for path, mod in mods.items():
        with torch.no_grad():
            mf.identical(mf.f32(mod.lora_A["default"].weight), saved[f"{path}.lora_A"], f"reload {path}.lora_A")
            mf.identical(mf.f32(mod.lora_B["default"].weight), saved[f"{path}.lora_B"], f"reload {path}.lora_B")
            mf.identical(mf.f32(mod.lora_B["default"].bias), saved[f"{path}.lora_bias"], f"reload {path}.lora_bias")
            mf.identical(mf.f32(mod(saved[f"{path}.input"])), saved[f"{path}.output"], f"reload {path}.output")
    keys = mf.file_keys(case_dir / "adapter_model.safetensors")
    config = json.loads((case_dir / "adapter_config.json").read_text())
    mf.check(config.get("lora_bias") is True, "adapter_config.json lacks lora_bias: true")
    print(f"  {CASE}: {len(mods)} modules, {len(keys)} tensors, reload ok")


if __name__ == "__main__":
    try:
        main()
    except mf.FixtureError as e:
        sys.stdout.flush()
        print(f"FIXTURE SELF-CHECK FAILED: {e}", file=sys.stderr)
        sys.exit(1)
