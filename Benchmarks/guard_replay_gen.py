#!/usr/bin/env python3
"""Writes a synthetic guard recording of N events (JSON lines, the format of `swiftbpf guard
record`) whose binaries and paths are real inodes of this machine, so that a policy over /usr/bin
and /etc matches some of them: 50% opens, 30% execs, 20% connects.
    guard_replay_gen.py N OUT"""
import os, random, sys

n, out = int(sys.argv[1]), sys.argv[2]
random.seed(7)

def fid(path):
    st = os.stat(path)
    major, minor = os.major(st.st_dev), os.minor(st.st_dev)
    return f"{major}:{minor}:{st.st_ino}"

bins = [os.path.join("/usr/bin", b) for b in sorted(os.listdir("/usr/bin"))[:200]]
bins = [b for b in bins if os.path.isfile(b)]
files = [os.path.join("/etc", f) for f in sorted(os.listdir("/etc"))]
files = [f for f in files if os.path.isfile(f)][:200]
etc, root = fid("/etc"), fid("/")
bin_ids = [(b, fid(b)) for b in bins]
file_ids = [(f, fid(f)) for f in files]
with open(out, "w") as w:
    for i in range(n):
        b, bid = random.choice(bin_ids)
        p, pid = random.choice(bin_ids)
        head = f'{{"t":{i},"pid":{1000 + i % 5000},"ppid":1,"uid":{random.choice([0, 1000])},"comm":"{os.path.basename(b)[:15]}","binary":"{bid}","parent_binary":"{pid}","cgroups":[1,{100 + i % 3}]'
        r = random.random()
        if r < 0.5:
            f, id_ = random.choice(file_ids)
            w.write(head.replace('"pid"', '"event":"open","pid"', 1) + f',"path":"{f}","path_chain":["{id_}","{etc}","{root}"]' + (',"write":true' if random.random() < 0.2 else '') + '}\n')
        elif r < 0.8:
            w.write(head.replace('"pid"', '"event":"exec","pid"', 1) + f',"path":"{b}","argv":["{b}","--x"]}}\n')
        else:
            port = random.choice([22, 53, 80, 443, 8080, 9000])
            w.write(head.replace('"pid"', '"event":"connect","pid"', 1) + f',"port":{port},"address":"10.0.{i % 256}.{i % 200}"}}\n')
