import BPF
import Glibc
import Testing

/// Loads net_tc.bpf.c (tc_count_drop) with its `port` global set.
func loadTCObject(port: UInt16) throws -> BPFObject {
    var options = LoadOptions()
    options.set("port", to: port)
    return try BPFObject(ObjectSpec(bytes: EmbeddedObjects.netTc.bytes, name: "net_tc"), options: options)
}

extension RuntimeTests {
@Suite("TC on a veth pair", .enabled(if: NetworkNamespace.ip != nil, NetworkNamespace.skipReason))
struct TCTests {
    static let tc = Command.which("tc")

    /// Sends P1, D1, P2, D2 and checks that the program counted 4, dropped 2, and only the P
    /// packets arrived.
    func expectCountsAndDrops(_ net: VethNetwork, port: UInt16, counts: Map, tag: String) throws {
        let receiver = try net.receiverSocket(port: port)
        let sender = try net.senderSocket(to: port)
        for payload in ["P1", "D1", "P2", "D2"] { #expect(sender.send(payload)) }
        #expect(try counter(counts, 0, reaching: 4) == 4, "\(tag): packets seen")
        #expect(try counter(counts, 1, reaching: 2) == 2, "\(tag): packets dropped")
        #expect(receiver.receiveAll().sorted() == ["P1", "P2"], "\(tag): packets received")
    }

    /// `Link.attachTC` uses tcx links on this kernel: ingress on the receiver's end and egress on
    /// the sender's end each count real packets and drop the marked ones.
    /// Skips on kernels before 6.6, which have no tcx; on a newer kernel a probe that says no fails.
    @Test(.enabled(if: Features.kernelVersion >= LinuxVersion(6, 6) || Features.tcxLinks,
                   "tcx links need Linux 6.6 (the probe: \(Features.probe(.tcx).reason ?? "supported"))"))
    func attachTCUsesTCXForIngressAndEgress() throws {
        try #require(Features.tcxLinks, "Linux \(Features.kernelVersion) should have tcx links (6.6 added them)")
        let net = try VethNetwork("tx")
        defer { net.close() }
        for direction in [TCDirection.ingress, .egress] {
            let port: UInt16 = direction == .ingress ? 4101 : 4102
            let object = try loadTCObject(port: port)
            let ns = direction == .ingress ? net.receiver : net.sender
            let interface = direction == .ingress ? net.receiverInterface : net.senderInterface
            let attachment = try ns.enter { try TCProgram(object, name: "tc_count_drop").attach(interface: interface, direction: direction) }
            defer { attachment.close() }
            let link = try #require(attachment.link, "tcx expected, got \(attachment)")
            #expect(try link.info().typeName == "tcx")
            try expectCountsAndDrops(net, port: port, counts: object.map("counts"), tag: "tcx \(direction)")
            // Closed: the marked packets pass.
            attachment.close()
            let receiver = try net.receiverSocket(port: port), sender = try net.senderSocket(to: port)
            #expect(sender.send("D3"))
            #expect(receiver.receiveAll() == ["D3"])
        }
    }

    /// The netlink fallback: a clsact qdisc and a direct-action cls_bpf filter added over
    /// rtnetlink, checked against `tc filter show`, passing real packets, and removed (qdisc
    /// included) when closed.
    @Test(.enabled(if: tc != nil, "needs iproute2's tc as the oracle of the netlink path"))
    func netlinkFilterIngressAndEgress() throws {
        let net = try VethNetwork("tn")
        defer { net.close() }
        for direction in [TCDirection.ingress, .egress] {
            let port: UInt16 = direction == .ingress ? 4103 : 4104
            let object = try loadTCObject(port: port)
            let program = try TCProgram(object, name: "tc_count_drop")
            let ns = direction == .ingress ? net.receiver : net.sender
            let interface = direction == .ingress ? net.receiverInterface : net.senderInterface
            let filter = try ns.enter { try program.attachFilter(interface: interface, direction: direction) }
            defer { filter.close() }
            #expect(filter.createdQdisc)
            #expect(filter.priority != 0 && filter.handle != 0)

            // tc's own view.
            let shown = try Command.run(Self.tc!, ["-n", ns.name, "filter", "show", "dev", interface, direction.rawValue]).stdout
            #expect(shown.contains("bpf") && shown.contains("tc_count_drop") && shown.contains("direct-action") && shown.contains("id \(program.program.id)"),
                    "tc filter show: \(shown)")
            #expect(shown.contains("pref \(filter.priority)") && shown.contains("handle 0x\(String(filter.handle, radix: 16))"), "tc filter show: \(shown)")
            // Our own dump agrees.
            let described = try #require(try filter.currentDescription())
            #expect(described.programID == program.program.id && described.isDirectAction && described.name == "tc_count_drop")
            let listed = try ns.enter { try TCFilter.filters(interfaceIndex: Syscalls.interfaceIndex(name: interface), direction: direction) }
            #expect(listed == [described])

            try expectCountsAndDrops(net, port: port, counts: object.map("counts"), tag: "netlink \(direction)")

            try filter.detach()
            #expect(!filter.isAttached)
            let after = try Command.run(Self.tc!, ["-n", ns.name, "filter", "show", "dev", interface, direction.rawValue]).stdout
            #expect(!after.contains("tc_count_drop"), "tc filter show after close: \(after)")
            let qdiscs = try Command.run(Self.tc!, ["-n", ns.name, "qdisc", "show", "dev", interface]).stdout
            #expect(!qdiscs.contains("clsact"), "the clsact qdisc this filter created is gone: \(qdiscs)")
            let receiver = try net.receiverSocket(port: port), sender = try net.senderSocket(to: port)
            #expect(sender.send("D3"))
            #expect(receiver.receiveAll() == ["D3"])
        }
    }

