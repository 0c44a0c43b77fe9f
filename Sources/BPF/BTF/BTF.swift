import Synchronization

/// Parsed BTF (BPF Type Format): a lazily decoded view of a BTF blob.
///
/// Parsing validates the header (`struct btf_header`), the bounds of the type and string
/// sections, every type record's size, every name offset and every referenced type id, and
/// builds an index from type id to record offset. Records are decoded only when asked for
/// (`type(_:)`). Name lookups use a hash index built once, on first use.
///
/// Split BTF (a kernel module's BTF on top of vmlinux) is supported with `init(bytes:base:)`:
/// type ids continue after the base's last id, and string offsets at or past the base's string
/// section length index the split BTF's own strings.
///
/// Only little-endian BTF is accepted (the BPF targets this library loads for are little-endian).
public final class BTF: Sendable {
    /// `BTF_MAGIC`.
    public static let magic: UInt16 = 0xEB9F
    /// `BTF_VERSION`.
    public static let version: UInt8 = 1
    /// `sizeof(struct btf_header)`.
    static let headerSize = 24
    /// `sizeof(struct btf_type)`.
    static let recordHeaderSize = 12

    let storage: BTFStorage
    /// The BTF this one is split from, or nil for base BTF.
    public let base: BTF?
    /// Absolute byte range of the type section inside `storage`.
    let typeStart: Int
    let typeLength: Int
    /// Absolute byte range of the string section inside `storage`.
    let stringStart: Int
    let stringLength: Int
    /// String offsets below this belong to the base.
    let stringOffsetBase: UInt32
    /// The id of the first record of this blob: 1 for base BTF, `base.count` for split BTF.
    public let firstID: UInt32
    /// Offset (from `typeStart`) of every `checkpointStride`-th own record: index k holds
    /// record k × stride (id − firstID). Records in between are found by stepping over their
    /// lengths, so vmlinux's 130,000 types need 64 KiB here instead of 512 KiB.
    let checkpoints: [UInt32]
    /// The number of this blob's own records.
    let recordCount: Int
    static let checkpointShift = 3
    static var checkpointStride: Int { 1 << checkpointShift }
    let nameIndex = Mutex<BTFNameIndex?>(nil)
    /// Results of `prepareLookups(of:)`: own type ids by essential name, for names scanned for.
    let scannedNames = Mutex<[String: [UInt32]]>([:])

    /// Parses BTF from bytes (the content of a `.BTF` section or of `/sys/kernel/btf/*`).
    /// The bytes are copied.
    public convenience init(bytes: [UInt8], base: BTF? = nil) throws(BPFError) {
        try self.init(storage: BTFStorage(copying: bytes), base: base)
    }

    /// Parses BTF from a mapped file without copying it.
    package convenience init(mapped: MappedFile, base: BTF? = nil) throws(BPFError) {
        try self.init(storage: BTFStorage(mapping: mapped), base: base)
    }

    init(storage: BTFStorage, base: BTF?) throws(BPFError) {
        self.storage = storage
        self.base = base
        let size = storage.count
        guard size >= Self.headerSize else {
            throw .malformedBTF("\(size) bytes is shorter than the \(Self.headerSize)-byte BTF header")
        }
        let magic = storage.u16(0)
        if magic == Self.magic.byteSwapped {
            throw .malformedBTF("big-endian BTF is not supported")
        }
        guard magic == Self.magic else {
            throw .malformedBTF("bad magic 0x\(String(magic, radix: 16)), expected 0xeb9f")
        }
        let version = storage.u8(2)
        guard version == Self.version else { throw .malformedBTF("unsupported BTF version \(version)") }
        let hdrLen = Int(storage.u32(4))
        guard hdrLen >= Self.headerSize else {
            throw .malformedBTF("header length \(hdrLen) is shorter than \(Self.headerSize)")
        }
        guard hdrLen <= size else { throw .malformedBTF("header length \(hdrLen) exceeds the data size \(size)") }
        let typeOff = Int(storage.u32(8)), typeLen = Int(storage.u32(12))
        let strOff = Int(storage.u32(16)), strLen = Int(storage.u32(20))
        let dataLen = size - hdrLen
        guard typeOff % 4 == 0 else { throw .malformedBTF("type section offset \(typeOff) is not 4-byte aligned") }
        guard typeOff + typeLen <= dataLen else {
            throw .malformedBTF("type section [\(typeOff), +\(typeLen)) is out of bounds (data is \(dataLen) bytes)")
        }
        guard strOff + strLen <= dataLen else {
            throw .malformedBTF("string section [\(strOff), +\(strLen)) is out of bounds (data is \(dataLen) bytes)")
        }
        guard typeOff + typeLen <= strOff else {
            throw .malformedBTF("type section [\(typeOff), +\(typeLen)) overlaps the string section at \(strOff)")
        }
        typeStart = hdrLen + typeOff
        typeLength = typeLen
        stringStart = hdrLen + strOff
        stringLength = strLen
        if let base {
            let combined = Int(base.stringOffsetBase) + base.stringLength + strLen
            guard combined <= Int(UInt32.max) else {
                throw .malformedBTF("split BTF strings would exceed 4 GiB of combined string offsets")
            }
            stringOffsetBase = base.stringOffsetBase + UInt32(base.stringLength)
            firstID = base.count
        } else {
            stringOffsetBase = 0
            firstID = 1
            guard strLen > 0, storage.u8(stringStart) == 0 else {
                throw .malformedBTF("string section must start with an empty string")
            }
        }
        if strLen > 0 {
            guard storage.u8(stringStart + strLen - 1) == 0 else {
                throw .malformedBTF("string section is not NUL-terminated")
            }
        }
        (checkpoints, recordCount) = try Self.indexRecords(storage: storage, typeStart: typeStart, typeLength: typeLength,
                                                           firstID: firstID, stringLimit: stringOffsetBase + UInt32(strLen))
    }

