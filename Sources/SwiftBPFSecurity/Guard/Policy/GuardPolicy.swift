/// A set of guard rules as written in YAML: selectors say which processes, the event kinds and
/// conditions say which calls, and the action says what happens. Pure data; `GuardPolicyParser`
/// makes it, `GuardPolicyCompiler` turns names into inodes and kernel tables.
public struct GuardPolicy: Sendable, Equatable {
    public var rules: [GuardRule]

    public init(rules: [GuardRule]) { self.rules = rules }

    /// The kernel side has one bit per rule in 128-bit masks (`struct guard_mask`).
    public static let maxRules = 128
}

/// Where a policy element was written, for messages.
public struct GuardSourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// A binary named by path (resolved to its inode when the policy loads: symlinks followed) or
/// directly by identity.
public enum GuardFileSelector: Sendable, Hashable, CustomStringConvertible {
    case path(String)
    case inode(FileID)

    public var description: String {
        switch self {
        case .path(let p): p
        case .inode(let id): id.description
        }
    }
}

/// Which opens a rule's `paths` cover.
public enum GuardFileAccess: String, Sendable {
    case any, read, write
}

/// An address range of a network condition (IPv4 kept as ::ffff:a.b.c.d).
public struct GuardAddressRange: Sendable, Hashable, CustomStringConvertible {
    /// 16 bytes, network order.
    public var address: [UInt8]
    /// Prefix length over the 128-bit form.
    public var prefixLength: Int
    public var text: String

    public var description: String { text }

    public func contains(_ other: [UInt8]) -> Bool {
        guard other.count == 16 else { return false }
        var bits = prefixLength
        for i in 0..<16 where bits > 0 {
            let take = min(8, bits)
            let mask = UInt8(truncatingIfNeeded: 0xff << (8 - take))
            if address[i] & mask != other[i] & mask { return false }
            bits -= take
        }
        return true
    }
}

/// A peer a network rule exempts (`except_peers`): an address range, on one port or on any.
public struct GuardPeer: Sendable, Hashable, CustomStringConvertible {
    public var range: GuardAddressRange
    /// Host order; nil: any port.
    public var port: UInt16?
    /// As written in the policy.
    public var text: String

    public init(range: GuardAddressRange, port: UInt16?, text: String) {
        self.range = range
        self.port = port
        self.text = text
    }

    public var description: String { text }

    /// True when a call to `address` (16 bytes, IPv4 mapped) on `port` is this peer.
    public func contains(address: [UInt8], port: UInt16) -> Bool {
        (self.port == nil || self.port == port) && range.contains(address)
    }
}

/// One rule.
public struct GuardRule: Sendable, Equatable {
    public var name: String
    public var kinds: [GuardEventKind]
    public var action: GuardAction
    public var mode: GuardMode = .enforce
    // Selectors: which processes. Empty means any.
    public var binaries: [GuardFileSelector] = []
    public var parents: [GuardFileSelector] = []
    public var users: [UInt32] = []
    /// A cgroup v2 directory: the process is in it or below it.
    public var cgroup: String?
    /// Only executions of a file without a name (memfd, deleted file).
    public var fileless: Bool = false
    // Conditions: which calls.
    /// exec: an argument (argv[1] on) equal to one of these, whole (argv[0] is the caller's choice).
    public var arguments: [String] = []
    /// open: the file or a directory above it (by inode: any name that reaches it).
    public var paths: [String] = []
    public var access: GuardFileAccess = .any
    /// connect, bind, sendmsg: destination or bound ports, and address ranges.
    public var ports: [ClosedRange<UInt16>] = []
    public var addresses: [GuardAddressRange] = []
    /// socket: address families (`AF_*` values) and types (`SOCK_*`); empty means any.
    public var families: [UInt32] = []
    public var socketTypes: [UInt32] = []
    /// device: the devices and accesses covered (a device rule needs at least one).
    public var devices: [GuardDevice] = []
    // Exemptions: what the rule does not apply to (an allowlist: everything else matches).
    /// Processes running one of these binaries are exempt (by inode, like `binaries`).
    public var exceptBinaries: [GuardFileSelector] = []
    /// open: files at or below these paths are exempt.
    public var exceptPaths: [String] = []
    /// connect, bind, sendmsg: these ports are exempt.
    public var exceptPorts: [ClosedRange<UInt16>] = []
    /// connect, bind, sendmsg: calls to these peers (an address range, on a port or any) are
    /// exempt. With `except_ports`, a call is exempt when either exempts it.
    public var exceptPeers: [GuardPeer] = []
    /// Where the rule starts in its file.
    public var location: GuardSourceLocation?

    public init(name: String, kinds: [GuardEventKind], action: GuardAction) {
        self.name = name
        self.kinds = kinds
        self.action = action
    }
}
