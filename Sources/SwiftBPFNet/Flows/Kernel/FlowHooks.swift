import BPF

/// The programs of flows.bpf.c: what each is for and the Linux release that first has all it
/// uses, so a kernel that refuses one is told which hook, why (the verifier's hint) and since when.
struct FlowHook: Sendable {
    /// The program's name in the object.
    var program: String
    /// Its ELF section, the libbpf name of the hook.
    var section: String
    var purpose: String
    /// The first Linux release with the hook and every helper the program calls.
    var since: String

    static let all: [FlowHook] = [
        // BPF_SOCK_OPS_RTT_CB: 5.3; bpf_sock_ops.sk and bpf_skc_to_tcp_sock: 5.9.
        FlowHook(program: "flows_sockops", section: "sockops", purpose: "TCP metrics", since: "5.9"),
        // BTF tracepoints: 5.5; bpf_get_socket_cookie on a BTF socket pointer: 5.12.
        FlowHook(program: "flows_set_state", section: "tp_btf/inet_sock_set_state", purpose: "owners and closed connections", since: "5.12"),
        FlowHook(program: "flows_rcv_space", section: "tp_btf/tcp_rcv_space_adjust", purpose: "owners of accepted connections", since: "5.12"),
        // TCP socket iterators and bpf_skc_to_tcp_sock: 5.9.
        FlowHook(program: "flows_iter_tcp", section: "iter/tcp", purpose: "connections that predate the tool", since: "5.9"),
        // cgroup_skb: 4.10; the ring buffer: 5.8. No current-task helper (only recent kernels
        // give them to cgroup_skb): the owner comes from flows_sock_create.
        FlowHook(program: "flows_egress", section: "cgroup_skb/egress", purpose: "UDP and DNS", since: "5.8"),
        FlowHook(program: "flows_ingress", section: "cgroup_skb/ingress", purpose: "UDP and DNS", since: "5.8"),
        // cgroup_sock with the current-task helpers: 4.x; bpf_get_socket_cookie there: 5.7.
        FlowHook(program: "flows_sock_create", section: "cgroup/sock_create", purpose: "owners of UDP sockets", since: "5.7"),
    ]

    /// The first Linux release with every hook.
    static var minimumLinux: String {
        all.map(\.since).max { LinuxVersion(release: $0) < LinuxVersion(release: $1) } ?? ""
    }

    /// The hooks this kernel refuses, each program of flows.bpf.c loaded alone with `config`,
    /// described as "SECTION (what it is for; Linux X): error and the loader's hint".
    static func refused(config: FlowsObject.Config) -> [String] {
        var missing: [String] = []
        for hook in all {
            var options = LoadOptions()
            config.apply(to: &options)
            options.programs = [hook.program]
            do {
                _ = try BPFObject(ObjectSpec(bytes: FlowsObject.embedded.bytes, name: FlowsObject.embedded.name), options: options)
            } catch {
                missing.append("\(hook.section) (\(hook.purpose); Linux \(hook.since)): \(summary(error))")
            }
        }
        return missing
    }

    /// The first line of an error and the hint that names the cause (a verifier log can run to
    /// thousands of lines: it is left out).
    static func summary(_ error: BPFError) -> String {
        let first = "\(error)".split(separator: "\n").first.map { String($0.prefix(240)) } ?? ""
        guard let hint = error.hint?.split(separator: "\n").first else { return first }
        return first + "; " + String(hint.prefix(240))
    }
}
