import BPF

/// libFuzzer entry: the ELF reader and object parser (sections, symbols, relocations, maps,
/// BTF and .BTF.ext of an object) on arbitrary bytes. Errors are fine; a trap is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzObjectSpec(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let spec = try? ObjectSpec(bytes: bytes, name: "fuzz") {
        _ = spec.mainPrograms.count
    }
    return 0
}
