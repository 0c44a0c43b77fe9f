import BPF
import Foundation
import Glibc
@testable import SwiftBPFSecurity
import Testing

/// guard learn names the peers a workload resolved: dnsmasq on a loopback address answers a
/// test name, the workload (python3) asks it over UDP and connects to the answer, and the
/// learned profile and the generated allowlist and NetworkPolicy carry the name. Learned by
/// cgroup, by comm and by pid; afterwards none of learn's programs is left attached.
extension GuardLearnTests {
    static let dnsmasq = Command.which("dnsmasq")

    /// Asks `server` for `name` (A) until it answers (dnsmasq takes a moment to listen), then
    /// connects to the address in the answer's last record. argv: procs file ("-": stay), server,
    /// port, name, and optionally a file to wait for first (so that a learner can take its pid).
    static let resolvingWorkload = """
        #!/usr/bin/python3
        import os, socket, struct, sys, time
        procs, server, port, name = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
        if len(sys.argv) > 5:
            while not os.path.exists(sys.argv[5]):
                time.sleep(0.02)
        if procs != "-":
            with open(procs, "w") as f:
                f.write(str(os.getpid()))
        question = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\\0" + struct.pack(">HH", 1, 1)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(0.1)
        answer = None
        for attempt in range(100):
            s.sendto(struct.pack(">HHHHHH", 0x4c00 + attempt, 0x0100, 1, 0, 0, 0) + question, (server, 53))
            try:
                answer, _ = s.recvfrom(512)
                break
            except socket.timeout:
                pass
        if answer is None:
            sys.exit("no answer from " + server)
        address = socket.inet_ntoa(answer[-4:])
        c = socket.create_connection((address, port), timeout=2)
        c.close()
        print("ok", address)
        """

