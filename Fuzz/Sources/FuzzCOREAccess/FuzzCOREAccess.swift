@_spi(Fuzzing) import BPF

/// libFuzzer entry: the CO-RE access-string parser and the candidate matching, resolving one
/// relocation with the BTF as both local and target.
/// Input: u32 little-endian local type id, u8 relocation kind, the access string up to a NUL,
/// then the `.BTF` bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCOREAccess(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard size >= 6 else { return 0 }
    let typeID = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
    guard let kind = CORERelocationKind(rawValue: UInt32(bytes[4]) % 13),
          let nul = bytes[5...].firstIndex(of: 0) else { return 0 }
    let accessString = String(decoding: bytes[5..<nul], as: UTF8.self)
    guard let btf = try? BTF(bytes: Array(bytes[(nul + 1)...])) else { return 0 }
    _ = ParserFuzzingEntries.resolveCORE(btf: btf, typeID: typeID, accessString: accessString, kind: kind)
    return 0
}
