@_spi(Fuzzing) import BPF

/// libFuzzer entry: CO-RE cache files (`/run/swiftbpf/core-cache/*`) as the loader reads them:
/// a file that decodes must encode back to the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCORECache(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    _ = ParserFuzzingEntries.decodeCORECache(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
