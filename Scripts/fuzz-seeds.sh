#!/bin/sh
# Remakes the committed seed corpus of the fuzz targets (Fuzz/Corpus/TARGET) from real inputs:
# the test objects (Tests/*/bpf/*.bpf.c compiled with clang) and their .BTF and .BTF.ext, a
# small C program with USDT probes (gcc and clang), this host's /proc text, netlink replies
# and command lines. The raw seeds go to .fuzz/raw-TARGET; libFuzzer's -merge=1 keeps the ones
# that add coverage. Needs the fuzzers built (Scripts/fuzz.sh builds them).
#   Scripts/fuzz-seeds.sh [TARGET...]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.build-fuzz/debug"
raw="$root/.fuzz/raw"
targets=${*:-"FuzzObjectSpec FuzzBTF FuzzBTFExt FuzzCOREAccess FuzzExecutableELF FuzzUSDTArguments FuzzNetlink FuzzProcFiles FuzzCORECache FuzzCLIArguments"}
rm -rf "$raw" && mkdir -p "$raw/objects"

# u32 little-endian
le32() { printf "\\$(printf %03o $(($1 & 255)))\\$(printf %03o $(($1 >> 8 & 255)))\\$(printf %03o $(($1 >> 16 & 255)))\\$(printf %03o $(($1 >> 24 & 255)))"; }

