/// One open(2), openat(2) or openat2(2), as `opensnoop.bpf.c` reports it
/// (`struct open_event` in `bpf/opensnoop.h`).
public struct OpenEvent: Sendable, Equatable {
    /// Who opened (the opening thread's attribution).
    public var task: TaskInfo
    /// The system call's result: a file descriptor, or a negative errno.
    public var ret: Int32
    /// The open flags (`O_*`), as passed (openat2: `open_how.flags`).
    public var flags: UInt32
    /// The directory fd a relative path is resolved from; -100 (`AT_FDCWD`) for the working directory.
    public var dfd: Int32
    /// The path as the process passed it (at most PATH_MAX bytes).
    public var path: String
    /// With `--full-path`, for a path relative to the working directory: that directory
    /// (resolved in the kernel at the open); nil otherwise.
    public var workingDirectory: String?

    /// The path with the working directory in front when it was captured, else as passed.
    public var fullPath: String {
        guard let dir = workingDirectory else { return path }
        return dir.hasSuffix("/") ? dir + path : dir + "/" + path
    }

    /// `AT_FDCWD`.
    public static let atFDCWD: Int32 = -100
    /// The byte offset of `path` in `struct open_event`.
    static let headerSize = 64

    /// The file descriptor, or -1 when the open failed (BCC's FD column).
    public var fd: Int32 { ret >= 0 ? ret : -1 }
    /// The errno of a failed open, 0 on success (BCC's ERR column).
    public var errno: Int32 { ret < 0 ? -ret : 0 }

    /// Decodes a ring-buffer record; nil for a record too short to be an event.
    public init?(record: UnsafeRawBufferPointer) {
        guard record.count >= Self.headerSize, let task = TaskInfo(record) else { return nil }
        func u32(_ o: Int) -> UInt32 { record.loadUnaligned(fromByteOffset: o, as: UInt32.self) }
        self.task = task
        ret = Int32(bitPattern: u32(48))
        flags = u32(52)
        dfd = Int32(bitPattern: u32(56))
        let pathSize = Int(record.loadUnaligned(fromByteOffset: 60, as: UInt16.self))
        let cwdSize = min(Int(record.loadUnaligned(fromByteOffset: 62, as: UInt16.self)), record.count - Self.headerSize)
        path = RecordText.cString(record, Self.headerSize + cwdSize, pathSize)
        workingDirectory = cwdSize > 0 ? Self.directory(UnsafeRawBufferPointer(rebasing: record[Self.headerSize..<Self.headerSize + cwdSize])) : nil
    }

    /// "/a/b" from the names "b\0a\0" (innermost first, as the kernel walks up); "/" when
    /// there are no names.
    static func directory(_ names: UnsafeRawBufferPointer) -> String {
        var bytes: [UInt8] = []
        for name in names.split(separator: 0, omittingEmptySubsequences: true).reversed() {
            bytes.append(0x2f)
            bytes.append(contentsOf: name)
        }
        return bytes.isEmpty ? "/" : String(decoding: bytes, as: UTF8.self)
    }

    public init(task: TaskInfo, ret: Int32, flags: UInt32, dfd: Int32 = OpenEvent.atFDCWD, path: String,
                workingDirectory: String? = nil) {
        self.workingDirectory = workingDirectory
        self.task = task
        self.ret = ret
        self.flags = flags
        self.dfd = dfd
        self.path = path
    }
}
