@_spi(Fuzzing) import BPF

/// libFuzzer entry: `.BTF.ext` (func_info, line_info, CO-RE relocation records) against the BTF
/// it refers to, then each CO-RE relocation resolved with that BTF as local and target.
/// Input: u32 little-endian length N, N bytes of `.BTF`, the rest `.BTF.ext`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBTFExt(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard size >= 4 else { return 0 }
    let length = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
    guard length <= size - 4, let btf = try? BTF(bytes: Array(bytes[4..<4 + length])),
          let ext = try? BTFExt(bytes: Array(bytes[(4 + length)...]), btf: btf) else { return 0 }
    var resolved = 0
    for record in ext.coreRelocations.values.joined().prefix(64) {
        if ParserFuzzingEntries.resolveCORE(btf: btf, typeID: record.typeID, accessString: record.accessString, kind: record.kind) == nil {
            resolved += 1
        }
    }
    return resolved < 0 ? 1 : 0
}
