#!/usr/bin/env bash
# Builds the test VM's initramfs (an uncompressed newc cpio, which the kernel unpacks fastest):
#   busybox (static) and Scripts/vm/init as /init;
#   the test binary and the swiftbpf CLI in /opt/swiftbpf, with every shared library they need
#   (from ldd) at its host path, plus the dynamic loader;
#   the compiled BPF objects in /objects; the test filter in /etc/vmtest.conf.
#   the kernel config files found next to downloaded kernels, as /boot/config-RELEASE (for
#   CONFIG_* externs: Debian kernels have no /proc/config.gz), and their extracted modules as
#   /lib/modules/RELEASE/*.ko (the init loads them);
#   the tests' C helpers built on the host (HELPER_DIR) in /opt/swiftbpf/helpers;
#   the host's iproute2 `ip`, `tc` and `ss`, util-linux `losetup`, `bpftool` and `dnsmasq` in
#   /usr/local/bin with their libraries (busybox's ip has no `netns`, its losetup no `--show`;
#   busybox has no ss, the flows tests' oracle, nor a DNS server for their resolver).
# Usage: build-initramfs.sh OUT.cpio TEST_BINARY CLI_BINARY OBJECT_DIR FILTER SKIP [KERNEL_CACHE [HELPER_DIR]]
# VMTEST_DEADLINE (seconds of uptime, default 850): the init kills the test run then.
set -euo pipefail
out=$1 tests=$2 cli=$3 objects=$4 filter=$5 skip=$6 cache=${7:-} helpers=${8:-}
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d "${TMPDIR:-/tmp}/swiftbpf-vm-root.XXXXXX")
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,root,objects,opt/swiftbpf/helpers,usr/bin,usr/sbin,usr/local/bin,lib/modules}
cp "$(command -v busybox)" "$root/bin/busybox"
! ldd "$root/bin/busybox" >/dev/null 2>&1 || {
    echo "vmtest: $(command -v busybox) is not static; install busybox-static" >&2; exit 1; }
cp "$here/init" "$root/init"
chmod +x "$root/init"

# The binaries, stripped of debug info (the initramfs is unpacked in guest memory).
strip --strip-debug -o "$root/opt/swiftbpf/SwiftBPFPackageTests.xctest" "$tests"
strip --strip-debug -o "$root/opt/swiftbpf/swiftbpf" "$cli"

# Host tools the tests drive, where the host has them.
extra=()
for tool in ip tc ss losetup bpftool dnsmasq; do
    path=$(command -v "$tool" || true)
    [ -n "$path" ] || { echo "vmtest: no $tool on the host; the VM's tests that need it will skip" >&2; continue; }
    cp -L "$path" "$root/usr/local/bin/$tool"
    extra+=("$path")
done
if [ -n "$helpers" ]; then
    cp "$helpers"/* "$root/opt/swiftbpf/helpers/" 2>/dev/null || true
    for h in "$root"/opt/swiftbpf/helpers/*; do [ -f "$h" ] && extra+=("$h"); done
fi

# Shared libraries at their host paths, so the binaries' RUNPATH and the loader find them.
ldd "$tests" "$cli" "${extra[@]}" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/[^ ]*ld-linux/ { print $1 }' | sort -u | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done
# The loader is also reached through /lib64 on x86_64.
if [ -e /lib64/ld-linux-x86-64.so.2 ] && [ ! -e "$root/lib64/ld-linux-x86-64.so.2" ]; then
    mkdir -p "$root/lib64"
    cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
fi

cp "$objects"/*.o "$root/objects/" 2>/dev/null || true
printf 'VMTEST_FILTER=%q\nVMTEST_SKIP=%q\nVMTEST_DEADLINE=%q\n' "$filter" "$skip" "${VMTEST_DEADLINE:-850}" > "$root/etc/vmtest.conf"
mkdir -p "$root/boot"
[ -z "$cache" ] || cp "$cache"/*/boot/config-* "$root/boot/" 2>/dev/null || true
[ -z "$cache" ] || cp -r "$cache"/*/modules/* "$root/lib/modules/" 2>/dev/null || true
echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) > "$out"
