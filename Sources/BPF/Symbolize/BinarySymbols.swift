/// The function symbols of one native binary or shared library (`.symtab` and `.dynsym`),
/// sorted by address, with its `PT_LOAD` segments for turning file offsets into the virtual
/// addresses the symbols are linked at. Built once per binary and shared (see
/// `BinarySymbolCache`). The file stays mapped read-only (no descriptor is kept) and names are
/// decoded only for symbols that addresses resolve to, so indexing a 200 MB binary touches
/// its symbol tables and nothing else.
public final class BinarySymbols: Sendable {
    /// A function symbol by its raw fields; its name is read from the mapped string table only
    /// when an address resolves to it, so a binary with a million symbols costs 32 bytes each.
    struct Entry: Sendable {
        var address: UInt64
        var size: UInt64
        var nameOffset: UInt32
        /// Index into `stringTables`.
        var table: UInt8
        /// Among symbols at one address the highest rank wins (global over weak over local).
        var rank: UInt8
    }

    /// The path the symbols were read from.
    public let path: String
    /// The name to report as a symbol's module (the path as the process sees it).
    public let displayPath: String
    /// Keeps the file mapped for names.
    private let elf: ExecutableELF
    /// File offset and size of each symbol table's string table.
    private let stringTables: [(offset: UInt64, size: UInt64)]
    private let loadSegments: [ELFSegment]
    private let entries: [Entry]

    /// The number of function symbols (both tables; a symbol in both counts twice).
    public var count: Int { entries.count }

    /// Reads the binary at `path` (mapped, not copied).
    /// - Parameters:
    ///   - path: the executable or shared library to read.
    ///   - displayPath: the module name symbols carry; `path` if nil.
    public convenience init(path: String, displayPath: String? = nil) throws(BPFError) {
        try self.init(elf: ExecutableELF(path: path), path: path, displayPath: displayPath)
    }

    /// Indexes the defined function symbols (`STT_FUNC`, `STT_GNU_IFUNC`) of `.symtab` and
    /// `.dynsym` (a stripped binary still has `.dynsym`) by address.
    public init(elf: ExecutableELF, path: String, displayPath: String? = nil) throws(BPFError) {
        self.path = path
        self.displayPath = displayPath ?? path
        self.elf = elf
        loadSegments = elf.segments.filter { $0.type == .load }
        var entries: [Entry] = []
        var stringTables: [(offset: UInt64, size: UInt64)] = []
        for table in [ExecutableELFSymbolTable.symtab, .dynsym] {
            // The walker checks the table and its string table against the file.
            guard let walker = try SymbolWalker(elf, table), let section = elf.symbolTableSection(table) else { continue }
            let strtab = elf.sections[Int(section.link)]
            let tableIndex = UInt8(stringTables.count)
            stringTables.append((strtab.offset, strtab.size))
            let bytes = walker.storage
            entries.reserveCapacity(entries.count + walker.count)
            for i in 1..<walker.count {
                let e = walker.entry(i)
                let info = bytes.buffer[e + 4]
                let type = info & 0x0f
                guard type == ELFSymbolType.function.rawValue || type == ELFSymbolType.gnuIndirectFunction.rawValue else { continue }
                let sectionIndex = bytes.u16(at: e + 6)
                guard sectionIndex != ELF.sectionUndefined, sectionIndex != ELF.sectionAbsolute else { continue }
                let value = bytes.u64(at: e + 8)
                let nameOffset = bytes.u32(at: e)
                guard value != 0, nameOffset != 0, UInt64(nameOffset) < strtab.size else { continue }
                let binding = info >> 4
                let rank: UInt8 = binding == ELFSymbolBinding.global.rawValue ? 2 : (binding == ELFSymbolBinding.weak.rawValue ? 1 : 0)
                entries.append(Entry(address: value, size: bytes.u64(at: e + 16), nameOffset: nameOffset, table: tableIndex, rank: rank))
            }
        }
        entries.sort { $0.address != $1.address ? $0.address < $1.address : $0.rank < $1.rank }
        self.entries = entries
        self.stringTables = stringTables
    }

    /// The name of an entry without a `@VERSION` suffix, read in place; nil if unterminated.
    private func name(of e: Entry) -> String? {
        let table = stringTables[Int(e.table)]
        let buffer = elf.storage.buffer
        let start = Int(table.offset) + Int(e.nameOffset)
        let end = Int(table.offset + table.size)
        var stop = start
        while stop < end, buffer[stop] != 0, buffer[stop] != UInt8(ascii: "@") { stop += 1 }
        guard stop < end, stop > start else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[start..<stop]), as: UTF8.self)
    }

    /// The virtual address (as linked) of a file offset, through the `PT_LOAD` segment whose
    /// file bytes hold it; nil outside every segment.
    public func virtualAddress(ofFileOffset offset: UInt64) -> UInt64? {
        for s in loadSegments where offset >= s.offset && offset - s.offset < s.fileSize {
            return offset - s.offset + s.virtualAddress
        }
        return nil
    }

    /// The function that contains file offset `offset` (a runtime address `a` of a mapping
    /// `start`, `pgoff` is at `a - start + pgoff`).
    public func symbolize(fileOffset offset: UInt64) -> Symbol? {
        virtualAddress(ofFileOffset: offset).flatMap { symbolize(virtualAddress: $0) }
    }

    /// The function that contains virtual address `address`: the nearest symbol at or below
    /// it, if the address lies within its size (symbols of size 0, from assembly, cover up to
    /// the next symbol). The name is demangled when it is a Swift or C++ name.
    public func symbolize(virtualAddress address: UInt64) -> Symbol? {
        var low = 0
        var high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].address <= address { low = mid + 1 } else { high = mid }
        }
        guard low > 0 else { return nil }
        // The preferred symbol at that address is last; a sized symbol that ends before the
        // address may still be covered by a larger one just below (nested or aliased code).
        var index = low - 1
        while true {
            let e = entries[index]
            if e.size == 0 || address - e.address < e.size, let name = name(of: e) {
                return Symbol(name: name, demangledName: Demangler.demangle(name),
                              address: e.address, offset: address - e.address, module: displayPath)
            }
            guard index > 0, low - index < 8 else { return nil }
            index -= 1
        }
    }
}
