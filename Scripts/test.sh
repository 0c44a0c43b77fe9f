#!/usr/bin/env bash
# The test command of the README: prepares the host, then runs every test as root against the
# running kernel.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup-host.sh
swift build --build-tests
swift test --skip-build --no-parallel
