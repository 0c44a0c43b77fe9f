import BPF
import Foundation
import Glibc
import Testing

/// sockops inserts the established TCP sockets of a test cgroup into a SOCKHASH; sk_msg and
/// sk_skb programs attached to that map then see (and redirect) the connection's data.
@Suite(.serialized, .enabled(if: isRoot && CgroupChild.isAvailable, CgroupChild.skipReason))
struct SockMapTests {
    struct SockKey: Hashable { var localPort: UInt32; var remotePort: UInt32 }

    func load(port: UInt16, programs: Set<String>) throws -> BPFObject {
        var options = LoadOptions()
        options.set("service_port", to: port)
        options.programs = programs
        return try BPFObject(ObjectSpec(bytes: EmbeddedObjects.sockmapRedirect.bytes, name: "sockmap_redirect"), options: options)
    }

    func stat(_ object: BPFObject, _ slot: UInt32) throws -> UInt64 {
        try object.map("sockmap_stats").lookup(key: slot, as: UInt64.self) ?? 0
    }

    /// Runs the child's TCP pair inside `cgroup`: checks the SOCKHASH while both sockets are
    /// established, then lets it send `count` messages of `size` bytes. Returns the child's
    /// last line ("received N bad M").
    func exchange(_ object: BPFObject, cgroup: TestCgroup, port: UInt16, count: Int, size: Int) throws -> String {
        let child = try CgroupChild.start(in: cgroup, ["tcp-pair", "\(port)", "\(count)", "\(size)"])
        let ready = try #require(child.readLine())
        let clientPort = try #require(ready.hasPrefix("ready ") ? UInt32(ready.dropFirst(6)) : nil, "child said '\(ready)'")
        // Both ends are in the hash: the client (its port, service port) and the accepted
        // socket (service port, client port); user-space lookups return socket cookies.
        let hash = try object.map("sock_hash")
        var keys: Set<SockKey> = []
        for key in try hash.allKeys(as: SockKey.self) { keys.insert(key) }
        #expect(keys == [SockKey(localPort: clientPort, remotePort: UInt32(port)), SockKey(localPort: UInt32(port), remotePort: clientPort)])
        let cookie = try hash.lookup(key: SockKey(localPort: clientPort, remotePort: UInt32(port)), as: UInt64.self)
        #expect((cookie ?? 0) != 0)
        #expect(try stat(object, 0) == 2)
        try child.send("go")
        let result = child.readLine() ?? ""
        child.finish()
        // Closed sockets leave the hash.
        #expect(try hash.allKeys(as: SockKey.self).isEmpty)
        return result
    }

    func skMsgRedirect(preferLink: Bool) throws {
        let cgroup = try TestCgroup("sockmap")
        defer { cgroup.remove() }
        let port = testPort(3)
        let object = try load(port: port, programs: ["sockops_insert", "sk_msg_redirect"])
        let sockops = try SockOpsProgram(object, name: "sockops_insert").attach(cgroup: cgroup.path)
        defer { sockops.close() }
        let msg = try SockMapProgram(object, name: "sk_msg_redirect").attach(to: object.map("sock_hash"), preferLink: preferLink)
        #expect(msg.isLink == preferLink)
        let ids = try SockMapAttachment.attachedPrograms(map: object.map("sock_hash"), attachType: .skMsgVerdict)
        #expect(ids == [try object.program("sk_msg_redirect").id])

        // Every message is redirected by sk_msg into the peer's receive queue, and arrives intact.
        #expect(try exchange(object, cgroup: cgroup, port: port, count: 10, size: 100) == "received 1000 bad 0")
        #expect(try stat(object, 1) == 10)
        #expect(try stat(object, 2) == 1000)
        #expect(try stat(object, 3) == 10)

        try msg.detach()
        #expect(try SockMapAttachment.attachedPrograms(map: object.map("sock_hash"), attachType: .skMsgVerdict).isEmpty)
    }

    @Test(.enabled(if: Features.kernelVersion >= LinuxVersion(6, 10),
                   "sockmap links (BPF_LINK_CREATE of sk_msg/sk_skb programs) need Linux 6.10; this is \(Features.kernelVersion)"))
    func skMsgCountsAndRedirectsThroughALink() throws {
        try skMsgRedirect(preferLink: true)
    }

    @Test func skMsgCountsAndRedirectsThroughProgAttach() throws {
        try skMsgRedirect(preferLink: false)
    }

    @Test func streamVerdictSeesTheReceivedBytes() throws {
        let cgroup = try TestCgroup("sockskb")
        defer { cgroup.remove() }
        let port = testPort(3)
        let object = try load(port: port, programs: ["sockops_insert", "sk_skb_count"])
        let sockops = try SockOpsProgram(object, name: "sockops_insert").attach(cgroup: cgroup.path)
        defer { sockops.close() }
        let verdict = try SockMapProgram(object, name: "sk_skb_count").attach(to: object.map("sock_hash"))
        defer { try? verdict.detach() }
        #expect(try exchange(object, cgroup: cgroup, port: port, count: 8, size: 512) == "received 4096 bad 0")
        // However TCP segments them, the verdict program sees every received byte once.
        #expect(try stat(object, 5) == 4096)
        #expect(try stat(object, 4) >= 1)
    }

    @Test func sockMapAttachRefusesWrongKinds() throws {
        let object = try load(port: 1, programs: ["sockops_insert", "sk_msg_redirect", "sk_skb_count"])
        let array = try Map.create(MapCreateAttributes(name: "not_sockmap", type: .array, keySize: 4, valueSize: 8, maxEntries: 1))
        #expect { try Link.attachSockMap(program: object.program("sk_msg_redirect"), map: array, attachType: .skMsgVerdict) } throws: { error in
            if case .invalidArgument(let why) = error as? BPFError { return why.contains("sockmap or sockhash") }
            return false
        }
        #expect { try SockMapAttachment.attach(program: object.program("sk_skb_count"), map: object.map("sock_hash"), attachType: .skMsgVerdict) } throws: { error in
            if case .invalidArgument(let why) = error as? BPFError { return why.contains("needs a sk_msg program") }
            return false
        }
        #expect { try SockMapProgram(object, name: "sockops_insert") } throws: { error in
            if case .invalidArgument = error as? BPFError { return true }
            return false
        }
    }
}
