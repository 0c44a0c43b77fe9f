/// What a cached CO-RE result is valid for: one boot of the kernel (vmlinux BTF cannot change
/// while the kernel runs), the size of that BTF (a second check of the same), and a digest of
/// everything the relocations read from the object: its BTF, its `.BTF.ext`, and the place and
/// instructions of every relocated function, in the order the loader relocates them (the
/// candidate lists it prunes make results depend on that order), and the version of this
/// library's relocation rules.
struct CORECacheKey: Hashable, Sendable {
    /// Changes whenever the relocator could compute a different result or the file layout
    /// changes: files written by other versions are then ignored (and replaced).
    static let rulesVersion: UInt64 = 1

    /// The kernel's boot id (`/proc/sys/kernel/random/boot_id`, without the newline).
    var bootID: [UInt8]
    /// The size of `/sys/kernel/btf/vmlinux`.
    var kernelBTFSize: UInt64
    /// The digest of the object's relocation inputs.
    var objectDigest: COREInputHash

    /// The file name of this key's cache file: the digest in hex.
    var fileName: String { objectDigest.hex }
}
