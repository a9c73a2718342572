#!/usr/bin/env python3
"""Interop checks between this package's safetensors code and Hugging Face's `safetensors`.

  check_safetensors.py check DIR     DIR/adapter and DIR/model_adapter (written by
                                     `safetensors-interop write`; the second saved from a
                                     TransformerModel with injected LoRA) are loaded with
                                     safetensors.numpy.load_file and compared with
                                     DIR/manifest.json and DIR/model_manifest.json: names, dtypes,
                                     shapes, first values, sums and an FNV-1a checksum of every
                                     tensor's bytes; the model adapter's names must be PEFT's
                                     (base_model.model.layers.N.self_attn.X_proj.lora_A/B.weight)
                                     with A (r, in) and B (out, r).
  check_safetensors.py fixtures DIR  writes fixture files with the real library plus
                                     DIR/expected.json (float32 bit patterns of every value),
                                     which `safetensors-interop read DIR` and the Swift tests check.

BF16: numpy has no bfloat16 type, so safetensors.numpy.save_file cannot write BF16. The real
library's lower-level `safetensors.serialize_file` with `TensorSpec(dtype="bfloat16", ...)`
can, from raw 16-bit patterns; we make those patterns as the top 16 bits of float32 values
(bfloat16 *is* the top half of a binary32), so the file is still written by the real library.
Exit status is non-zero on any mismatch.
"""
import json
import math
import os
import re
import sys

import numpy as np
import safetensors
from safetensors import safe_open
from safetensors.numpy import load_file, save_file

NUMPY_DTYPE = {"F32": np.float32, "F16": np.float16}


def fnv1a64(data: bytes) -> str:
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return format(h, "x")


PEFT_NAME = re.compile(r"base_model\.model\.layers\.\d+\.self_attn\.[qkvo]_proj\.lora_[AB]\.weight")


def check(directory: str) -> int:
    status = 0
    for adapter, manifest_name, from_model in [("adapter", "manifest.json", False),
                                               ("model_adapter", "model_manifest.json", True)]:
        status |= check_adapter(directory, adapter, manifest_name, from_model)
    return status


def check_adapter(directory: str, adapter: str, manifest_name: str, from_model: bool) -> int:
    manifest = json.load(open(os.path.join(directory, manifest_name)))
    path = os.path.join(directory, adapter, manifest["file"])
    tensors = load_file(path)
    errors = []
    with safe_open(path, framework="numpy") as f:
        # "format": "pt" as PEFT writes it, plus the digest binding the weights to their config.
        metadata = f.metadata()
        if metadata.get("format") != "pt" or set(metadata) - {"format", "lora_adapter_config_fnv1a64"}:
            errors.append(f"metadata {metadata}: expected format pt and at most lora_adapter_config_fnv1a64 besides")
    names = sorted(e["name"] for e in manifest["tensors"])
    if sorted(tensors) != names:
        errors.append(f"names differ: file {sorted(tensors)} manifest {names}")
    for e in manifest["tensors"]:
        t = tensors.get(e["name"])
        if t is None:
            continue
        where = f"{manifest['file']}: {e['name']}"
        if t.dtype != NUMPY_DTYPE[e["dtype"]]:
            errors.append(f"{where}: dtype {t.dtype}, manifest {e['dtype']}")
        if list(t.shape) != e["shape"] or t.size != e["count"]:
            errors.append(f"{where}: shape {list(t.shape)}, manifest {e['shape']}")
            continue
        flat = t.reshape(-1)
        for i, text in enumerate(e["first"]):
            if np.float32(float(text)).tobytes() != flat[i].tobytes():
                errors.append(f"{where}: value {i} is {flat[i]!r}, manifest {text}")
        total = math.fsum(float(x) for x in flat)
        if not math.isclose(total, float(e["sum"]), rel_tol=1e-9, abs_tol=1e-9):
            errors.append(f"{where}: sum {total}, manifest {e['sum']}")
        if fnv1a64(flat.astype("<f4").tobytes()) != e["fnv1a64"]:
            errors.append(f"{where}: FNV-1a checksum differs")
    config = json.load(open(os.path.join(directory, adapter, "adapter_config.json")))
    modules = sorted({n[len("base_model.model."):].rsplit(".lora_", 1)[0] for n in names})
    for key, want in [("peft_type", "LORA"), ("target_modules", modules), ("fan_in_fan_out", False)]:
        if config.get(key) != want:
            errors.append(f"adapter_config.json: {key} = {config.get(key)!r}, expected {want!r}")
    rank = tensors[names[0]].shape[0] if names and names[0].endswith("lora_A.weight") else None
    if rank is not None and config.get("r") != rank:
        errors.append(f"adapter_config.json: r = {config.get('r')}, tensors say {rank}")
    if from_model:
        # A model-produced adapter: PEFT's names for every tensor, A (r, in) and B (out, r), and
        # the four attention projections of every layer.
        for name in names:
            if not PEFT_NAME.fullmatch(name):
                errors.append(f"{adapter}: {name} is not a PEFT LoRA name for an attention projection")
        for module in modules:
            a = tensors.get(f"base_model.model.{module}.lora_A.weight")
            b = tensors.get(f"base_model.model.{module}.lora_B.weight")
            if a is None or b is None or a.shape[0] != config.get("r") or b.shape[1] != config.get("r"):
                errors.append(f"{adapter}: {module}: factors missing or not (r, in) / (out, r) with r = {config.get('r')}")
            elif not np.any(b):
                errors.append(f"{adapter}: {module}: lora_B is all zeros (expected a trained adapter)")
        layers = {m.split(".")[1] for m in modules}
        if len(modules) != 4 * len(layers) or not layers:
            errors.append(f"{adapter}: modules {modules} are not q/k/v/o_proj of every layer")
    for error in errors:
        print("check_safetensors: " + error, file=sys.stderr)
    print(f"check_safetensors: {adapter}: {len(manifest['tensors'])} tensors checked, {len(errors)} mismatches")
    return 1 if errors else 0


