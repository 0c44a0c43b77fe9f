import BPF

/// Opening what a reference names (the kernel side; parsing is in ObjectReference.swift).
extension ObjectReference {
    /// Opens the object, turning ENOENT into "no such program/map/link". A pinned path must
    /// hold an object of the expected kind (checked through its fdinfo before use).
    func open<T>(_ kind: BPFObjectKind, _ what: String, byID: (UInt32) throws(BPFError) -> T,
                 taking: (consuming FileDescriptor) throws(BPFError) -> T) throws -> T {
        do {
            switch self {
            case let .id(id): return try byID(id)
            case let .pinned(path):
                let fd = try BPFCommands.objGet(path: path)
                guard BPFObjectKind.of(fd: fd.rawValue) == kind else { throw IntrospectError("\(path) is not a \(what)") }
                return try taking(fd)
            }
        } catch let error as BPFError {
            if case let .syscall(_, errno) = error, errno == .ENOENT {
                throw IntrospectError("no \(what) with \(self)")
            }
            if case let .syscall(_, errno) = error, errno == .EINVAL || errno == .EPERM, case .pinned = self {
                throw IntrospectError("\(self) is not a pinned \(what) on bpffs (\(errno))")
            }
            throw error
        }
    }

    func openProgram() throws -> Program {
        try open(.program, "program", byID: { (id) throws(BPFError) in try Program.open(id: id) },
                 taking: { (fd) throws(BPFError) in try Program(taking: fd) })
    }

    func openMap() throws -> Map {
        try open(.map, "map", byID: { (id) throws(BPFError) in try Map.open(id: id) },
                 taking: { (fd) throws(BPFError) in try Map(taking: fd) })
    }

    func openLink() throws -> Link {
        try open(.link, "link", byID: { (id) throws(BPFError) in try Link.open(id: id) },
                 taking: { (fd) throws(BPFError) in Link(taking: fd, name: "link \(self)") })
    }
}
