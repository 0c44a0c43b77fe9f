#!/bin/sh
# Benchmarks/guard.sh: the cost of `swiftbpf guard` on a fork+exec loop and an open burst,
# against the same loads with no guard, and the time from a violating exec to the process's
# death under a kill policy. One run, all figures on stdout as JSON lines plus a summary.
#   [ROUNDS=N] Benchmarks/guard.sh [SWIFTBPF] [EXECS] [OPENS]
# Needs root and clang. SWIFTBPF defaults to .build-guard/debug/swiftbpf; build it with
# -c release for figures worth quoting. The policy set has 100 rules (the issue's size; guard holds
# 128): exec rules on 40 binaries, open rules on 38 paths (2 of them directories), connect rules on
# 22 ports. The kernel side's cost per event is read from the kernel's own BPF run-time statistics
# (sysctl kernel.bpf_stats_enabled, run_time_ns / run_cnt per program, as bpftool prints them).
# Linux audit (auditd) is measured too when auditctl is installed (apt-get install auditd), and
# the floor of the open hook (a program that only counts) when libbpf-dev and bpftrace are.
set -eu
bin=${1:-.build-guard/debug/swiftbpf}
execs=${2:-2000}
opens=${3:-200000}
work=$(mktemp -d /tmp/guard-bench-XXXXXX)
trap 'kill $gpid 2>/dev/null || true; rm -rf "$work"' EXIT
gpid=
cc=$(command -v clang || command -v cc)
$cc -O2 -o "$work/load" "$(dirname "$0")/guard_load.c"
target="$work/target"; echo x > "$target"
cp /bin/true "$work/forbidden"

