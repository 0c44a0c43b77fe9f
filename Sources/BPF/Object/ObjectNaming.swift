/// libbpf's naming rules for objects and internal maps. `BPF_OBJ_NAME_LEN` is 16 bytes including
/// the NUL, so names hold at most 15 bytes.
public enum ObjectNaming {
    /// The longest name the kernel keeps (`BPF_OBJ_NAME_LEN - 1`).
    public static let maxNameLength = 15

    /// The object name libbpf derives from a file path (`bpf_object__new()`): the basename,
    /// truncated to 15 bytes, then cut at the first '.'. `semtest.bpf.o` → `semtest`;
    /// `my-very-long-object_name.bpf.o` → `my-very-long-ob`.
    public static func objectName(fromPath path: String) -> String {
        var base = Array(path.utf8)
        if let slash = base.lastIndex(of: UInt8(ascii: "/")) { base = Array(base[(slash + 1)...]) }
        base = Array(base.prefix(maxNameLength))
        if let dot = base.firstIndex(of: UInt8(ascii: ".")) { base = Array(base[..<dot]) }
        return String(decoding: base, as: UTF8.self)
    }

    /// A name given explicitly (libbpf's `object_name` open option): only truncated to 15 bytes.
    public static func objectName(given name: String) -> String {
        String(decoding: Array(name.utf8.prefix(maxNameLength)), as: UTF8.self)
    }

    /// libbpf's `internal_map_name()`: the kernel-visible name of the internal map backing section
    /// `sectionName` of object `objectName`.
    /// - The suffix is the section name, with max(7, its length) bytes reserved, capped at 15.
    /// - The prefix is empty for custom sections (a second '.' as in `.data.custom`), else the first
    ///   min(16 − suffix − 1, object name length) bytes of the object name.
    /// - Bytes other than ASCII letters, digits, '_' and '.' become '_'.
    ///
    /// `semtest` + `.rodata` → `semtest.rodata`; `my-very-long-ob` + `.data` → `my_very_.data`;
    /// any object + `.data.custom_long_section` → `.data.custom_lo`.
    public static func internalMapName(objectName: String, sectionName: String) -> String {
        let real = Array(sectionName.utf8)
        let obj = Array(objectName.utf8)
        let suffixLength = min(max(7, real.count), maxNameLength)
        let isCustom = real.count > 1 && real[1...].contains(UInt8(ascii: "."))
        let prefixLength = isCustom ? 0 : min(maxNameLength + 1 - suffixLength - 1, obj.count)
        var name = Array(obj.prefix(prefixLength)) + Array(real.prefix(suffixLength))
        name = Array(name.prefix(maxNameLength))
        for i in name.indices {
            let c = name[i]
            let ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
                || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
            if !ok { name[i] = UInt8(ascii: "_") }
        }
        return String(decoding: name, as: UTF8.self)
    }
}
