/// libFuzzer entry: the `swiftbpf` command line's own parsers, compiled from the CLI's source
/// files (the links next to this file): byte runs after `key`/`value`/`hex` (joined before
/// ArgumentParser sees them, then split and decoded), object references (`ID`, `id ID`,
/// `pinned PATH`), and the /proc/kallsyms scan behind `prog dump`'s helper names.
/// Input: words separated by NUL bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCLIArguments(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let words = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    let line = ByteArguments.compactingByteRuns(["map", "update"] + words)
    if let sections = try? ByteArguments.sections(Array(line.dropFirst(2)), keywords: ["key", "value"]) {
        for (keyword, run) in sections { _ = try? ByteArguments.bytes(run, what: keyword) }
    }
    _ = try? ObjectReference.parseWhole(words, what: "map")
    let text = Array(bytes)
    if let base = KallsymsText.address(of: Array("__bpf_call_base".utf8), in: text) {
        _ = KallsymsText.names(at: [base, base &+ 16], in: text)
    }
    return 0
}
