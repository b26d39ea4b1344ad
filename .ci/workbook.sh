#!/usr/bin/env bash
# The reader's workbook (workbook/, chapter 1), generated into a temporary directory the way a reader
# makes one, and proven:
#
# 1. `new DIR` builds, and each chapter's tests (`cargo test ch02` … `ch11`) fail on a todo!();
# 2. `new --solved DIR` passes every chapter;
# 3. in chapter order: a staged workbook, run as if the reader had written chapters 2 to N, passes
#    chapter N's tests, and fails chapter N + 1's on chapter N + 1's own todo!() (chapter 11 writes
#    nothing, so it must pass once chapter 10 is written). This is what tells a reader that a
#    chapter's tests need only that chapter and the ones before it.
#
# The three crates are written in turn to the same path, so that they share one target directory and
# the dependencies are built once (cargo tells crates of one name apart by their path relative to
# the workspace, which is the same for all three; at one path it sees each new one as changed).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS=0
export RUST_BACKTRACE=0 # the messages a reader sees, without the backtraces
target=$(realpath -m "${CARGO_TARGET_DIR:-target}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/log

# Runs `cargo test ARGS…` in the workbook DIR; its output goes to $log.
run_tests() {
    local dir=$1
    shift
    (cd "$dir" && CARGO_TARGET_DIR=$target/workbook cargo test --quiet --test chapters "$@") >"$log" 2>&1
}

fail() {
    echo "workbook: $1; its output:" >&2
    cat "$log" >&2
    exit 1
}

# Writes a workbook of the given mode (`new`'s options) to $workbook, in place of the last one.
workbook=$tmp/workbook
new() {
    rm -rf "$workbook"
    cargo run --quiet -p microgpt-workbook -- new "$@" "$workbook"
}
chapters=(02 03 04 05 06 07 08 09 10 11)

# 1. The fresh workbook builds, and fails every chapter on a todo!().
new
run_tests "$workbook" --no-run || fail "the fresh workbook does not build"
for n in "${chapters[@]}"; do
    if run_tests "$workbook" "ch$n"; then
        fail "chapter ${n#0}'s tests pass in a fresh workbook, before anything is written"
    fi
    grep -q "not yet implemented: chapter" "$log" || fail "chapter ${n#0}'s tests fail, but not on a todo!()"
done
echo "workbook: the fresh workbook builds, and each of chapters 2 to 11 fails on a todo!()"

# 2. The solved workbook passes every chapter.
new --solved >/dev/null
run_tests "$workbook" || fail "the --solved workbook fails"
passed=$(grep -o '[0-9]* passed' "$log" | head -1)
echo "workbook: the --solved workbook passes every chapter ($passed)"

# 3. Chapter order: with chapters 2 to N - 1 written, chapter N fails on its own todo!(); with 2 to N
# written, it passes.
new --staged >/dev/null
for n in "${chapters[@]}"; do
    n=${n#0}
    if [ "$n" -le 10 ]; then
        if MICROGPT_WORKBOOK_SOLVED_THROUGH=$((n - 1)) run_tests "$workbook" "ch$(printf %02d "$n")"; then
            fail "chapter $n's tests pass with only chapters 2 to $((n - 1)) written"
        fi
        grep -q "not yet implemented: chapter $n," "$log" ||
            fail "with chapters 2 to $((n - 1)) written, chapter $n's tests fail on something else than its own todo!()"
    fi
    through=$((n <= 10 ? n : 10))
    MICROGPT_WORKBOOK_SOLVED_THROUGH=$through run_tests "$workbook" "ch$(printf %02d "$n")" ||
        fail "chapter $n's tests fail with chapters 2 to $through written"
done
echo "workbook: in chapter order, each chapter's tests pass with it and the chapters before it written, and not before"
echo "workbook: ${SECONDS} s"
