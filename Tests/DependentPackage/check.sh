#!/usr/bin/env bash
# Builds and runs a package that depends on this one, in the two forms users write:
#   .package(path:)            always
#   .package(url:from:)        with --url: against a tagged clone of HEAD (SwiftPM refuses
#                              unsafe flags in such a dependency; Package.swift leaves them out)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -R "$here/Package.swift" "$here/Sources" "$work/"
if [ "${1:-}" = "--url" ]; then
    git clone -q "$root" "$work/lora-remote"
    git -C "$work/lora-remote" tag 0.1.0
    (cd "$work" && LORA_PACKAGE_URL="file://$work/lora-remote" swift run lora-dependent)
else
    (cd "$work" && LORA_PACKAGE_PATH="$root" swift run lora-dependent)
fi
