import BPF
import Foundation
import Glibc
import Testing

/// Cgroup hooks on a cgroup of the test's own: a child process moves itself into it, does real
/// socket, device or sysctl work, and the test checks what the attached programs did to it.
@Suite(.serialized, .enabled(if: isRoot && CgroupChild.isAvailable, CgroupChild.skipReason))
struct CgroupHookTests {
    /// `cg_hits` slots (enum hook in cg_hooks.bpf.c).
    enum Hook: UInt32 { case sock, connect4, connect6, bind4, bind6, sendmsg4, sendmsg6, getsockopt, setsockopt, sysctlRead, sysctlWrite, dev, denied }

    func loadHooks(_ programs: Set<String>, _ configure: (inout LoadOptions) -> Void = { _ in }) throws -> BPFObject {
        var options = LoadOptions()
        options.programs = programs
        configure(&options)
        return try BPFObject(ObjectSpec(bytes: EmbeddedObjects.cgHooks.bytes, name: "cg_hooks"), options: options)
    }

    func hits(_ object: BPFObject, _ hook: Hook) throws -> UInt64 {
        try object.map("cg_hits").lookup(key: hook.rawValue, as: UInt64.self) ?? 0
    }

    @Test func skbIngressAndEgressCountAndDropLoopbackUDP() throws {
        let cgroup = try TestCgroup("skb")
        defer { cgroup.remove() }
        let marker = testPort(0), dropped = testPort(1)
        var options = LoadOptions()
        options.set("marker_port", to: marker)
        options.set("drop_port", to: dropped)
        let object = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.cgSkb.bytes, name: "cg_skb"), options: options)
        let ingress = try CgroupProgram(object, name: "cg_skb_ingress").attach(cgroup: cgroup.path)
        defer { ingress.close() }
        let egress = try CgroupProgram(object, name: "cg_skb_egress").attach(cgroup: cgroup.path)
        defer { egress.close() }
        #expect(try ProgramAttachment.attachedPrograms(cgroupPath: cgroup.path, attachType: .cgroupInetEgress) == [object.program("cg_skb_egress").id])

        // Five datagrams to the marker port: each leaves (egress) and arrives (ingress) once.
        #expect(try CgroupChild.run(in: cgroup, ["udp-echo4", "\(marker)", "5"]) == "received 5")
        let counts = try object.map("cg_skb_counts")
        #expect(try counts.lookup(key: UInt32(0), as: UInt64.self) == 5)
        #expect(try counts.lookup(key: UInt32(1), as: UInt64.self) == 5)
        // Datagrams to the drop port are dropped on ingress: none arrives.
        #expect(try CgroupChild.run(in: cgroup, ["udp-echo4", "\(dropped)", "3"]) == "received 0")
        #expect(try counts.lookup(key: UInt32(2), as: UInt64.self) == 3)
        // The same exchange outside the cgroup is not seen.
        #expect(try CgroupChild.run(in: nil, ["udp-echo4", "\(dropped)", "2"]) == "received 2")
        #expect(try counts.lookup(key: UInt32(2), as: UInt64.self) == 3)
    }

    @Test func sockCreateDeniesUDPSockets() throws {
        let cgroup = try TestCgroup("sock")
        defer { cgroup.remove() }
        let object = try loadHooks(["cg_sock_create"]) {
            $0.set("deny_sock_type", to: UInt32(SOCK_DGRAM.rawValue))
            $0.set("deny_sock_protocol", to: UInt32(IPPROTO_UDP))
        }
        let link = try CgroupProgram(object, name: "cg_sock_create").attach(cgroup: cgroup.path)
        defer { link.close() }
        #expect(try CgroupChild.run(in: cgroup, ["socket", "\(AF_INET)", "\(SOCK_DGRAM.rawValue)", "\(IPPROTO_UDP)"]) == "errno \(EPERM) socket")
        #expect(try CgroupChild.run(in: cgroup, ["socket", "\(AF_INET6)", "\(SOCK_DGRAM.rawValue)", "\(IPPROTO_UDP)"]) == "errno \(EPERM) socket")
        #expect(try CgroupChild.run(in: cgroup, ["socket", "\(AF_INET)", "\(SOCK_STREAM.rawValue)", "\(IPPROTO_TCP)"]) == "ok")
        #expect(try CgroupChild.run(in: nil, ["socket", "\(AF_INET)", "\(SOCK_DGRAM.rawValue)", "\(IPPROTO_UDP)"]) == "ok")
        #expect(try hits(object, .denied) == 2)
        #expect(try hits(object, .sock) >= 3)
    }

    @Test func connectDeniesAPortAndRedirectsAnother() throws {
        let cgroup = try TestCgroup("connect")
        defer { cgroup.remove() }
        let denied = testPort(0), from = testPort(1)
        // Listeners on 127.0.0.1 and ::1 in the test process; the redirected connects reach them.
        let v4 = try TCPListener(v6: false), v6 = try TCPListener(v6: true)
        let object = try loadHooks(["cg_connect4", "cg_connect6"]) {
            $0.set("deny_port", to: denied)
            $0.set("redirect_from", to: from)
            $0.set("redirect_to", to: v4.port)
        }
        let l4 = try CgroupProgram(object, name: "cg_connect4").attach(cgroup: cgroup.path)
        defer { l4.close() }
        #expect(try CgroupChild.run(in: cgroup, ["connect4", "\(denied)"]) == "errno \(EPERM) connect")
        #expect(try CgroupChild.run(in: cgroup, ["connect4", "\(from)"]) == "ok \(v4.port)")
        #expect(try hits(object, .connect4) == 2)
        // connect6 is not attached yet: ::1 to the denied port is refused by the stack itself.
        #expect(try CgroupChild.run(in: cgroup, ["connect6", "\(denied)"]) == "errno \(ECONNREFUSED) connect")

        // The same object with the v6 hook: a fresh load so that redirect_to is the v6 listener.
        let object6 = try loadHooks(["cg_connect6"]) {
            $0.set("deny_port", to: denied)
            $0.set("redirect_from", to: from)
            $0.set("redirect_to", to: v6.port)
        }
        let l6 = try CgroupProgram(object6, name: "cg_connect6").attach(cgroup: cgroup.path)
        defer { l6.close() }
        #expect(try CgroupChild.run(in: cgroup, ["connect6", "\(denied)"]) == "errno \(EPERM) connect")
        #expect(try CgroupChild.run(in: cgroup, ["connect6", "\(from)"]) == "ok \(v6.port)")
        #expect(try hits(object6, .connect6) == 2)
        // Outside the cgroup nothing is rewritten.
        #expect(try CgroupChild.run(in: nil, ["connect4", "\(from)"]) == "errno \(ECONNREFUSED) connect")
    }

    @Test func bindDeniesAPortAndRewritesAnother() throws {
        let cgroup = try TestCgroup("bind")
        defer { cgroup.remove() }
        let denied = testPort(0), from = testPort(1), to = testPort(2)
        let object = try loadHooks(["cg_bind4", "cg_bind6"]) {
            $0.set("deny_port", to: denied)
            $0.set("redirect_from", to: from)
            $0.set("redirect_to", to: to)
        }
        let links = try ["cg_bind4", "cg_bind6"].map { try CgroupProgram(object, name: $0).attach(cgroup: cgroup.path) }
        defer { links.forEach { $0.close() } }
        for family in ["bind4", "bind6"] {
            #expect(try CgroupChild.run(in: cgroup, [family, "\(denied)"]) == "errno \(EPERM) bind")
            #expect(try CgroupChild.run(in: cgroup, [family, "\(from)"]) == "ok \(to)")
        }
        #expect(try hits(object, .bind4) == 2)
        #expect(try hits(object, .bind6) == 2)
        #expect(try CgroupChild.run(in: nil, ["bind4", "\(from)"]) == "ok \(from)")
    }

    @Test func sendmsgRewritesUDPDestinations() throws {
        let cgroup = try TestCgroup("sendmsg")
        defer { cgroup.remove() }
        let denied = testPort(0), from = testPort(1), to = testPort(2)
        let object = try loadHooks(["cg_sendmsg4", "cg_sendmsg6"]) {
            $0.set("deny_port", to: denied)
            $0.set("redirect_from", to: from)
            $0.set("redirect_to", to: to)
        }
        let links = try ["cg_sendmsg4", "cg_sendmsg6"].map { try CgroupProgram(object, name: $0).attach(cgroup: cgroup.path) }
        defer { links.forEach { $0.close() } }
        for family in ["sendmsg4", "sendmsg6"] {
            // Sent to `from`, received on `to`: the hook rewrote the destination port.
            #expect(try CgroupChild.run(in: cgroup, [family, "\(from)", "\(to)"]) == "ok 6")
            #expect(try CgroupChild.run(in: cgroup, [family, "\(denied)", "\(denied)"]) == "errno \(EPERM) sendto")
        }
        #expect(try hits(object, .sendmsg4) == 2)
        #expect(try hits(object, .sendmsg6) == 2)
        // Outside the cgroup the datagram to `from` goes nowhere (nobody listens on `to` for it).
        #expect(try CgroupChild.run(in: nil, ["sendmsg4", "\(from)", "\(to)"]).hasPrefix("errno \(EAGAIN)"))
    }

    @Test func getsockoptAndSetsockoptAreOverridden() throws {
        let cgroup = try TestCgroup("sockopt")
        defer { cgroup.remove() }
        let object = try loadHooks(["cg_getsockopt", "cg_setsockopt"]) {
            $0.set("tos_reported", to: UInt32(0x28))
            $0.set("tos_set_to", to: UInt32(0x10))
        }
        // setsockopt(IP_TOS, 0x04) stores 0x10 instead; the kernel's getsockopt then reports it.
        let set = try CgroupProgram(object, name: "cg_setsockopt").attach(cgroup: cgroup.path)
        #expect(try CgroupChild.run(in: cgroup, ["tos", "4"]) == "ok 16")
        #expect(try CgroupChild.run(in: nil, ["tos", "4"]) == "ok 4")
        set.close()
        #expect(try CgroupChild.run(in: cgroup, ["tos", "4"]) == "ok 4")
        // getsockopt(IP_TOS) is answered by the program, through the legacy BPF_PROG_ATTACH.
        let get = try CgroupProgram(object, name: "cg_getsockopt").attachWithoutLink(cgroup: cgroup.path)
        #expect(try ProgramAttachment.attachedPrograms(cgroupPath: cgroup.path, attachType: .cgroupGetsockopt) == [object.program("cg_getsockopt").id])
        #expect(try CgroupChild.run(in: cgroup, ["tos"]) == "ok 40")
        try get.detach()
        #expect(!get.isAttached)
        #expect(try ProgramAttachment.attachedPrograms(cgroupPath: cgroup.path, attachType: .cgroupGetsockopt).isEmpty)
        #expect(try CgroupChild.run(in: cgroup, ["tos"]) == "ok 0")
        #expect(try hits(object, .getsockopt) == 1)
        #expect(try hits(object, .setsockopt) == 1)
    }

    @Test func deviceAccessIsDenied() throws {
        let cgroup = try TestCgroup("dev")
        defer { cgroup.remove() }
        // /dev/zero is character device 1:5.
        let object = try loadHooks(["cg_dev"]) {
            $0.set("deny_dev_major", to: UInt32(1))
            $0.set("deny_dev_minor", to: UInt32(5))
        }
        let link = try CgroupProgram(object, name: "cg_dev").attach(cgroup: cgroup.path)
        defer { link.close() }
        #expect(try CgroupChild.run(in: cgroup, ["open", "/dev/zero"]) == "errno \(EPERM) open")
        #expect(try CgroupChild.run(in: cgroup, ["open", "/dev/full"]) == "ok")
        #expect(try CgroupChild.run(in: nil, ["open", "/dev/zero"]) == "ok")
        #expect(try hits(object, .denied) == 1)
        #expect(try hits(object, .dev) == 2)
    }

    @Test func sysctlReadIsObservedAndWriteDenied() throws {
        let cgroup = try TestCgroup("sysctl")
        defer { cgroup.remove() }
        let object = try loadHooks(["cg_sysctl"])
        let link = try CgroupProgram(object, name: "cg_sysctl").attach(cgroup: cgroup.path)
        defer { link.close() }
        // write-same reads the value, then writes it back unchanged: the read is seen with its
        // name; the write to vm/swappiness is denied, another sysctl's write passes.
        #expect(try CgroupChild.run(in: cgroup, ["write-same", "/proc/sys/vm/swappiness"]) == "errno \(EPERM) write")
        let seen = try #require(try object.map("cg_sysctl_seen").lookup(key: [0, 0, 0, 0]))
        #expect(String(decoding: seen.prefix { $0 != 0 }, as: UTF8.self) == "vm/swappiness")
        #expect(try CgroupChild.run(in: cgroup, ["write-same", "/proc/sys/vm/overcommit_ratio"]) == "ok")
        #expect(try hits(object, .sysctlRead) == 2)
        #expect(try hits(object, .sysctlWrite) == 2)
        #expect(try hits(object, .denied) == 1)
        #expect(try CgroupChild.run(in: nil, ["write-same", "/proc/sys/vm/swappiness"]) == "ok")
    }

    @Test func cgroupLinkKeepsItsProgramAlive() throws {
        // A link made by BPFObject.attachCgroup holds its Program (and the prog arrays the
        // program retains) until it closes, even when the object is gone.
        let cgroup = try TestCgroup("keep")
        defer { cgroup.remove() }
        weak var program: Program?
        var link: Link?
        do {
            let object = try loadHooks(["cg_dev"])
            program = try object.program("cg_dev")
            link = try CgroupProgram(object, name: "cg_dev").attach(cgroup: cgroup.path)
        }
        #expect(program != nil)
        #expect(try CgroupChild.run(in: cgroup, ["open", "/dev/full"]) == "ok")
        link?.close()
        link = nil
        #expect(program == nil)
    }

    @Test func badCgroupArguments() throws {
        let object = try loadHooks(["cg_dev", "cg_connect4"])
        #expect { try CgroupProgram(object, name: "cg_dev").attach(cgroup: "/sys/fs/cgroup/unified/no-such-cgroup-swiftbpf") } throws: { error in
            if case .missing = error as? BPFError { return true }
            return false
        }
        // A program that is not a cgroup program is refused by name.
        let tail = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.tailcallDispatch.bytes, name: "tailcall_dispatch"))
        #expect { try CgroupProgram(tail, name: "tc_dispatch").attach(cgroup: Link.cgroup2MountPoint()) } throws: { error in
            if case .invalidArgument = error as? BPFError { return true }
            return false
        }
    }
}

/// A TCP listener of the test process on 127.0.0.1 or ::1 with a kernel-chosen port.
final class TCPListener {
    let fd: Int32
    let port: UInt16

    init(v6: Bool) throws {
        let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var storage = sockaddr_storage()
        var length: socklen_t
        if v6 {
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_addr = in6addr_loopback
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: a, as: sockaddr_in6.self) }
        } else {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: a, as: sockaddr_in.self) }
        }
        let bound = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 8) == 0 else { close(fd); throw CgroupChildError(message: "listener: errno \(errno)") }
        var out = sockaddr_storage()
        var outLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &out) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &outLength) } }
        self.port = withUnsafeBytes(of: out) { UInt16(bigEndian: $0.load(fromByteOffset: 2, as: UInt16.self)) }
    }

    deinit { close(fd) }
}
