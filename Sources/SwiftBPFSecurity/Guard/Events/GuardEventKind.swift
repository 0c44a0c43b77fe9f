/// The kinds of security events guard reports (`enum guard_kind` in `bpf/guard.h`).
public enum GuardEventKind: UInt32, Sendable, CaseIterable, Comparable {
    case exec = 1, exit, fork
    case open, unlink, rename, chmod, chown
    case connect, bind, listen, accept, sendmsg, socket
    case setuid, setgid, capset, ptrace, module, bpf, mount
    case device

    /// The name used in policies, output and `--report`.
    public var name: String {
        switch self {
        case .exec: "exec"
        case .exit: "exit"
        case .fork: "fork"
        case .open: "open"
        case .unlink: "unlink"
        case .rename: "rename"
        case .chmod: "chmod"
        case .chown: "chown"
        case .connect: "connect"
        case .bind: "bind"
        case .listen: "listen"
        case .accept: "accept"
        case .sendmsg: "sendmsg"
        case .socket: "socket"
        case .setuid: "setuid"
        case .setgid: "setgid"
        case .capset: "capset"
        case .ptrace: "ptrace"
        case .module: "module"
        case .bpf: "bpf"
        case .mount: "mount"
        case .device: "device"
        }
    }

    public init?(name: String) {
        guard let kind = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = kind
    }

    /// Kinds reported from a cgroup socket hook, where `deny` (EPERM) is the enforcement.
    public var isSocketHook: Bool { self == .connect || self == .bind || self == .sendmsg }

    /// Kinds whose events carry an address and port, and whose rules take `ports`, `addresses`,
    /// `except_ports` and `except_peers`: the socket hooks, and listen (the local address) and
    /// accept (the peer's), matched at their tracepoints.
    public var hasAddress: Bool { isSocketHook || self == .listen || self == .accept }

    /// Kinds a BPF LSM hook can refuse (where the kernel has BPF LSM): `deny` fails the call with
    /// EPERM before it happens, and path conditions of unlink/rename/chmod/chown are matched there.
    public var isLSMHook: Bool { self == .exec || isPathCall }

    /// Kinds that act on a file named by path: the conditions `paths` (and for open `access`) apply.
    public var isPathCall: Bool { self == .open || self == .unlink || self == .rename || self == .chmod || self == .chown }

    /// Kinds decided in a cgroup hook, where `deny` (EPERM) is the enforcement and `kill` is not
    /// available: connect, bind and sendmsg, and device (`BPF_CGROUP_DEVICE`: opening or creating
    /// a device node). Socket creation is split by family (see the parser).
    public var isCgroupHook: Bool { isSocketHook || self == .device }

    /// Kinds whose events come from a tracepoint of the calling task, where `kill` is the enforcement.
    public var isTracepoint: Bool { !isCgroupHook && self != .socket }

    /// The process lifecycle kinds, which every run reports (they keep the process cache).
    public static let lifecycle: [GuardEventKind] = [.exec, .exit, .fork]

    /// Privilege and kernel kinds, rare enough to be reported by default.
    public static let privileged: [GuardEventKind] = [.setuid, .setgid, .capset, .ptrace, .module, .bpf, .mount]

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// What a rule does when it matches (`enum guard_action`). Ordered by strength.
public enum GuardAction: UInt8, Sendable, Comparable, CaseIterable {
    case none = 0, alert = 1, deny = 2, kill = 3

    public var name: String {
        switch self {
        case .none: "none"
        case .alert: "alert"
        case .deny: "deny"
        case .kill: "kill"
        }
    }

    public init?(name: String) {
        guard let action = Self.allCases.first(where: { $0.name == name && $0 != .none }) else { return nil }
        self = action
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Whether a rule acts (`enforce`) or only counts and reports what it would have done (`monitor`).
public enum GuardMode: String, Sendable {
    case monitor, enforce
}
