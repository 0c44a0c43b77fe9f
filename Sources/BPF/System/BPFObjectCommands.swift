import CBPF

/// The kinds of kernel objects with global ids (`BPF_*_GET_NEXT_ID`, `BPF_*_GET_FD_BY_ID`).
public enum BPFObjectKind: Sendable {
    case program, map, btf, link

    var getNextID: (bpf_cmd, String) {
        switch self {
        case .program: (BPF_PROG_GET_NEXT_ID, "BPF_PROG_GET_NEXT_ID")
        case .map: (BPF_MAP_GET_NEXT_ID, "BPF_MAP_GET_NEXT_ID")
        case .btf: (BPF_BTF_GET_NEXT_ID, "BPF_BTF_GET_NEXT_ID")
        case .link: (BPF_LINK_GET_NEXT_ID, "BPF_LINK_GET_NEXT_ID")
        }
    }

    var getFDByID: (bpf_cmd, String) {
        switch self {
        case .program: (BPF_PROG_GET_FD_BY_ID, "BPF_PROG_GET_FD_BY_ID")
        case .map: (BPF_MAP_GET_FD_BY_ID, "BPF_MAP_GET_FD_BY_ID")
        case .btf: (BPF_BTF_GET_FD_BY_ID, "BPF_BTF_GET_FD_BY_ID")
        case .link: (BPF_LINK_GET_FD_BY_ID, "BPF_LINK_GET_FD_BY_ID")
        }
    }
}

extension BPFCommands {
    /// `BPF_OBJ_PIN`: pins the object behind `fd` at `path` on a bpffs mount. bpffs rejects names
    /// with '.' (EPERM) and paths outside a bpffs mount (EPERM).
    public static func objPin(fd: Int32, path: String) throws(BPFError) {
        try withCString(path) { (p) throws(BPFError) in
            var attr = bpf_attr()
            attr.pathname = address(p)
            attr.bpf_fd = UInt32(bitPattern: fd)
            do throws(BPFError) {
                try Syscalls.bpf(BPF_OBJ_PIN, &attr, "BPF_OBJ_PIN(\(path))")
            } catch {
                throw notOnBPFFilesystem(path, pinning: true) ?? error
            }
        }
    }

    /// The error for a pin path outside bpffs, where the kernel only answers EPERM (pin) or
    /// EACCES/EPERM (get), which reads as a lack of privilege; nil if the path is on bpffs.
    static func notOnBPFFilesystem(_ path: String, pinning: Bool) -> BPFError? {
        guard !Syscalls.isOn(.bpf, path) else { return nil }
        return .invalidArgument("\(path) is not on a BPF filesystem (bpffs): \(pinning ? "pins can only be created" : "only pinned objects can be opened") under a bpffs mount such as /sys/fs/bpf")
    }

    /// `BPF_OBJ_GET`: opens a pinned object. `fileFlags` is `BPF_F_RDONLY`/`BPF_F_WRONLY` or 0.
    public static func objGet(path: String, fileFlags: UInt32 = 0) throws(BPFError) -> FileDescriptor {
        let raw = try withCString(path) { (p) throws(BPFError) in
            var attr = bpf_attr()
            attr.pathname = address(p)
            attr.file_flags = fileFlags
            do throws(BPFError) {
                return try Syscalls.bpf(BPF_OBJ_GET, &attr, "BPF_OBJ_GET(\(path))")
            } catch {
                // A missing path keeps its ENOENT; an existing file elsewhere is named.
                if isErrno(error, .ENOENT) { throw error }
                throw notOnBPFFilesystem(path, pinning: false) ?? error
            }
        }
        return try FileDescriptor(taking: raw)
    }

    /// `BPF_OBJ_GET_INFO_BY_FD` into `info` (`struct bpf_prog_info`, `bpf_map_info`,
    /// `bpf_link_info` or `bpf_btf_info`). Pointer fields set in `info` before the call (such as
    /// `map_ids` with `nr_map_ids`) are filled by the kernel. Returns the length the kernel wrote.
    @discardableResult
    public static func objGetInfo<Info>(fd: Int32, info: inout Info, name: String) throws(BPFError) -> Int {
        try withUnsafeMutablePointer(to: &info) { (p) throws(BPFError) in
            var attr = bpf_attr()
            attr.info.bpf_fd = UInt32(bitPattern: fd)
            attr.info.info_len = UInt32(MemoryLayout<Info>.size)
            attr.info.info = address(p)
            try Syscalls.bpf(BPF_OBJ_GET_INFO_BY_FD, &attr, "BPF_OBJ_GET_INFO_BY_FD(\(name))")
            return Int(attr.info.info_len)
        }
    }

