#!/usr/bin/env bash
# Builds the API reference of the LoRA library as a static website, with the toolchain's own
# `docc` (no package dependency), and fails on any DocC warning (a broken ``Symbol`` link, a
# parameter documented under a wrong name, an article that names a missing chapter).
#
#   Scripts/api-docs.sh [output-folder]      default: .build/api-docs
#
# Environment: SWIFT (the swift driver; default: swift), DOCC (the docc binary; default: the one
# beside the swift driver, or `xcrun --find docc`),
# API_DOCS_BASE_PATH (the URL path the site is served under, e.g. /LoRAByCode for
# https://host/LoRAByCode/documentation/lora/; default: the server's root).
#
# Serve the result with any HTTP server (the pages load their content with JavaScript, so a
# file:// URL shows a blank page), e.g.
#   python3 -m http.server -d .build/api-docs 8000
# and open http://localhost:8000/documentation/lora/
set -euo pipefail
cd "$(dirname "$0")/.."

output=${1:-.build/api-docs}
catalog=Sources/LoRA/LoRA.docc
base_path=${API_DOCS_BASE_PATH:-}
swift=${SWIFT:-swift}

fail() { echo "api-docs: $*" >&2; exit 1; }

# The docc of the toolchain that builds the package.
docc=${DOCC:-}
if [ -z "$docc" ]; then
    swift_path=$(command -v "$swift") || fail "$swift is not on PATH"
    beside=$(dirname "$(readlink -f "$swift_path")")/docc
    if [ -x "$beside" ]; then
        docc=$beside
    elif command -v xcrun >/dev/null 2>&1 && xcrun --find docc >/dev/null 2>&1; then
        docc=$(xcrun --find docc)
    elif command -v docc >/dev/null 2>&1; then
        docc=$(command -v docc)
    else
        fail "no docc found beside $swift_path or through xcrun; set DOCC=/path/to/docc"
    fi
fi

# The chapter map must name every chapter folder, and only those (chapters get renumbered).
chapter_page=$catalog/Chapters.md
for folder in Chapters/[0-9][0-9]-*/; do
    name=$(basename "$folder")
    [ -f "$folder/main.swift" ] || continue
    grep -q "\`Chapters/$name\`" "$chapter_page" || fail "$chapter_page has no section for chapter $name"
done
for name in $(grep -o '`Chapters/[0-9][0-9]-[a-z0-9-]*`' "$chapter_page" | tr -d '`' | sed 's|^Chapters/||'); do
    [ -f "Chapters/$name/main.swift" ] || fail "$chapter_page names chapter $name, which does not exist"
done

# Symbol graphs of the LoRA module (public symbols; LoRA@Swift holds its extensions of Float and
# Double, kept as extension blocks so that they get pages of their own). dump-symbol-graph
# builds the package in the usual configuration first, so it reuses the build that `make test`
# leaves and changes no build flag (the -emit-symbol-graph compiler flag would make the next
# plain build recompile everything). It exits non-zero when the test
# modules are not built (it tries to dump them too), so success here is a LoRA graph written by
# this run, not its exit status.
echo "api-docs: symbol graphs (swift package dump-symbol-graph)"
mkdir -p .build
marker=$(mktemp .build/api-docs-marker.XXXXXX)
dump_log=$("$swift" package dump-symbol-graph --emit-extension-block-symbols 2>&1) || true
graphs=$(echo "$dump_log" | sed -n 's/^Files written to //p' | tail -n 1)
fresh_graph=$( [ -n "$graphs" ] && find "$graphs/LoRA.symbols.json" -newer "$marker" 2>/dev/null || true)
rm -f "$marker"
if [ -z "$fresh_graph" ] || echo "$dump_log" | grep -q "symbol graph for 'LoRA'"; then
    echo "$dump_log" >&2
    fail "swift package dump-symbol-graph wrote no symbol graph for LoRA (see above)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/api-docs.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/symbol-graphs"
cp "$graphs"/LoRA.symbols.json "$work/symbol-graphs/"
for extension in "$graphs"/LoRA@*.symbols.json; do
    if [ -e "$extension" ]; then cp "$extension" "$work/symbol-graphs/"; fi
done

# Convert into a fresh folder beside the output, then swap it in, so an interrupted or failed
# run leaves the previous site whole.
mkdir -p "$(dirname "$output")"
fresh=$output.new.$$
rm -rf "$fresh"
echo "api-docs: $docc convert"
args=(convert "$catalog"
    --additional-symbol-graph-dir "$work/symbol-graphs"
    --fallback-display-name LoRA
    --fallback-bundle-identifier org.lorabycode.LoRA
    --fallback-default-module-kind Library
    --transform-for-static-hosting
    --warnings-as-errors
    --output-path "$fresh")
if [ -n "$base_path" ]; then args+=(--hosting-base-path "$base_path"); fi
if ! "$docc" "${args[@]}"; then
    rm -rf "$fresh"
    fail "docc reported the problems above (warnings count as errors)"
fi
[ -f "$fresh/index.html" ] && [ -d "$fresh/data/documentation/lora" ] || { rm -rf "$fresh"; fail "docc wrote no LoRA pages into $fresh"; }
rm -rf "$output"
mv "$fresh" "$output"
echo "api-docs: wrote $output"
if [ -z "$base_path" ]; then
    echo "api-docs: serve it with 'python3 -m http.server -d $output 8000' and open http://localhost:8000/documentation/lora/"
else
    echo "api-docs: built for hosting under $base_path: the site's folder must be served at that path"
fi
