import BPF
import Foundation
import Glibc
import Testing

/// A network namespace made with `ip netns add` for one test, deleted (with every interface in
/// it) by `close()` or deinit. Nothing the tests do in it touches the machine's own network.
final class NetworkNamespace {
    /// iproute2's `ip`, which the network tests need.
    static let ip = Command.which("ip")
    static let skipReason: Comment = "needs iproute2's ip to create network namespaces and veth pairs"

    let name: String
    /// `/run/netns/NAME`: a descriptor of it is the namespace.
    var path: String { "/run/netns/\(name)" }
    private var open = true

    /// Creates namespace `swb<pid><tag>` and brings its loopback up.
    init(_ tag: String) throws {
        name = "swb\(getpid())\(tag)"
        _ = try? Command.run(Self.ip!, ["netns", "del", name])  // a leftover of a crashed run
        try Self.run(["netns", "add", name])
        do {
            try run(["link", "set", "lo", "up"])
        } catch {
            close()
            throw error
        }
    }

    /// Runs `ip ARGS` and throws with its stderr if it fails.
    static func run(_ args: [String]) throws {
        let r = try Command.run(ip!, args)
        guard r.status == 0 else { throw BPFError.invalidArgument("ip \(args.joined(separator: " ")) failed: \(r.stderr)") }
    }

    /// Runs `ip -n NAME ARGS`.
    func run(_ args: [String]) throws { try Self.run(["-n", name] + args) }

    /// Runs the `ip` commands `lines` (each without the leading `ip`) in one `ip -n NAME -batch`:
    /// one process instead of one each, which counts under qemu's emulation.
    func runBatch(_ lines: [String]) throws {
        let r = try Command.run(Self.ip!, ["-n", name, "-batch", "-"], input: lines.joined(separator: "\n") + "\n")
        guard r.status == 0 else { throw BPFError.invalidArgument("ip -n \(name) -batch failed: \(r.stderr)") }
    }

    /// Runs `body` on the calling thread after moving it into the namespace (setns), and moves
    /// it back afterwards. Interface names and indexes, new sockets and netlink requests in
    /// `body` are the namespace's. `body` must not suspend (it is synchronous).
    func enter<T>(_ body: () throws -> T) throws -> T {
        let previous = try Syscalls.currentNetworkNamespace()
        let target = try Syscalls.open(path, O_RDONLY)
        try Syscalls.setNetworkNamespace(target.rawValue)
        defer {
            // Going back cannot fail for a namespace this thread was in; if it did, the thread
            // would stay in a namespace about to be deleted, so stop loudly.
            do { try Syscalls.setNetworkNamespace(previous.rawValue) } catch { fatalError("cannot return to the test's network namespace: \(error)") }
        }
        return try body()
    }

    /// The index of interface `interface` in this namespace.
    func interfaceIndex(_ interface: String) throws -> UInt32 {
        do {
            return try enter { try Syscalls.interfaceIndex(name: interface) }
        } catch {
            throw BPFError.missing("interface \(interface) in netns \(name)")
        }
    }

    func close() {
        guard open else { return }
        open = false
        _ = try? Command.run(Self.ip!, ["netns", "del", name])
    }

    deinit { close() }
}

/// Two namespaces joined by a veth pair: `sender` holds interface `vs` (10.77.0.1, MAC
/// 02:00:00:00:00:01) and `receiver` holds `vr` (10.77.0.2, MAC 02:00:00:00:00:02). The
/// neighbours are static, so no ARP precedes the first packet.
final class VethNetwork {
    let sender: NetworkNamespace
    let receiver: NetworkNamespace
    let senderInterface = "vs"
    let receiverInterface = "vr"
    static let senderAddress = "10.77.0.1"
    static let receiverAddress = "10.77.0.2"

    init(_ tag: String) throws {
        sender = try NetworkNamespace(tag + "s")
        receiver = try NetworkNamespace(tag + "r")
        try NetworkNamespace.run(["link", "add", senderInterface, "address", "02:00:00:00:00:01", "netns", sender.name, "type", "veth",
                                  "peer", "name", receiverInterface, "address", "02:00:00:00:00:02", "netns", receiver.name])
        try sender.run(["addr", "add", Self.senderAddress + "/24", "dev", senderInterface])
        try receiver.run(["addr", "add", Self.receiverAddress + "/24", "dev", receiverInterface])
        try sender.run(["neigh", "add", Self.receiverAddress, "lladdr", "02:00:00:00:00:02", "dev", senderInterface, "nud", "permanent"])
        try receiver.run(["neigh", "add", Self.senderAddress, "lladdr", "02:00:00:00:00:01", "dev", receiverInterface, "nud", "permanent"])
        try sender.run(["link", "set", senderInterface, "up"])
        try receiver.run(["link", "set", receiverInterface, "up"])
        // veth drops frames until both ends have carrier.
        for _ in 0..<300 {
            if try isUp(sender, senderInterface), try isUp(receiver, receiverInterface) { return }
            usleepMilliseconds(10)
        }
        throw BPFError.invalidArgument("veth pair \(senderInterface)/\(receiverInterface) did not come up")
    }

