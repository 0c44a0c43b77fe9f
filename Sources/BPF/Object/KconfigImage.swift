/// The `.kconfig` map's initial value, computed as libbpf's `bpf_object__resolve_externs()` does
/// for kconfig externs. Pure: the caller supplies the kernel facts and the config text (reading
/// `/boot/config-$(uname -r)` or `/proc/config.gz` is the loader's job).
public struct KconfigInputs: Sendable {
    /// `LINUX_KERNEL_VERSION` (libbpf's `get_kernel_version()`, e.g. 0x6122c for 6.18.44).
    public var kernelVersion: UInt32
    /// `LINUX_HAS_BPF_COOKIE` (feature probe).
    public var hasBPFCookie: Bool
    /// `LINUX_HAS_SYSCALL_WRAPPER` (feature probe).
    public var hasSyscallWrapper: Bool
    /// Extra `CONFIG_X=value` lines (libbpf's `kconfig` open option), applied before the system config.
    public var extraConfig: String?

    /// Inputs read from the running kernel, and extra `CONFIG_*` lines.
    public init(kernelVersion: UInt32, hasBPFCookie: Bool, hasSyscallWrapper: Bool, extraConfig: String? = nil) {
        self.kernelVersion = kernelVersion
        self.hasBPFCookie = hasBPFCookie
        self.hasSyscallWrapper = hasSyscallWrapper
        self.extraConfig = extraConfig
    }
}

extension ObjectSpec {
    /// Whether the kconfig externs need the kernel's config (any `CONFIG_*` extern).
    public var needsKernelConfig: Bool {
        externs.contains { $0.isKconfig && $0.name.hasPrefix("CONFIG_") }
    }

    /// The value image of the `.kconfig` map (nil if the object has no kconfig externs):
    /// - `LINUX_KERNEL_VERSION`, `LINUX_HAS_BPF_COOKIE`, `LINUX_HAS_SYSCALL_WRAPPER` from `inputs`;
    ///   another `LINUX_*` extern reads 0 if weak and is an error if strong;
    /// - `CONFIG_*` from `inputs.extraConfig`, then, for any still unset, from `systemConfig()`
    ///   (called at most once, only if needed). Values: `y`/`n`/`m` for bool, tristate and char;
    ///   `"text"` for char arrays (truncated to fit, NUL-terminated); integers (`strtoull` base 0)
    ///   for int and char, range-checked against the extern's size and signedness;
    /// - an unset weak extern reads 0; an unset strong one is an error.
    public func kconfigImage(_ inputs: KconfigInputs,
                             systemConfig: () throws(BPFError) -> String) throws(BPFError) -> [UInt8]? {
        guard let map = kconfigMap else { return nil }
        var image = [UInt8](repeating: 0, count: Int(map.valueSize))
        var isSet = Set<String>()
        let kconfigExterns = externs.filter(\.isKconfig)
        for ext in kconfigExterns where !ext.name.hasPrefix("CONFIG_") {
            let value: UInt64
            switch ext.name {
            case "LINUX_KERNEL_VERSION":
                guard inputs.kernelVersion != 0 else {
                    throw BPFError.invalidArgument("extern (kcfg) '\(ext.name)': failed to get kernel version")
                }
                value = UInt64(inputs.kernelVersion)
            case "LINUX_HAS_BPF_COOKIE": value = inputs.hasBPFCookie ? 1 : 0
            case "LINUX_HAS_SYSCALL_WRAPPER": value = inputs.hasSyscallWrapper ? 1 : 0
            default:
                guard ext.name.hasPrefix("LINUX_"), ext.isWeak else {
                    throw BPFError.invalidArgument("extern (kcfg) '\(ext.name)': unrecognized virtual extern")
                }
                value = 0
            }
            try Self.setNumber(ext, value, into: &image)
            isSet.insert(ext.name)
        }
        if needsKernelConfig {
            if let extra = inputs.extraConfig {
                try Self.apply(config: extra, externs: kconfigExterns, image: &image, isSet: &isSet)
            }
            if kconfigExterns.contains(where: { !isSet.contains($0.name) }) {
                try Self.apply(config: try systemConfig(), externs: kconfigExterns, image: &image, isSet: &isSet)
            }
        }
        for ext in kconfigExterns where !isSet.contains(ext.name) && !ext.isWeak {
            throw BPFError.missing("extern '\(ext.name)' (strong): not resolved")
        }
        return image
    }

