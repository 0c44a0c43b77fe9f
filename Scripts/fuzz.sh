#!/bin/sh
# Runs one libFuzzer target of Fuzz/ for a while: Scripts/fuzz.sh TARGET SECONDS
#   TARGET: FuzzObjectSpec (ELF reader, object parser, BTF and .BTF.ext of objects)
#           FuzzBTF        (BTF parser and C dumper)
# Seeds are the test objects (Tests/*/bpf/*.bpf.c compiled with clang, and their .BTF
# sections), made on first use in .fuzz/seeds-TARGET; findings go to .fuzz/crashes-TARGET.
set -eu
target=${1:?usage: Scripts/fuzz.sh TARGET SECONDS}
seconds=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
scratch="$root/.build-fuzz"
work="$root/.fuzz"
mkdir -p "$work/seeds-$target" "$work/corpus-$target" "$work/crashes-$target"

(cd "$root/Fuzz" && swift build -c debug --scratch-path "$scratch" --sanitize=fuzzer --product "$target" >&2)
binary="$scratch/debug/$target"

if [ -z "$(ls -A "$work/seeds-$target")" ]; then
    arch_include="/usr/include/$(uname -m)-linux-gnu"
    for src in "$root"/Tests/*/bpf/*.bpf.c; do
        name=$(basename "$src" .bpf.c)
        obj="$work/seeds-$target/$name.o"
        clang -target bpf -O2 -g -I"$arch_include" -c "$src" -o "$obj" 2>/dev/null || { rm -f "$obj"; continue; }
        if [ "$target" = FuzzBTF ]; then
            llvm-objcopy --dump-section .BTF="$work/seeds-$target/$name.btf" "$obj" 2>/dev/null || true
            rm -f "$obj"
        fi
    done
fi

exec "$binary" "$work/corpus-$target" "$work/seeds-$target" \
    -max_total_time="$seconds" -artifact_prefix="$work/crashes-$target/" -print_final_stats=1 -rss_limit_mb=4096
