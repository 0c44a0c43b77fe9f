/// The hash the kernel program keys exec argument conditions by (`guard_args`): FNV-1a, 64 bits,
/// over the argument's bytes (GUARD_FNV_OFFSET and GUARD_FNV_PRIME in guard.h).
public enum GuardArgumentHash {
    public static func of(_ argument: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in argument.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return h
    }
}
