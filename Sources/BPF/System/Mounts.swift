import CBPF
import Glibc

/// The pseudo-filesystems BPF work needs, recognised by their `statfs` magic (`f_type`).
public enum PseudoFilesystem: Sendable, CustomStringConvertible {
    /// bpffs, where objects are pinned (`BPF_FS_MAGIC`).
    case bpf
    /// tracefs, where tracepoint ids and kprobe_events live (`TRACEFS_MAGIC`).
    case tracefs

    /// `f_type` as statfs(2) reports it (include/uapi/linux/magic.h).
    public var magic: UInt {
        switch self {
        case .bpf: 0xcafe_4a11
        case .tracefs: 0x7472_6163
        }
    }

    /// The filesystem type mount(2) takes.
    public var mountType: String {
        switch self {
        case .bpf: "bpf"
        case .tracefs: "tracefs"
        }
    }

    /// Where it is mounted by convention.
    public var conventionalMountPoint: String {
        switch self {
        case .bpf: "/sys/fs/bpf"
        case .tracefs: "/sys/kernel/tracing"
        }
    }

    public var description: String { self == .bpf ? "bpffs" : "tracefs" }
}

extension Syscalls {
    /// statfs(2)'s `f_type` of the filesystem holding `path`, or nil if `path` cannot be reached.
    public static func fileSystemMagic(_ path: String) -> UInt? {
        var type = 0
        guard cbpf_statfs_type(path, &type) == 0 else { return nil }
        return UInt(bitPattern: type)
    }

    /// Whether `path` is on `filesystem`. A path that does not exist is judged by its nearest
    /// existing parent, which is where it would be created.
    public static func isOn(_ filesystem: PseudoFilesystem, _ path: String) -> Bool {
        var candidate = path.isEmpty ? "." : path
        while true {
            if let magic = fileSystemMagic(candidate) { return magic == filesystem.magic }
            guard let slash = candidate.lastIndex(of: "/") else { candidate = "."; continue }
            if slash == candidate.startIndex {
                if candidate == "/" { return false }
                candidate = "/"
            } else {
                candidate = String(candidate[..<slash])
            }
        }
    }

    /// mount(2) of `filesystem` at `target` (which must exist), with `options` as data
    /// (`mode=0700` for bpffs, as systemd mounts it).
    public static func mount(_ filesystem: PseudoFilesystem, at target: String, options: String? = nil) throws(BPFError) {
        let r = Glibc.mount(filesystem.mountType, target, filesystem.mountType, 0, options)
        guard r == 0 else { throw .syscall(operation: "mount(\(filesystem.mountType) at \(target))", errno: .current) }
    }
}
