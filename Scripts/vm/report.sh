#!/usr/bin/env bash
# Prints the kernel matrix from the result folders of Scripts/vmtest.sh and exits non-zero if a
# test failed, or a kernel produced no results.
# Usage: report.sh "LABEL|DIR" ...   (the first entry is the reference for the doctor diff)
# Each DIR holds: kernel, seconds, xunit.xml, tests.log, objects.txt, doctor.json.
set -uo pipefail
labels=() dirs=()
for e in "$@"; do labels+=("${e%%|*}"); dirs+=("${e#*|}"); done
n=${#dirs[@]}

# Per kernel: "GROUP pass fail skip" lines from the xunit file (group = the suite type).
summarize() {
    awk '
        /<testcase / {
            match($0, /classname="[^"]*"/); cls = substr($0, RSTART + 11, RLENGTH - 12)
            k = split(cls, parts, "."); group = parts[k]
            state = "pass"; open = ($0 !~ /\/>[ \t]*$/)
            if (!open) { count[group, state]++; groups[group] = 1 }
            next
        }
        open && /<failure/ { state = "fail" }
        open && /<skipped/ { if (state != "fail") state = "skip" }
        open && /<\/testcase>/ { count[group, state]++; groups[group] = 1; open = 0 }
        END { for (g in groups) printf "%s %d %d %d\n", g, count[g, "pass"], count[g, "fail"], count[g, "skip"] }
    ' "$1" 2>/dev/null | sort
}

status=0
cut_short=""   # printed last, where a truncated CI log still shows it
declare -A cell
allgroups=()
for ((i = 0; i < n; i++)); do
    d=${dirs[i]}
    if [ ! -s "$d/xunit.xml" ]; then
        # No xunit file: the run was cut short (the init's deadline, or qemu's timeout). Say how
        # far it got and which tests started and never ended, on stdout with the table.
        status=1
        passed=$(grep -c '^✔ Test .* passed' "$d/tests.log" 2>/dev/null || true)
        failed=$(grep -c '^✘ Test .* failed' "$d/tests.log" 2>/dev/null || true)
        unfinished=$(awk '
            /^◇ Test case passing / { next }   # cases end with their test, not on their own
            /^◇ Test .* started\.$/ { name = $0; sub(/^◇ Test /, "", name); sub(/ started\.$/, "", name); open[name] = NR }
            /^(✔|✘) Test / { name = $0; sub(/^(✔|✘) Test /, "", name); sub(/ (passed|failed).*$/, "", name); sub(/ with [0-9]+ test cases?$/, "", name); delete open[name] }
            END { for (n in open) if (n != "run") print "    " n }
        ' "$d/tests.log" 2>/dev/null)
        cut_short+=$(printf '\nvmtest: %s gave no test results (no xunit file): %s tests passed and %s failed before the run was cut short\n' \
            "${labels[i]}" "${passed:-0}" "${failed:-0}")
        [ -z "$unfinished" ] || cut_short+=$(printf '\ntests that started and never ended on %s:\n%s' "${labels[i]}" "$unfinished")
        deadline=$(grep -A12 '^@@SWIFTBPF-DEADLINE' "$d/console.log" 2>/dev/null || true)
        [ -z "$deadline" ] || cut_short+=$'\n'"$deadline"
        kernel=$(grep -E 'soft lockup|rcu: INFO|Kernel panic|BUG:|Oops' "$d/console.log" 2>/dev/null | head -6 | cut -c1-160)
        [ -z "$kernel" ] || cut_short+=$'\nthe kernel said:\n'"$(printf '%s\n' "$kernel" | sed 's/^/    /')"
        cut_short+=$'\nthe last lines of its test output:\n'"$(tail -8 "$d/tests.log" 2>/dev/null | cut -c1-200 | sed 's/^/    /')"$'\n'
        continue
    fi
    while read -r g p f s; do
        cell[$i,$g]="$p/$f/$s"
        [[ " ${allgroups[*]} " == *" $g "* ]] || allgroups+=("$g")
        [ "$f" = 0 ] || status=1
    done < <(summarize "$d/xunit.xml")
    # Tests skipped by traits are not in the xunit file: count them from the console.
    k=$(grep -c ' skipped' "$d/tests.log" 2>/dev/null || true)
    cell[$i,skipped]=$k
done

IFS=$'\n' sorted=($(printf '%s\n' "${allgroups[@]}" | sort)); unset IFS
w=24
printf '\n%-*s' $w "TEST GROUP"
for ((i = 0; i < n; i++)); do printf '%-34s' "${labels[i]}"; done
printf '\n'
declare -A tot
for g in "${sorted[@]}"; do
    printf '%-*s' $w "$g"
    for ((i = 0; i < n; i++)); do
        v=${cell[$i,$g]:-}
        if [ -z "$v" ]; then text="-"; else
            IFS=/ read -r p f s <<< "$v"
            text="$p passed"
            [ "$f" = 0 ] || text="$text, $f FAILED"
            [ "$s" = 0 ] || text="$text, $s skipped"
            tot[$i,p]=$(( ${tot[$i,p]:-0} + p )); tot[$i,f]=$(( ${tot[$i,f]:-0} + f ))
        fi
        printf '%-34s' "$text"
    done
    printf '\n'
done
printf '%-*s' $w "all"
for ((i = 0; i < n; i++)); do
    printf '%-34s' "${tot[$i,p]:-0} passed, ${tot[$i,f]:-0} failed, ${cell[$i,skipped]:-0} skipped"
done
printf '\n%-*s' $w "time (s)"
for ((i = 0; i < n; i++)); do printf '%-34s' "$(cat "${dirs[i]}/seconds" 2>/dev/null)"; done
printf '\n'

# Skip reasons (the probed reasons the tests name), per kernel.
for ((i = 0; i < n; i++)); do
    reasons=$(grep -o 'skipped: .*' "${dirs[i]}/tests.log" 2>/dev/null | sort | uniq -c | sed 's/^ */    /')
    [ -z "$reasons" ] || printf '\nskipped on %s:\n%s\n' "${labels[i]}" "$reasons"
    fails=$(grep -E '^✘ Test .* recorded an issue' "${dirs[i]}/tests.log" 2>/dev/null | head -20)
    [ -z "$fails" ] || printf '\nfailures on %s:\n%s\n' "${labels[i]}" "$fails"
done

# BPF objects loaded with `swiftbpf object load`.
printf '\n%-*s' $w "OBJECT LOAD"
for ((i = 0; i < n; i++)); do printf '%-34s' "${labels[i]}"; done
printf '\n'
objects=$(cat "${dirs[@]/%//objects.txt}" 2>/dev/null | awk '{print $2}' | sort -u)
for o in $objects; do
    printf '%-*s' $w "$o"
    for ((i = 0; i < n; i++)); do
        r=$(awk -v o="$o" '$2 == o { print $3 }' "${dirs[i]}/objects.txt" 2>/dev/null)
        printf '%-34s' "${r:--}"
    done
    printf '\n'
done
for ((i = 0; i < n; i++)); do
    fails=$(grep ' fail ' "${dirs[i]}/objects.txt" 2>/dev/null | cut -d' ' -f2,4- | sed 's/^/    /')
    [ -z "$fails" ] || printf '\nobject loads refused on %s:\n%s\n' "${labels[i]}" "$fails"
done

# swiftbpf doctor: where each kernel differs from the first.
if command -v jq >/dev/null && [ "$n" -gt 1 ]; then
    flatten() {  # "group/name supported reason" lines
        jq -r '(["features","program_types","map_types","helpers"][]) as $g | (.[$g] // [])[] | "\($g)/\(.name)\t\(if .supported then "yes" else "no" end)\t\(.reason // "")"' "$1" 2>/dev/null
    }
    ref=${dirs[0]}/doctor.json
    for ((i = 1; i < n; i++)); do
        printf '\nswiftbpf doctor: %s against %s\n' "${labels[i]}" "${labels[0]}"
        if ! jq -e . "${dirs[i]}/doctor.json" >/dev/null 2>&1; then
            echo "    no doctor report (see console)"; status=1; continue
        fi
        printf '    %-10s %-40s %s\n' lsm "$(jq -r '.lsm | join(",")? // "?"' "$ref")" "$(jq -r '.lsm | join(",")? // "?"' "${dirs[i]}/doctor.json")"
        printf '    %-10s %-40s %s\n' btf "$(jq -r '.btf.size' "$ref") bytes" "$(jq -r '.btf.size' "${dirs[i]}/doctor.json") bytes"
        join -t $'\t' -a1 -a2 -e '-' -o 0,1.2,2.2,1.3,2.3 <(flatten "$ref" | sort) <(flatten "${dirs[i]}/doctor.json" | sort) |
            awk -F'\t' '$2 != $3 { r = ($2 == "no") ? $4 : $5; printf "    %-44s %-4s -> %-4s %s\n", $1, $2, $3, (length(r) > 110 ? substr(r, 1, 110) "..." : r) }'
    done
fi
[ -z "$cut_short" ] || printf '%s\n' "$cut_short"
exit $status
