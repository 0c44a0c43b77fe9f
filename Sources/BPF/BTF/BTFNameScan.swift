import Glibc

/// Name lookups answered by one pass over the types instead of the full name index.
///
/// Loading an object asks vmlinux BTF for a handful of names: the root types of its CO-RE
/// relocations, its ksyms and kfuncs, its attach targets. Hashing all ~70,000 named kernel types
/// into `BTFNameIndex` costs about 5 ms and 512 KiB; one scan that compares each type's name with
/// those few costs a fraction of that and keeps only the answers. A name that was not scanned for
/// still builds the index on first lookup, so results never depend on what was prepared.
extension BTF {
    /// Looks up every name of `names` (by essential name, which covers exact-name lookups too)
    /// in one pass over this BTF's own types, and in its base, and keeps the results for
    /// `typeIDs(named:)`, `typeID(named:kind:)` and `typeIDs(essentialName:)`. Names already
    /// scanned cost nothing; once the full name index exists this does nothing.
    public func prepareLookups(of names: some Sequence<String>) {
        let names = Array(names)  // read twice: for the base and for this BTF
        base?.prepareLookups(of: names)
        if nameIndex.locked({ $0 != nil }) { return }
        let known = scannedNames.locked { $0 }
        var wanted: [String: [UInt8]] = [:]
        for name in names where !name.isEmpty {
            let key = BTFName.essentialName(name)
            if known[key] == nil { wanted[key] = Array(key.utf8) }
        }
        if wanted.isEmpty { return }
        let found = BTFNameScan.scan(self, for: Array(wanted.values))
        scannedNames.locked { scanned in
            for (key, bytes) in wanted { scanned[key] = found[bytes] ?? [] }
        }
    }

    /// Ids of this BTF's own types whose essential name is `query`'s, if a scan looked for it.
    func scannedIDs(essentialOf query: UnsafeRawBufferPointer) -> [UInt32]? {
        let key = String(decoding: BTFName.essential(query), as: UTF8.self)
        return scannedNames.locked { $0[key] }
    }
}

/// The single pass behind `BTF.prepareLookups(of:)`.
enum BTFNameScan {
    /// Ids of `btf`'s own types whose essential name equals one of `names` (essential names),
    /// ascending, keyed by name.
    static func scan(_ btf: BTF, for names: [[UInt8]]) -> [[UInt8]: [UInt32]] {
        // A type is compared only if its name starts with a byte some wanted name starts with.
        var firstBytes = [Bool](repeating: false, count: 256)
        for n in names { firstBytes[Int(n[0])] = true }
        var found: [[UInt8]: [UInt32]] = [:]
        let storage = btf.storage
        let localStrings = btf.stringOffsetBase
        let stringEnd = btf.stringOffsetBase + UInt32(btf.stringLength)
        btf.forEachRecord { k, off in
            let nameOff = storage.u32(off)
            guard nameOff != 0 else { return }
            if nameOff >= localStrings {
                // Own string: peek at the first byte before decoding the name.
                guard nameOff < stringEnd,
                      firstBytes[Int(storage.u8(btf.stringStart + Int(nameOff - localStrings)))] else { return }
            }
            let full = btf.stringBytes(at: nameOff)
            guard let first = full.first, firstBytes[Int(first)] else { return }
            let name = BTFName.essential(full)
            if let wanted = names.first(where: { w in w.withUnsafeBytes { BTFName.bytesEqual($0, name) } }) {
                found[wanted, default: []].append(btf.firstID + UInt32(k))
            }
        }
        return found
    }
}
