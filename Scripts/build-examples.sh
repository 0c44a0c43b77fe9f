#!/usr/bin/env bash
# Builds the example packages under Examples/ the way a user's package is built (SwiftBPF as a
# path dependency, the BPFCompiler plugin, the example's own bpf/*.bpf.c), then runs HelloBPF as
# root against the running kernel while a real workload execs a program of a known name, and
# checks that the exec events and the per-uid counts it prints name that program. Also checks
# the typed bindings' compile-time guarantee with the DocC snippet in Snippets/ (see below).
# Exits non-zero on any failure. Each example builds in its own scratch path, .build-examples.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
scratch=.build-examples

cd "$repo/Examples/HelloBPF"
swift build --scratch-path "$scratch"
bin="$(swift build --scratch-path "$scratch" --show-bin-path)/HelloBPF"

work=$(mktemp -d)
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# The compile-time check of the typed bindings (Snippets/TracepointHasNoXDPAttach.swift, a DocC
# snippet): the file type-checks against the BPF module just built, and with its
# `does-not-compile` lines enabled it fails with the expected error.
bin_dir=$(dirname "$bin")
check=(swiftc -typecheck -I "$bin_dir/Modules" -Xcc "-fmodule-map-file=$bin_dir/CBPF.build/module.modulemap"
       -I "$repo/Sources/CBPF/include")
snippet="$repo/Snippets/TracepointHasNoXDPAttach.swift"
"${check[@]}" "$snippet"
mkdir -p "$work/snippet"
sed 's|^// does-not-compile: ||' "$snippet" > "$work/snippet/negative.swift"
if "${check[@]}" "$work/snippet/negative.swift" > "$work/snippet/out" 2>&1; then
    echo "build-examples: a tracepoint program accepted an interface attach; the typed API must refuse it" >&2
    exit 1
fi
if ! grep -q "error: argument passed to call that takes no arguments" "$work/snippet/out"; then
    echo "build-examples: the tracepoint-with-interface snippet failed for another reason:" >&2
    cat "$work/snippet/out" >&2
    exit 1
fi
echo "build-examples: a tracepoint program has no interface (XDP) attach: checked at compile time"

# The workload: a copy of true(1) under a name no other process on the machine has (15 bytes,
# so the kernel's 16-byte comm keeps all of it).
probe="$work/hello_bpf_probe"
cp "$(type -P true)" "$probe"
runs=5

"$bin" --duration 5 > "$work/out" 2> "$work/err" &
pid=$!
# The header is printed once the program is attached; wait for it (at most 30 s).
for _ in $(seq 300); do
    grep -q '^PID' "$work/out" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if ! grep -q '^PID' "$work/out"; then
    echo "build-examples: HelloBPF did not start:" >&2
    cat "$work/err" >&2
    exit 1
fi
for _ in $(seq "$runs"); do "$probe"; done
status=0
wait "$pid" || status=$?
pid=""
if [ "$status" -ne 0 ]; then
    echo "build-examples: HelloBPF exited with $status:" >&2
    cat "$work/err" >&2
    exit 1
fi

seen=$(grep -c " hello_bpf_probe  *$probe\$" "$work/out" || true)
uid_line=$(grep "^uid $(id -u): " "$work/out" || true)
uid_count=$(echo "$uid_line" | sed -n 's/^uid [0-9]*: \([0-9]*\) execs$/\1/p')
if [ "$seen" -ne "$runs" ] || [ -z "$uid_count" ] || [ "$uid_count" -lt "$runs" ]; then
    echo "build-examples: expected $runs exec events of $probe and a count of at least $runs for uid $(id -u); HelloBPF printed:" >&2
    cat "$work/out" >&2
    exit 1
fi
echo "build-examples: HelloBPF saw $seen of $runs execs of $probe; $uid_line"