    /// A TCP listener on `address`:`port` in the test process (outside the learned workload).
    static func listener(_ address: String, _ port: UInt16) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = port.bigEndian
        inet_pton(AF_INET, address, &sa.sin_addr)
        let bound = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        return fd
    }

    /// The ids of the programs attached to `cgroup` for `type`.
    static func attached(_ cgroup: String, _ type: AttachType) -> Set<UInt32> {
        Set((try? ProgramAttachment.attachedPrograms(cgroupPath: cgroup, attachType: type)) ?? [])
    }

    @Test(.enabled(if: hasPython && dnsmasq != nil, "needs python3 (the workload) and dnsmasq (Debian's dnsmasq-base, its resolver)"))
    func learnNamesPeersFromTheWorkloadsDNSAnswers() throws {
        let ws = try Workspace()
        let cgroup = try TestCgroup("learn-dns")
        defer { cgroup.remove() }
        // Addresses of this test run's own on loopback (all of 127/8 is local), so that runs of
        // other checkouts at the same time do not meet.
        let net = "127.77.\(getpid() % 250 + 1)"
        let server = net + ".53", peer = net + ".78", name = "learned.swiftbpf.test"
        let port = testPort(2)
        // dnsmasq as a daemon (its pid in a file), not a Foundation Process child: while such a
        // child ran, the probe's Process below was never seen to exit (a zombie, the test hung).
        let pidFile = ws.path("dnsmasq.pid")
        let started = try TimedCommand.run(Self.dnsmasq!, ["--no-resolv", "--no-hosts", "--user=root", "--pid-file=\(pidFile)", "--bind-interfaces",
                                                           "--listen-address=\(server)", "--port=53", "--address=/\(name)/\(peer)"], timeout: 10)
        try #require(started.status == 0, "dnsmasq: \(started.stderr)")
        var daemon: Int32?
        for _ in 0..<100 where daemon == nil {
            daemon = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if daemon == nil { usleep(20_000) }
        }
        let dnsmasqPid = try #require(daemon, "dnsmasq wrote no pid to \(pidFile)")
        defer { kill(dnsmasqPid, SIGKILL) }
        let accepting = try Self.listener(peer, port)
        defer { close(accepting) }
        // The script's file name is its comm (the kernel names a process after the script it execs).
        let comm = "dnslrn\(getpid() % 100_000)"
        let script = ws.write(comm, Self.resolvingWorkload)
        chmod(script, 0o755)
        // Until dnsmasq answers, outside any learner.
        let probe = try TimedCommand.run(script, ["-", server, "\(port)", name], timeout: 30)
        try #require(probe.status == 0 && probe.stdout.contains("ok \(peer)"), "dnsmasq on \(server): \(probe.stdout) \(probe.stderr)")

        let root = try #require(SystemGuardResolver.cgroup2Mount())
        for how in ["by cgroup", "by comm", "by pid"] {
            let byCgroup = how == "by cgroup"
            let child: Child
            var learner: GuardLearner?
            switch how {
            case "by cgroup":
                learner = try GuardLearner(cgroup: cgroup.path)
                child = try Child(script, [cgroup.procs, server, "\(port)", name], in: ws, tag: "dns-cgroup")
            case "by comm":
                learner = try GuardLearner(comm: comm)
                child = try Child(script, ["-", server, "\(port)", name], in: ws, tag: "dns-comm")
            default:
                // Started first, waiting for `go`: the learner takes its pid, then it resolves.
                child = try Child(script, ["-", server, "\(port)", name, ws.path("go")], in: ws, tag: "dns-pid")
                learner = try GuardLearner(pids: [UInt32(child.process.processIdentifier)])
                _ = ws.write("go", "")
            }
            let target = byCgroup ? cgroup.path : root
            let ours = Self.attached(target, .cgroupInetIngress).intersection([try learner!.kernel.bindings.object.program("learn_dns_ingress").id])
            #expect(ours.count == 1, "learn_dns_ingress is attached on \(target)")
            let status = try child.wait(timeout: 30) { try learner!.poll(timeoutMilliseconds: 50) }
            #expect(status == 0 && child.stdout.contains("ok \(peer)"), "status \(status): \(child.stdout) \(child.stderr)")
            let end = Date().addingTimeInterval(0.5)
            while Date() < end { try learner!.poll(timeoutMilliseconds: 50) }
            let profile = try learner!.finish().profile
            let connect = profile.network.first { $0.event == .connect && $0.address == peer && $0.port == port }
            #expect(connect?.name == name, "\(how): \(profile.network); DNS answers \(learner!.dnsNames.answers), malformed \(learner!.dnsNames.malformed)")
            let lost = try learner!.lostAnswers()
            #expect(learner!.dnsNames.malformed == 0 && learner!.cutAnswers == 0 && lost == 0)
            // Through the profile file and into the generated artifacts.
            let reread = try LearnedProfileFile.parse(LearnedProfileFile.write(profile), file: "learned.yaml")
            #expect(reread.network.first { $0.address == peer }?.name == name)
            var options = GenerateOptions()
            options.source = "learned.yaml"
            let allowlist = GuardPolicyGenerator.networkPolicy(reread, options)
            #expect(allowlist.contains("- \"\(peer):\(port)\"  # \(name), seen once"), "\(how): \(allowlist)")
            let k8s = KubernetesNetworkPolicyGenerator.policy(reread, options, app: "dns-demo")
            #expect(k8s.contains("cidr: \"\(peer)/32\"") && k8s.contains("# \(name), connect 1 times"), "\(how): \(k8s)")
            print("learn \(how): \(peer) named \(connect?.name ?? "-"); \(learner!.dnsNames.answers) DNS answers, \(learner!.dnsNames.count) addresses named")

            // Released: nothing of learn stays attached, on the cgroup or on the root.
            let ids = try [learner!.kernel.bindings.object.program("learn_dns_ingress").id, learner!.kernel.bindings.object.program("learn_sock_create").id]
            learner = nil
            // A link detaches when its last descriptor closes: a process that has it open by id
            // at that moment (an introspection test, bpftool elsewhere on the machine) delays it.
            let released = Date()
            func stillAttached() -> Set<UInt32> {
                Self.attached(target, .cgroupInetIngress).union(Self.attached(root, .cgroupInetSockCreate)).intersection(ids)
            }
            while !stillAttached().isEmpty && Date().timeIntervalSince(released) < 10 { usleep(50_000) }
            #expect(stillAttached().isEmpty, "\(how): learn's programs still attached 10 s after release")
            print("learn \(how): detached \(Int(Date().timeIntervalSince(released) * 1000)) ms after release")
        }
    }
}
