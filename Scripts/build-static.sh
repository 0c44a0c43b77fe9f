#!/usr/bin/env bash
# Builds a SwiftPM product as one static release executable and prints its path.
# Usage: Scripts/build-static.sh [PRODUCT]   (default: swiftbpf; scratch path .build-static,
# or $SCRATCH)
#
# The executable is linked with lld, with the functions it runs placed together: that keeps the
# resident code of a running tool or agent small. The order is Scripts/link-order.txt for the
# tools (Scripts/generate-link-order.sh) and Scripts/link-order-PRODUCT.txt for another product
# where it exists (Scripts/generate-agent-link-order.sh). Build output goes to stderr.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
product="${1:-swiftbpf}"
scratch="${SCRATCH:-$root/.build-static}"
list="$root/Scripts/link-order.txt"
[ -s "$root/Scripts/link-order-$product.txt" ] && list="$root/Scripts/link-order-$product.txt"
order=()
if [ -s "$list" ]; then
    # -function-sections: the linker orders sections, not functions. Without it a Swift object
    # file keeps most of its functions in one .text, and one hot function there brings the whole
    # file's code along.
    order=(-Xswiftc -use-ld=lld -Xlinker "--symbol-ordering-file=$list"
           -Xlinker --no-warn-symbol-ordering -Xswiftc -Xfrontend -Xswiftc -function-sections)
fi
swift build --package-path "$root" --scratch-path "$scratch" -c release \
    --static-swift-stdlib -Xswiftc -static-executable "${order[@]}" --product "$product" >&2
echo "$scratch/release/$product"