    /// Walks the type section once: checks that every record fits, that its kind is known, that
    /// name offsets are inside the string section and that referenced ids exist; returns the
    /// checkpoint offsets and the number of records.
    private static func indexRecords(storage s: BTFStorage, typeStart: Int, typeLength: Int,
                                     firstID: UInt32, stringLimit: UInt32) throws(BPFError) -> ([UInt32], Int) {
        var offsets: [UInt32] = []
        offsets.reserveCapacity(typeLength / 24 / checkpointStride + 1)
        var records = 0
        let strideMask = checkpointStride - 1
        let end = typeStart + typeLength
        var off = typeStart
        var maxRef: UInt32 = 0
        var maxRefHolder: UInt32 = 0
        var badName: (id: UInt32, offset: UInt32)? = nil

        @inline(__always) func ref(_ t: UInt32, _ id: UInt32) {
            if t > maxRef { maxRef = t; maxRefHolder = id }
        }
        @inline(__always) func name(_ n: UInt32, _ id: UInt32) {
            if n >= stringLimit, badName == nil { badName = (id, n) }
        }

        while off < end {
            let id = firstID + UInt32(records)
            guard end - off >= recordHeaderSize else {
                throw .malformedBTF("type [\(id)] at offset \(off - typeStart): record header truncated")
            }
            let nameOff = s.u32(off)
            let info = s.u32(off + 4)
            let sizeType = s.u32(off + 8)
            let rawKind = UInt8((info >> 24) & 0x1f)
            let vlen = Int(info & 0xffff)
            guard let kind = BTFKind(rawValue: rawKind), kind != .void else {
                throw .malformedBTF("type [\(id)] has unknown kind \(rawKind)")
            }
            let extra: Int
            switch kind {
            case .int, .var, .declTag: extra = 4
            case .array: extra = 12
            case .struct, .union, .dataSec, .enum64: extra = 12 * vlen
            case .enum, .funcProto: extra = 8 * vlen
            default: extra = 0
            }
            let body = off + recordHeaderSize
            guard end - body >= extra else {
                throw .malformedBTF("type [\(id)] (\(kind)) needs \(recordHeaderSize + extra) bytes, only \(end - off) left")
            }
            name(nameOff, id)
            if kind.hasReferencedType || kind == .funcProto { ref(sizeType, id) }
            switch kind {
            case .array:
                ref(s.u32(body), id)
                ref(s.u32(body + 4), id)
            case .struct, .union:
                var m = body
                for _ in 0..<vlen {
                    name(s.u32(m), id)
                    ref(s.u32(m + 4), id)
                    m += 12
                }
            case .enum, .enum64:
                let step = kind == .enum ? 8 : 12
                var m = body
                for _ in 0..<vlen {
                    name(s.u32(m), id)
                    m += step
                }
            case .funcProto:
                var m = body
                for _ in 0..<vlen {
                    name(s.u32(m), id)
                    ref(s.u32(m + 4), id)
                    m += 8
                }
            case .dataSec:
                var m = body
                for _ in 0..<vlen {
                    ref(s.u32(m), id)
                    m += 12
                }
            default:
                break
            }
            if records & strideMask == 0 { offsets.append(UInt32(off - typeStart)) }
            records += 1
            off = body + extra
        }
        if let badName {
            throw .malformedBTF("type [\(badName.id)] has name offset \(badName.offset) outside the string section (\(stringLimit) bytes)")
        }
        let count = firstID + UInt32(records)
        if maxRef >= count {
            throw .malformedBTF("type [\(maxRefHolder)] refers to type id \(maxRef), but the last id is \(count - 1)")
        }
        return (offsets, records)
    }