def bits_of(array: np.ndarray) -> list:
    """float32 bit patterns of the values as the file holds them (after exact widening)."""
    return [int(b) for b in np.ascontiguousarray(array, dtype=np.float32).reshape(-1).view(np.uint32)]


def fixtures(directory: str) -> int:
    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(20240607)
    expected = {}

    def record(name, tensors, metadata, dtypes):
        expected[name] = {
            "metadata": metadata or {},
            "tensors": {k: {"dtype": dtypes[k], "shape": list(v.shape), "bits": bits_of(v)} for k, v in tensors.items()},
        }

    # 1. F32 and F16 written by safetensors.numpy.save_file, with metadata; specials included.
    specials16 = np.array([0.0, -0.0, 1.0, -2.0, 65504.0, 6.1035e-05, 5.96e-08, 6.0976e-05, np.inf, -np.inf, np.nan],
                          dtype=np.float16)
    random16 = rng.integers(0, 1 << 16, size=256, dtype=np.uint16).view(np.float16)
    mixed = {
        "z.last": rng.standard_normal((3, 5)).astype(np.float32),
        "a.first": np.array([[1.0, -0.0, 1e-45, -3.4028235e38], [np.inf, -np.inf, 0.1, 2.5]], dtype=np.float32),
        "m.half": np.concatenate([specials16, random16]).reshape(1, -1),
        "scalar": np.array(7.25, dtype=np.float32),
        "empty": np.zeros((0, 4), dtype=np.float32),
    }
    metadata = {"format": "pt", "note": "written by safetensors.numpy.save_file"}
    save_file(mixed, os.path.join(directory, "mixed.safetensors"), metadata=metadata)
    record("mixed.safetensors", mixed, metadata, {k: ("F16" if v.dtype == np.float16 else "F32") for k, v in mixed.items()})

    # 2. The same tensors inserted in reverse order and without metadata.
    reordered = dict(reversed(list(mixed.items())))
    save_file(reordered, os.path.join(directory, "reordered.safetensors"))
    record("reordered.safetensors", reordered, None, {k: ("F16" if v.dtype == np.float16 else "F32") for k, v in reordered.items()})

    # 3. BF16 (and F32) through the real library's serialize_file from raw bit patterns.
    source = np.concatenate([np.array([0.0, -0.0, 1.0, 3.140625, -1e-40, np.inf, -np.inf, np.nan], dtype=np.float32),
                             rng.standard_normal(120).astype(np.float32) * 100]).reshape(8, 16)
    bf16_bits = (source.view(np.uint32) >> 16).astype(np.uint16)
    widened = (bf16_bits.astype(np.uint32) << 16).view(np.float32)
    f32 = rng.standard_normal((2, 3)).astype(np.float32)
    specs = {
        "w.bf16": safetensors.TensorSpec(dtype="bfloat16", shape=list(bf16_bits.shape),
                                         data_ptr=bf16_bits.ctypes.data, data_len=bf16_bits.nbytes),
        "b.f32": safetensors.TensorSpec(dtype="float32", shape=list(f32.shape), data_ptr=f32.ctypes.data, data_len=f32.nbytes),
    }
    safetensors.serialize_file(specs, os.path.join(directory, "bf16.safetensors"), metadata={"format": "pt"})
    record("bf16.safetensors", {"w.bf16": widened, "b.f32": f32}, {"format": "pt"}, {"w.bf16": "BF16", "b.f32": "F32"})

    # 4. A PEFT-style adapter directory: tensors as PEFT names them, config with extra PEFT keys.
    adapter_dir = os.path.join(directory, "peft_adapter")
    os.makedirs(adapter_dir, exist_ok=True)
    r = 2
    adapter = {}
    for module, (out_f, in_f) in {"layers.0.self_attn.q_proj": (6, 8), "layers.0.self_attn.v_proj": (4, 8)}.items():
        adapter[f"base_model.model.{module}.lora_B.weight"] = rng.standard_normal((out_f, r)).astype(np.float32)
        adapter[f"base_model.model.{module}.lora_A.weight"] = rng.uniform(-0.35, 0.35, (r, in_f)).astype(np.float32)
    save_file(adapter, os.path.join(adapter_dir, "adapter_model.safetensors"), metadata={"format": "pt"})
    record("peft_adapter/adapter_model.safetensors", adapter, {"format": "pt"}, {k: "F32" for k in adapter})
    config = {
        "alpha_pattern": {}, "auto_mapping": None, "base_model_name_or_path": "tiny", "bias": "none",
        "fan_in_fan_out": False, "inference_mode": True, "init_lora_weights": True, "layers_pattern": None,
        "layers_to_transform": None, "lora_alpha": 4, "lora_dropout": 0.05, "modules_to_save": None,
        "peft_type": "LORA", "r": r, "rank_pattern": {}, "revision": None,
        "target_modules": ["v_proj", "q_proj"], "task_type": "CAUSAL_LM", "use_dora": False, "use_rslora": False,
    }
    with open(os.path.join(adapter_dir, "adapter_config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.write("\n")

    with open(os.path.join(directory, "expected.json"), "w") as f:
        json.dump({"generator": f"safetensors {safetensors.__version__}, numpy {np.__version__}", "files": expected},
                  f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"check_safetensors: wrote {len(expected)} fixture files to {directory}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("check", "fixtures"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(check(sys.argv[2]) if sys.argv[1] == "check" else fixtures(sys.argv[2]))
