/// Where a `__ksym` extern or kfunc was found in kernel BTF (libbpf's
/// `bpf_object__resolve_ksyms_btf_id()`).
public struct KsymResolution: Hashable, Sendable {
    /// The extern's name.
    public var name: String
    /// The kernel BTF id of the VAR (typed ksym) or FUNC (kfunc).
    public var btfID: UInt32
    /// Index into the module BTFs passed to `resolveKsyms`, or nil for vmlinux. A kfunc in a module
    /// needs that module's BTF fd in `fd_array` and its index in the call's `off`.
    public var moduleIndex: Int?

    /// The kernel symbol `name` found as BTF id `btfID` (in module `moduleIndex`, nil for vmlinux).
    public init(name: String, btfID: UInt32, moduleIndex: Int?) {
        self.name = name
        self.btfID = btfID
        self.moduleIndex = moduleIndex
    }
}

extension ObjectSpec {
    /// Resolves typed ksyms and kfuncs against kernel BTF as libbpf does:
    /// - a typed ksym by its name as a VAR, a kfunc by its essential name as a FUNC; vmlinux first,
    ///   then each module's own types (`modules` is called only if needed);
    /// - the local type must be compatible with the kernel's (`bpf_core_types_are_compat`: the
    ///   VAR's type after modifiers, the kfunc's FUNC_PROTO);
    /// - a weak extern that is missing (or, for kfuncs, incompatible) is left out of the result;
    ///   a strong one is an error.
    /// Typeless ksyms (type 0) are not here: see `resolveTypelessKsyms(kallsyms:)`.
    /// - Returns: resolutions by extern name.
    public func resolveKsyms(vmlinux: BTF, modules: () throws(BPFError) -> [BTF]) throws(BPFError) -> [String: KsymResolution] {
        var result: [String: KsymResolution] = [:]
        var loadedModules: [BTF]?
        guard let btf else { return result }
        for ext in externs {
            guard case let .ksym(localType, isFunction) = ext.kind, localType != 0 else { continue }
            let kind: BTFKind = isFunction ? .func : .var
            let lookup = isFunction ? ext.essentialName : ext.name
            var found: (btf: BTF, id: UInt32, module: Int?)?
            if let id = vmlinux.typeID(named: lookup, kind: kind) {
                found = (vmlinux, id, nil)
            } else {
                if loadedModules == nil { loadedModules = try modules() }
                for (i, m) in (loadedModules ?? []).enumerated() {
                    if let id = m.typeIDs(named: lookup).first(where: { $0 >= m.firstID && m.kind(of: $0) == kind }) {
                        found = (m, id, i)
                        break
                    }
                }
            }
            guard let found else {
                if ext.isWeak { continue }
                throw BPFError.missing(isFunction
                    ? "extern (func ksym) '\(ext.name)': not found in kernel or module BTFs"
                    : "extern (var ksym) '\(ext.name)': not found in kernel BTF")
            }
            let target = try found.btf.type(found.id)
            let targetType = isFunction ? target.sizeOrType : try found.btf.resolved(target.sizeOrType)
            let compatible: Bool
            do {
                compatible = try CORETypeRules.typesAreCompatible(local: btf, localType, target: found.btf, targetType)
            } catch {
                compatible = false
            }
            guard compatible else {
                if isFunction && ext.isWeak { continue }
                throw BPFError.invalidArgument(isFunction
                    ? "extern (func ksym) '\(ext.name)': func_proto [\(localType)] incompatible with \(found.module.map { "module #\($0)" } ?? "vmlinux") [\(targetType)]"
                    : "extern (var ksym) '\(ext.name)': incompatible types, expected [\(localType)] \(btf.name(of: localType)), but kernel has [\(targetType)] \(found.btf.name(of: targetType))")
            }
            result[ext.name] = KsymResolution(name: ext.name, btfID: found.id, moduleIndex: found.module)
        }
        return result
    }

    /// Addresses of the ksym variables from `/proc/kallsyms` text (libbpf's `kallsyms_cb`): lines
    /// `address type name [module]`; a `d` symbol with an `.llvm.` suffix matches the name before
    /// it. The same name at two addresses is an error. Unknown names are ignored.
    /// A strong typeless ksym (type 0) missing from the result is an error at load.
    public func resolveTypelessKsyms(kallsyms: String) throws(BPFError) -> [String: UInt64] {
        let wanted = Set(externs.compactMap { e -> String? in
            guard case let .ksym(_, isFunction) = e.kind, !isFunction else { return nil }
            return e.name
        })
        guard !wanted.isEmpty else { return [:] }
        var result: [String: UInt64] = [:]
        for line in kallsyms.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true)
            guard fields.count >= 3, let addr = UInt64(fields[0], radix: 16), fields[1].count == 1 else {
                throw BPFError.malformedObject("failed to read kallsyms entry '\(line)'")
            }
            var name = String(fields[2].prefix(499))
            if fields[1] == "d", let cut = Self.indexOf(".llvm.", in: name) { name = String(name.utf8.prefix(cut))! }
            guard wanted.contains(name) else { continue }
            if let previous = result[name], previous != addr {
                throw BPFError.invalidArgument(
                    "extern (ksym) '\(name)': resolution is ambiguous: 0x\(String(previous, radix: 16)) or 0x\(String(addr, radix: 16))")
            }
            result[name] = addr
        }
        return result
    }

    /// The byte offset of the first `needle` in `haystack` (`strstr`).
    static func indexOf(_ needle: String, in haystack: String) -> Int? {
        let h = Array(haystack.utf8), n = Array(needle.utf8)
        guard n.count <= h.count else { return nil }
        for i in 0...(h.count - n.count) where h[i..<i + n.count].elementsEqual(n) { return i }
        return nil
    }
}
