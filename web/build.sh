#!/usr/bin/env bash
# Rebuilds the book's WebAssembly: the microgpt-web crate, compiled for wasm32-unknown-unknown and
# bound by wasm-bindgen into chapters/live/ (microgpt_web_bg.wasm and its glue, microgpt_web.js).
#
#   web/build.sh           rebuild chapters/live/ in place (then commit it, and refresh the size
#                          the book shows: BOOK_BLESS=1 cargo test --doc ch09)
#   web/build.sh --check   rebuild into a temporary directory and fail if it differs from the
#                          committed files (what CI runs)
#
# It installs what it needs, at pinned versions: the rustup target, and wasm-bindgen-cli at exactly
# the version of wasm-bindgen in Cargo.lock (exit status 3 if it cannot). The bytes depend on the
# Rust toolchain (recorded in web/built-with.txt) and on nothing else: paths are remapped, so any
# clone in any directory gives the same file.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

check=false
case "${1:-}" in
    --check) check=true ;;
    "") ;;
    *) echo "usage: web/build.sh [--check]" >&2; exit 2 ;;
esac

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown || exit 3
fi

# wasm-bindgen-cli must be the exact version of the wasm-bindgen crate the module is built with.
version=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
cargo_home=${CARGO_HOME:-$HOME/.cargo}
wasm_bindgen=$cargo_home/bin/wasm-bindgen
if [ "$("$wasm_bindgen" --version 2>/dev/null)" != "wasm-bindgen $version" ]; then
    SECONDS=0
    # Not --locked: the CLI's own lockfile pins a crate release the registry no longer serves.
    cargo install wasm-bindgen-cli --version "=$version" || exit 3
    echo "installed wasm-bindgen-cli $version in ${SECONDS} s"
fi

# The release profile tuned for a small module: one codegen unit and link-time optimisation; a
# panic (a bug, never bad input) aborts instead of unwinding. The paths rustc writes into panic
# messages are made relative to the repository and the cargo home. simd128, WebAssembly's 128-bit
# vectors (every browser since 2023), lets the compiler run the fused engine's and Adam's loops over
# independent outputs two numbers at a time, as SSE2 does natively: the same operations on each
# number, so the same bits, and 1000 reference steps in about two thirds of the time.
target_dir=${CARGO_TARGET_DIR:-$root/target}
CARGO_PROFILE_RELEASE_LTO=true \
CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
CARGO_PROFILE_RELEASE_PANIC=abort \
CARGO_PROFILE_RELEASE_DEBUG=false \
RUSTFLAGS="-C target-feature=+simd128 --remap-path-prefix=$root=/microgpt --remap-path-prefix=$cargo_home=/cargo" \
    cargo build --locked --release --target wasm32-unknown-unknown -p microgpt-web

out=chapters/live
if $check; then
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
fi
"$wasm_bindgen" --target web --no-typescript --remove-name-section --remove-producers-section \
    --out-dir "$out" "$target_dir/wasm32-unknown-unknown/release/microgpt_web.wasm"

toolchain="$(rustc --version), wasm-bindgen $version"
if ! $check; then
    echo "$toolchain" > web/built-with.txt
    echo "wrote $out/microgpt_web_bg.wasm ($(wc -c < "$out/microgpt_web_bg.wasm") bytes) with $toolchain"
    exit 0
fi
built_with=$(cat web/built-with.txt)
for file in microgpt_web_bg.wasm microgpt_web.js; do
    if ! cmp -s "$out/$file" "chapters/live/$file"; then
        if [ "$built_with" != "$toolchain" ]; then
            echo "chapters/live/$file was built with $built_with, this machine has $toolchain: not compared" >&2
            exit 0
        fi
        echo "chapters/live/$file differs from a fresh build: run web/build.sh and commit the result" >&2
        exit 1
    fi
done
echo "chapters/live/ is what web/build.sh builds ($toolchain)"
