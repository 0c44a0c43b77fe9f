import BPF
import Glibc

/// One event of the TCP tools: `struct tcp_event` of `bpf/tcp_event.h` (120 bytes). Which
/// fields are meaningful depends on the tool: `txBytes`, `rxBytes` and `durationNanoseconds`
/// for tcplife, `state` and `err` for tcpretrans.
public struct TCPEvent: Sendable, Equatable {
    /// The task. For tcpconnect it is the process that called connect(2), for tcpaccept the one
    /// that returned from accept(2)/accept4(2); see `attributed`.
    public var task: TaskInfo
    /// 4 or 6.
    public var family: Int
    /// Local address and port (the source of a connect, the listening side of an accept).
    public var localAddress: String
    public var localPort: UInt16
    /// Remote address and port.
    public var remoteAddress: String
    public var remotePort: UInt16
    /// tcplife: `tcp_sock.bytes_acked`, bytes sent and acknowledged (as BCC's TX_KB).
    public var txBytes: UInt64
    /// tcplife: `tcp_sock.bytes_received`.
    public var rxBytes: UInt64
    /// tcplife: from the last state before FIN_WAIT1 (SYN_SENT, SYN_RECV, ESTABLISHED) to CLOSE.
    public var durationNanoseconds: UInt64
    /// tcpretrans: the socket's TCP state (`TCPState`).
    public var state: UInt8
    /// tcpretrans: the retransmission's result (0 or -errno).
    public var err: Int32
    /// True when `task` is the socket's own process; false when it is whatever task ran when the
    /// kernel handled the packet or timer (softirq), as for tcpretrans.
    public var attributed: Bool

    /// `struct tcp_event` as generated from the BTF of `tcpconnect.bpf.c` (all four TCP programs
    /// share `tcp_event.h`, so one generated type reads the events of every TCP tool).
    typealias Record = TcpconnectObject.TcpEvent

    /// The size of `struct tcp_event`, from its BTF.
    public static let size = MemoryLayout<Record>.size

    static let AF_INET: UInt16 = 2
    static let AF_INET6: UInt16 = 10

    /// Decodes a ring-buffer record through its generated binding; nil when it is too short or
    /// of an unknown family.
    public init?(record: UnsafeRawBufferPointer) {
        guard record.count >= Self.size else { return nil }
        self.init(RingBufferReader<Record>.decode(record))
    }

    /// An event from its generated binding; nil for an unknown family.
    init?(_ event: Record) {
        let rawFamily = event.family
        guard rawFamily == Self.AF_INET || rawFamily == Self.AF_INET6 else { return nil }
        let v6 = rawFamily == Self.AF_INET6
        task = TaskInfo(event.task)
        family = v6 ? 6 : 4
        localAddress = withUnsafeBytes(of: event.saddr) { Self.address($0, v6: v6) }
        remoteAddress = withUnsafeBytes(of: event.daddr) { Self.address($0, v6: v6) }
        txBytes = event.txBytes
        rxBytes = event.rxBytes
        durationNanoseconds = event.durationNs
        localPort = event.sport
        remotePort = event.dport
        state = event.state
        attributed = event.attributed != 0
        err = event.err
    }

    public init(task: TaskInfo, family: Int, localAddress: String, localPort: UInt16, remoteAddress: String, remotePort: UInt16,
                txBytes: UInt64 = 0, rxBytes: UInt64 = 0, durationNanoseconds: UInt64 = 0, state: UInt8 = 0, err: Int32 = 0,
                attributed: Bool = true) {
        self.task = task
        self.family = family
        self.localAddress = localAddress
        self.localPort = localPort
        self.remoteAddress = remoteAddress
        self.remotePort = remotePort
        self.txBytes = txBytes
        self.rxBytes = rxBytes
        self.durationNanoseconds = durationNanoseconds
        self.state = state
        self.err = err
        self.attributed = attributed
    }

    /// Text form of an address in network byte order: dotted IPv4 (first 4 bytes), or IPv6 as
    /// inet_ntop(3) writes it (`::1`, `::ffff:127.0.0.1`).
    public static func address(_ bytes: UnsafeRawBufferPointer, v6: Bool) -> String {
        if !v6 {
            guard bytes.count >= 4 else { return "" }
            return "\(bytes[0]).\(bytes[1]).\(bytes[2]).\(bytes[3])"
        }
        guard bytes.count >= 16 else { return "" }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok = text.withUnsafeMutableBufferPointer { out in
            inet_ntop(Int32(Glibc.AF_INET6), bytes.baseAddress, out.baseAddress, socklen_t(out.count)) != nil
        }
        guard ok else { return "" }
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

/// The kernel's TCP states (include/net/tcp_states.h), named as BCC prints them.
public enum TCPState {
    static let names = ["", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
                        "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"]

    /// The state's name, or its number when unknown.
    public static func name(_ state: UInt8) -> String {
        Int(state) < names.count && state != 0 ? names[Int(state)] : "UNKNOWN(\(state))"
    }
}
