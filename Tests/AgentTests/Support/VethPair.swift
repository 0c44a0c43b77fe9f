import BPF
import Foundation
import Glibc

/// Two network namespaces of one test joined by a veth pair: the sender holds `vs`
/// (10.78.0.1) and the receiver `vr` (10.78.0.2), with static neighbours so no ARP precedes
/// the first packet. Nothing here touches the machine's own network; `close()` deletes both
/// namespaces with their interfaces.
final class VethPair: Sendable {
    static let ip = which("ip", extra: ["/usr/sbin", "/sbin"])
    static let senderAddress = "10.78.0.1"
    static let receiverAddress = "10.78.0.2"
    let sender: String
    let receiver: String

    init() throws {
        let tag = "\(getpid() % 100_000)\(UInt16.random(in: 0...9999))"
        sender = "sbas\(tag)"
        receiver = "sbar\(tag)"
        do {
            try Self.ip(["netns", "add", sender])
            try Self.ip(["netns", "add", receiver])
            try Self.ip(["link", "add", "vs", "address", "02:00:00:00:00:01", "netns", sender, "type", "veth",
                         "peer", "name", "vr", "address", "02:00:00:00:00:02", "netns", receiver])
            try Self.ip(["-n", sender, "addr", "add", Self.senderAddress + "/24", "dev", "vs"])
            try Self.ip(["-n", receiver, "addr", "add", Self.receiverAddress + "/24", "dev", "vr"])
            try Self.ip(["-n", sender, "neigh", "add", Self.receiverAddress, "lladdr", "02:00:00:00:00:02", "dev", "vs", "nud", "permanent"])
            try Self.ip(["-n", receiver, "neigh", "add", Self.senderAddress, "lladdr", "02:00:00:00:00:01", "dev", "vr", "nud", "permanent"])
            for (ns, dev) in [(sender, "vs"), (receiver, "vr"), (sender, "lo"), (receiver, "lo")] {
                try Self.ip(["-n", ns, "link", "set", dev, "up"])
            }
            // veth drops frames until both ends have carrier: at most 3 s.
            let deadline = Date().addingTimeInterval(3)
            while !(isUp(sender, "vs") && isUp(receiver, "vr")) {
                guard Date() < deadline else { throw TestError("the veth pair did not come up within 3 s") }
                usleep(10_000)
            }
        } catch {
            close()
            throw error
        }
    }

    static func ip(_ args: [String]) throws {
        let quoted = args.map { "'\($0)'" }.joined(separator: " ")
        let status = shell("'\(ip!)' \(quoted) >/dev/null 2>&1", timeout: 10)
        guard status == 0 else { throw TestError("ip \(args.joined(separator: " ")) failed (status \(status))") }
    }

    private func isUp(_ ns: String, _ dev: String) -> Bool {
        (output(of: Self.ip!, ["-n", ns, "-o", "link", "show", dev], timeout: 10) ?? "").contains("state UP")
    }

    /// Runs `body` on a thread of its own moved into the receiver's namespace (setns), so that
    /// interface names and netlink requests in it are the receiver's.
    func inReceiver<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let path = "/run/netns/\(receiver)"
        return try await offPool {
            let target = open(path, O_RDONLY | O_CLOEXEC)
            guard target >= 0 else { throw TestError("open \(path): errno \(errno)") }
            defer { Glibc.close(target) }
            // The thread ends after the body: it never returns to the test's namespace.
            try Syscalls.setNetworkNamespace(target)
            return try body()
        }
    }

    /// Sends `count` UDP datagrams of `payload` from the sender to the receiver's `port`
    /// (bash's /dev/udp, one datagram per write), at most 20 s.
    func sendUDP(port: Int, count: Int, payload: String) -> Int32 {
        shell("'\(Self.ip!)' netns exec \(sender) bash -c 'for i in $(seq \(count)); do printf %s \(payload) > /dev/udp/\(Self.receiverAddress)/\(port); done'",
              timeout: 20)
    }

    func close() {
        for ns in [sender, receiver] { shell("'\(Self.ip!)' netns del \(ns) >/dev/null 2>&1", timeout: 10) }
    }
}
