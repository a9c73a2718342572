#!/usr/bin/env bash
# Interop check against Hugging Face's safetensors (Python): the package writes two adapters
# (a sample, and one saved from a TransformerModel with injected LoRA) that the real library must
# read, and reads files the real library wrote. Exit non-zero on
# any mismatch. Usage: Tests/interop/run.sh   (from anywhere; needs python3 with pip)
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -m pip install --quiet --disable-pip-version-check "safetensors>=0.8" numpy 2>&1 | grep -v "Running pip as the 'root' user" || true
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
swift build --product safetensors-interop
bin="$(swift build --show-bin-path)/safetensors-interop"
"$bin" write "$work/from-swift"
python3 Tests/interop/check_safetensors.py check "$work/from-swift"
python3 Tests/interop/check_safetensors.py fixtures "$work/from-python"
"$bin" read "$work/from-python"
echo "interop: 2 passed, 0 failed"
