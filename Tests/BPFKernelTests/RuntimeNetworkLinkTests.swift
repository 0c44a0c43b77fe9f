import BPF
import Glibc
import Testing

extension RuntimeTests {
@Suite("network links")
struct RuntimeNetworkLinkTests {
    @Test func cgroupConnect4LinkCountsAndDetaches() throws {
        let root = try Link.cgroup2MountPoint()
        let counter = try makeMap("rt_cg_count", .array, key: 4, value: 8, max: 1)
        // Returns 1 (allow): the program is attached to the root cgroup, so every connect of the
        // machine passes through it while the test runs.
        let program = try Program.load(ProgramLoadAttributes(
            name: "rt_connect4", type: .cgroupSockAddr, expectedAttachType: .cgroupInet4Connect,
            instructions: TestPrograms.counting(counter: counter, pidTgid: currentPidTgid(), returning: 1)))
        let link = try Link.attachCgroup(program: program, cgroupPath: root, attachType: .cgroupInet4Connect)
        defer { link.close() }
        #expect(try link.info().typeName == "cgroup")
        for _ in 0..<3 { #expect(udpConnectLoopback() == 0) }
        #expect(try counter.lookup(key: UInt32(0), as: UInt64.self) == 3)
        // BPF_LINK_UPDATE swaps in a program that counts into another map.
        let second = try makeMap("rt_cg_count2", .array, key: 4, value: 8, max: 1)
        let replacement = try Program.load(ProgramLoadAttributes(
            name: "rt_connect4b", type: .cgroupSockAddr, expectedAttachType: .cgroupInet4Connect,
            instructions: TestPrograms.counting(counter: second, pidTgid: currentPidTgid(), returning: 1)))
        // The link runs `program`: expecting `replacement` is refused (EPERM), and named.
        #expect { try link.update(program: replacement, expected: replacement) } throws: { error in
            guard case let .invalidArgument(text) = error as? BPFError else { return false }
            return text.contains("BPF_F_REPLACE") && text.contains("rt_connect4b")
        }
        try link.update(program: replacement, expected: program)
        #expect(try link.info().programID == replacement.id)
        #expect(udpConnectLoopback() == 0)
        #expect(try second.lookup(key: UInt32(0), as: UInt64.self) == 1)
        #expect(try counter.lookup(key: UInt32(0), as: UInt64.self) == 3)
        // Cgroup links implement BPF_LINK_DETACH: the link stays open but no longer runs.
        try link.detach()
        #expect(link.isOpen)
        #expect(udpConnectLoopback() == 0)
        #expect(try counter.lookup(key: UInt32(0), as: UInt64.self) == 3)
        #expect(try second.lookup(key: UInt32(0), as: UInt64.self) == 1)

        #expect(throws: BPFError.self) { try Link.attachCgroup(program: program, cgroupPath: root + "/no_such_cgroup_rt", attachType: .cgroupInet4Connect) }
    }

    @Test(.enabled(if: Command.which("ip") != nil, "needs iproute2's ip to create a veth pair"))
    func xdpAndTCXLinksOnVethCountFrames() throws {
        let ip = Command.which("ip")!
        let a = "rtx\(getpid() % 100000)a", b = "rtx\(getpid() % 100000)b"
        #expect(try Command.run(ip, ["link", "add", a, "type", "veth", "peer", "name", b]).status == 0)
        defer { _ = try? Command.run(ip, ["link", "del", a]) }
        #expect(try Command.run(ip, ["link", "set", a, "up"]).status == 0)
        #expect(try Command.run(ip, ["link", "set", b, "up"]).status == 0)
        // veth drops frames until both ends report carrier: wait for operstate "up".
        func isUp(_ name: String) -> Bool {
            (try? Syscalls.readFile("/sys/class/net/\(name)/operstate")).map { String(decoding: $0, as: UTF8.self).hasPrefix("up") } ?? false
        }
        for _ in 0..<200 where !(isUp(a) && isUp(b)) { usleepMilliseconds(10) }
        try #require(isUp(a) && isUp(b), "veth pair \(a)/\(b) did not come up")

        let counter = try makeMap("rt_xdp_count", .array, key: 4, value: 8, max: 1)
        let program = try TestPrograms.load("rt_xdp_count", .xdp, TestPrograms.xdpEtherTypeCounter(counter: counter))
        let link = try Link.attachXDP(program: program, interface: b, flags: .skbMode)
        defer { link.close() }
        #expect(try link.info().typeName == "xdp")
        // A second XDP program on the same interface and mode: EBUSY.
        #expect { try Link.attachXDP(program: program, interface: b, flags: .skbMode) } throws: { isErrno($0, BPFErrno(rawValue: EBUSY)) }

        #expect(sendRawFrames(ifindex: Int32(try Syscalls.interfaceIndex(name: a)), count: 5) == 5)
        var seen: UInt64 = 0
        for _ in 0..<50 where seen < 5 {
            usleepMilliseconds(10)
            seen = try counter.lookup(key: UInt32(0), as: UInt64.self) ?? 0
        }
        #expect(seen == 5)
        // TC ingress on the same interface sees the frames XDP passed: a tcx link where the kernel
        // has them (6.6), else the netlink clsact filter that Link.attachTC falls back to.
        let tcCounter = try makeMap("rt_tcx_count", .array, key: 4, value: 8, max: 1)
        let tcProgram = try TestPrograms.load("rt_tcx_count", .schedCLS, TestPrograms.tcEtherTypeCounter(counter: tcCounter))
        let tcx = try Link.attachTC(program: tcProgram, interface: b, direction: .ingress)
        defer { tcx.close() }
        if case let .tcx(link) = tcx {
            #expect(try link.info().typeName == "tcx")
        } else {
            #expect(!Features.tcxLinks, "Link.attachTC fell back to netlink on a kernel with tcx links")
        }

        try link.detach()
        #expect(sendRawFrames(ifindex: Int32(try Syscalls.interfaceIndex(name: a)), count: 2) == 2)
        var tcSeen: UInt64 = 0
        for _ in 0..<50 where tcSeen < 2 {
            usleepMilliseconds(10)
            tcSeen = try tcCounter.lookup(key: UInt32(0), as: UInt64.self) ?? 0
        }
        #expect(tcSeen == 2)
        #expect(try counter.lookup(key: UInt32(0), as: UInt64.self) == 5)
        try tcx.detach()
        #expect(sendRawFrames(ifindex: Int32(try Syscalls.interfaceIndex(name: a)), count: 1) == 1)
        usleepMilliseconds(50)
        #expect(try tcCounter.lookup(key: UInt32(0), as: UInt64.self) == 2)
        #expect(throws: BPFError.self) { try Link.attachXDP(program: program, interface: "no_such_if_rt") }
    }
}
}
