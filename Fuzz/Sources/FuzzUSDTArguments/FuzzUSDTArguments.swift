import BPF

/// libFuzzer entry: the text parsers of USDT and uprobe attachment: argument specs
/// (`-4@%eax 8@-8(%rbp) ...`) and their encoding for the BPF side, and `SEC()` names
/// (`usdt/PATH:PROVIDER:NAME`, `uprobe/PATH:FUNC+OFF`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUSDTArguments(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? USDTArgument.parseList(text)
    _ = try? USDTSpec(argumentString: text, cookie: 0).encoded()
    _ = try? USDTSectionTarget.parse(sectionName: text)
    _ = try? UprobeSection.parse(text)
    return 0
}