    private func isUp(_ ns: NetworkNamespace, _ interface: String) throws -> Bool {
        try Command.run(NetworkNamespace.ip!, ["-n", ns.name, "-o", "link", "show", interface]).stdout.contains("state UP")
    }

    var receiverIndex: UInt32 { get throws { try receiver.interfaceIndex(receiverInterface) } }
    var senderIndex: UInt32 { get throws { try sender.interfaceIndex(senderInterface) } }

    /// A UDP socket in the sender namespace, connected to the receiver's `port`.
    func senderSocket(to port: UInt16) throws -> UDPSocket {
        try sender.enter { try UDPSocket(connectTo: Self.receiverAddress, port: port) }
    }

    /// A UDP socket in the receiver namespace bound to `port` on any address.
    func receiverSocket(port: UInt16) throws -> UDPSocket {
        try receiver.enter { try UDPSocket(bindTo: "0.0.0.0", port: port) }
    }

    /// Frames the pair dropped before the receiver's XDP program could see them: the sender's
    /// tx_dropped (veth's receive ring was full, as happens when the receiving side runs slower
    /// than the sender, e.g. under qemu's emulation) plus the receiver's rx_dropped.
    func droppedInTransit() throws -> UInt64 {
        try Self.dropped(sender, senderInterface, "tx") + Self.dropped(receiver, receiverInterface, "rx")
    }

    /// Frames the receiver's end could not hand back to the sender's (its tx_dropped: veth_xmit
    /// found the sender's CPU backlog full), such as echo replies of the receiver's kernel.
    func droppedOnTheWayBack() throws -> UInt64 {
        try Self.dropped(receiver, receiverInterface, "tx")
    }

    /// The `dropped` count of `interface`'s rtnetlink stats64 in `direction` ("rx" or "tx").
    private static func dropped(_ ns: NetworkNamespace, _ interface: String, _ direction: String) throws -> UInt64 {
        let out = try Command.run(NetworkNamespace.ip!, ["-n", ns.name, "-s", "-j", "link", "show", "dev", interface]).stdout
        let json = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]]
        let stats = (json?.first?["stats64"] as? [String: Any])?[direction] as? [String: Any]
        return UInt64(stats?["dropped"] as? Int ?? 0)
    }

    func close() {
        sender.close()
        receiver.close()
    }
}

/// A UDP socket for the network tests (plain libc calls: this is test code, not the library).
final class UDPSocket: @unchecked Sendable {
    let fd: Int32

    private init() throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BPFError.syscall(operation: "socket(AF_INET, SOCK_DGRAM)", errno: .current) }
    }

    static func address(_ ip: String, _ port: UInt16) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = port.bigEndian
        inet_pton(AF_INET, ip, &a.sin_addr)
        return a
    }

    convenience init(bindTo ip: String, port: UInt16) throws {
        try self.init()
        var a = Self.address(ip, port)
        let r = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard r == 0 else { throw BPFError.syscall(operation: "bind(\(ip):\(port))", errno: .current) }
    }

    convenience init(connectTo ip: String, port: UInt16) throws {
        try self.init()
        var a = Self.address(ip, port)
        let r = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard r == 0 else { throw BPFError.syscall(operation: "connect(\(ip):\(port))", errno: .current) }
    }

    /// The bound port.
    var port: UInt16 {
        var a = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return UInt16(bigEndian: a.sin_port)
    }

    /// Sends one datagram; true if the kernel took it.
    @discardableResult
    func send(_ payload: [UInt8]) -> Bool {
        payload.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) } == payload.count
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Every datagram that arrives until none has come for `quietMilliseconds`.
    func receiveAll(quietMilliseconds: Int32 = 100) -> [String] {
        receiveDatagrams(on: fd, quietMilliseconds: quietMilliseconds)
    }

    deinit { Glibc.close(fd) }
}

/// Reads `slot` of a u64 array map, waiting up to about a second for it to reach `atLeast`
/// (packets cross the veth asynchronously).
func counter(_ map: Map, _ slot: UInt32, reaching atLeast: UInt64 = 0) throws -> UInt64 {
    var value: UInt64 = 0
    for _ in 0..<100 {
        value = try map.lookup(key: slot, as: UInt64.self) ?? 0
        if value >= atLeast { break }
        usleepMilliseconds(10)
    }
    return value
}

/// Every datagram that arrives on `fd` until none has come for `quietMilliseconds`, as text.
func receiveDatagrams(on fd: Int32, quietMilliseconds: Int32) -> [String] {
    var out: [String] = []
    var buffer = [UInt8](repeating: 0, count: 2048)
    while true {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, quietMilliseconds) == 1 else { return out }
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if n > 0 { out.append(String(decoding: buffer[0..<n], as: UTF8.self)) }
    }
}
