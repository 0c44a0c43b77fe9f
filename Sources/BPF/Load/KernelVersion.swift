/// `kern_version` for `BPF_PROG_LOAD`, as libbpf's `get_kernel_version()` computes it from the
/// running kernel's release: `KERNEL_VERSION(major, minor, min(patch, 255))`.
enum KernelVersion {
    static func encode(release: String) -> UInt32 {
        let numbers = release.split(whereSeparator: { !$0.isNumber }).prefix(3).map { UInt32($0) ?? 0 }
        let major = numbers.count > 0 ? numbers[0] : 0
        let minor = numbers.count > 1 ? numbers[1] : 0
        let patch = numbers.count > 2 ? min(numbers[2], 255) : 0
        return major << 16 + minor << 8 + patch
    }

    /// The running kernel's `kern_version`.
    static let running: UInt32 = encode(release: Syscalls.kernelRelease())
}
