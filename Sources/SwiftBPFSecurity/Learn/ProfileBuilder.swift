/// Adds the workload's guard events to a profile: executions with their parent binaries, files
/// by mode, network peers and bound ports (named from /etc/hosts where it names them, and by the
/// workload's own DNS answers through `name(from:)`).
public struct ProfileBuilder: Sendable {
    public var profile: LearnedProfile
    let hosts: [String: String]

    public init(workload: LearnedProfile.Workload, hosts: [String: String] = ProfileBuilder.hostsFile()) {
        profile = LearnedProfile(workload: workload, seconds: 0, runs: 1)
        self.hosts = hosts
    }

    public mutating func add(_ e: GuardEvent) {
        switch e.kind {
        case .exec:
            guard let path = e.path else { return }
            profile.addExec(path: path, inode: e.object, parents: e.lineage.first?.binaryPath.map { [$0] } ?? [])
        case .open:
            guard let path = e.path else { return }
            let mode: LearnedProfile.FileMode = e.flags.contains(.create) ? .create : e.flags.contains(.write) ? .write : .read
            profile.addFile(path: Self.stable(path), mode: mode)
        case .connect, .bind, .sendmsg:
            guard let address = e.address else { return }
            profile.addPeer(event: e.kind, address: address, port: e.port, name: hosts[address])
        default:
            break
        }
    }

    /// Names the peers the workload's DNS answers named, over /etc/hosts: the name the workload
    /// itself asked for is the one it used. Call it once the answers are in (they arrive on a
    /// ring buffer of their own, so after the connect they led to, or before).
    public mutating func name(from dns: DNSPeerNames) {
        for i in profile.network.indices {
            if let name = dns.name(for: profile.network[i].address) { profile.network[i].name = name }
        }
    }

    /// /proc/1234/... is /proc/self/... of another run: pid directories are written as `self`.
    static func stable(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count > 2, parts[1] == "proc", parts[2].allSatisfy(\.isNumber) else { return path }
        var copy = parts
        copy[2] = "self"
        return copy.joined(separator: "/")
    }

    /// Address → first name, from /etc/hosts.
    public static func hostsFile(_ path: String = "/etc/hosts") -> [String: String] {
        guard let text = ProcFiles.read(path) else { return [:] }
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.prefix { $0 != "#" }.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2 else { continue }
            let address = String(fields[0])
            if out[address] == nil { out[address] = String(fields[1]) }
        }
        return out
    }
}
