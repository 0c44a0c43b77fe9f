import Testing
@testable import BPF

/// libbpf's SEC() table: (section name, program type, expected attach type, flags), nil type = no match.
private let cases: [(String, ProgramType?, AttachType, ProgramFlags)] = [
    ("tp", .tracepoint, .none, []),
    ("tp/a/b", .tracepoint, .none, []),
    ("tracepoint/a/b", .tracepoint, .none, []),
    ("tpx/a", nil, .none, []),
    ("tp.s/syscalls/sys_enter_getpid", .tracepoint, .none, .sleepable),
    ("tracepoint.s/a/b", .tracepoint, .none, .sleepable),
    ("uprobe", .kprobe, .none, []),
    ("uprobe/x", .kprobe, .none, []),
    ("uprobe//bin/bash:readline", .kprobe, .none, []),
    ("uprobe.s", .kprobe, .none, .sleepable),
    ("uretprobe.s/x", .kprobe, .none, .sleepable),
    ("uprobes", nil, .none, []),
    ("kprobe/do_sys_open", .kprobe, .none, []),
    ("kretprobe/do_sys_open", .kprobe, .none, []),
    ("ksyscall/execve", .kprobe, .none, []),
    ("kretsyscall/execve", .kprobe, .none, []),
    ("usdt", .kprobe, .none, []),
    ("usdt.s/x", .kprobe, .none, .sleepable),
    ("kprobe.multi/do_*", .kprobe, .traceKprobeMulti, []),
    ("kretprobe.multi/do_*", .kprobe, .traceKprobeMulti, []),
    ("kprobe.session/x", .kprobe, .traceKprobeSession, []),
    ("uprobe.multi/x", .kprobe, .traceUprobeMulti, []),
    ("uprobe.multi.s/x", .kprobe, .traceUprobeMulti, .sleepable),
    ("uprobe.session", .kprobe, .traceUprobeSession, []),
    ("xdp", .xdp, .xdp, []),
    ("xdp.frags", .xdp, .xdp, .xdpHasFrags),
    ("xdp/devmap", .xdp, .xdpDevMap, []),
    ("xdp.frags/devmap", .xdp, .xdpDevMap, .xdpHasFrags),
    ("xdp/cpumap", .xdp, .xdpCPUMap, []),
    ("xdp/foo", nil, .none, []),
    ("tc", .schedCLS, .none, []),
    ("classifier", .schedCLS, .none, []),
    ("action", .schedACT, .none, []),
    ("tc/ingress", .schedCLS, .tcxIngress, []),
    ("tc/egress", .schedCLS, .tcxEgress, []),
    ("tcx/ingress", .schedCLS, .tcxIngress, []),
    ("tcx/egress", .schedCLS, .tcxEgress, []),
    ("tc/foo", nil, .none, []),
    ("netkit/primary", .schedCLS, .netkitPrimary, []),
    ("socket", .socketFilter, .none, []),
    ("socket/foo", nil, .none, []),
    ("sk_reuseport", .skReuseport, .skReuseportSelect, []),
    ("sk_reuseport/migrate", .skReuseport, .skReuseportSelectOrMigrate, []),
    ("cgroup/connect4", .cgroupSockAddr, .cgroupInet4Connect, []),
    ("cgroup/connect4/extra", nil, .none, []),
    ("cgroup/connect6", .cgroupSockAddr, .cgroupInet6Connect, []),
    ("cgroup/connect_unix", .cgroupSockAddr, .cgroupUnixConnect, []),
    ("cgroup/bind4", .cgroupSockAddr, .cgroupInet4Bind, []),
    ("cgroup/bind6", .cgroupSockAddr, .cgroupInet6Bind, []),
    ("cgroup/sendmsg4", .cgroupSockAddr, .cgroupUDP4Sendmsg, []),
    ("cgroup/sendmsg6", .cgroupSockAddr, .cgroupUDP6Sendmsg, []),
    ("cgroup/recvmsg4", .cgroupSockAddr, .cgroupUDP4Recvmsg, []),
    ("cgroup/recvmsg6", .cgroupSockAddr, .cgroupUDP6Recvmsg, []),
    ("cgroup/getpeername4", .cgroupSockAddr, .cgroupInet4Getpeername, []),
    ("cgroup/getpeername6", .cgroupSockAddr, .cgroupInet6Getpeername, []),
    ("cgroup/getsockname4", .cgroupSockAddr, .cgroupInet4Getsockname, []),
    ("cgroup/getsockname6", .cgroupSockAddr, .cgroupInet6Getsockname, []),
    ("cgroup/sock", .cgroupSock, .cgroupInetSockCreate, []),
    ("cgroup/sock_create", .cgroupSock, .cgroupInetSockCreate, []),
    ("cgroup/sock_release", .cgroupSock, .cgroupInetSockRelease, []),
    ("cgroup/post_bind4", .cgroupSock, .cgroupInet4PostBind, []),
    ("cgroup/post_bind6", .cgroupSock, .cgroupInet6PostBind, []),
    ("cgroup/sysctl", .cgroupSysctl, .cgroupSysctl, []),
    ("cgroup/getsockopt", .cgroupSockopt, .cgroupGetsockopt, []),
    ("cgroup/setsockopt", .cgroupSockopt, .cgroupSetsockopt, []),
    ("cgroup/dev", .cgroupDevice, .cgroupDevice, []),
    ("cgroup/skb", .cgroupSKB, .none, []),
    ("cgroup_skb/ingress", .cgroupSKB, .cgroupInetIngress, []),
    ("cgroup_skb/egress", .cgroupSKB, .cgroupInetEgress, []),
    ("tp_btf/sched_switch", .tracing, .traceRawTP, []),
    ("tp_btf.s/x", .tracing, .traceRawTP, .sleepable),
    ("fentry/do_unlinkat", .tracing, .traceFentry, []),
    ("fexit", .tracing, .traceFexit, []),
    ("fmod_ret/x", .tracing, .modifyReturn, []),
    ("fentry.s/x", .tracing, .traceFentry, .sleepable),
    ("freplace/x", .ext, .none, []),
    ("lsm/file_open", .lsm, .lsmMAC, []),
    ("lsm.s/bprm_committed_creds", .lsm, .lsmMAC, .sleepable),
    ("lsm_cgroup/x", .lsm, .lsmCgroup, []),
    ("iter/task", .tracing, .traceIter, []),
    ("iter.s/task", .tracing, .traceIter, .sleepable),
    ("raw_tp/sys_enter", .rawTracepoint, .none, []),
    ("raw_tracepoint/sys_enter", .rawTracepoint, .none, []),
    ("raw_tp.s/x", .rawTracepoint, .none, .sleepable),
    ("raw_tracepoint.w/x", .rawTracepointWritable, .none, []),
    ("raw_tp.w/x", .rawTracepointWritable, .none, []),
    ("sk_skb", .skSKB, .none, []),
    ("sk_skb/stream_parser", .skSKB, .skSKBStreamParser, []),
    ("sk_skb/stream_verdict", .skSKB, .skSKBStreamVerdict, []),
    ("sk_skb/verdict", .skSKB, .skSKBVerdict, []),
    ("sk_msg", .skMsg, .skMsgVerdict, []),
    ("sockops", .sockOps, .cgroupSockOps, []),
    ("sk_lookup", .skLookup, .skLookup, []),
    ("sk_lookup/x", nil, .none, []),
    ("flow_dissector", .flowDissector, .flowDissector, []),
    ("lirc_mode2", .lircMode2, .lircMode2, []),
    ("lwt_in", .lwtIn, .none, []),
    ("lwt_xmit", .lwtXmit, .none, []),
    ("perf_event", .perfEvent, .none, []),
    ("struct_ops/x", .structOps, .none, []),
    ("struct_ops.s/x", .structOps, .none, .sleepable),
    ("syscall", .syscall, .none, .sleepable),
    ("netfilter", .netfilter, .netfilter, []),
    (".text", nil, .none, []),
    ("license", nil, .none, []),
]