    /// The length of the validated record at absolute offset `off`: its header and the
    /// kind-specific data after it (the same sizes `indexRecords` checked).
    @inline(__always)
    func recordLength(at off: Int) -> Int {
        let info = storage.u32(off + 4)
        let vlen = Int(info & 0xffff)
        switch UInt8((info >> 24) & 0x1f) {
        case BTFKind.int.rawValue, BTFKind.var.rawValue, BTFKind.declTag.rawValue: return Self.recordHeaderSize + 4
        case BTFKind.array.rawValue: return Self.recordHeaderSize + 12
        case BTFKind.struct.rawValue, BTFKind.union.rawValue, BTFKind.dataSec.rawValue, BTFKind.enum64.rawValue:
            return Self.recordHeaderSize + 12 * vlen
        case BTFKind.enum.rawValue, BTFKind.funcProto.rawValue: return Self.recordHeaderSize + 8 * vlen
        default: return Self.recordHeaderSize
        }
    }

    /// Calls `body` with the index (id − firstID) and absolute offset of each own record, in order.
    @inline(__always)
    func forEachRecord(_ body: (Int, Int) -> Void) {
        var off = typeStart
        for k in 0..<recordCount {
            body(k, off)
            off += recordLength(at: off)
        }
    }

    // MARK: - Basic queries

    /// The number of type ids, including `void` (id 0) and, for split BTF, the base's types.
    /// Valid ids are `0..<count`.
    public var count: UInt32 { firstID + UInt32(recordCount) }

    /// The whole BTF blob (header, types, strings) of this object only (for split BTF, without
    /// the base), e.g. to pass to `BPF_BTF_LOAD`.
    public var bytes: [UInt8] { Array(storage.raw) }

    /// Length of this blob's string section.
    public var stringSectionLength: Int { stringLength }

    /// The string at `offset` in the string section ("" if the offset is out of bounds).
    /// For split BTF, offsets below the base's string length are the base's strings.
    public func string(at offset: UInt32) -> String {
        let b = stringBytes(at: offset)
        return String(decoding: b, as: UTF8.self)
    }

    /// Whether `offset` lies inside the (combined) string section.
    public func isValidStringOffset(_ offset: UInt32) -> Bool {
        offset < stringOffsetBase + UInt32(stringLength)
    }

    /// The bytes of the string at `offset`, without the NUL; valid while `self` lives.
    func stringBytes(at offset: UInt32) -> UnsafeRawBufferPointer {
        if offset < stringOffsetBase, let base {
            return base.stringBytes(at: offset)
        }
        let local = Int(offset - stringOffsetBase)
        guard local < stringLength else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return storage.cString(at: stringStart + local, limit: stringStart + stringLength)
    }

    /// The owner of `id` (self or a base) and the record's absolute byte offset, or nil if `id`
    /// is 0 or out of range.
    @inline(__always)
    func locate(_ id: UInt32) -> (BTF, Int)? {
        if id >= firstID {
            let i = Int(id - firstID)
            guard i < recordCount else { return nil }
            var off = typeStart + Int(checkpoints[i >> Self.checkpointShift])
            for _ in 0..<(i & (Self.checkpointStride - 1)) { off += recordLength(at: off) }
            return (self, off)
        }
        if let base { return base.locate(id) }
        return nil
    }

    /// The kind of type `id` without decoding the record; nil if `id` is out of range.
    public func kind(of id: UInt32) -> BTFKind? {
        if id == 0 { return .void }
        guard let (owner, off) = locate(id) else { return nil }
        return BTFKind(rawValue: UInt8((owner.storage.u32(off + 4) >> 24) & 0x1f))
    }

    /// The name offset of type `id` without decoding the record (0 if anonymous or out of range).
    public func nameOffset(of id: UInt32) -> UInt32 {
        guard id != 0, let (owner, off) = locate(id) else { return 0 }
        return owner.storage.u32(off)
    }