    /// `BPF_*_GET_NEXT_ID`: the id after `id` (0 for the first), or nil after the last.
    public static func nextID(_ kind: BPFObjectKind, after id: UInt32) throws(BPFError) -> UInt32? {
        var attr = bpf_attr()
        attr.start_id = id
        let (cmd, op) = kind.getNextID
        do {
            try Syscalls.bpf(cmd, &attr, op)
        } catch {
            if isErrno(error, .ENOENT) { return nil }
            throw error
        }
        return attr.next_id
    }

    /// `BPF_*_GET_FD_BY_ID`: a new descriptor of the object with this id.
    public static func fdByID(_ kind: BPFObjectKind, id: UInt32, openFlags: UInt32 = 0) throws(BPFError) -> FileDescriptor {
        var attr = bpf_attr()
        attr.start_id = id
        attr.open_flags = openFlags
        let (cmd, op) = kind.getFDByID
        return try Syscalls.bpfFD(cmd, &attr, "\(op)(\(id))")
    }

    /// `BPF_PROG_BIND_MAP`: keeps `mapFD` alive as long as the program, used or not
    /// (libbpf binds `.rodata` this way).
    public static func progBindMap(programFD: Int32, mapFD: Int32, name: String) throws(BPFError) {
        var attr = bpf_attr()
        attr.prog_bind_map.prog_fd = UInt32(bitPattern: programFD)
        attr.prog_bind_map.map_fd = UInt32(bitPattern: mapFD)
        try Syscalls.bpf(BPF_PROG_BIND_MAP, &attr, "BPF_PROG_BIND_MAP(\(name))")
    }

    /// `BPF_BTF_LOAD`. Loads without a log first; on failure loads again with `log_level` 1 and a
    /// buffer (64 KiB, grown on ENOSPC up to 16 MiB) to get the kernel's BTF log, and throws
    /// `BPFError.btfRejected` with it.
    public static func btfLoad(_ btf: [UInt8]) throws(BPFError) -> FileDescriptor {
        guard !btf.isEmpty else { throw .invalidArgument("BPF_BTF_LOAD of empty BTF") }
        let firstErrno: Errno
        do {
            return try btfLoadOnce(btf, log: nil)
        } catch {
            guard case let .syscall(_, e) = error else { throw error }
            firstErrno = e
        }
        var size = 64 * 1024
        while true {
            var log = [UInt8](repeating: 0, count: size)
            do {
                // A load that succeeds with a log (a flaky first failure) is still a success.
                let raw = try log.withUnsafeMutableBytes { l in
                    Result { () throws(BPFError) in try btfLoadOnce(btf, log: l).release() }
                }.get()
                return try FileDescriptor(taking: raw)
            } catch {
                guard case let .syscall(_, e) = error else { throw error }
                if e == .ENOSPC, size < 16 * 1024 * 1024 {
                    size *= 2
                    continue
                }
                let text = String(decoding: log.prefix(while: { $0 != 0 }), as: UTF8.self)
                throw .btfRejected(errno: e == .ENOSPC ? firstErrno : e, log: text)
            }
        }
    }

    static func btfLoadOnce(_ btf: [UInt8], log: UnsafeMutableRawBufferPointer?) throws(BPFError) -> FileDescriptor {
        let raw = try withBytes(btf) { (b) throws(BPFError) in
            var attr = bpf_attr()
            attr.btf = address(b.baseAddress)
            attr.btf_size = UInt32(b.count)
            if let log {
                attr.btf_log_buf = address(log.baseAddress)
                attr.btf_log_size = UInt32(log.count)
                attr.btf_log_level = 1
            }
            return try Syscalls.bpf(BPF_BTF_LOAD, &attr, "BPF_BTF_LOAD")
        }
        return try FileDescriptor(taking: raw)
    }
}
