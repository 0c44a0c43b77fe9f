@_spi(Fuzzing) import BPF

/// libFuzzer entry: netlink replies as the TC code receives them: messages, `NLMSG_ERROR`
/// acknowledgements with extended-ack attributes, `struct tcmsg` and nested attributes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNetlink(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    _ = ParserFuzzingEntries.decodeNetlink(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
