/// One line of /proc/PID/maps: a range of a process's address space and what backs it.
public struct ProcessMapping: Sendable, Hashable {
    /// First address of the range.
    public var start: UInt64
    /// One past the last address.
    public var end: UInt64
    /// `rwxp`/`rwxs` as the kernel prints them, e.g. `r-xp`.
    public var permissions: String
    /// Offset in the file of `start` (`pgoff`).
    public var fileOffset: UInt64
    /// Major number of the file's device.
    public var deviceMajor: UInt32
    /// Minor number of the file's device.
    public var deviceMinor: UInt32
    /// The file's inode; 0 for anonymous memory.
    public var inode: UInt64
    /// The file's path (`/usr/lib/x86_64-linux-gnu/libc.so.6`), a pseudo name (`[heap]`,
    /// `[vdso]`, `[stack]`), or empty for anonymous memory. A deleted file ends in ` (deleted)`.
    public var path: String

    /// A mapping as one line of `/proc/PID/maps` describes it.
    public init(start: UInt64, end: UInt64, permissions: String, fileOffset: UInt64,
                deviceMajor: UInt32 = 0, deviceMinor: UInt32 = 0, inode: UInt64 = 0, path: String = "") {
        self.start = start
        self.end = end
        self.permissions = permissions
        self.fileOffset = fileOffset
        self.deviceMajor = deviceMajor
        self.deviceMinor = deviceMinor
        self.inode = inode
        self.path = path
    }

    /// Whether the mapping is readable (`r`).
    public var isReadable: Bool { permissions.utf8.first == UInt8(ascii: "r") }
    /// Whether the mapping is executable (`x`).
    public var isExecutable: Bool { permissions.utf8.dropFirst(2).first == UInt8(ascii: "x") }
    /// Backed by a file with a path (not anonymous memory or a `[pseudo]` mapping).
    public var isFileBacked: Bool { inode != 0 && path.hasPrefix("/") }
    /// The file was deleted (or replaced) after it was mapped.
    public var isDeleted: Bool { path.hasSuffix(" (deleted)") }

    /// Whether `address` lies in the range.
    public func contains(_ address: UInt64) -> Bool { address >= start && address < end }

    /// The file offset of `address` in this mapping: `address − start + pgoff`.
    public func fileOffset(of address: UInt64) -> UInt64 { address - start + fileOffset }
}

/// /proc/PID/maps: the address-space layout of a process.
public enum ProcessMaps {
    /// Reads /proc/`pid`/maps (`"self"` for the calling process).
    /// - Throws: `.syscall` with ENOENT if the process is gone.
    public static func read(pid: Int32) throws(BPFError) -> [ProcessMapping] {
        try parse(Syscalls.readFile("/proc/\(pid)/maps"), source: "/proc/\(pid)/maps")
    }

    /// Parses /proc/PID/maps text: `start-end perms offset major:minor inode [path]` per line,
    /// numbers in hex except the decimal inode; the path runs to the end of the line and may
    /// hold spaces. Pure: no system calls.
    /// - Throws: `.invalidArgument` naming the malformed line.
    public static func parse(_ text: [UInt8], source: String = "maps text") throws(BPFError) -> [ProcessMapping] {
        var out: [ProcessMapping] = []
        var lineNumber = 0
        var i = 0
        while i < text.count {
            lineNumber += 1
            var end = i
            while end < text.count, text[end] != 0x0A { end += 1 }
            defer { i = end + 1 }
            if end == i { continue }
            var p = i
            func fail(_ why: String) -> BPFError { .invalidArgument("\(source) line \(lineNumber): \(why)") }
            func number(radix: UInt64, stop: UInt8, lastOnLine: Bool = false) throws(BPFError) -> UInt64 {
                var v: UInt64 = 0
                var digits = 0
                while p < end, text[p] != stop {
                    guard let d = digit(text[p], radix: radix) else { throw fail("unexpected character in a number") }
                    let (m, o1) = v.multipliedReportingOverflow(by: radix)
                    let (s, o2) = m.addingReportingOverflow(UInt64(d))
                    guard !o1, !o2 else { throw fail("number out of range") }
                    v = s
                    digits += 1
                    p += 1
                }
                guard digits > 0 else { throw fail("missing number") }
                guard p < end || lastOnLine else { throw fail("line ends early") }
                p += 1
                return v
            }
            let start = try number(radix: 16, stop: UInt8(ascii: "-"))
            let stop = try number(radix: 16, stop: 0x20)
            guard start <= stop else { throw fail("range ends before it starts") }
            let permStart = p
            while p < end, text[p] != 0x20 { p += 1 }
            guard p - permStart == 4, p < end else { throw fail("permissions must be 4 characters") }
            let permissions = String(decoding: text[permStart..<p], as: UTF8.self)
            p += 1
            let offset = try number(radix: 16, stop: 0x20)
            let major = try number(radix: 16, stop: UInt8(ascii: ":"))
            let minor = try number(radix: 16, stop: 0x20)
            let inode = try number(radix: 10, stop: 0x20, lastOnLine: true)
            while p < end, text[p] == 0x20 { p += 1 }
            let path = String(decoding: text[min(p, end)..<end], as: UTF8.self)
            guard major <= UInt64(UInt32.max), minor <= UInt64(UInt32.max) else { throw fail("device number out of range") }
            out.append(ProcessMapping(start: start, end: stop, permissions: permissions, fileOffset: offset,
                                      deviceMajor: UInt32(major), deviceMinor: UInt32(minor), inode: inode, path: path))
        }
        return out
    }

    private static func digit(_ c: UInt8, radix: UInt64) -> UInt8? {
        let d: UInt8
        switch c {
        case 0x30...0x39: d = c - 0x30
        case 0x61...0x66: d = c - 0x61 + 10
        case 0x41...0x46: d = c - 0x41 + 10
        default: return nil
        }
        return UInt64(d) < radix ? d : nil
    }
}
