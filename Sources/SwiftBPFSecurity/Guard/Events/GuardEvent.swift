/// The process an event is about, as the kernel saw it at that moment.
public struct GuardProcess: Sendable, Equatable {
    /// Process id (tgid) and thread id.
    public var pid: UInt32
    public var tid: UInt32
    public var ppid: UInt32
    public var uid: UInt32
    public var gid: UInt32
    public var comm: String
    /// The binary the process runs, by identity (`FileID`), and its path when known.
    public var binary: FileID
    public var binaryPath: String?
    /// The cgroup v2 id (the inode of its directory) and, when resolved, its path.
    public var cgroupID: UInt64
    public var cgroupPath: String?
    /// Start times, nanoseconds since boot (the kernel's `start_boottime`).
    public var startNanoseconds: UInt64
    public var parentStartNanoseconds: UInt64

    public init(pid: UInt32, tid: UInt32, ppid: UInt32, uid: UInt32, gid: UInt32, comm: String, binary: FileID,
                binaryPath: String? = nil, cgroupID: UInt64 = 0, cgroupPath: String? = nil,
                startNanoseconds: UInt64 = 0, parentStartNanoseconds: UInt64 = 0) {
        self.pid = pid
        self.tid = tid
        self.ppid = ppid
        self.uid = uid
        self.gid = gid
        self.comm = comm
        self.binary = binary
        self.binaryPath = binaryPath
        self.cgroupID = cgroupID
        self.cgroupPath = cgroupPath
        self.startNanoseconds = startNanoseconds
        self.parentStartNanoseconds = parentStartNanoseconds
    }
}

/// One ancestor in an event's lineage (parent first, up to init).
public struct GuardAncestor: Sendable, Equatable {
    public var pid: UInt32
    public var comm: String
    public var binaryPath: String?
    public var binary: FileID?
    public var startNanoseconds: UInt64

    public init(pid: UInt32, comm: String, binaryPath: String?, binary: FileID?, startNanoseconds: UInt64) {
        self.pid = pid
        self.comm = comm
        self.binaryPath = binaryPath
        self.binary = binary
        self.startNanoseconds = startNanoseconds
    }
}

/// Facts about an event that the kernel flags (`GUARD_F_*`).
public struct GuardEventFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// The executed file has no name left: a memfd or a deleted file (fileless execution).
    public static let fileless = GuardEventFlags(rawValue: 0x1)
    /// Exec through a file descriptor (`fexecve`, `execveat`).
    public static let descriptorExec = GuardEventFlags(rawValue: 0x2)
    /// A `#!` script: the binary that runs is its interpreter.
    public static let script = GuardEventFlags(rawValue: 0x4)
    public static let pathTruncated = GuardEventFlags(rawValue: 0x8)
    public static let stringsTruncated = GuardEventFlags(rawValue: 0x10)
    /// An open for writing.
    public static let write = GuardEventFlags(rawValue: 0x20)
    /// An open with `O_CREAT`.
    public static let create = GuardEventFlags(rawValue: 0x40)
    /// Decided in a BPF LSM hook, before the call happened (a denied call never did).
    public static let lsm = GuardEventFlags(rawValue: 0x80)

    /// Names of the flags that are set, for output.
    public var names: [String] {
        var out: [String] = []
        if contains(.fileless) { out.append("fileless") }
        if contains(.descriptorExec) { out.append("fd-exec") }
        if contains(.script) { out.append("script") }
        if contains(.pathTruncated) { out.append("path-truncated") }
        if contains(.stringsTruncated) { out.append("truncated") }
        if contains(.write) { out.append("write") }
        if contains(.create) { out.append("create") }
        if contains(.lsm) { out.append("lsm") }
        return out
    }
}

/// One security event: who (process and lineage), what (kind and its details), and what a policy
/// decided (rule, action, and whether it was carried out or only monitored).
public struct GuardEvent: Sendable, Equatable {
    /// `bpf_ktime_get_ns()` at the event (monotonic, since boot).
    public var timestampNanoseconds: UInt64
    public var kind: GuardEventKind
    public var process: GuardProcess
    /// Parent first, up to init; from the process cache.
    public var lineage: [GuardAncestor] = []
    /// The deciding rule's index in the loaded policy set, and its name.
    public var rule: Int?
    public var ruleName: String?
    public var action: GuardAction = .none
    /// True when the action was carried out; false in monitor mode (it would have been).
    public var enforced: Bool = false
    public var flags: GuardEventFlags = []
    /// The call's result (a file descriptor, 0, a negative errno), or the exit status for `exit`.
    public var result: Int32 = 0
    /// Kind-specific numbers: open flags, ptrace request and target, setuid ids, bpf command, ...
    public var arguments: [UInt64] = []
    /// The file acted on (the executed binary, the opened file) and its resolved full path.
    public var object: FileID?
    public var path: String?
    /// exec: the file name the caller passed, and the interpreter of a script.
    public var filename: String?
    public var interpreter: String?
    /// exec: argv of the new image.
    public var argv: [String] = []
    /// File and mount calls: the path strings as the caller passed them.
    public var strings: [String] = []
    /// Network events: address family (2, 10), port and address as text.
    public var family: UInt16 = 0
    public var port: UInt16 = 0
    public var address: String?

    public init(timestampNanoseconds: UInt64, kind: GuardEventKind, process: GuardProcess) {
        self.timestampNanoseconds = timestampNanoseconds
        self.kind = kind
        self.process = process
    }
}
