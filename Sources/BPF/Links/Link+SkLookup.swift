import Glibc

/// Network-namespace links: `sk_lookup` (and `flow_dissector`) programs attached to a whole
/// network namespace with `BPF_LINK_CREATE`, whose target is a descriptor of the namespace
/// (`/proc/PID/ns/net`, `/run/netns/NAME`).
extension Link {
    /// Attaches an `sk_lookup` program (`BPF_SK_LOOKUP`, Linux 5.9) to the network namespace at
    /// `networkNamespace`; by default the calling thread's. The program runs when the kernel
    /// looks for a socket for an incoming TCP connection or UDP packet, and may pick one with
    /// `bpf_sk_assign` (for example from a `SOCKMAP`). Several sk_lookup links may share a
    /// namespace; they run in attach order.
    package static func attachSkLookup(program: Program, networkNamespace: String = "/proc/thread-self/ns/net") throws(BPFError) -> Link {
        try attachNetworkNamespace(program: program, networkNamespace: networkNamespace, attachType: .skLookup)
    }

    /// Attaches `program` to the network namespace at `networkNamespace` with `attachType`
    /// (`.skLookup`, or `.flowDissector` for a `flow_dissector` program).
    package static func attachNetworkNamespace(program: Program, networkNamespace: String, attachType: AttachType) throws(BPFError) -> Link {
        let namespace: FileDescriptor
        do {
            namespace = try Syscalls.open(networkNamespace, O_RDONLY)
        } catch {
            if BPFCommands.isErrno(error, .ENOENT) { throw .missing("network namespace \(networkNamespace)") }
            throw error
        }
        return try attachNetworkNamespace(program: program, namespaceFD: namespace.rawValue, attachType: attachType,
                                          label: "netns \(networkNamespace) (\(attachType))")
    }

    /// Attaches `program` to the network namespace open at `namespaceFD` (the caller keeps
    /// ownership of the descriptor; the link holds its own reference to the namespace).
    package static func attachNetworkNamespace(program: Program, namespaceFD: Int32, attachType: AttachType) throws(BPFError) -> Link {
        try attachNetworkNamespace(program: program, namespaceFD: namespaceFD, attachType: attachType, label: "netns fd \(namespaceFD) (\(attachType))")
    }

    static func attachNetworkNamespace(program: Program, namespaceFD: Int32, attachType: AttachType, label: String) throws(BPFError) -> Link {
        do {
            let fd = try BPFCommands.linkCreate(programFD: program.fd, targetFD: namespaceFD, attachType: attachType, name: "\(program.name) on \(label)")
            return Link(taking: fd, name: label).keeping(program)
        } catch {
            if BPFCommands.isErrno(error, .EINVAL) {
                throw .invalidArgument("BPF_LINK_CREATE(\(program.name) on \(label)) failed with EINVAL: the descriptor must be a network namespace and the program's type must match \(attachType) (sk_lookup programs need expected attach type BPF_SK_LOOKUP)")
            }
            throw error
        }
    }
}