policy="$work/policy.yaml"
{
  echo "rules:"
  i=0
  for b in /usr/bin/*; do
    [ -f "$b" ] && [ -x "$b" ] || continue
    [ "$b" = /usr/bin/true ] && continue
    echo "  - {name: exec-$i, events: [exec], binary: \"$b\", action: alert}"
    i=$((i + 1)); [ $i -ge 40 ] && break
  done
  i=0
  for f in /etc/*; do
    [ -f "$f" ] || continue
    echo "  - {name: open-$i, events: [open], paths: [\"$f\"], access: write, action: alert}"
    i=$((i + 1)); [ $i -ge 36 ] && break
  done
  echo "  - {name: open-dir-0, events: [open], paths: [/usr/share/doc], action: alert}"
  echo "  - {name: open-dir-1, events: [open], paths: [/var/log], access: write, action: alert}"
  for p in $(seq 1 22); do echo "  - {name: port-$p, events: [connect], ports: [$((40000 + p))], action: deny}"; done
} > "$policy"
kill_policy="$work/kill.yaml"
echo "- {name: no-forbidden, events: [exec], binary: $work/forbidden, action: kill}" > "$kill_policy"

rate() { sed -n 's/.*"rate":\([0-9.]*\).*/\1/p'; }
loads() {  # label
  e=$("$work/load" execs "$execs"); o=$("$work/load" opens "$opens" "$target")
  echo "{\"case\":\"$1\",\"execs\":$e,\"opens\":$o}"
  er=$(echo "$e" | rate); or=$(echo "$o" | rate)
}

start_guard() {  # policy out
  "$bin" guard run --policy "$1" --json > "$2" 2> "$2.err" &
  gpid=$!
  # Ready once it prints its enforcement line (after attach); a loaded machine took 33 s here.
  for _ in $(seq 1 1200); do grep -q 'enforcement:' "$2.err" 2>/dev/null && break; sleep 0.1; done
  sleep 1
  ticks0=$(awk '{print $14 + $15}' /proc/$gpid/stat)
  wakes0=$(awk '/^voluntary_ctxt_switches/ {print $2}' /proc/$gpid/status)
}
stop_guard() {
  ticks1=$(awk '{print $14 + $15}' /proc/$gpid/stat)
  rss=$(awk '/VmHWM/ {print $2}' /proc/$gpid/status)
  wakes=$(( $(awk '/^voluntary_ctxt_switches/ {print $2}' /proc/$gpid/status) - wakes0 ))
  kill -INT $gpid; wait $gpid || true; gpid=
  cpu_s=$(echo "$ticks0 $ticks1 $(getconf CLK_TCK)" | awk '{printf "%.2f", ($2 - $1) / $3}')
}

# The floor of the open hook itself: a program on sys_exit_openat that only counts, loaded with
# libbpf (Benchmarks/bpf/open_floor.bpf.c), which is what any monitor that sees opens at that
# tracepoint pays before doing any work; and bpftrace's equivalent, for reference.
floor_obj=
if [ -f /usr/include/bpf/libbpf.h ] && command -v clang > /dev/null 2>&1; then
  here=$(dirname "$0")
  clang -O2 -g -target bpf -D__TARGET_ARCH_x86 -I "$here/../BPFInclude" -c "$here/bpf/open_floor.bpf.c" -o "$work/open_floor.o" &&
    $cc -O2 -o "$work/attach_object" "$here/attach_object.c" -lbpf && floor_obj="$work/open_floor.o"
fi
floor_opens() {
  f_o=; t_o=
  if [ -n "$floor_obj" ]; then
    "$work/attach_object" "$floor_obj" > "$work/floor.out" 2>&1 &
    fpid=$!
    for _ in $(seq 1 100); do grep -q attached "$work/floor.out" 2>/dev/null && break; sleep 0.05; done
    sleep 0.3
    f_o=$("$work/load" opens "$opens" "$target" | rate)
    kill -INT $fpid; wait $fpid 2> /dev/null || true
  fi
  if command -v bpftrace > /dev/null 2>&1; then
    bpftrace -e 'tracepoint:syscalls:sys_exit_openat /pid == 1/ { @n = count(); }' > "$work/bpftrace.out" 2>&1 &
    fpid=$!
    for _ in $(seq 1 300); do grep -q 'Attaching' "$work/bpftrace.out" 2>/dev/null && break; sleep 0.1; done
    sleep 1
    t_o=$("$work/load" opens "$opens" "$target" | rate)
    kill -INT $fpid; wait $fpid 2> /dev/null || true
  fi
}

loads none; base_e=$er; base_o=$or

start_guard "$policy" "$work/events.json"
stats0=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
loads guard-100-rules; g_e=$er; g_o=$or
# Per program: runs and mean ns per run during the loads (the kernel's accounting, guard's own
# programs only: bpftool lists every loaded program, guard's are named guard_*).
bpftool -j prog show | python3 -c '
import json, sys
owner = int(sys.argv[1])
for p in json.load(sys.stdin):
    n = p.get("name", "")
    mine = "pids" not in p or any(q.get("pid") == owner for q in p["pids"])
    if n.startswith("guard_") and mine and p.get("run_cnt"):
        print(json.dumps({"case": "kernel-cost", "program": n, "runs": p["run_cnt"], "ns_per_run": round(p["run_time_ns"] / p["run_cnt"], 1)}))
' "$gpid" || echo '{"case":"kernel-cost","skipped":"bpftool or python3 missing"}'
sysctl -qw kernel.bpf_stats_enabled="$stats0"
stop_guard
seen=$(grep -c '"event":"exec"' "$work/events.json" || true)
lost=$(sed -n 's/.*"summary":{"lost":\([0-9]*\).*/\1/p' "$work/events.json")
g_cpu=$cpu_s; g_rss=$rss
echo "{\"case\":\"guard-100-rules\",\"exec_events_seen\":$seen,\"execs_generated\":$execs,\"lost\":${lost:-0},\"cpu_s\":$cpu_s,\"peak_rss_kib\":$rss,\"guard_wakeups\":$wakes}"

if command -v auditctl > /dev/null 2>&1 && command -v auditd > /dev/null 2>&1; then
  # auditd as Debian ships it (apt-get install auditd), started here when it is not running and
  # stopped again after; audit enabled only for the measurement.
  started_auditd=
  if ! pgrep -x auditd > /dev/null; then auditd; started_auditd=1; sleep 1; fi
  apid=$(pgrep -x auditd | head -1)
  enabled0=$(auditctl -s | awk '/^enabled/ {print $2}')
  log=/var/log/audit/audit.log
  lines0=$(grep -c 'key="guardbench"' "$log" 2>/dev/null || true)
  auditctl -D > /dev/null
  auditctl -e 1 > /dev/null
  auditctl -a always,exit -F arch=b64 -S execve -k guardbench > /dev/null
  for f in $(find /etc -maxdepth 1 -type f | head -36); do auditctl -w "$f" -p wa -k guardbench > /dev/null; done
  auditctl -w /var/log -p wa -k guardbench > /dev/null
  a_ticks0=$(awk '{print $14 + $15}' /proc/$apid/stat)
  loads auditd; a_e=$er; a_o=$or
  a_ticks1=$(awk '{print $14 + $15}' /proc/$apid/stat)
  a_rss=$(awk '/VmHWM/ {print $2}' /proc/$apid/status)
  auditctl -D > /dev/null
  auditctl -e "${enabled0:-0}" > /dev/null
  sleep 1
  a_seen=$(( $(grep -c 'key="guardbench"' "$log" 2>/dev/null || echo 0) - ${lines0:-0} ))
  a_cpu=$(echo "$a_ticks0 $a_ticks1 $(getconf CLK_TCK)" | awk '{printf "%.2f", ($2 - $1) / $3}')
  lost=$(auditctl -s | awk '/^lost/ {print $2}')
  echo "{\"case\":\"auditd\",\"exec_records_seen\":$a_seen,\"execs_generated\":$execs,\"audit_lost_total\":${lost:-0},\"cpu_s\":$a_cpu,\"peak_rss_kib\":$a_rss}"
  [ -n "$started_auditd" ] && kill "$apid"
else
  a_e=; a_o=
  echo '{"case":"auditd","skipped":"auditctl/auditd are not installed (apt-get install auditd)"}'
fi

# More rounds (ROUNDS=N), alternating bare, guard and the floor, for ratios that the machine's
# swings do not decide: each round's ratios, then the medians over all rounds.
ratios="$work/ratios"
f_ratio() { [ -n "$2" ] && echo "$2 $1" | awk '{printf "%.3f", $1 / $2}' || echo "-"; }
floor_opens
echo "$(f_ratio "$base_e" "$g_e") $(f_ratio "$base_o" "$g_o") $(f_ratio "$base_o" "$f_o") $(f_ratio "$base_o" "$t_o")" > "$ratios"
for r in $(seq 2 "${ROUNDS:-1}"); do
  loads none; b_e=$er; b_o=$or
  start_guard "$policy" "$work/events-$r.json"
  loads guard-100-rules; r_e=$er; r_o=$or
  stop_guard
  floor_opens
  echo "$(f_ratio "$b_e" "$r_e") $(f_ratio "$b_o" "$r_o") $(f_ratio "$b_o" "$f_o") $(f_ratio "$b_o" "$t_o")" >> "$ratios"
done
n=1
while read -r e o f t; do
  echo "{\"case\":\"round\",\"round\":$n,\"fork_exec_ratio\":$e,\"opens_ratio\":$o,\"floor_opens_ratio\":\"$f\",\"bpftrace_opens_ratio\":\"$t\"}"
  n=$((n + 1))
done < "$ratios"
median() { sort -n | awk '{v[NR] = $1} END {if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
m_e=$(awk '{print $1}' "$ratios" | median); m_o=$(awk '{print $2}' "$ratios" | median); m_f=$(awk '$3 != "-" {print $3}' "$ratios" | median); m_t=$(awk '$4 != "-" {print $4}' "$ratios" | median)

"$work/load" killtime 200 /bin/true | sed 's/^/{"case":"exec-no-policy","result":/; s/$/}/'
start_guard "$kill_policy" "$work/kill.json"
"$work/load" killtime 200 "$work/forbidden" | sed 's/^/{"case":"exec-killed","result":/; s/$/}/'
stop_guard

echo "summary: fork+exec ${base_e}/s bare, ${g_e}/s under guard (ratio $(echo "$g_e $base_e" | awk '{printf "%.3f", $1 / $2}'))"
echo "summary: opens ${base_o}/s bare, ${g_o}/s under guard (ratio $(echo "$g_o $base_o" | awk '{printf "%.3f", $1 / $2}'))"
[ -n "$a_e" ] && echo "summary: auditd (execve + 37 watches) fork+exec ${a_e}/s (ratio $(echo "$a_e $base_e" | awk '{printf "%.3f", $1 / $2}')), opens ${a_o}/s (ratio $(echo "$a_o $base_o" | awk '{printf "%.3f", $1 / $2}')), exec records ${a_seen} of ${execs}, auditd CPU ${a_cpu} s, peak RSS ${a_rss} KiB"
echo "summary: over $(wc -l < "$ratios") round(s), median ratios under guard: fork+exec $m_e, opens $m_o; floor (a program that only counts, on sys_exit_openat): opens ${m_f:--}; bpftrace's equivalent: opens ${m_t:--}"
echo "summary: guard exec events seen $seen of $execs generated (plus the harness's own), lost ${lost:-0}, CPU ${g_cpu} s, peak RSS ${g_rss} KiB"
