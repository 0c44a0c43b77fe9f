#!/usr/bin/env bash
# Resolves one kernel entry of the VM matrix to a vmlinuz file and prints its path.
#   debian-6.1           the newest Debian linux-image-6.1.0-NN-cloud-amd64-unsigned (apt-cache)
#   debian-6.12          the newest linux-image-6.12.*-cloud-amd64-unsigned, where apt has one
#   linux-image-...      that Debian package
#   PATH                 a vmlinuz file
# Packages are fetched with `apt-get download` into CACHE and their vmlinuz, config and the few
# modules the tests need (MODULES below: loop devices for biolatency, veth and the TC classifier
# for the network tests, netem for the flows RTT test, inet_diag and tcp_diag for `ss -ti`)
# extracted there, once (again when MODULES changes: modules/.list records what was extracted).
# A failed download is an error that names the package.
# Usage: fetch-kernel.sh ENTRY CACHE
set -euo pipefail
entry=$1 cache=$2
mkdir -p "$cache"
MODULES=(drivers/block/loop.ko drivers/net/veth.ko net/sched/sch_ingress.ko net/sched/cls_bpf.ko net/sched/sch_netem.ko
         net/ipv4/inet_diag.ko net/ipv4/tcp_diag.ko)

newest() {  # newest package name matching an apt-cache search pattern
    apt-cache search --names-only "$1" | awk '{print $1}' | sort -V | tail -1
}

case "$entry" in
    debian-6.1) pattern='^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$' ;;
    debian-6.12) pattern='^linux-image-6\.12\.[0-9]+\+deb[0-9]+-cloud-amd64-unsigned$' ;;
    linux-image-*) pattern= ; package=$entry ;;
    *)
        [ -f "$entry" ] || { echo "vmtest: kernel '$entry' is neither a file, a package name nor a known alias (debian-6.1, debian-6.12)" >&2; exit 2; }
        echo "$entry"; exit 0 ;;
esac
if [ -n "${pattern:-}" ]; then
    package=$(newest "$pattern")
    if [ -z "$package" ]; then
        apt-get update -qq >/dev/null 2>&1 || true
        package=$(newest "$pattern")
    fi
    [ -n "$package" ] || { echo "vmtest: apt-cache finds no package for $entry (pattern $pattern); run apt-get update" >&2; exit 3; }
fi

vmlinuz=$(ls "$cache/$package"/boot/vmlinuz-* 2>/dev/null | head -1 || true)
# Caches made before configs and modules were kept: extract again.
ls "$cache/$package"/boot/config-* >/dev/null 2>&1 || vmlinuz=
[ -d "$cache/$package/modules" ] || vmlinuz=
# ... and caches extracted for another module list.
[ "$(cat "$cache/$package/modules/.list" 2>/dev/null)" = "${MODULES[*]}" ] || vmlinuz=
if [ -z "$vmlinuz" ]; then
    work=$(mktemp -d "$cache/.download.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    if ! (cd "$work" && apt-get download "$package" >"$work/apt.log" 2>&1); then
        if ! { apt-get update -qq >/dev/null 2>&1 && (cd "$work" && apt-get download "$package" >"$work/apt.log" 2>&1); }; then
            echo "vmtest: could not download kernel package $package:" >&2
            sed 's/^/    /' "$work/apt.log" >&2
            exit 4
        fi
    fi
    mkdir -p "$work/x"
    dpkg-deb -x "$work"/*.deb "$work/x"
    ls "$work"/x/boot/vmlinuz-* >/dev/null 2>&1 || { echo "vmtest: package $package has no boot/vmlinuz-*" >&2; exit 5; }
    mkdir -p "$cache/$package/boot"
    mv "$work"/x/boot/vmlinuz-* "$cache/$package/boot/"
    mv "$work"/x/boot/config-* "$cache/$package/boot/" 2>/dev/null || true
    # modules/RELEASE/NAME.ko(.xz): flat, for the VM's init to insmod (it retries those that fail
    # once, after the others: tcp_diag needs inet_diag). A kernel that builds one in, or lacks it,
    # simply has no file here. Moved in by rename: a concurrent run reading the cache sees the
    # old file or the new one, never half of one.
    for release in "$work"/x/lib/modules/*/; do
        [ -d "$release" ] || continue
        r=$(basename "$release")
        mkdir -p "$cache/$package/modules/$r"
        for m in "${MODULES[@]}"; do
            for f in "$release/kernel/$m" "$release/kernel/$m.xz"; do
                [ -f "$f" ] && mv "$f" "$cache/$package/modules/$r/"
            done
        done
    done
    mkdir -p "$cache/$package/modules"
    echo "${MODULES[*]}" > "$work/list" && mv "$work/list" "$cache/$package/modules/.list"
    vmlinuz=$(ls "$cache/$package"/boot/vmlinuz-* | head -1)
fi
echo "$vmlinuz"
