/// The names a policy's `families` and `types` conditions take for socket(2)'s first two
/// arguments (the `AF_*` and `SOCK_*` values of the Linux UAPI); a number is taken as is.
public enum GuardSocketNames {
    /// Address families by their policy name (`AF_UNIX` is `unix`, and so on).
    public static let families: [(name: String, value: UInt32)] = [
        ("unix", 1), ("inet", 2), ("inet6", 10), ("key", 15), ("netlink", 16), ("packet", 17),
        ("rds", 21), ("can", 29), ("tipc", 30), ("bluetooth", 31), ("alg", 38), ("vsock", 40),
        ("smc", 43), ("xdp", 44), ("mctp", 45),
    ]

    /// Socket types (`SOCK_STREAM` is `stream`, ...), without the `SOCK_NONBLOCK`/`SOCK_CLOEXEC` flags.
    public static let types: [(name: String, value: UInt32)] = [
        ("stream", 1), ("dgram", 2), ("raw", 3), ("rdm", 4), ("seqpacket", 5), ("dccp", 6), ("packet", 10),
    ]

    /// The families the cgroup `sock_create` hook sees (inet_create and inet6_create run it).
    public static let cgroupHookFamilies: Set<UInt32> = [2, 10]

    public static func family(_ text: String) -> UInt32? { value(text, in: families, max: 63) }
    public static func type(_ text: String) -> UInt32? { value(text, in: types, max: 15) }

    /// The name of a family or type value, or the number as text.
    public static func familyName(_ value: UInt32) -> String { families.first { $0.value == value }?.name ?? "\(value)" }
    public static func typeName(_ value: UInt32) -> String { types.first { $0.value == value }?.name ?? "\(value)" }

    static func value(_ text: String, in table: [(name: String, value: UInt32)], max: UInt32) -> UInt32? {
        if let entry = table.first(where: { $0.name == text }) { return entry.value }
        guard let n = UInt32(text), n >= 1, n <= max else { return nil }
        return n
    }
}
