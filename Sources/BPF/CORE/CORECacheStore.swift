/// The per-boot cache of CO-RE results on disk (`LoadOptions.coreCacheDirectory`), one file per
/// object and set of loaded programs, named by `CORECacheKey.fileName`.
///
/// Everything here is best effort: a directory that cannot be made private (not root, /run
/// read-only or not ours), a file that is missing, foreign, short or malformed, or a failed
/// write only means relocating as without a cache, with a debug message in `BPFLog`.
struct CORECacheStore: Sendable {
    /// Where the cache files are: a directory of mode 0700 owned by the user, made on first write.
    let directory: String

    static let bootIDPath = "/proc/sys/kernel/random/boot_id"
    /// Far above any file the loader writes (a few KiB per object).
    static let maximumFileSize = 16 << 20

    /// The key for an object with relocation-input digest `digest` on the running kernel, nil if
    /// the boot id or the kernel BTF's size cannot be read, or if this user is not root (the
    /// cache is for root's loads; another user's loads do without it).
    static func key(digest: COREInputHash) -> CORECacheKey? {
        guard Syscalls.effectiveUserID == 0 else {
            BPFLog.log(.debug, "CO-RE cache: not root, relocating without it")
            return nil
        }
        guard let raw = try? Syscalls.readFile(bootIDPath) else { return nil }
        let bootID = Array(raw.prefix { $0 != 0x0a })
        guard !bootID.isEmpty, bootID.count <= CORECacheFile.maximumBootIDLength,
              let size = Syscalls.fileSize(BTF.kernelPath) else { return nil }
        return CORECacheKey(bootID: bootID, kernelBTFSize: size, objectDigest: digest)
    }

    /// The cached results for `key`, if a well-formed file for exactly this key is there.
    func load(_ key: CORECacheKey) -> CORECacheFile? {
        let path = directory + "/" + key.fileName
        let bytes: [UInt8]
        do {
            bytes = try Syscalls.readPrivateFile(path, maximumSize: Self.maximumFileSize)
        } catch {
            BPFLog.log(.debug, "CO-RE cache: no usable file \(path): \(error)")
            return nil
        }
        guard let file = CORECacheFile.decode(bytes), file.key == key else {
            BPFLog.log(.debug, "CO-RE cache: ignoring \(path): malformed or for another kernel or object")
            return nil
        }
        return file
    }

    /// Writes `file` under its key's name, replacing any file there.
    func save(_ file: CORECacheFile) {
        guard let bytes = file.encoded() else { return }
        do {
            try Syscalls.makePrivateDirectory(directory)
            try Syscalls.replaceFile(directory + "/" + file.key.fileName, with: bytes)
        } catch {
            BPFLog.log(.debug, "CO-RE cache: not written: \(error)")
        }
    }
}
