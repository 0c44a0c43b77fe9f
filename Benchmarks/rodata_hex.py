#!/usr/bin/env python3
"""How much of a running binary's resident .rodata is hex text (the embedded BPF objects).
Root: python3 Benchmarks/rodata_hex.py PID"""
import sys, struct, re, subprocess
pid=int(sys.argv[1]); exe=f"/proc/{pid}/exe"
path=open(f"/proc/{pid}/cmdline","rb").read().split(b"\0")[0].decode()
# section table
out=subprocess.run(["readelf","-SW",exe],capture_output=True,text=True).stdout
secs=[]
for m in re.finditer(r"\]\s+(\S+)\s+\S+\s+([0-9a-f]{16})\s+([0-9a-f]+)\s+([0-9a-f]+)",out):
    secs.append((m.group(1),int(m.group(2),16),int(m.group(3),16),int(m.group(4),16)))
pm=open(f"/proc/{pid}/pagemap","rb")
mem=open(f"/proc/{pid}/mem","rb")
for name,addr,off,size in secs:
    if name not in (".rodata",): continue
    hexpages=other=0
    a=addr&~4095
    while a<addr+size:
        pm.seek((a//4096)*8); e=struct.unpack("Q",pm.read(8))[0]
        if e>>63:
            mem.seek(a); d=mem.read(4096)
            h=sum(1 for b in d if (48<=b<=57) or (97<=b<=102))
            if h>3500: hexpages+=1
            else: other+=1
        a+=4096
    print(name, "size KiB", size//1024, "resident hex pages KiB", hexpages*4, "other resident KiB", other*4)
