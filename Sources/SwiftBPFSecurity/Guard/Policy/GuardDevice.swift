/// A device condition of a `device` rule, written as a cgroup v1 device rule: a type (`c`
/// character, `b` block, `a` both), `major:minor` with `*` for any, and the accesses it covers
/// (`r` read, `w` write, `m` mknod; all three when left out): `"c 1:3 rw"`, `"b 8:* m"`, `"c *:*"`.
public struct GuardDevice: Sendable, Hashable, CustomStringConvertible {
    /// The device types as the cgroup device hook reports them (`BPF_DEVCG_DEV_BLOCK`, `BPF_DEVCG_DEV_CHAR`).
    public enum DeviceType: UInt32, Sendable, CaseIterable {
        case block = 1, char = 2

        public var letter: String { self == .block ? "b" : "c" }
    }

    /// The accesses as the cgroup device hook reports them (`BPF_DEVCG_ACC_MKNOD`, `_READ`, `_WRITE`).
    public struct Access: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let mknod = Access(rawValue: 1)
        public static let read = Access(rawValue: 2)
        public static let write = Access(rawValue: 4)
        public static let all: Access = [.mknod, .read, .write]

        /// `rwm` letters, in that order.
        public var letters: String {
            (contains(.read) ? "r" : "") + (contains(.write) ? "w" : "") + (contains(.mknod) ? "m" : "")
        }
    }

    /// The types covered (both for `a`).
    public var types: [DeviceType]
    /// nil: any.
    public var major: UInt32?
    public var minor: UInt32?
    public var access: Access
    /// As written in the policy.
    public var text: String

    public var description: String { text }

    /// The key value that stands for "any major" or "any minor" in the kernel's table.
    public static let any: UInt32 = 0xffff_ffff

    /// Parses `"c 1:3 rw"`; nil when it is not of that form.
    public init?(_ text: String) {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 || parts.count == 3 else { return nil }
        switch parts[0] {
        case "c": types = [.char]
        case "b": types = [.block]
        case "a": types = [.block, .char]
        default: return nil
        }
        let numbers = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard numbers.count == 2 else { return nil }
        func number(_ s: Substring) -> UInt32?? {
            if s == "*" { return .some(nil) }
            // Linux device numbers: 12-bit majors, 20-bit minors.
            guard let n = UInt32(s), n < (1 << 20) else { return nil }
            return .some(n)
        }
        guard let major = number(numbers[0]), let minor = number(numbers[1]) else { return nil }
        if let m = major, m >= 1 << 12 { return nil }
        self.major = major
        self.minor = minor
        var access: Access = []
        if parts.count == 3 {
            for c in parts[2] {
                switch c {
                case "r": access.insert(.read)
                case "w": access.insert(.write)
                case "m": access.insert(.mknod)
                default: return nil
                }
            }
        } else {
            access = .all
        }
        self.access = access
        self.text = text
    }

    /// Text for output: `c 1:3 rw`.
    public static func describe(type: UInt32, major: UInt32, minor: UInt32, access: UInt32) -> String {
        let letter = DeviceType(rawValue: type)?.letter ?? "?"
        return "\(letter) \(major):\(minor) \(Access(rawValue: access).letters)"
    }
}
