#!/usr/bin/env python3
"""Where a running tool's resident memory is: per mapping, per section of its binary, and per
Swift module (or C/C++ library) of the resident code, from /proc/PID/smaps and /proc/PID/pagemap.

Resident is not touched: on this kernel a fault on a file-backed page maps the page cache folio
around it (up to the folio size, which readahead makes large), so one call into a cold function
can make hundreds of KiB of its neighbours resident. The per-module figure therefore says which
code sits in resident regions, and the code's layout (link order) matters as much as its size.

Run as root while the tool runs:  python3 Benchmarks/rss_breakdown.py PID
"""
import bisect
import collections
import re
import struct
import subprocess
import sys


def mappings(pid):
    out = []
    name, rng = None, None
    for line in open(f"/proc/{pid}/smaps"):
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            parts = line.split()
            rng = tuple(int(x, 16) for x in parts[0].split("-"))
            name = parts[5] if len(parts) > 5 else "[anonymous]"
            perms = parts[1]
        elif line.startswith("Rss:"):
            out.append((rng, perms, name, int(line.split()[1])))
    return out


def resident_pages(pid, start, end):
    pages = []
    with open(f"/proc/{pid}/pagemap", "rb") as pm:
        for p in range(start, end, 4096):
            pm.seek(p // 4096 * 8)
            if struct.unpack("<Q", pm.read(8))[0] >> 63:
                pages.append(p)
    return pages


def sections(exe):
    out = []
    text = subprocess.run(["readelf", "-SW", exe], capture_output=True, text=True).stdout
    for line in text.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", line)
        if m and int(m.group(2), 16):
            a = int(m.group(2), 16)
            out.append((a, a + int(m.group(3), 16), m.group(1)))
    return out


def group(name):
    m = re.match(r"^\$s(\d+)", name)
    if m:
        n = int(m.group(1))
        return "swift " + name[2 + len(m.group(1)):2 + len(m.group(1)) + n]
    if name.startswith(("$ss", "$sS")):
        return "swift Swift"
    if name.startswith("_ZN"):
        m = re.match(r"_ZNK?(\d+)", name)
        if m:
            return "c++ " + name[len(m.group(0)):len(m.group(0)) + int(m.group(1))]
    if name.startswith(("swift_", "_swift")):
        return "swift runtime (C++)"
    return "C (libc, libstdc++, shims)"


def main():
    pid = int(sys.argv[1])
    exe = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")[0].decode()
    exe_path = subprocess.run(["readlink", "-f", f"/proc/{pid}/exe"], capture_output=True, text=True).stdout.strip()
    maps = mappings(pid)
    print(f"{exe}: resident KiB per mapping")
    for (a, b), perms, name, rss in sorted(maps, key=lambda m: -m[3]):
        if rss:
            print(f"  {rss:>7} {perms} {b - a >> 10:>7} KiB mapped  {name}")
    print(f"  {sum(m[3] for m in maps):>7} total (VmRSS)")
    secs = sections(exe_path)
    resident = []
    for (a, b), perms, name, rss in maps:
        if name == exe_path and rss:
            resident += resident_pages(pid, a, b)
    by_section = collections.Counter()
    for p in resident:
        hit = [s[2] for s in secs if s[0] < p + 4096 and s[1] > p]
        by_section[hit[0] if hit else "(headers)"] += 4
    print("resident KiB of the binary per section:")
    for name, kib in by_section.most_common(12):
        print(f"  {kib:>7} {name}")
    syms = []
    nm = subprocess.run(["nm", "-n", "-S", "--defined-only", exe_path], capture_output=True, text=True).stdout
    for line in nm.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTwW":
            syms.append((int(parts[0], 16), int(parts[1], 16), parts[3]))
    present = set(resident)
    code, res = collections.Counter(), collections.Counter()
    for a, size, name in syms:
        g = group(name)
        code[g] += size
        for q in range(a // 4096 * 4096, a + size, 4096):
            if q in present:
                res[g] += min(a + size, q + 4096) - max(a, q)
    print("resident code KiB per module (of its code KiB):")
    for g, b in res.most_common(15):
        print(f"  {b >> 10:>7} of {code[g] >> 10:>6}  {g}")


if __name__ == "__main__":
    main()
