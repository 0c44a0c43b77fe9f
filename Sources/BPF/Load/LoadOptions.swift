/// How `BPFObject` loads an `ObjectSpec`.
public struct LoadOptions: Sendable {
    /// New initial values of global variables (`const volatile` in `.rodata`, or `.data`/`.bss`),
    /// by variable name, as raw bytes of exactly the variable's size. Set them with `set(_:to:)`.
    public var globals: [String: [UInt8]] = [:]
    /// Where maps with `pinning = LIBBPF_PIN_BY_NAME` are pinned and looked for (libbpf's
    /// `pin_root_path`).
    public var pinRoot: String = "/sys/fs/bpf"
    /// The BTF that CO-RE relocations resolve against; nil means the running kernel's
    /// (libbpf's `btf_custom_path`).
    public var targetBTF: BTF?
    /// Programs to load, by name; nil loads every program whose section has no '?' prefix.
    public var programs: Set<String>?
    /// New `max_entries` for maps, by map name, applied before creation (libbpf's
    /// `bpf_map__set_max_entries`): e.g. a larger ring buffer for a busy machine.
    public var maxEntries: [String: UInt32] = [:]
    /// The verifier log level of the first load attempt (0: no log unless the load fails).
    public var logLevel: UInt32 = 0
    /// Extra kernel config lines (`CONFIG_X=value`, one per line) for `__kconfig` externs, read
    /// before the running kernel's config (libbpf's `kconfig` open option).
    public var kconfig: String?
    /// Where CO-RE results are kept between loads of the same object during one boot of the
    /// kernel, so that later loads skip reading the kernel's BTF when nothing else needs it
    /// (attach targets of tp_btf/fentry programs, kfuncs and typed ksyms still read it); nil turns
    /// the cache off. Used only by root, and only when relocating against the running kernel's BTF
    /// (`targetBTF` nil). The directory is made with mode 0700; a file in it that is malformed or
    /// for another kernel, boot or object is ignored and replaced. Default: nil (off), as a
    /// library should not write files its caller did not ask for; the `swiftbpf` tools turn it
    /// on with `defaultCORECacheDirectory`.
    public var coreCacheDirectory: String?

    /// `/run/swiftbpf/core-cache`: on the tmpfs that a reboot empties, as the cache is per boot.
    public static let defaultCORECacheDirectory = "/run/swiftbpf/core-cache"

    /// Default options: no globals set, pins under `/sys/fs/bpf`, the running kernel's BTF.
    public init() {}

    /// Sets the initial value of the global variable `name` to `value`, whose size must equal
    /// the variable's. Typical use: `const volatile` filters that the verifier then treats as
    /// constants, because `.rodata` is frozen before programs load.
    public mutating func set<T: BitwiseCopyable>(_ name: String, to value: T) {
        globals[name] = withUnsafeBytes(of: value) { Array($0) }
    }

    /// Sets a `char[N]` global from a string, zero-padded to `size` bytes.
    public mutating func set(_ name: String, string: String, size: Int) {
        var bytes = Array(string.utf8.prefix(size))
        bytes += [UInt8](repeating: 0, count: size - bytes.count)
        globals[name] = bytes
    }
}