    /// The name of type `id` ("" if anonymous, void, or out of range).
    public func name(of id: UInt32) -> String {
        string(at: nameOffset(of: id))
    }

    /// Decodes type `id`. Throws `BPFError.malformedBTF` if the id does not exist.
    public func type(_ id: UInt32) throws(BPFError) -> BTFType {
        if id == 0 { return .void }
        guard let (owner, off) = locate(id) else {
            throw .malformedBTF("type id \(id) does not exist (the last id is \(count - 1))")
        }
        return owner.decode(id: id, at: off)
    }

    /// All type ids, `1..<count` (void excluded).
    public var typeIDs: Range<UInt32> { 1..<count }

    /// This blob's own ids (for split BTF, without the base's).
    public var ownTypeIDs: Range<UInt32> { firstID..<count }

    // MARK: - Decoding

    /// Decodes the validated record at absolute offset `off` of this blob.
    func decode(id: UInt32, at off: Int) -> BTFType {
        let s = storage
        let nameOff = s.u32(off)
        let info = s.u32(off + 4)
        let sizeType = s.u32(off + 8)
        let kind = BTFKind(rawValue: UInt8((info >> 24) & 0x1f)) ?? .void
        let vlen = Int(info & 0xffff)
        let kflag = info & 0x8000_0000 != 0
        let body = off + Self.recordHeaderSize
        let payload: BTFTypePayload
        switch kind {
        case .int:
            let v = s.u32(body)
            payload = .int(encoding: BTFIntEncoding(rawValue: UInt8((v >> 24) & 0x0f)),
                           offset: UInt8((v >> 16) & 0xff), bits: UInt8(v & 0xff))
        case .array:
            payload = .array(BTFArray(element: s.u32(body), indexType: s.u32(body + 4), count: s.u32(body + 8)))
        case .struct, .union:
            var members: [BTFMember] = []
            members.reserveCapacity(vlen)
            var m = body
            for _ in 0..<vlen {
                let n = s.u32(m)
                let raw = s.u32(m + 8)
                members.append(BTFMember(name: string(at: n), nameOffset: n, type: s.u32(m + 4),
                                         bitOffset: kflag ? raw & 0xff_ffff : raw,
                                         bitfieldSize: kflag ? raw >> 24 : 0))
                m += 12
            }
            payload = .members(members)
        case .enum:
            var values: [BTFEnumerator] = []
            values.reserveCapacity(vlen)
            var m = body
            for _ in 0..<vlen {
                let n = s.u32(m)
                let raw = s.u32(m + 4)
                let v = kflag ? Int64(Int32(bitPattern: raw)) : Int64(raw)
                values.append(BTFEnumerator(name: string(at: n), nameOffset: n, value: v))
                m += 8
            }
            payload = .enumerators(values)
        case .enum64:
            var values: [BTFEnumerator] = []
            values.reserveCapacity(vlen)
            var m = body
            for _ in 0..<vlen {
                let n = s.u32(m)
                let v = UInt64(s.u32(m + 8)) << 32 | UInt64(s.u32(m + 4))
                values.append(BTFEnumerator(name: string(at: n), nameOffset: n, value: Int64(bitPattern: v)))
                m += 12
            }
            payload = .enumerators(values)
        case .funcProto:
            var params: [BTFParam] = []
            params.reserveCapacity(vlen)
            var m = body
            for _ in 0..<vlen {
                let n = s.u32(m)
                params.append(BTFParam(name: string(at: n), nameOffset: n, type: s.u32(m + 4)))
                m += 8
            }
            payload = .params(params)
        case .var:
            payload = .varLinkage(BTFLinkage(rawValue: s.u32(body)))
        case .dataSec:
            var entries: [BTFVarSecInfo] = []
            entries.reserveCapacity(vlen)
            var m = body
            for _ in 0..<vlen {
                entries.append(BTFVarSecInfo(type: s.u32(m), offset: s.u32(m + 4), size: s.u32(m + 8)))
                m += 12
            }
            payload = .dataSecEntries(entries)
        case .declTag:
            payload = .declTag(componentIndex: Int32(bitPattern: s.u32(body)))
        default:
            payload = .none
        }
        return BTFType(id: id, kind: kind, name: string(at: nameOff), nameOffset: nameOff, kindFlag: kflag,
                       vlen: vlen, sizeOrType: sizeType, payload: payload)
    }
}
