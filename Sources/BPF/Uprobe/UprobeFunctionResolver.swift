/// Resolves a function name to the file offset a uprobe takes, as libbpf's `elf_find_func_offset`:
///
/// - `.dynsym` is searched first, then `.symtab` (a stripped binary has only `.dynsym`, a static
///   one may have only `.symtab`); the first table with a match wins.
/// - Only defined `STT_FUNC` symbols count. The name may carry a version: `memcpy@GLIBC_2.2.5`
///   or `memcpy@@GLIBC_2.14`; a bare `memcpy` matches every version.
/// - Several matches at the same address are one function. At different addresses, a global or
///   local one wins over weak ones; two non-weak ones are ambiguous (an error, as in libbpf).
/// - The offset is the address mapped through the `PT_LOAD` segments.
///
/// Beyond libbpf, failures say why: an indirect function (`STT_GNU_IFUNC`, e.g. libc's `strlen`),
/// a symbol that the file only imports, or no such function (with close names).
public enum UprobeFunctionResolver {
    /// The function a name resolved to.
    public struct Resolution: Sendable, Hashable {
        /// The symbol chosen.
        public var symbol: ExecutableELFSymbol
        /// Its file offset (what a uprobe attaches at, before any offset into the function).
        public var fileOffset: UInt64
    }

    /// Resolves `name` in `elf` (`path` names the file in errors).
    /// - Throws: `.missing` if no function has the name, `.invalidArgument` if it is ambiguous,
    ///   an indirect function, only imported, or at an address outside the file's segments.
    public static func resolve(_ name: String, in elf: ExecutableELF, path: String) throws(BPFError) -> Resolution {
        guard !name.isEmpty else { throw .invalidArgument("empty function name for a uprobe on \(path)") }
        let matches = try elf.symbols(named: name)
        for table in [ExecutableELFSymbolTable.dynsym, .symtab] {
            var best: ExecutableELFSymbol?
            for s in matches where s.table == table && s.type == .function && s.isDefined {
                guard let current = best else { best = s; continue }
                if current.value == s.value { continue }
                if current.binding != .weak && s.binding != .weak {
                    throw .invalidArgument(
                        "ambiguous function '\(name)' in \(path): \(current.versionedName) at 0x\(hex(current.value)) and \(s.versionedName) at 0x\(hex(s.value)) (\(table)); name a version (NAME@VERSION) or give an offset")
                }
                if s.binding != .weak { best = s }  // a non-weak one replaces a weak one
            }
            guard let chosen = best else { continue }
            guard chosen.value != 0 else {
                throw .invalidArgument("function '\(name)' has address 0 in \(table) of \(path)" +
                    (elf.fileType == .sharedObject ? " (a shared library's functions are never at 0)" : "; try the shared library that defines it instead"))
            }
            guard let offset = elf.fileOffset(of: chosen) else {
                throw .invalidArgument("function '\(name)' at 0x\(hex(chosen.value)) in \(path) lies outside every PT_LOAD segment")
            }
            return Resolution(symbol: chosen, fileOffset: offset)
        }
        if let ifunc = matches.first(where: { $0.type == .gnuIndirectFunction && $0.isDefined }) {
            throw .invalidArgument(
                "'\(ifunc.versionedName)' in \(path) is an indirect function (STT_GNU_IFUNC): its address is the resolver the dynamic linker runs once to pick an implementation, not the function that runs; probe an implementation (e.g. __\(ifunc.name)_avx2, __\(ifunc.name)_sse2, by name if the file has them, or by offset)")
        }
        if let imported = matches.first(where: { !$0.isDefined }) {
            throw .invalidArgument(
                "function '\(imported.versionedName)' is not defined in \(path), only imported from a shared library; attach to the library that defines it (e.g. libc.so.6)")
        }
        if let other = matches.first(where: { $0.isDefined }) {
            throw .invalidArgument("'\(other.versionedName)' in \(path) is not a function (symbol type \(other.type.rawValue))")
        }
        let close = (try? closeNames(to: name, in: elf)) ?? []
        throw .missing("function '\(name)' in \(path) (searched .dynsym and .symtab)" + (close.isEmpty ? "" : "; close names: " + close.joined(separator: ", ")))
    }

    /// Up to `limit` defined function names that look like `name`: containing it (ignoring case),
    /// or within two edits of it.
    public static func closeNames(to name: String, in elf: ExecutableELF, limit: Int = 5) throws(BPFError) -> [String] {
        let wanted = ExecutableELFSymbolQuery(name).name
        let lower = Array(wanted.lowercased().utf8)
        var contains: [String] = []
        var near: [(Int, String)] = []
        for candidate in try elf.functionNames() {
            let c = Array(candidate.lowercased().utf8)
            if lower.count >= 3, c.count > lower.count, c.firstRange(of: lower) != nil {
                contains.append(candidate)
            } else if abs(c.count - lower.count) <= 2, let d = editDistance(lower, c, limit: 2) {
                near.append((d, candidate))
            }
        }
        let ordered = near.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map(\.1)
            + contains.sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }
        return Array(ordered.prefix(limit))
    }

    /// Levenshtein distance, or nil if it exceeds `limit`.
    static func editDistance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int? {
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            current[0] = i
            var rowMin = current[0]
            for j in 1..<(b.count + 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                rowMin = min(rowMin, current[j])
            }
            if rowMin > limit { return nil }
            swap(&previous, &current)
        }
        let d = a.isEmpty ? b.count : previous[b.count]
        return d <= limit ? d : nil
    }

    static func hex(_ v: UInt64) -> String { String(v, radix: 16) }
}
