#!/usr/bin/env bash
# The kernel matrix: runs SwiftBPF's kernel test suites, `swiftbpf doctor` and
# `swiftbpf object load` of the project's BPF objects on the host kernel and on other kernels
# booted under qemu (TCG: KVM does not start on this kind of machine), then prints a table of
# kernel x test group x result and the doctor's differences from the host. Exits non-zero if
# any test fails on any kernel, or a VM does not finish.
#
# Usage: Scripts/vmtest.sh [options] [KERNEL...]
#   KERNEL    host | debian-6.1 | debian-6.12 | linux-image-PACKAGE | path/to/vmlinuz | directory
#             of vmlinuz* files. Default: host debian-6.1.
#   --scratch-path DIR   SwiftPM build folder (default .build, the one Scripts/test.sh builds)
#   --no-build           use the binaries already in the scratch path
#   --filter REGEX       test suites to run (default: the kernel suites listed in VM_SUITES below)
#   --skip REGEX         tests not to run (default: VM_SKIP below, in VMs only)
#   --timeout SECONDS    per VM (default 1500)
#   --cache DIR          kernel downloads (default /var/cache/swiftbpf-vm)
#   --keep DIR           keep consoles, xunit files and doctor reports in DIR
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

# The suites the VM runs: the library's kernel suites (loader, CO-RE and externs, maps, ring and
# perf buffers, links, programs, kprobe, fentry, LSM, feature probes, doctor, the network hooks
# on veth pairs, cgroup hooks, sockmaps, tail calls) and every tool's suites with their CLI
# tests. The VM gets the host's ip, tc, ss, losetup and bpftool, the loop, veth, TC, netem and
# sock_diag modules of its kernel and the tests' C helpers built on the host.
# Host-only suites and why: Differential* compare with libbpf programs built at test time, USDT
# and Uprobe compile their targets with clang and gcc at test time (the VM has no compiler), Leak
# counts the host's kernel objects, Introspect* compare whole-machine listings with bpftool.
VM_SUITES='LoaderTests|ExternTests|BadInputTests|ReadmeExampleTests|RuntimeTests|KprobeTests|FentryTests|LSMTests|FeatureProbeTests|DoctorTests|CgroupHookTests|SockMapTests|TailCallTests|MapInMapTests|TestRunContextTests|ExecSnoopTests|OpenSnoopTests|ExitSnoopTests|KillSnoopTests|TCPToolsTests|TCPCLITests|SysCountTests|RunQLatTests|BioLatencyTests|LatencyCLITests|ProfileTests|SymbolizeTests|GuardTests|FirewallTests|\.CLITests|HTTPParserTests|FlowsTests'
# Tests of those suites that cannot pass in the VM, skipped there only (the host runs them).
# tcpBytesPacketsRTT...: 6.1 calls BPF_SOCK_OPS_RTT_CB once per RTT window and before it stores
# srtt_us (no srtt argument), and flows cannot re-read a socket of another network namespace, so
# the server's RTT lags ss by a sample (3.28 vs 2.88 ms under TCG); its bytes and packets matched.
VM_SKIP='tcpBytesPacketsRTTAndRetransmitsMatchSS'

scratch=.build build=1 filter=$VM_SUITES skip=$VM_SKIP hostskip= timeout=1500 cache=/var/cache/swiftbpf-vm keep=
kernels=()
while [ $# -gt 0 ]; do
    case "$1" in
        --scratch-path) scratch=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        --filter) filter=$2; shift 2 ;;
        --skip) skip=$2; hostskip=$2; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        --cache) cache=$2; shift 2 ;;
        --keep) keep=$2; shift 2 ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        -*) echo "vmtest: unknown option $1" >&2; exit 2 ;;
        *) kernels+=("$1"); shift ;;
    esac
