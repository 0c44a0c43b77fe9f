import BPF

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

    /// The file descriptor, or -1 when the open failed (BCC's FD column).
    public var fd: Int32 { ret >= 0 ? ret : -1 }
    /// The errno of a failed open, 0 on success (BCC's ERR column).
    public var errno: Int32 { ret < 0 ? -ret : 0 }

    /// The largest record the BPF side sends: the header, the working directory's names and the path.
    public static let maxRecordBytes = MemoryLayout<OpensnoopObject.OpenEvent>.size

    /// Decodes a ring-buffer record through `OpensnoopObject.OpenEvent`, which BPFGen generates from the
    /// BTF of `opensnoop.bpf.c`; nil for a record too short to be an event.
    public init?(record: UnsafeRawBufferPointer) {
        let header = MemoryLayout<OpensnoopObject.OpenEvent>.offset(of: \.data)!
        guard record.count >= header else { return nil }
        let event = RingBufferReader<OpensnoopObject.OpenEvent>.decode(record)
        task = TaskInfo(event.task)
        ret = event.ret
        flags = event.flags
        dfd = event.dfd
        // `data`: cwd_size bytes of directory names, then the path (path_size bytes with its NUL);
        // the record stops after the bytes used (the rest of the decoded struct is zeros).
        let present = record.count - header
        (path, workingDirectory) = withUnsafeBytes(of: event.data) { whole in
            let data = UnsafeRawBufferPointer(rebasing: whole[0..<min(present, whole.count)])
            let cwdSize = min(Int(event.cwdSize), data.count)
            let pathEnd = min(data.count, cwdSize + Int(event.pathSize))
            let path = RecordText.cString(UnsafeRawBufferPointer(rebasing: data[cwdSize..<pathEnd]), 0, pathEnd - cwdSize)
            return (path, cwdSize > 0 ? Self.directory(UnsafeRawBufferPointer(rebasing: data[0..<cwdSize])) : nil)
        }
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
