#!/usr/bin/env bash
# The live book: the committed WebAssembly module is what web/build.sh builds, and the widgets,
# used in headless Chromium, show what the command line prints. Called by .ci/run with the path of
# the mdbook binary; on a developer's machine, `.ci/web.sh` alone runs it with the mdbook on PATH.
#
# Where the wasm toolchain cannot be installed, the byte check says so in one line and is skipped
# (the parity test of `cargo test` still runs the committed module). Where Chromium is missing, a
# local run says how to install it and skips the browser test; with CI=true, it installs Chromium
# (Debian's package) and the browser test must run.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS=0
mdbook=${1:-$(command -v mdbook || echo mdbook)}
target_dir=${CARGO_TARGET_DIR:-target}

# 1. The committed module is the one the sources build, byte for byte.
status=0
web/build.sh --check || status=$?
case $status in
    0) ;;
    3) echo "web: could not install the wasm toolchain: chapters/live/ was not rebuilt and compared" >&2 ;;
    *) exit "$status" ;;
esac

# 2. The widgets in a real browser.
chromium=/usr/bin/chromium
if [ ! -x "$chromium" ]; then
    if [ "${CI:-}" != true ]; then
        echo "web: Chromium is not installed (as root: apt-get install -y chromium): the browser test is skipped" >&2
        exit 0
    fi
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 || {
        echo "web: could not install Debian's chromium, which the browser test needs under CI" >&2
        exit 1
    }
fi
if ! command -v npm >/dev/null; then
    if [ "${CI:-}" != true ]; then
        echo "web: Node.js and npm are not installed: the browser test is skipped" >&2
        exit 0
    fi
    echo "web: the browser test needs Node.js and npm" >&2
    exit 1
fi
(cd web/browser-test && npm ci --no-audit --no-fund --loglevel=error)
cargo build --locked --release --bin microgpt --quiet
cargo build --locked --release -p microgpt-web --example widget_numbers --quiet
book=$target_dir/web-book
rm -rf "$book"
"$mdbook" build -d "$(realpath -m "$book")" 2>/dev/null
node web/browser-test/test.mjs "$book" "$target_dir/release/microgpt" "$target_dir/web-screenshots" \
    "$target_dir/release/examples/widget_numbers"
echo "web: ${SECONDS} s"
