#!/usr/bin/env bash
# Runs the test suite of the README (Scripts/test.sh: every test, serialized, as root against the
# running kernel) once under a sanitizer, from its own scratch path:
#   Scripts/sanitize.sh address [swift test args...]   AddressSanitizer, scratch .build-asan
#   Scripts/sanitize.sh thread  [swift test args...]   ThreadSanitizer,  scratch .build-tsan
# e.g. `Scripts/sanitize.sh address --filter BPFTests` for one suite.
# Each run writes into .sanitize/KIND-YYYYmmdd-HHMMSS/: build.log, test.log, and report.PID, one
# file per process (the test runner and every `swiftbpf` it starts) in which the sanitizer found
# something. Exit status: the test run's, or 3 if a sanitizer wrote a report.
#
# NOT part of CI (.ci/run): the instrumented build takes tens of minutes and the instrumented
# suite runs several times slower than Scripts/test.sh. Run it by hand after changes to unsafe
# code (raw pointers, mmap'd rings, @unchecked Sendable). BENCHMARKS.md, "Sanitizer runs
# (issue 11)", has the last results and how each report was judged.
#
# LeakSanitizer is off (detect_leaks=0): with it on, every `swiftbpf` child that leaks exits 23
# instead of its own status, which turns leaks into unrelated CLI test failures. Set
# SANITIZE_LEAKS=1 to turn it on anyway (read the reports, not the failures, then).
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: Scripts/sanitize.sh address|thread [swift test args...]"
kind=${1:?$usage}
shift
defines=()  # thread: compiles Mutex.locked's annotations in (Sources/BPF/System/Mutex+Sanitizer.swift)
case $kind in
address) scratch=.build-asan; var=ASAN_OPTIONS ;;
thread) scratch=.build-tsan; var=TSAN_OPTIONS; defines=(-Xswiftc -DSWIFTBPF_THREAD_SANITIZER) ;;
*) echo "$usage" >&2; exit 2 ;;
esac
out=$PWD/.sanitize/$kind-$(date -u +%Y%m%d-%H%M%S)
# Mutex.locked (Sources/BPF/System/Mutex+Sanitizer.swift) tells ThreadSanitizer about each critical
# section; a plain withLock is reported as a race wherever its lock is contended.
if [ "$kind" = thread ] && stray=$(grep -rn '\.withLock\b' Sources Tests --include='*.swift' | grep -v 'Mutex+Sanitizer.swift'); then
    echo "sanitize.sh: these call Mutex.withLock, which ThreadSanitizer cannot see; use .locked:" >&2
    echo "$stray" >&2
fi
mkdir -p "$out"
Scripts/setup-host.sh

# The build runs the build plugin's tools (BPFGen, BPFSwiftCompiler), instrumented too: their
# reports (and LeakSanitizer's exit status) must not fail the build, so they go to files as well.
leaks=${SANITIZE_LEAKS:-0}
common="log_path=$out/report:symbolize=1"
if [ "$kind" = address ]; then
    options="$common:detect_leaks=$leaks"
else
    options="$common:halt_on_error=0"
fi
export "$var=$options"
# A crash under ThreadSanitizer left the test process stuck in Swift's crash handler ("failed
# to suspend thread"), holding the run: let the sanitizer's and the runtime's own messages do.
export SWIFT_BACKTRACE=enable=no
echo "sanitize: $var=$options; output in $out" >&2
start=$(date +%s)
swift build --build-tests --scratch-path "$scratch" --sanitize="$kind" "${defines[@]}" 2>&1 | tee "$out/build.log" >&2
echo "sanitize: build took $(($(date +%s) - start)) s" >&2
mkdir -p "$out/build-reports"
for f in "$out"/report.*; do [ -e "$f" ] && mv "$f" "$out/build-reports/"; done

start=$(date +%s)
rc=0
# The timeout bounds a hung run (Scripts/test.sh has a watchdog; the instrumented run is slower).
timeout --kill-after=30 "${SANITIZE_MINUTES:-90}m" stdbuf -oL -eL nice -n 10 \
    swift test --skip-build --no-parallel --scratch-path "$scratch" --sanitize="$kind" "${defines[@]}" "$@" \
    2>&1 | tee "$out/test.log" || rc=$?
echo "sanitize: tests took $(($(date +%s) - start)) s, exit status $rc" >&2
reports=$(find "$out" -maxdepth 1 -name 'report.*' | wc -l)
echo "sanitize: $reports report file(s) in $out" >&2
grep -h -E '^(SUMMARY|WARNING): (Address|Thread|Leak)Sanitizer' "$out"/report.* 2>/dev/null | sort | uniq -c >&2 || true
[ "$rc" -ne 0 ] && exit "$rc"
[ "$reports" -eq 0 ] || exit 3
