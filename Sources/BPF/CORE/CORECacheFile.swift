/// The contents of one CO-RE cache file: the key it was computed for, and per relocated function
/// (by ELF section and first instruction) the instructions after CO-RE and the results.
///
/// The codec is pure. `decode` treats its input as untrusted: anything short, long, malformed or
/// of another format version gives nil, never a trap, and it allocates no more than the input's
/// size justifies. Little-endian layout:
///
///     "SWBPFCR" 0x01, rules version u64, boot id (u16 length, bytes), vmlinux BTF size u64,
///     digest u64 u64, function count u32, then per function:
///     section (u16 length, UTF-8), first instruction u32, instruction count u32, 8 bytes per
///     instruction, result count u32, then per result: instruction index u32, kind u32, local
///     type id u32, access string, local spec, [u8 flag, target spec], original value u64,
///     new value u64, poisoned u8, [u8 flag, size from u32], [u8 flag, size to u32]
struct CORECacheFile: Hashable, Sendable {
    /// One relocated function.
    struct Function: Hashable, Sendable {
        /// Its ELF section, as `.BTF.ext` names it.
        var section: String
        /// Its first instruction within the section.
        var offset: Int
        /// Its instructions after CO-RE.
        var instructions: [Instruction]
        /// What each applied relocation did.
        var results: [CORERelocationResult]
    }

    var key: CORECacheKey
    var functions: [Function]

    static let magic: [UInt8] = Array("SWBPFCR".utf8) + [1]
    /// Longest string stored (section names, access strings, specs).
    static let maximumStringLength = Int(UInt16.max)
    /// Largest boot id accepted (the kernel's has 36 bytes).
    static let maximumBootIDLength = 64

    /// The file's bytes. Strings longer than `maximumStringLength` cannot be stored: nil.
    func encoded() -> [UInt8]? {
        var w = Writer()
        w.bytes(Self.magic)
        w.u64(CORECacheKey.rulesVersion)
        guard key.bootID.count <= Self.maximumBootIDLength else { return nil }
        w.u16(UInt16(key.bootID.count))
        w.bytes(key.bootID)
        w.u64(key.kernelBTFSize)
        w.u64(key.objectDigest.first)
        w.u64(key.objectDigest.second)
        w.u32(UInt32(functions.count))
        for f in functions {
            guard w.string(f.section), f.offset >= 0, f.offset <= Int(UInt32.max) else { return nil }
            w.u32(UInt32(f.offset))
            w.u32(UInt32(f.instructions.count))
            for insn in f.instructions { w.bytes(insn.bytes) }
            w.u32(UInt32(f.results.count))
            for r in f.results {
                guard r.instructionIndex >= 0, r.instructionIndex <= Int(UInt32.max) else { return nil }
                w.u32(UInt32(r.instructionIndex))
                w.u32(r.kind.rawValue)
                w.u32(r.localTypeID)
                guard w.string(r.accessString), w.string(r.localSpec) else { return nil }
                w.u8(r.targetSpec == nil ? 0 : 1)
                if let t = r.targetSpec { guard w.string(t) else { return nil } }
                w.u64(UInt64(bitPattern: r.originalValue))
                w.u64(UInt64(bitPattern: r.newValue))
                w.u8(r.poisoned ? 1 : 0)
                for size in [r.memorySizeFrom, r.memorySizeTo] {
                    w.u8(size == nil ? 0 : 1)
                    if let size {
                        guard size >= 0, size <= Int(UInt32.max) else { return nil }
                        w.u32(UInt32(size))
                    }
                }
            }
        }
        return w.out
    }

