/// What the BPF side of libbpf's USDT support (`<bpf/usdt.bpf.h>`) reads for one probe site: a
/// value of the `__bpf_usdt_specs` array map, `struct __bpf_usdt_spec`:
///
/// ```c
/// struct __bpf_usdt_arg_spec {     // 16 bytes
///     __u64 val_off;               //  0: constant, or displacement of a memory operand
///     enum __bpf_usdt_arg_type arg_type; //  8: BPF_USDT_ARG_CONST 0, _REG 1, _REG_DEREF 2
///     short reg_off;               // 12: offsetof(struct pt_regs, reg)
///     bool arg_signed;             // 14
///     char arg_bitshift;           // 15: 64 - 8 * size
/// };
/// struct __bpf_usdt_spec {         // 208 bytes
///     struct __bpf_usdt_arg_spec args[BPF_USDT_MAX_ARG_CNT]; // 0, 12 of them
///     __u64 usdt_cookie;           // 192: bpf_usdt_cookie()
///     short arg_cnt;               // 200: bpf_usdt_arg_cnt()
/// };
/// ```
///
/// `bpf_usdt_arg()` reads the register (`bpf_probe_read_kernel` from `pt_regs`), for memory
/// operands adds `val_off` and reads user memory, then shifts left and back right by
/// `arg_bitshift` (arithmetic when signed) to narrow the value.
public struct USDTSpec: Hashable, Sendable {
    /// `BPF_USDT_MAX_ARG_CNT`.
    public static let maxArguments = 12
    /// `sizeof(struct __bpf_usdt_arg_spec)`.
    public static let argumentSize = 16
    /// `sizeof(struct __bpf_usdt_spec)`.
    public static let encodedSize = 208

    /// `enum __bpf_usdt_arg_type`.
    public enum ArgumentType: UInt32, Sendable {
        case constant = 0, register = 1, registerDereference = 2
        /// `BPF_USDT_ARG_SIB`: only in libbpf 1.6's `usdt.bpf.h`, not in the 1.1 header.
        case scaledIndex = 3
    }

    /// How to fetch each argument.
    public var arguments: [USDTArgument]
    /// The user's cookie (`bpf_usdt_cookie()`), the same for every site of one attachment.
    public var cookie: UInt64

    /// A spec with these arguments and the user's cookie.
    public init(arguments: [USDTArgument], cookie: UInt64) {
        self.arguments = arguments
        self.cookie = cookie
    }

    /// Parses a note's argument string (see `USDTArgument.parseList`).
    public init(argumentString: String, cookie: UInt64) throws(BPFError) {
        self.init(arguments: try USDTArgument.parseList(argumentString), cookie: cookie)
    }

    /// The 208-byte little-endian map value.
    /// - Throws: `.notSupported` for a scale-index-base operand, which the BPF side of libbpf 1.1
    ///   (`usdt.bpf.h` installed here) cannot read; `.invalidArgument` for more than 12 arguments.
    public func encoded() throws(BPFError) -> [UInt8] {
        guard arguments.count <= Self.maxArguments else {
            throw .invalidArgument("a USDT spec holds at most \(Self.maxArguments) arguments, not \(arguments.count)")
        }
        var out = [UInt8](repeating: 0, count: Self.encodedSize)
        func put<T: FixedWidthInteger>(_ v: T, at offset: Int) {
            withUnsafeBytes(of: v.littleEndian) { raw in
                for (i, b) in raw.enumerated() { out[offset + i] = b }
            }
        }
        for (i, arg) in arguments.enumerated() {
            let base = i * Self.argumentSize
            let type: ArgumentType, value: UInt64, reg: Int16
            switch arg.location {
            case let .constant(v):
                (type, value, reg) = (.constant, UInt64(bitPattern: v), 0)
            case let .register(_, off):
                (type, value, reg) = (.register, 0, off)
            case let .memory(_, off, d):
                (type, value, reg) = (.registerDereference, UInt64(bitPattern: d), off)
            case .indexed:
                throw .notSupported(
                    feature: "USDT argument '\(arg)' (scale-index-base addressing)",
                    reason: "the BPF side of libbpf 1.1's usdt.bpf.h has no BPF_USDT_ARG_SIB; libbpf 1.6 added it")
            }
            put(value, at: base)
            put(type.rawValue, at: base + 8)
            put(reg, at: base + 12)
            out[base + 14] = arg.isSigned ? 1 : 0
            out[base + 15] = UInt8(64 - arg.size * 8)
        }
        put(cookie, at: Self.maxArguments * Self.argumentSize)
        put(Int16(arguments.count), at: Self.maxArguments * Self.argumentSize + 8)
        return out
    }
}
