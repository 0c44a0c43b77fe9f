#!/usr/bin/env bash
# Builds a SwiftPM product as one static release executable and prints its path.
# Usage: Scripts/build-static.sh [PRODUCT]   (default: swiftbpf; scratch path .build-static,
# or $SCRATCH)
#
# The executable is linked with lld, with the functions the tools run placed together
# (Scripts/link-order.txt, see Scripts/generate-link-order.sh): that keeps the resident code of a
# running tool small. Build output goes to stderr.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
product="${1:-swiftbpf}"
scratch="${SCRATCH:-$root/.build-static}"
order=()
if [ -s "$root/Scripts/link-order.txt" ]; then
    # -function-sections: the linker orders sections, not functions. Without it a Swift object
    # file keeps most of its functions in one .text, and one hot function there brings the whole
    # file's code along.
    order=(-Xswiftc -use-ld=lld -Xlinker "--symbol-ordering-file=$root/Scripts/link-order.txt"
           -Xlinker --no-warn-symbol-ordering -Xswiftc -Xfrontend -Xswiftc -function-sections)
fi
swift build --package-path "$root" --scratch-path "$scratch" -c release \
    --static-swift-stdlib -Xswiftc -static-executable "${order[@]}" --product "$product" >&2
echo "$scratch/release/$product"
