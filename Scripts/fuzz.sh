#!/bin/sh
# Runs the libFuzzer targets of Fuzz/ (a separate package, built with -sanitize=fuzzer).
#   Scripts/fuzz.sh TARGET SECONDS   one target for a while (findings in .fuzz/crashes-TARGET)
#   Scripts/fuzz.sh --smoke [SECONDS] every target for SECONDS (default 15): CI's smoke run,
#                                     fails if any target finds a crash, hang or leak of memory
#   Scripts/fuzz.sh --list            the targets
# Each target starts from its committed seed corpus, Fuzz/Corpus/TARGET (Scripts/fuzz-seeds.sh
# remakes it), and grows a working corpus in .fuzz/corpus-TARGET. An input slower than 10 s
# is a hang, more than 2 GB of memory an OOM: both are findings, as crashes are.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
scratch="$root/.build-fuzz"
work="$root/.fuzz"
mkdir -p "$work"
targets="FuzzObjectSpec FuzzBTF FuzzBTFExt FuzzCOREAccess FuzzExecutableELF FuzzUSDTArguments FuzzNetlink FuzzProcFiles FuzzCORECache FuzzCLIArguments"
usage="usage: Scripts/fuzz.sh TARGET SECONDS | --smoke [SECONDS] | --list"

# An incremental build relinks the main package's plugin tools (BPFGen, BPFSwiftCompiler) with
# -sanitize=fuzzer too, and their main clashes with libFuzzer's: that link fails, the fuzz
# targets still link. So a failed build is accepted when every fuzz binary is newer than the
# library's sources.
build() {
    (cd "$root/Fuzz" && swift build -c debug --scratch-path "$scratch" --sanitize=fuzzer "$@" >&2) && return 0
    for t in $targets; do
        [ -x "$scratch/debug/$t" ] && [ -z "$(find "$root/Sources/BPF" "$root/Fuzz/Sources" -newer "$scratch/debug/$t" -name '*.swift' | head -n 1)" ] || {
            echo "fuzz build failed: $t is missing or older than the sources" >&2; return 1; }
    done
    echo "fuzz build: plugin tools failed to link (expected with -sanitize=fuzzer); fuzz targets are up to date" >&2
}

# Swift's own crash handler would catch a trap first and exit without libFuzzer's artifact.
export SWIFT_BACKTRACE=enable=no

run() {  # TARGET SECONDS
    mkdir -p "$work/corpus-$1" "$work/crashes-$1"
    "$scratch/debug/$1" "$work/corpus-$1" "$root/Fuzz/Corpus/$1" \
        -max_total_time="$2" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/crashes-$1/"
}

case ${1:?$usage} in
--list) echo "$targets" | tr ' ' '\n' ;;
--smoke)
    seconds=${2:-15}
    build
    failed=""
    for t in $targets; do
        echo "== $t ($seconds s)" >&2
        run "$t" "$seconds" 2>"$work/smoke-$t.log" || failed="$failed $t"
        grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' "$work/smoke-$t.log" | tr '\n' ' ' >&2; echo >&2
    done
    if [ -n "$failed" ]; then
        echo "fuzz smoke: findings in$failed (see .fuzz/smoke-TARGET.log and .fuzz/crashes-TARGET)" >&2
        exit 1
    fi ;;
*)
    target=$1
    echo " $targets " | grep -q " $target " || { echo "unknown target '$target'; $usage" >&2; exit 2; }
    build --product "$target"
    run "$target" "${2:?$usage}" ;;
esac
