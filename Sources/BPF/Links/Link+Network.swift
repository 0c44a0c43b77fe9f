import Glibc

/// `XDP_FLAGS_*` of an XDP attachment.
public struct XDPFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// `XDP_FLAGS_UPDATE_IF_NOEXIST`.
    public static let updateIfNoExist = XDPFlags(rawValue: 1 << 0)
    /// `XDP_FLAGS_SKB_MODE`: generic XDP, works on any device.
    public static let skbMode = XDPFlags(rawValue: 1 << 1)
    /// `XDP_FLAGS_DRV_MODE`: native (driver) XDP.
    public static let driverMode = XDPFlags(rawValue: 1 << 2)
    /// `XDP_FLAGS_HW_MODE`: offloaded XDP.
    public static let hardwareMode = XDPFlags(rawValue: 1 << 3)
}

/// XDP, tcx and cgroup attachments through `BPF_LINK_CREATE`. These link kinds support
/// `BPF_LINK_DETACH`, so `detach()` leaves them open but defunct.
extension Link {
    /// Attaches an `xdp` program to the network interface `interfaceIndex` (`BPF_XDP`, Linux
    /// 5.9). Without a mode flag the kernel picks driver mode when the driver supports it.
    /// The index is resolved in the calling thread's network namespace (see
    /// `Syscalls.setNetworkNamespace`). Replace the program on the live link with
    /// `update(program:expected:)` (`BPF_LINK_UPDATE`), which keeps the link and drops no packet.
    package static func attachXDP(program: Program, interfaceIndex: UInt32, flags: XDPFlags = []) throws(BPFError) -> Link {
        let label = "xdp on ifindex \(interfaceIndex)"
        let fd = try BPFCommands.linkCreate(
            programFD: program.fd, targetFD: Int32(bitPattern: interfaceIndex), attachType: .xdp, flags: flags.rawValue,
            name: "\(program.name) on \(label)")
        return Link(taking: fd, name: label).keeping(program)
    }

    /// Attaches an `xdp` program to the interface named `interface` (e.g. "eth0").
    package static func attachXDP(program: Program, interface: String, flags: XDPFlags = []) throws(BPFError) -> Link {
        let index = try Syscalls.interfaceIndex(name: interface)
        return try attachXDP(program: program, interfaceIndex: index, flags: flags)
    }

    /// Attaches a `sched_cls` (TC) program to the ingress or egress hook of an interface with a
    /// tcx link (`BPF_TCX_INGRESS`/`BPF_TCX_EGRESS`, Linux 6.6; newer than the installed 6.1
    /// headers, whose `link_create` lacks the tcx fields: relative placement is not offered and
    /// the program is appended). Return `TCX_NEXT` (-1) or a `TC_ACT_*` code from the program.
    package static func attachTCX(program: Program, interfaceIndex: UInt32, egress: Bool = false) throws(BPFError) -> Link {
        let label = "tcx \(egress ? "egress" : "ingress") on ifindex \(interfaceIndex)"
        do {
            let fd = try BPFCommands.linkCreate(
                programFD: program.fd, targetFD: Int32(bitPattern: interfaceIndex), attachType: egress ? .tcxEgress : .tcxIngress,
                name: "\(program.name) on \(label)")
            return Link(taking: fd, name: label).keeping(program)
        } catch {
            if BPFCommands.isErrno(error, .EINVAL), Features.kernelVersion < LinuxVersion(6, 6) {
                throw .notSupported(feature: "tcx links", reason: "BPF_LINK_CREATE(BPF_TCX_*) failed with EINVAL; Linux 6.6 added tcx")
            }
            throw error
        }
    }

    /// Attaches a `sched_cls` program to the interface named `interface` with a tcx link.
    package static func attachTCX(program: Program, interface: String, egress: Bool = false) throws(BPFError) -> Link {
        let index = try Syscalls.interfaceIndex(name: interface)
        return try attachTCX(program: program, interfaceIndex: index, egress: egress)
    }

    /// Attaches a cgroup program (`cgroup_skb`, `cgroup_sock`, `cgroup_sock_addr`,
    /// `cgroup_sockopt`, `sock_ops`, `cgroup_sysctl`, `cgroup_device`) to the cgroup v2 directory
    /// `cgroupPath` with `attachType` (the program's expected attach type, e.g.
    /// `.cgroupInet4Connect`). Cgroup links coexist with other programs (multi-attach).
    package static func attachCgroup(program: Program, cgroupPath: String, attachType: AttachType) throws(BPFError) -> Link {
        let cgroup: FileDescriptor
        do {
            cgroup = try Syscalls.open(cgroupPath, O_RDONLY | O_DIRECTORY)
        } catch {
            if BPFCommands.isErrno(error, .ENOENT) { throw .missing("cgroup directory \(cgroupPath)") }
            throw error
        }
        let label = "cgroup \(cgroupPath) (\(attachType))"
        let fd = try BPFCommands.linkCreate(programFD: program.fd, targetFD: cgroup.rawValue, attachType: attachType, name: "\(program.name) on \(label)")
        return Link(taking: fd, name: label).keeping(program)
    }

    /// The cgroup v2 mount point, from /proc/mounts (it is not always /sys/fs/cgroup: hybrid
    /// hierarchies mount it at /sys/fs/cgroup/unified).
    public static func cgroup2MountPoint() throws(BPFError) -> String {
        let mounts = String(decoding: try Syscalls.readFile("/proc/mounts"), as: UTF8.self)
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count >= 3, fields[2] == "cgroup2" { return String(fields[1]) }
        }
        throw .notSupported(feature: "cgroup v2", reason: "no cgroup2 file system in /proc/mounts; mount one with `mount -t cgroup2 none /sys/fs/cgroup`")
    }
}
