import Synchronization

extension BTF {
    /// Where the running kernel publishes its own BTF.
    public static let kernelPath = "/sys/kernel/btf/vmlinux"

    private static let kernelCache = Mutex<BTF?>(nil)

    /// The running kernel's BTF (`/sys/kernel/btf/vmlinux`), loaded once per process on first
    /// success and shared afterwards (thread-safe). Failures are not cached, so a later call
    /// retries.
    public static func kernel() throws(BPFError) -> BTF {
        try kernelCache.locked { (cached: inout BTF?) throws(BPFError) -> BTF in
            if let cached { return cached }
            let loaded = try load(path: kernelPath)
            cached = loaded
            return loaded
        }
    }

    /// Loads BTF from a file: mapped read-only when the file supports mmap (vmlinux BTF does on
    /// recent kernels), read into memory otherwise. `base` is the BTF a module's split BTF
    /// builds on (e.g. `BTF.kernel()` for `/sys/kernel/btf/<module>`).
    public static func load(path: String, base: BTF? = nil) throws(BPFError) -> BTF {
        if let mapped = try? MappedFile(path: path) {
            return try BTF(mapped: mapped, base: base)
        }
        return try BTF(bytes: Syscalls.readFile(path), base: base)
    }
}