    /// The file `bytes` encode, or nil if they are not exactly one well-formed file of this format.
    static func decode(_ bytes: [UInt8]) -> CORECacheFile? {
        var r = Reader(bytes: bytes)
        guard r.take(magic.count).map({ Array($0) }) == magic, r.u64() == CORECacheKey.rulesVersion,
              let bootLength = r.u16(), Int(bootLength) <= maximumBootIDLength, let boot = r.take(Int(bootLength)),
              let size = r.u64(), let first = r.u64(), let second = r.u64(), let functionCount = r.u32()
        else { return nil }
        let key = CORECacheKey(bootID: Array(boot), kernelBTFSize: size,
                               objectDigest: COREInputHash(first: first, second: second))
        var functions: [Function] = []
        for _ in 0..<functionCount {
            // Each function takes at least 14 bytes and each result 36: no count can ask for more than the input holds.
            guard r.remaining >= 14, let section = r.string(), let offset = r.u32(), let count = r.u32(),
                  UInt64(count) * 8 <= UInt64(r.remaining), let code = r.take(Int(count) * 8) else { return nil }
            var instructions: [Instruction] = []
            instructions.reserveCapacity(Int(count))
            var at = code.startIndex
            while at < code.endIndex {
                instructions.append(Instruction(bytes: code[at..<at + 8]))
                at += 8
            }
            guard let resultCount = r.u32() else { return nil }
            var results: [CORERelocationResult] = []
            for _ in 0..<resultCount {
                guard r.remaining >= 36, let result = r.result(), result.instructionIndex < instructions.count else { return nil }
                results.append(result)
            }
            functions.append(Function(section: section, offset: Int(offset), instructions: instructions, results: results))
        }
        guard r.remaining == 0 else { return nil }
        return CORECacheFile(key: key, functions: functions)
    }

    private struct Writer {
        var out: [UInt8] = []
        mutating func bytes(_ b: [UInt8]) { out += b }
        mutating func u8(_ v: UInt8) { out.append(v) }
        mutating func u16(_ v: UInt16) { out += [UInt8(v & 0xff), UInt8(v >> 8)] }
        mutating func u32(_ v: UInt32) { for i in 0..<4 { out.append(UInt8((v >> (8 * UInt32(i))) & 0xff)) } }
        mutating func u64(_ v: UInt64) { for i in 0..<8 { out.append(UInt8((v >> (8 * UInt64(i))) & 0xff)) } }
        /// False if `s` is too long to store.
        mutating func string(_ s: String) -> Bool {
            let utf8 = Array(s.utf8)
            guard utf8.count <= CORECacheFile.maximumStringLength else { return false }
            u16(UInt16(utf8.count))
            out += utf8
            return true
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0
        var remaining: Int { bytes.count - at }

        mutating func take(_ n: Int) -> ArraySlice<UInt8>? {
            guard n >= 0, n <= remaining else { return nil }
            defer { at += n }
            return bytes[at..<at + n]
        }
        mutating func u8() -> UInt8? { take(1)?.first }
        mutating func u16() -> UInt16? { number(2).map { UInt16($0) } }
        mutating func u32() -> UInt32? { number(4).map { UInt32($0) } }
        mutating func u64() -> UInt64? { number(8) }
        mutating func number(_ n: Int) -> UInt64? {
            guard let b = take(n) else { return nil }
            return b.reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
        mutating func flag() -> Bool? {
            switch u8() {
            case 0?: false
            case 1?: true
            default: nil
            }
        }
        mutating func string() -> String? {
            guard let n = u16(), let b = take(Int(n)) else { return nil }
            return String(validating: b, as: UTF8.self)
        }
        mutating func result() -> CORERelocationResult? {
            guard let index = u32(), let rawKind = u32(), let kind = CORERelocationKind(rawValue: rawKind),
                  let typeID = u32(), let access = string(), let localSpec = string(), let hasTarget = flag()
            else { return nil }
            var targetSpec: String?
            if hasTarget {
                guard let t = string() else { return nil }
                targetSpec = t
            }
            guard let original = u64(), let new = u64(), let poisoned = flag() else { return nil }
            var sizes: [Int?] = []
            for _ in 0..<2 {
                guard let has = flag() else { return nil }
                if has {
                    guard let v = u32() else { return nil }
                    sizes.append(Int(v))
                } else {
                    sizes.append(nil)
                }
            }
            return CORERelocationResult(
                instructionIndex: Int(index), kind: kind, localTypeID: typeID, accessString: access,
                localSpec: localSpec, targetSpec: targetSpec, originalValue: Int64(bitPattern: original),
                newValue: Int64(bitPattern: new), poisoned: poisoned, memorySizeFrom: sizes[0], memorySizeTo: sizes[1])
        }
    }
}