arch_include="/usr/include/$(uname -m)-linux-gnu"
for src in "$root"/Tests/*/bpf/*.bpf.c; do
    name=$(basename "$src" .bpf.c)
    clang -target bpf -O2 -g -I"$arch_include" -c "$src" -o "$raw/all-$name.o" 2>/dev/null || rm -f "$raw/all-$name.o"
done
# The 16 smallest objects keep the corpus at a few hundred KB; merging picks among them.
for o in $(ls -Sr "$raw"/all-*.o | head -n 16); do mv "$o" "$raw/objects/$(basename "$o" | sed 's/^all-//')"; done

for t in $targets; do
    d="$raw/$t"; mkdir -p "$d"
    case $t in
    FuzzObjectSpec) cp "$raw"/objects/*.o "$d"/ ;;
    FuzzBTF) for o in "$raw"/objects/*.o; do llvm-objcopy --dump-section .BTF="$d/$(basename "$o" .o).btf" "$o" 2>/dev/null || true; done ;;
    FuzzBTFExt|FuzzCOREAccess)
        for o in "$raw"/objects/*.o; do
            n=$(basename "$o" .o)
            llvm-objcopy --dump-section .BTF="$raw/btf" --dump-section .BTF.ext="$raw/ext" "$o" 2>/dev/null || continue
            if [ $t = FuzzBTFExt ]; then
                { le32 "$(wc -c <"$raw/btf")"; cat "$raw/btf" "$raw/ext"; } >"$d/$n"
            else
                # Local type ids 1-4 with field, type and enumerator relocation kinds.
                for id in 1 2 3 4; do
                    for k in "0 0:0" "0 0:1:0" "8 0" "10 0:1"; do
                        set -- $k
                        { le32 "$id"; printf "\\$(printf %03o "$1")%s\\000" "$2"; cat "$raw/btf"; } >"$d/$n-$id-$1-$2"
                    done
                done
            fi
        done ;;
    FuzzExecutableELF)
        cat >"$raw/usdt.c" <<'C'
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
__extension__ unsigned short p_a_semaphore __attribute__((unused)) __attribute__((section(".probes")));
__extension__ unsigned short p_s_semaphore __attribute__((unused)) __attribute__((section(".probes")));
int main(int argc, char **argv) { long x = argc; DTRACE_PROBE2(p, a, argc, x * 3); if (p_s_semaphore) DTRACE_PROBE1(p, s, argv); return 0; }
C
        gcc -O2 -o "$d/usdt-gcc" "$raw/usdt.c" 2>/dev/null || true
        clang -O2 -o "$d/usdt-clang" "$raw/usdt.c" 2>/dev/null || true
        gcc -O2 -shared -fPIC -Wl,--version-script=/dev/stdin -o "$d/versioned.so" "$raw/usdt.c" 2>/dev/null <<'V' || true
V1 { global: main; local: *; };
V
        [ -f "$d/usdt-gcc" ] && strip -o "$d/usdt-stripped" "$d/usdt-gcc" ;;
    FuzzUSDTArguments)
        i=0
        for s in "-4@%eax 8@-8(%rbp) 8@%rdi" "-4@12(%rsp) 8@\$77 -2@-3(%rbp,%rax,8)" "1@%al 2@%r9w -8@%r15" "8@%xmm0" "" ":" \
                 "usdt/bin/usdt:myprov:myprobe" "usdt//usr/lib/libc.so.6:libc:setjmp" "usdt" \
                 "uprobe//bin/bash:readline" "uretprobe.s/libc.so.6:malloc+0x10" "uprobe.multi//lib/x:f*" "uprobe//bin/x:0x1234"; do
            printf %s "$s" >"$d/$i"; i=$((i + 1))
        done ;;
    FuzzNetlink)
        python3 - "$d" <<'PY'
import struct, sys
d = sys.argv[1]
def msg(t, flags, payload, seq=1): 
    b = struct.pack("=IHHII", 16 + len(payload), t, flags, seq, 0) + payload
    return b + b"\0" * (-len(b) % 4)
def attr(t, v, nested=False):
    a = struct.pack("=HH", 4 + len(v), t | (0x8000 if nested else 0)) + v
    return a + b"\0" * (-len(a) % 4)
ack = msg(2, 0x100, struct.pack("=i", 0) + struct.pack("=IHHII", 36, 44, 5, 1, 0))
err = msg(2, 0x300, struct.pack("=i", -17) + struct.pack("=IHHII", 36, 44, 5, 1, 0) + attr(1, b"Exclusivity flag on, cannot modify\0") + attr(2, struct.pack("=I", 20)))
tcmsg = struct.pack("=BxxxiIII", 0, 1, 0x1, 0xfffffff2, (1 << 16) | 0x0300)
opts = attr(2, attr(6, b"prog:[42]\0") + attr(11, struct.pack("=I", 42)) + attr(10, struct.pack("=I", 1)), nested=True)
filt = msg(44, 2, tcmsg + attr(1, b"bpf\0") + opts)
for name, data in [("ack", ack), ("err", err), ("filter", filt), ("dump", filt + filt + msg(3, 2, struct.pack("=i", 0)))]:
    open(f"{d}/{name}", "wb").write(data)
PY
        ;;
    FuzzProcFiles)
        head -c 4000 /proc/kallsyms >"$d/kallsyms"
        grep -m 20 ' \[' /proc/kallsyms >"$d/kallsyms-modules" || true
        cat /proc/self/maps >"$d/maps" ;;
    FuzzCORECache)
        # The loader's own cache files (written by root's loads of objects with CO-RE, e.g. any
        # tool started once), and one truncated.
        for f in /run/swiftbpf/core-cache/*; do [ -f "$f" ] && cp "$f" "$d/"; done
        f=$(ls "$d" | head -n 1); [ -n "$f" ] && head -c 100 "$d/$f" >"$d/truncated" ;;
    FuzzCLIArguments)
        printf 'key\0000x01\0000x02\0000x03\0000x04\000value\000hex\000010203\0000a0b' >"$d/map-update"
        printf 'key\0001\0002\000255\000value\0000X7f' >"$d/decimal"
        printf 'id\00017' >"$d/id"; printf 'pinned\000/sys/fs/bpf/m' >"$d/pinned"; printf '/sys/fs/bpf/p' >"$d/path"; printf -- '-1' >"$d/negative"
        { grep -m 1 ' __bpf_call_base$' /proc/kallsyms; head -c 2000 /proc/kallsyms; } >"$d/kallsyms" ;;
    esac
    mkdir -p "$root/Fuzz/Corpus/$t"
    "$bin/$t" -merge=1 "$root/Fuzz/Corpus/$t" "$d" 2>&1 | grep -E 'MERGE-OUTER: [0-9]+ new files' || true
done
