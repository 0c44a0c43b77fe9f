import BPF

/// libFuzzer entry: the reader of native executables and shared libraries (headers, segments,
/// sections, `.symtab`/`.dynsym` with GNU symbol versions, notes, build id) and the USDT
/// probe table built from `.note.stapsdt` (sites, argument specs).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExecutableELF(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard let elf = try? ExecutableELF(bytes: Array(UnsafeBufferPointer(start: data, count: size))) else { return 0 }
    var seen = 0
    for table in [ExecutableELFSymbolTable.symtab, .dynsym] {
        for symbol in (try? elf.symbols(in: table)) ?? [] {
            seen &+= symbol.versionedName.utf8.count
            if let offset = elf.fileOffset(of: symbol) { seen &+= Int(truncatingIfNeeded: offset) }
        }
    }
    if let names = try? elf.functionNames(), let first = names.first {
        seen &+= ((try? elf.symbols(named: first)) ?? []).count
        seen &+= ((try? elf.symbols(named: first + "@@V1")) ?? []).count
    }
    _ = try? elf.buildID()
    for section in elf.sections where section.type == .note { seen &+= ((try? elf.notes(in: section)) ?? []).count }
    for segment in elf.segments where segment.type == .note { seen &+= ((try? elf.notes(in: segment)) ?? []).count }
    if let table = try? USDTProbeTable(elf: elf) {
        for note in table.notes.prefix(64) {
            seen &+= ((try? table.sites(provider: note.provider, name: note.name)) ?? []).count
            seen &+= ((try? USDTSpec(argumentString: note.arguments, cookie: 0).encoded()) ?? []).count
        }
    }
    for section in elf.sections.prefix(64) { _ = elf.virtualAddress(ofFileOffset: section.offset) }
    return seen == Int.min ? 1 : 0
}
