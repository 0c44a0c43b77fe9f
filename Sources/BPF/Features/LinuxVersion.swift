/// A kernel version, e.g. 6.18.44, comparable, for "added in Linux X.Y" decisions and messages.
public struct LinuxVersion: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// The first number, 6 in 6.1.55.
    public var major: Int
    /// The second number, 1 in 6.1.55.
    public var minor: Int
    /// The third number, 55 in 6.1.55 (0 if absent).
    public var patch: Int

    /// The version `major.minor.patch`.
    public init(_ major: Int, _ minor: Int, _ patch: Int = 0) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Parses a release string such as "6.18.44", "6.1.0-47-cloud-amd64" or "5.15.0+".
    /// Missing or non-numeric parts read as 0.
    public init(release: String) {
        let numbers = release.split(whereSeparator: { !$0.isNumber }).prefix(3).map { Int($0) ?? 0 }
        self.init(numbers.count > 0 ? numbers[0] : 0, numbers.count > 1 ? numbers[1] : 0, numbers.count > 2 ? numbers[2] : 0)
    }

    /// Orders versions by major, then minor, then patch.
    public static func < (a: LinuxVersion, b: LinuxVersion) -> Bool {
        (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
    }

    public var description: String { "\(major).\(minor).\(patch)" }
}

extension Features {
    /// The running kernel's version, from uname(2).
    public static let kernelVersion = LinuxVersion(release: Syscalls.kernelRelease())
}
