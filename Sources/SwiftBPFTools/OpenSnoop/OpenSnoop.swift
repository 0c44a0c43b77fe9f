import BPF

/// opensnoop: every open(2), openat(2) and openat2(2), from the `syscalls` enter/exit
/// tracepoints. Failed-only and path-prefix filters run in the kernel, with the common ones.
public enum OpenSnoop {
    /// opensnoop's own filters.
    public struct Options: Sendable {
        /// Only opens that failed (BCC's `-x`).
        public var failedOnly: Bool
        /// Only paths (as passed by the process) starting with this text, at most 255 bytes.
        public var pathPrefix: String?
        /// For paths relative to the working directory, capture that directory in the kernel
        /// (BCC's `-F`), so the event shows the full path.
        public var fullPath: Bool

        public init(failedOnly: Bool = false, pathPrefix: String? = nil, fullPath: Bool = false) {
            self.failedOnly = failedOnly
            self.pathPrefix = pathPrefix
            self.fullPath = fullPath
        }
    }

    /// The longest path prefix the kernel side compares (`OPEN_PREFIX_MAX` - 1).
    public static let maxPrefixLength = 255

    /// Loads and attaches opensnoop. Events arrive in the session's ring buffer; decode them
    /// with `OpenEvent(record:)`.
    public static func start(filter: ToolFilter = ToolFilter(), options: Options = Options(),
                             ringBufferSize: UInt32? = nil) throws(BPFError) -> ToolSession {
        if let prefix = options.pathPrefix, prefix.isEmpty || prefix.utf8.count > maxPrefixLength {
            throw .invalidArgument("--path-prefix must be 1 to \(maxPrefixLength) bytes, got \(prefix.utf8.count)")
        }
        return try ToolSession(EmbeddedObjects.opensnoop, filter: filter, ringBufferSize: ringBufferSize, configure: { opts in
            if options.failedOnly { opts.set("targ_failed", to: UInt8(1)) }
            if options.fullPath { opts.set("targ_full_path", to: UInt8(1)) }
            if let prefix = options.pathPrefix {
                opts.set("targ_prefix", string: prefix, size: maxPrefixLength + 1)
                opts.set("targ_prefix_len", to: UInt32(prefix.utf8.count))
            }
        }, attach: attach)
    }

    /// openat(2) and openat2(2) always; open(2) where the architecture has it (x86-64 does,
    /// arm64 has no `syscalls:sys_enter_open`).
    static func attach(_ object: BPFObject) throws(BPFError) -> [Link] {
        var links: [Link] = []
        for name in ["enter_openat", "exit_openat", "enter_openat2", "exit_openat2"] { links.append(try object.attach(name)) }
        if let enter = try? object.attach("enter_open"), let exit = try? object.attach("exit_open") { links += [enter, exit] }
        return links
    }
}
