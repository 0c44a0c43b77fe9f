import BPF
import Glibc

/// The connections a firewall change must not cut on its interface: the SSH session the
/// command runs over (from `SSH_CONNECTION`) and the default gateways. `check` works out, with
/// `FirewallPolicy`, what the new policy would do to their packets and refuses a change that
/// drops them; `--force` skips the guard.
public struct LockoutGuard: Sendable {
    /// One connection to keep: the packets it needs and why it matters.
    public struct Lifeline: Sendable {
        public let packet: FirewallPolicy.Packet
        public let what: String
    }

    public let interface: String
    public let lifelines: [Lifeline]

    public init(interface: String, lifelines: [Lifeline]) {
        self.interface = interface
        self.lifelines = lifelines
    }

    /// The lifelines of `interface` in the calling thread's network namespace:
    /// - the SSH session of `sshConnection` (`SSH_CONNECTION`: "PEER PEER_PORT LOCAL LOCAL_PORT")
    ///   when its local address is on `interface`: TCP from the peer to the local port;
    /// - each default gateway reached through `interface` (IPv4 and IPv6 routing tables):
    ///   any packet from it.
    public static func current(interface: String, sshConnection: String?) -> LockoutGuard {
        var lifelines: [Lifeline] = []
        if let ssh = sshConnection {
            let f = ssh.split(separator: " ")
            if f.count == 4, let peer = try? IPPrefix(parsing: Self.unscoped(f[0])), let local = try? IPPrefix(parsing: Self.unscoped(f[2])),
               let port = UInt16(f[3]), addresses(of: interface).contains(local) {
                lifelines.append(Lifeline(
                    packet: .init(source: peer, destination: local, proto: .tcp, destinationPort: port),
                    what: "the SSH session this command runs over (\(peer) to \(local) port \(port), from SSH_CONNECTION)"))
            }
        }
        for gateway in defaultGateways(interface) {
            lifelines.append(Lifeline(packet: .init(source: gateway), what: "the default gateway \(gateway) of \(interface)"))
        }
        return LockoutGuard(interface: interface, lifelines: lifelines)
    }

    /// Throws naming the lifeline, the rule that would drop it and the way out, if `policy`
    /// drops a lifeline's packets.
    public func check(_ policy: FirewallPolicy, change: String) throws(FirewallError) {
        for l in lifelines {
            let d = policy.decision(for: l.packet)
            if d.drops {
                throw FirewallError("refusing \(change): \(d) would drop \(l.what) on \(interface). "
                    + "Allow it first (e.g. 'allow from \(l.packet.source)'), see what the policy drops with --dry-run, or use --force")
            }
        }
    }

    static func unscoped(_ s: Substring) -> Substring { s.split(separator: "%").first ?? s }

    /// The addresses of `interface` (getifaddrs; the calling thread's namespace).
    static func addresses(of interface: String) -> [IPPrefix] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(first) }
        var out: [IPPrefix] = []
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let name = entry.pointee.ifa_name, String(cString: name) == interface, let sa = entry.pointee.ifa_addr else { continue }
            switch Int32(sa.pointee.sa_family) {
            case AF_INET:
                sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    let bytes = withUnsafeBytes(of: $0.pointee.sin_addr) { Array($0) }
                    if let p = IPPrefix(family: .ipv4, address: bytes, length: 32) { out.append(p) }
                }
            case AF_INET6:
                sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    let bytes = withUnsafeBytes(of: $0.pointee.sin6_addr) { Array($0) }
                    if let p = IPPrefix(family: .ipv6, address: bytes, length: 128) { out.append(p) }
                }
            default: break
            }
        }
        return out
    }

    /// Default routes' gateways through `interface`, from /proc/thread-self/net/route and
    /// ipv6_route (the calling thread's namespace: /proc/self/net would be the process's).
    static func defaultGateways(_ interface: String) -> [IPPrefix] {
        var out: [IPPrefix] = []
        let v4 = (try? Syscalls.readFile("/proc/thread-self/net/route")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        for line in v4.split(separator: "\n").dropFirst() {
            // Iface Destination Gateway Flags ... Mask ...: addresses in hex, host byte order.
            let f = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard f.count >= 8, f[0] == interface, f[1] == "00000000", f[7] == "00000000",
                  let g = UInt32(f[2], radix: 16), g != 0 else { continue }
            let bytes = withUnsafeBytes(of: g.littleEndian) { Array($0) }
            if let p = IPPrefix(family: .ipv4, address: bytes, length: 32) { out.append(p) }
        }
        let v6 = (try? Syscalls.readFile("/proc/thread-self/net/ipv6_route")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        for line in v6.split(separator: "\n") {
            // dest dest_len src src_len next_hop metric refcnt use flags iface
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 10, f[9] == interface, f[1] == "00", f[0].allSatisfy({ $0 == "0" }),
                  !f[4].allSatisfy({ $0 == "0" }), f[4].count == 32 else { continue }
            var bytes: [UInt8] = []
            var i = f[4].startIndex
            while i < f[4].endIndex {
                let j = f[4].index(i, offsetBy: 2)
                bytes.append(UInt8(f[4][i..<j], radix: 16) ?? 0)
                i = j
            }
            if let p = IPPrefix(family: .ipv6, address: bytes, length: 128) { out.append(p) }
        }
        return out
    }
}
