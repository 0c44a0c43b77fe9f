/// One DNS message as the kernel saw it on a client socket (port 53): a query leaving or an
/// answer arriving, with its bytes (at most 512 copied).
public struct DNSPacket: Sendable {
    public var timestampNanos: UInt64
    /// The client socket's cookie: a query and its answer share it.
    public var cookie: UInt64
    public var source: Endpoint
    public var destination: Endpoint
    public var isResponse: Bool
    /// The sender of a query; nil for an answer (it arrives in softirq).
    public var owner: Flow.Owner?
    /// The message's length on the wire, and the bytes copied.
    public var length: Int
    public var bytes: [UInt8]

    public init(timestampNanos: UInt64, cookie: UInt64, source: Endpoint, destination: Endpoint, isResponse: Bool,
                owner: Flow.Owner?, length: Int, bytes: [UInt8]) {
        self.timestampNanos = timestampNanos
        self.cookie = cookie
        self.source = source
        self.destination = destination
        self.isResponse = isResponse
        self.owner = owner
        self.length = length
        self.bytes = bytes
    }

    init(_ e: FlowsObject.DnsEvent) {
        let family: IPPrefix.Family = e.family == 10 ? .ipv6 : .ipv4
        func address(_ a: InlineArray<16, UInt8>) -> String {
            IPPrefix.text((0..<family.byteCount).map { a[$0] }, family: family)
        }
        let copied = min(Int(e.length), 512)
        var bytes = [UInt8](repeating: 0, count: copied)
        for i in 0..<copied { bytes[i] = e.data[i] }
        self.init(timestampNanos: e.timestampNs, cookie: e.cookie,
                  source: Endpoint(address: address(e.saddr), port: e.sport),
                  destination: Endpoint(address: address(e.daddr), port: e.dport),
                  isResponse: e.isResponse != 0,
                  owner: e.isResponse != 0 ? nil : Flow.Owner(pid: e.owner.tgid, uid: e.owner.uid, comm: e.owner.commString, cgroupID: e.owner.cgroupId),
                  length: Int(e.length), bytes: bytes)
    }
}