    /// Filters share the clsact qdisc: the second does not create it, the qdisc stays while a
    /// filter remains, and an existing priority and handle are refused with the kernel's reason
    /// unless `replace` is asked for.
    @Test(.enabled(if: tc != nil, "needs iproute2's tc as the oracle of the netlink path"))
    func netlinkFiltersShareTheQdiscAndReportKernelErrors() throws {
        let net = try VethNetwork("te")
        defer { net.close() }
        let object = try loadTCObject(port: 4105)
        let program = try TCProgram(object, name: "tc_count_drop")
        let ns = net.receiver, interface = net.receiverInterface
        let first = try ns.enter { try program.attachFilter(interface: interface, direction: .ingress, priority: 7, handle: 3) }
        defer { first.close() }
        #expect(first.priority == 7 && first.handle == 3 && first.createdQdisc)
        let second = try ns.enter { try program.attachFilter(interface: interface, direction: .egress) }
        defer { second.close() }
        #expect(!second.createdQdisc)

        // Same priority and handle again: the kernel refuses (EEXIST) and says why.
        #expect {
            try ns.enter { try program.attachFilter(interface: interface, direction: .ingress, priority: 7, handle: 3) }
        } throws: { error in
            guard let e = error as? BPFError, case let .syscall(operation, errno) = e else { return false }
            // The kernel's extended ack says why, after the request's name.
            return errno == BPFErrno(rawValue: EEXIST) && operation.contains("RTM_NEWTFILTER") && operation.contains("Filter already exists")
        }
        // With replace, the filter is swapped in place.
        let replaced = try ns.enter { try program.attachFilter(interface: interface, direction: .ingress, priority: 7, handle: 3, replace: true) }
        #expect(replaced.priority == 7 && replaced.handle == 3 && !replaced.createdQdisc)
        replaced.close()  // deletes the (shared) filter 7/3; `first` then finds it gone
        #expect(try first.currentDescription() == nil)
        #expect(throws: Never.self) { try first.detach() }
        // The qdisc stays while the egress filter remains.
        #expect(try Command.run(Self.tc!, ["-n", ns.name, "qdisc", "show", "dev", interface]).stdout.contains("clsact"))

        // Bad input: no such interface, a program of the wrong type.
        #expect { try ns.enter { try program.attachFilter(interface: "no_such_if", direction: .ingress) } } throws: { error in
            guard let e = error as? BPFError, case .missing = e else { return false }
            return true
        }
        let xdp = try loadXDPObject(port: 1).program("xdp_first")
        #expect { try ns.enter { try TCFilter.attach(program: xdp, interface: interface, direction: .ingress) } } throws: { error in
            guard let e = error as? BPFError, case .invalidArgument = e else { return false }
            return true
        }
    }
}
}