done
[ ${#kernels[@]} -gt 0 ] || kernels=(host debian-6.1)
[ "$(id -u)" = 0 ] || { echo "vmtest: run as root (the tests load BPF programs; apt-get installs qemu)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/swiftbpf-vmtest.XXXXXX")
trap 'rm -rf "$work"' EXIT
[ -z "$keep" ] || mkdir -p "$keep"
started=$(date +%s)

# 1. Tools.
missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || missing+=(busybox-static)
command -v cpio >/dev/null || missing+=(cpio)
command -v jq >/dev/null || missing+=(jq)
if [ ${#missing[@]} -gt 0 ]; then
    echo "vmtest: installing ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. Binaries: the test bundle and the CLI (debug, shared Swift libraries copied into the VM).
if [ "$build" = 1 ]; then
    echo "vmtest: building (swift build --build-tests --scratch-path $scratch)"
    swift build --build-tests --scratch-path "$scratch" 2>&1 | tail -3
fi
bin="$scratch/debug"
tests="$bin/SwiftBPFPackageTests.xctest" cli="$bin/swiftbpf"
[ -x "$tests" ] && [ -x "$cli" ] || { echo "vmtest: $tests or $cli missing; build first" >&2; exit 2; }

# 3. The project's BPF objects, compiled as the build plugin compiles them.
mkdir -p "$work/objects"
for src in Tests/BPFKernelTests/bpf/*.bpf.c Sources/SwiftBPFTools/*/bpf/*.bpf.c Sources/SwiftBPFNet/*/bpf/*.bpf.c; do
    [ -e "$src" ] || continue
    name=$(basename "$src" .c)
    clang -target bpf -g -O2 -D__TARGET_ARCH_x86 -Wno-unused-function -I "$(dirname "$src")" -I BPFInclude \
        -idirafter /usr/include/x86_64-linux-gnu -c "$src" -o "$work/objects/$name.o" 2>/dev/null ||
        echo "vmtest: cannot compile $src (skipped from the object table)" >&2
done

# 3b. The tests' C helpers (Tests/BPFKernelTests/Helpers), built as TestHelperBinary builds them.
mkdir -p "$work/helpers"
for src in Tests/BPFKernelTests/Helpers/*.c; do
    [ -e "$src" ] || continue
    clang -O1 -g -fno-omit-frame-pointer -o "$work/helpers/$(basename "$src" .c)" "$src" ||
        { echo "vmtest: cannot compile $src" >&2; exit 2; }
done

# 4. The kernels first (their config files go into the initramfs as /boot/config-RELEASE), then
# the initramfs, shared by every VM.
images=()
for k in "${kernels[@]}"; do
    [ "$k" = host ] && continue
    if [ -d "$k" ]; then images+=("$k"/vmlinuz*); else images+=("$(Scripts/vm/fetch-kernel.sh "$k" "$cache")"); fi
done
VMTEST_DEADLINE=$(( timeout > 120 ? timeout - 45 : timeout / 2 )) Scripts/vm/build-initramfs.sh "$work/initrd.cpio" "$tests" "$cli" "$work/objects" "$filter" "$skip" "$cache" "$work/helpers"

# 5. Run each kernel.
entries=()   # "label|dir"
run_host() {
    local out=$1
    mkdir -p "$out"
    local pins=/sys/fs/bpf/swiftbpf_vmtest_$$
    "$cli" doctor --json > "$out/doctor.json" 2>&1 || true
    {
        for obj in "$work"/objects/*.o; do
            local name; name=$(basename "$obj" .bpf.o)
            mkdir -p "$pins/$name"
            if o=$("$cli" object load "$obj" --pin "$pins/$name" --pin-root "$pins/$name/by-name" 2>&1); then echo "@@OBJECT $name ok"
            else echo "@@OBJECT $name fail $(echo "$o" | grep -v '^ ' | head -1 | cut -c1-160)"; fi
            rm -rf "$pins/$name"
        done
        rmdir "$pins" 2>/dev/null || true
    } > "$out/objects.txt"
    local skipargs=()
    [ -z "$hostskip" ] || skipargs=(--skip "$hostskip")
    NO_COLOR=1 "$tests" --testing-library swift-testing --no-parallel --filter "$filter" "${skipargs[@]}" --xunit-output "$out/xunit.xml" > "$out/tests.log" 2>&1 || true
    uname -r > "$out/kernel"
}

run_vm() {
    local vmlinuz=$1 out=$2
    mkdir -p "$out"
    local t0; t0=$(date +%s)
    # One host thread runs both vCPUs (thread=single). With a thread per vCPU (MTTCG), a busy
    # host starves one vCPU's thread: the guest saw "rcu_preempt kthread timer wakeup didn't
    # happen ... on cpu=1" and a soft lockup of CPU 0 for minutes, waiting on the other CPU,
    # and the run never finished (once in CI, once here under load).
    timeout --foreground "$timeout" qemu-system-x86_64 -accel "${VMTEST_ACCEL:-tcg,thread=single}" -m 2048 -smp 2 -nographic -no-reboot \
        -kernel "$vmlinuz" -initrd "$work/initrd.cpio" \
        -append "console=ttyS0 quiet panic=-1 lsm=lockdown,capability,landlock,yama,apparmor,bpf swiftbpf.deadline=$(( $(date +%s) + timeout - 40 ))" \
        < /dev/null > "$out/console.raw" 2>&1 || true
    tr -d '\r' < "$out/console.raw" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g' > "$out/console.log"
    echo "$(( $(date +%s) - t0 ))" > "$out/seconds"
    grep -q '^@@SWIFTBPF-DONE' "$out/console.log" || { echo "vmtest: $vmlinuz did not finish within ${timeout}s (console: tail below)" >&2; tail -20 "$out/console.log" >&2; }
    sed -n 's/^@@SWIFTBPF-BEGIN kernel=\([^ ]*\).*/\1/p' "$out/console.log" > "$out/kernel"
    sed -n '/^@@SWIFTBPF-DOCTOR-BEGIN/,/^@@SWIFTBPF-DOCTOR-END/p' "$out/console.log" | sed '1d;$d' > "$out/doctor.json"
    grep '^@@OBJECT ' "$out/console.log" > "$out/objects.txt" || true
    sed -n '/^@@SWIFTBPF-TESTS-BEGIN/,/^@@SWIFTBPF-TESTS-END/p' "$out/console.log" > "$out/tests.log"
    sed -n '/^@@SWIFTBPF-XUNIT-BEGIN/,/^@@SWIFTBPF-XUNIT-END/p' "$out/console.log" | sed '1d;$d' > "$out/xunit.xml"
}

i=0
for k in "${kernels[@]}"; do
    if [ "$k" = host ]; then
        i=$((i + 1)); d="$work/k$i"
        echo "vmtest: host kernel $(uname -r)"
        t0=$(date +%s); run_host "$d"; echo "$(( $(date +%s) - t0 ))" > "$d/seconds"
        entries+=("host $(uname -r)|$d")
        continue
    fi
    if [ -d "$k" ]; then imgs=("$k"/vmlinuz*); else imgs=("$(Scripts/vm/fetch-kernel.sh "$k" "$cache")"); fi
    for img in "${imgs[@]}"; do
        [ -f "$img" ] || { echo "vmtest: no vmlinuz in $k" >&2; exit 2; }
        i=$((i + 1)); d="$work/k$i"
        echo "vmtest: booting $(basename "$img") under qemu (TCG)"
        run_vm "$img" "$d"
        entries+=("vm $(cat "$d/kernel" 2>/dev/null || basename "$img")|$d")
    done
done

# 6. Report.
status=0
Scripts/vm/report.sh "${entries[@]}" || status=$?
[ -z "$keep" ] || for e in "${entries[@]}"; do cp -r "${e#*|}" "$keep/"; done
echo "vmtest: $(( $(date +%s) - started ))s in all"
exit $status
