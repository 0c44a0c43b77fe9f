/// In-place edits of a BTF blob, for the loader's fix-ups before `BPF_BTF_LOAD` (libbpf's
/// `btf_fixup_datasec` and linkage changes). Record sizes never change, so every edit rewrites
/// bytes of a private copy at the record's offset; `bytes` is the result, `btf()` re-parses it.
///
/// Only the blob's own types can be edited (for split BTF, not the base's).
public struct BTFPatch: Sendable {
    /// The edited blob.
    public private(set) var bytes: [UInt8]
    private let original: BTF

    /// Starts from a copy of `btf.bytes`.
    public init(_ btf: BTF) {
        original = btf
        bytes = btf.bytes
    }

    /// The edited blob, parsed (with the original's base, if any).
    public func btf() throws(BPFError) -> BTF {
        try BTF(bytes: bytes, base: original.base)
    }

    /// Sets the `size` of DATASEC `id` (clang leaves 0; libbpf puts the ELF section size).
    public mutating func setDataSecSize(_ id: UInt32, to size: UInt32) throws(BPFError) {
        let off = try record(id, .dataSec)
        store(size, at: off + 8)
    }

    /// Sets the `offset` of entry `index` of DATASEC `id`.
    public mutating func setDataSecEntryOffset(_ id: UInt32, index: Int, to offset: UInt32) throws(BPFError) {
        let e = try entry(id, index)
        store(offset, at: e + 4)
    }

    /// Sets the `size` of entry `index` of DATASEC `id`.
    public mutating func setDataSecEntrySize(_ id: UInt32, index: Int, to size: UInt32) throws(BPFError) {
        let e = try entry(id, index)
        store(size, at: e + 8)
    }

    /// Sets the variable (`type`) of entry `index` of DATASEC `id`.
    public mutating func setDataSecEntryType(_ id: UInt32, index: Int, to type: UInt32) throws(BPFError) {
        let e = try entry(id, index)
        store(type, at: e)
    }

    /// Sorts the entries of DATASEC `id` by offset (stable), as libbpf does after fixing offsets.
    public mutating func sortDataSecEntries(_ id: UInt32) throws(BPFError) {
        let off = try record(id, .dataSec)
        let vlen = Int(load(off + 4) & 0xffff)
        let body = off + BTF.recordHeaderSize
        var entries: [(UInt32, UInt32, UInt32)] = []
        for i in 0..<vlen {
            let e = body + 12 * i
            entries.append((load(e), load(e + 4), load(e + 8)))
        }
        let sorted = entries.enumerated().sorted { a, b in
            a.element.1 != b.element.1 ? a.element.1 < b.element.1 : a.offset < b.offset
        }
        for (i, item) in sorted.enumerated() {
            let e = body + 12 * i
            store(item.element.0, at: e)
            store(item.element.1, at: e + 4)
            store(item.element.2, at: e + 8)
        }
    }

    /// Sets the linkage of VAR `id` (`btf_var.linkage`).
    public mutating func setVarLinkage(_ id: UInt32, to linkage: BTFLinkage) throws(BPFError) {
        let off = try record(id, .var)
        store(linkage.rawValue, at: off + BTF.recordHeaderSize)
    }

    /// Sets the type of VAR `id` (libbpf makes `.ksyms` variables `int`).
    public mutating func setVarType(_ id: UInt32, to type: UInt32) throws(BPFError) {
        let off = try record(id, .var)
        store(type, at: off + 8)
    }

    /// Sets the linkage of FUNC `id`, which lives in `vlen` (bits 0–15 of `info`).
    public mutating func setFuncLinkage(_ id: UInt32, to linkage: BTFLinkage) throws(BPFError) {
        guard linkage.rawValue <= 0xffff else { throw .invalidArgument("FUNC linkage \(linkage.rawValue) does not fit vlen") }
        let off = try record(id, .func)
        let info = load(off + 4)
        store(info & 0xffff_0000 | linkage.rawValue, at: off + 4)
    }

    // MARK: - Raw access

    private func record(_ id: UInt32, _ kind: BTFKind) throws(BPFError) -> Int {
        guard id >= original.firstID, let (owner, off) = original.locate(id), owner === original else {
            throw .invalidArgument("type id \(id) is not one of this BTF's own types")
        }
        guard let k = original.kind(of: id), k == kind else {
            throw .invalidArgument("type [\(id)] is \(original.kindDescription(id)), not \(kind)")
        }
        return off
    }

    private func entry(_ id: UInt32, _ index: Int) throws(BPFError) -> Int {
        let off = try record(id, .dataSec)
        let vlen = Int(load(off + 4) & 0xffff)
        guard index >= 0, index < vlen else {
            throw .invalidArgument("DATASEC [\(id)] has \(vlen) entries, no entry \(index)")
        }
        return off + BTF.recordHeaderSize + 12 * index
    }

    private func load(_ offset: Int) -> UInt32 {
        bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
    }

    private mutating func store(_ value: UInt32, at offset: Int) {
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt32.self) }
    }
}
