import Glibc

/// An open-addressing hash table from names to type ids, over one BTF blob's own types.
///
/// Keys are hashed by their *essential* name (libbpf's CO-RE flavour rule: `task_struct___v2`
/// hashes like `task_struct`), so the same table answers exact-name lookups and CO-RE candidate
/// searches. Slots hold type ids (0 = empty); names are compared against the string section, so
/// the table costs 4 bytes per slot and stores no strings.
struct BTFNameIndex: Sendable {
    let slots: [UInt32]
    let mask: Int

    init(_ btf: BTF) {
        let storage = btf.storage
        let firstID = btf.firstID
        var named = 0
        btf.forEachRecord { _, off in if storage.u32(off) != 0 { named += 1 } }
        var capacity = 16
        // Load factor at most 2/3: for vmlinux (71k named types) 128 Ki slots, 512 KiB.
        while capacity < named + named / 2 { capacity <<= 1 }
        let mask = capacity - 1
        var slots = [UInt32](repeating: 0, count: capacity)
        slots.withUnsafeMutableBufferPointer { table in
            btf.forEachRecord { k, off in
                let n = storage.u32(off)
                if n == 0 { return }
                let bytes = btf.stringBytes(at: n)
                if bytes.isEmpty { return }
                var i = Int(Self.essentialHash(bytes)) & mask
                while table[i] != 0 { i = (i + 1) & mask }
                table[i] = firstID + UInt32(k)
            }
        }
        self.slots = slots
        self.mask = mask
    }

    /// FNV-1a over the bytes.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var h: UInt32 = 0x811c_9dc5
        for b in bytes {
            h = (h ^ UInt32(b)) &* 0x0100_0193
        }
        return h
    }

    /// `hash(BTFName.essential(bytes))`, in one pass for names without `___`.
    @inline(__always)
    static func essentialHash(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var h: UInt32 = 0x811c_9dc5
        var run = 0
        var separator = false
        for b in bytes {
            h = (h ^ UInt32(b)) &* 0x0100_0193
            if b == 0x5f {
                run += 1
                if run == 3 { separator = true }
            } else {
                run = 0
            }
        }
        return separator ? hash(BTFName.essential(bytes)) : h
    }

    /// Ids whose name (essential or full, per `essential`) equals `query`, ascending.
    func lookup(_ query: UnsafeRawBufferPointer, essential: Bool, in btf: BTF, into found: inout [UInt32]) {
        let key = BTFName.essential(query)
        let wanted = essential ? key : query
        var i = Int(Self.hash(key)) & mask
        let start = found.count
        slots.withUnsafeBufferPointer { table in
            while true {
                let id = table[i]
                if id == 0 { break }
                var name = btf.stringBytes(at: btf.nameOffset(of: id))
                if essential { name = BTFName.essential(name) }
                if BTFName.bytesEqual(name, wanted) { found.append(id) }
                i = (i + 1) & mask
            }
        }
        if found.count - start > 1 { found[start...].sort() }
    }
}

/// Name rules shared by CO-RE and the C dumper.
public enum BTFName {
    /// The essential name of a CO-RE type, field or enumerator name: the name up to its last
    /// `___` flavour separator that has a non-`_` character on both sides (libbpf's
    /// `bpf_core_essential_name_len`). `task_struct___v2` → `task_struct`; names without a
    /// separator are unchanged.
    public static func essentialName(_ name: String) -> String {
        var name = name
        return name.withUTF8 { buf in
            String(decoding: essential(UnsafeRawBufferPointer(buf)), as: UTF8.self)
        }
    }

    /// Whether two names' bytes are equal.
    @inline(__always)
    static func bytesEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
    }

    /// The essential prefix of `bytes` (see `essentialName`).
    static func essential(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let n = bytes.count
        guard n >= 5 else { return bytes }
        let u = UInt8(ascii: "_")
        var i = n - 5
        while i >= 0 {
            if bytes[i] != u, bytes[i + 1] == u, bytes[i + 2] == u, bytes[i + 3] == u, bytes[i + 4] != u {
                return UnsafeRawBufferPointer(rebasing: bytes[0...i])
            }
            i -= 1
        }
        return bytes
    }
}

extension BTF {
    /// The name index, built on first use (thread-safe).
    var names: BTFNameIndex {
        nameIndex.locked { index in
            if let index { return index }
            let built = BTFNameIndex(self)
            index = built
            return built
        }
    }

    /// Ids of every type named exactly `name`, ascending (base types first for split BTF).
    public func typeIDs(named name: String) -> [UInt32] {
        var name = name
        return name.withUTF8 { lookup(UnsafeRawBufferPointer($0), essential: false) }
    }

    /// The first type named `name` of the given kind, or nil.
    public func typeID(named name: String, kind: BTFKind) -> UInt32? {
        typeIDs(named: name).first { self.kind(of: $0) == kind }
    }

    /// Ids of every type whose essential name equals `name`'s essential name, ascending:
    /// CO-RE candidates (`task_struct___old` finds `task_struct`). Filter by kind as needed.
    public func typeIDs(essentialName name: String) -> [UInt32] {
        var name = name
        return name.withUTF8 { lookup(UnsafeRawBufferPointer($0), essential: true) }
    }

    private func lookup(_ query: UnsafeRawBufferPointer, essential: Bool) -> [UInt32] {
        var result: [UInt32] = []
        if !query.isEmpty { collect(query, essential: essential, into: &result) }
        return result
    }

    private func collect(_ query: UnsafeRawBufferPointer, essential: Bool, into result: inout [UInt32]) {
        base?.collect(query, essential: essential, into: &result)
        guard let scanned = scannedIDs(essentialOf: query) else {
            names.lookup(query, essential: essential, in: self, into: &result)
            return
        }
        // The scan matched essential names; an exact lookup keeps the ids named exactly `query`.
        for id in scanned {
            if essential || BTFName.bytesEqual(stringBytes(at: nameOffset(of: id)), query) { result.append(id) }
        }
    }

}