@Test(arguments: cases.indices)
func sectionDefinitionMatchesLibbpf(_ i: Int) {
    let (name, type, eat, flags) = cases[i]
    let def = SectionDefinition.find(name)
    #expect(def?.programType == type, "\(name)")
    if let def {
        #expect(def.expectedAttachType == eat, "\(name): eat \(def.expectedAttachType.rawValue)")
        #expect(def.programFlags == flags, "\(name)")
    }
}

@Test func sectionDefinitionAttachTargets() throws {
    let tp = try #require(SectionDefinition.find("tp/syscalls/sys_enter_execve"))
    #expect(tp.attachTarget(in: "tp/syscalls/sys_enter_execve") == "syscalls/sys_enter_execve")
    #expect(!tp.needsAttachBTFID)
    let fentry = try #require(SectionDefinition.find("fentry/do_unlinkat"))
    #expect(fentry.needsAttachBTFID)
    #expect(fentry.attachTarget(in: "fentry/do_unlinkat") == "do_unlinkat")
    for name in ["tp_btf/sched_switch", "fexit/x", "fmod_ret/x", "lsm/file_open", "lsm.s/x", "iter/task", "freplace/f"] {
        #expect(SectionDefinition.find(name)?.needsAttachBTFID == true, "\(name)")
    }
    for name in ["kprobe/x", "tp/a/b", "xdp", "raw_tp/x", "uprobe.multi/x"] {
        #expect(SectionDefinition.find(name)?.needsAttachBTFID == false, "\(name)")
    }
    let uprobe = try #require(SectionDefinition.find("uprobe//bin/bash:readline"))
    #expect(uprobe.attachTarget(in: "uprobe//bin/bash:readline") == "/bin/bash:readline")
    #expect(SectionDefinition.find("kprobe")?.attachTarget(in: "kprobe") == nil)
    // Exact entries have no target: the '/' belongs to the name.
    #expect(SectionDefinition.find("cgroup/connect4")?.attachTarget(in: "cgroup/connect4") == nil)
    #expect(SectionDefinition.find("usdt")?.options.contains(.usdt) == true)
    #expect(SectionDefinition.find("xdp")?.options.contains(.expectedAttachTypeOptional) == true)
}

@Test func sectionDefinitionPatternRules() {
    let plus = SectionDefinition("abc+", .kprobe, .none)
    #expect(plus.matches("abc"))
    #expect(plus.matches("abc/x/y"))
    #expect(!plus.matches("abcd"))
    #expect(!plus.matches("ab"))
    let slash = SectionDefinition("abc/", .kprobe, .none)
    #expect(slash.matches("abc/"))
    #expect(slash.matches("abc/x"))
    #expect(!slash.matches("abc"))
    let exact = SectionDefinition("abc", .kprobe, .none)
    #expect(exact.matches("abc"))
    #expect(!exact.matches("abc/x"))
}
