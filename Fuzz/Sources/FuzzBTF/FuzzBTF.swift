import BPF

/// libFuzzer entry: the BTF parser and the C dumper over every type it accepted.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBTF(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let btf = try? BTF(bytes: bytes) {
        _ = try? BTFCDumper(btf: btf).dumpAll(options: BTFCDumper.Options(vmlinuxHeader: true))
    }
    return 0
}