    /// libbpf's `bpf_object__process_kconfig_line()` over every line; the first value of an
    /// extern wins.
    static func apply(config: String, externs: [ExternSpec], image: inout [UInt8], isSet: inout Set<String>) throws(BPFError) {
        for rawLine in config.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine[...]
            guard line.hasPrefix("CONFIG_") else { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw BPFError.invalidArgument("failed to parse '\(line)': no separator")
            }
            let name = String(line[..<eq])
            let value = String(line[line.index(after: eq)...])
            guard !value.isEmpty else { throw BPFError.invalidArgument("failed to parse '\(line)': no value") }
            guard let ext = externs.first(where: { $0.name == name }), !isSet.contains(name) else { continue }
            guard case let .kconfig(type, size, _, _, offset) = ext.kind else { continue }
            switch value.first {
            case "y", "n", "m":
                let c = value.utf8.first!
                switch type {
                case .bool:
                    guard c != UInt8(ascii: "m") else {
                        throw BPFError.invalidArgument("extern (kcfg) '\(name)': value 'm' implies tristate or char type")
                    }
                    image[offset] = c == UInt8(ascii: "y") ? 1 : 0
                case .tristate:
                    let v: UInt32 = c == UInt8(ascii: "y") ? 1 : c == UInt8(ascii: "m") ? 2 : 0
                    store(UInt64(v), size: 4, at: offset, into: &image)
                case .char:
                    image[offset] = c
                default:
                    throw BPFError.invalidArgument("extern (kcfg) '\(name)': value '\(value.first!)' implies bool, tristate, or char type")
                }
            case "\"":
                guard type == .charArray else {
                    throw BPFError.invalidArgument("extern (kcfg) '\(name)': value '\(value)' implies char array type")
                }
                var bytes = Array(value.utf8)
                guard bytes.count >= 2, bytes.last == UInt8(ascii: "\"") else {
                    throw BPFError.invalidArgument("extern (kcfg) '\(name)': invalid string config '\(value)'")
                }
                bytes = Array(bytes[1..<bytes.count - 1].prefix(size - 1))
                for (i, b) in bytes.enumerated() { image[offset + i] = b }
                image[offset + bytes.count] = 0
            default:
                guard let number = parseUInt64(value) else {
                    throw BPFError.invalidArgument("extern (kcfg) '\(name)': value '\(value)' isn't a valid integer")
                }
                guard type == .int || type == .char else {
                    throw BPFError.invalidArgument("extern (kcfg) '\(name)': value '\(value)' implies integer type")
                }
                try setNumber(ext, number, into: &image)
            }
            isSet.insert(name)
        }
    }

    /// libbpf's `set_kcfg_value_num()`.
    static func setNumber(_ ext: ExternSpec, _ value: UInt64, into image: inout [UInt8]) throws(BPFError) {
        guard case let .kconfig(type, size, _, signed, offset) = ext.kind else { return }
        guard type == .int || type == .char || type == .bool else {
            throw BPFError.invalidArgument("extern (kcfg) '\(ext.name)': value '\(value)' implies integer, char, or boolean type")
        }
        if type == .bool && value > 1 {
            throw BPFError.invalidArgument("extern (kcfg) '\(ext.name)': value '\(value)' isn't boolean compatible")
        }
        // is_kcfg_value_in_range()
        if size < 8 {
            let bits = UInt64(size * 8)
            let fits = signed ? value &+ (1 << (bits - 1)) < (1 << bits) : value >> bits == 0
            guard fits else {
                throw BPFError.invalidArgument("extern (kcfg) '\(ext.name)': value '\(value)' doesn't fit in \(size) bytes")
            }
        }
        guard [1, 2, 4, 8].contains(size) else {
            throw BPFError.invalidArgument("extern (kcfg) '\(ext.name)': unsupported size \(size)")
        }
        store(value, size: size, at: offset, into: &image)
    }

    static func store(_ value: UInt64, size: Int, at offset: Int, into image: inout [UInt8]) {
        for i in 0..<size { image[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }

    /// `strtoull(value, &end, 0)` that must consume the whole string: optional leading spaces and
    /// sign, `0x` hex, leading-`0` octal, else decimal. Out of range is an error (ERANGE).
    static func parseUInt64(_ s: String) -> UInt64? {
        var t = Substring(s).drop { $0 == " " || $0 == "\t" }
        var negative = false
        if t.first == "+" || t.first == "-" {
            negative = t.first == "-"
            t = t.dropFirst()
        }
        var radix = 10
        if t.hasPrefix("0x") || t.hasPrefix("0X"), t.count > 2 {
            radix = 16
            t = t.dropFirst(2)
        } else if t.hasPrefix("0"), t.count > 1 {
            radix = 8
            t = t.dropFirst()
        }
        guard !t.isEmpty, let v = UInt64(t, radix: radix) else { return nil }
        return negative ? 0 &- v : v
    }
}
