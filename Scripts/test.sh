#!/usr/bin/env bash
# The test command of the README: prepares the host, then runs every test as root against the
# running kernel.
#
# The test process writes to a pipe under CI, where its output would be block-buffered: a run
# that stops early would show nothing of where it was. stdbuf makes it line-buffered. A
# watchdog (SWIFTBPF_TEST_MINUTES, default 40) ends a run that hangs, after printing what every
# thread of the test process was waiting in and the processes it had started.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup-host.sh
swift build --build-tests

limit=${SWIFTBPF_TEST_MINUTES:-40}
stdbuf -oL -eL swift test --skip-build --no-parallel "$@" &
tests=$!
(
    # Short sleeps: the watchdog ends by itself within seconds of the tests, leaving no
    # process behind that holds CI's output pipe open.
    for ((waited = 0; waited < limit * 60; waited += 5)); do
        sleep 5
        kill -0 "$tests" 2>/dev/null || exit 0
    done
    echo "test.sh: the tests did not finish in $limit minutes; what the test process waits in:"
    for p in $(pgrep -f 'SwiftBPFPackageTests.xctest'); do
        for t in /proc/"$p"/task/*; do
            echo "  thread $(basename "$t") $(cat "$t"/comm 2>/dev/null) wchan=$(cat "$t"/wchan 2>/dev/null)"
        done
        echo "  its children:"
        ps --ppid "$p" -o pid=,etime=,args= 2>/dev/null | sed 's/^/    /'
        kill -KILL "$p" 2>/dev/null || true
    done
    kill "$tests" 2>/dev/null || true
) &
watchdog=$!
rc=0
wait "$tests" || rc=$?
wait "$watchdog" 2>/dev/null || true
exit "$rc"
