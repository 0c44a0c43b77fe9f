import BPF
import Glibc
import Synchronization
import Testing

/// Loads net_xdp.bpf.c with its `port` global set.
func loadXDPObject(port: UInt16) throws -> BPFObject {
    var options = LoadOptions()
    options.set("port", to: port)
    return try BPFObject(ObjectSpec(bytes: EmbeddedObjects.netXdp.bytes, name: "net_xdp"), options: options)
}

extension RuntimeTests {
@Suite("XDP on a veth pair", .enabled(if: NetworkNamespace.ip != nil, NetworkNamespace.skipReason))
struct XDPTests {
    /// Real UDP packets cross a veth pair between two private namespaces; xdp_first on the
    /// receiving end counts them and drops those marked 'D', in native and in generic mode.
    @Test(arguments: ["driver", "generic"])
    func xdpModeCountsAndDropsRealPackets(mode: String) throws {
        let flags: XDPFlags = mode == "driver" ? .driverMode : .skbMode
        let ipKeyword = mode == "driver" ? "mtu 1500 xdp qdisc" : "mtu 1500 xdpgeneric qdisc"
        let net = try VethNetwork("x\(mode.prefix(1))")
        defer { net.close() }
        let port: UInt16 = 4001
        let object = try loadXDPObject(port: port)
        let counts = try object.map("counts")
        let receiver = try net.receiverSocket(port: port)
        let sender = try net.senderSocket(to: port)

        let link = try net.receiver.enter { try XDPProgram(object, name: "xdp_first").attach(interface: net.receiverInterface, flags: flags) }
        defer { link.close() }
        #expect(try link.info().typeName == "xdp")
        // iproute2 shows the mode: "xdp" (driver) or "xdpgeneric" (skb).
        let shown = try Command.run(NetworkNamespace.ip!, ["-n", net.receiver.name, "link", "show", net.receiverInterface]).stdout
        #expect(shown.contains(ipKeyword), "ip link show: \(shown)")

        for payload in ["P1", "D1", "P2", "D2", "D3"] { #expect(sender.send(payload)) }
        #expect(try counter(counts, 0, reaching: 5) == 5)
        #expect(try counter(counts, 1, reaching: 3) == 3)
        #expect(receiver.receiveAll().sorted() == ["P1", "P2"])

        // Detached (the link stays open but defunct): marked packets arrive again.
        try link.detach()
        #expect(sender.send("D4"))
        #expect(receiver.receiveAll() == ["D4"])
        #expect(try counts.lookup(key: UInt32(0), as: UInt64.self) == 5)
    }

    /// BPF_LINK_UPDATE swaps xdp_first for xdp_second on the live link: the link id stays, the
    /// new program's verdicts apply at once, a wrong expected program is refused with a clear
    /// error, and under a stream of packets sent while the programs are swapped back and forth,
    /// every packet is seen (and dropped) by exactly one of the two programs.
    @Test func xdpLinkUpdateReplacesTheProgramAtomically() throws {
        let net = try VethNetwork("xu")
        defer { net.close() }
        let port: UInt16 = 4002
        let object = try loadXDPObject(port: port)
        let counts = try object.map("counts")
        let first = try object.program("xdp_first"), second = try object.program("xdp_second")
        let receiver = try net.receiverSocket(port: port)
        let sender = try net.senderSocket(to: port)

        let link = try net.receiver.enter { try Link.attachXDP(program: first, interface: net.receiverInterface, flags: .driverMode) }
        defer { link.close() }
        let id = try link.info().id
        #expect(sender.send("B1"))  // xdp_first passes 'B'
        #expect(receiver.receiveAll() == ["B1"])

        try link.update(program: second, expected: first)
        #expect(try link.info().id == id)
        #expect(try link.info().programID == second.id)
        #expect(sender.send("B2"))  // xdp_second drops 'B'
        #expect(sender.send("P3"))
        #expect(receiver.receiveAll() == ["P3"])
        #expect(try counter(counts, 3, reaching: 1) == 1)

        // The link runs xdp_second: expecting xdp_first is refused, and nothing changes.
        #expect {
            try link.update(program: first, expected: first)
        } throws: { error in
            guard case let .invalidArgument(text) = error as? BPFError else { return false }
            return text.contains("BPF_F_REPLACE") && text.contains("xdp_first") && text.contains("program id \(second.id)")
        }
        #expect(try link.info().programID == second.id)

        // Swap back and forth while another thread sends packets both programs drop.
        let before = try (0..<4).map { try counts.lookup(key: UInt32($0), as: UInt64.self) ?? 0 }
        let droppedBefore = try net.droppedInTransit()
        let stream = PacketStream()
        try Threads.spawn { [sender] in
            while !stream.stop.load(ordering: .acquiring) {
                if sender.send("D-stream") { stream.sent.add(1, ordering: .relaxed) }
            }
            stream.finished.store(true, ordering: .releasing)
        }
        var current = second
        for _ in 0..<20 {
            usleep(2000)
            let next = current === first ? second : first
            try link.update(program: next, expected: current)
            current = next
        }
        stream.stop.store(true, ordering: .releasing)
        while !stream.finished.load(ordering: .acquiring) { usleep(1000) }
        let sent = UInt64(stream.sent.load(ordering: .relaxed))
        #expect(sent > 0)
        // Both programs count what they see: in total every packet that reached the receiver,
        // once. A slow receiver (qemu's emulation) makes veth drop frames before XDP runs; the
        // interfaces count those, and no frame may be missing beyond them.
        var after: [UInt64] = []
        var reached = sent
        for _ in 0..<100 {
            after = try (0..<4).map { try counts.lookup(key: UInt32($0), as: UInt64.self) ?? 0 }
            reached = sent - min(sent, try net.droppedInTransit() - droppedBefore)
            if after[0] + after[2] - before[0] - before[2] >= reached { break }
            usleepMilliseconds(10)
        }
        #expect(reached > sent / 2, "veth dropped \(sent - reached) of \(sent) frames before XDP")
        #expect(after[0] + after[2] - before[0] - before[2] == reached)
        #expect(after[1] + after[3] - before[1] - before[3] == reached)
        #expect(after[0] > before[0] && after[2] > before[2], "both programs ran during the swaps")
        #expect(receiver.receiveAll(quietMilliseconds: 50).isEmpty)
        #expect(try link.info().id == id)
    }
}
}

/// Shared state of a sending thread.
final class PacketStream: Sendable {
    let stop = Atomic<Bool>(false)
    let finished = Atomic<Bool>(false)
    let sent = Atomic<Int>(0)
}
