import Glibc

/// A file's identity as the kernel sees it: inode number and the device of its super block, in
/// the kernel's internal `dev_t` encoding (`MKDEV`: major << 20 | minor, what `sb->s_dev` holds).
/// Matching binaries and paths by this, not by name, is what makes renames, links and
/// descriptor tricks irrelevant.
public struct FileID: Hashable, Sendable, CustomStringConvertible {
    public var inode: UInt64
    public var device: UInt32

    public init(inode: UInt64, device: UInt32) {
        self.inode = inode
        self.device = device
    }

    /// From a user-space `st_dev` (glibc's encoding) and `st_ino`.
    public init(inode: UInt64, userDevice: UInt64) {
        let major = UInt32(truncatingIfNeeded: ((userDevice >> 8) & 0xfff) | ((userDevice >> 32) & ~0xfff))
        let minor = UInt32(truncatingIfNeeded: (userDevice & 0xff) | ((userDevice >> 12) & ~0xff))
        self.init(inode: inode, device: major << 20 | (minor & 0xfffff))
    }

    public var major: UInt32 { device >> 20 }
    public var minor: UInt32 { device & 0xfffff }

    /// `major:minor:inode`, the form policies take for `binary_inode`.
    public var description: String { "\(major):\(minor):\(inode)" }

    /// Parses `major:minor:inode`.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let major = UInt32(parts[0]), let minor = UInt32(parts[1]), let inode = UInt64(parts[2]),
              major < 4096, minor < 1 << 20 else { return nil }
        self.init(inode: inode, device: major << 20 | minor)
    }

    /// The identity of the file at `path` (symlinks followed), or nil with errno set.
    public static func of(path: String) -> FileID? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileID(inode: UInt64(st.st_ino), userDevice: UInt64(st.st_dev))
    }
}
