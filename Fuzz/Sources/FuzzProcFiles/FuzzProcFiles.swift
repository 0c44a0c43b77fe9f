import BPF

/// libFuzzer entry: the /proc text parsers: /proc/kallsyms (then lookups both ways) and
/// /proc/PID/maps.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProcFiles(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = Array(UnsafeBufferPointer(start: data, count: size))
    if let symbols = try? KernelSymbols(parsing: text) {
        for address: UInt64 in [0, 1, 0xffff_ffff_8100_0000, .max] { _ = symbols.symbolize(address) }
        _ = symbols.address(of: "do_sys_openat2")
    }
    if let mappings = try? ProcessMaps.parse(text) {
        for m in mappings.prefix(16) where m.contains(m.start) { _ = m.fileOffset(of: m.start) }
    }
    return 0
}
