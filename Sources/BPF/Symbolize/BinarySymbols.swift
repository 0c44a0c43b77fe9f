/// The function symbols of one native binary or shared library (`.symtab` and `.dynsym`),
/// sorted by address, with its `PT_LOAD` segments for turning file offsets into the virtual
/// addresses the symbols are linked at. Built once per binary and shared (see
/// `BinarySymbolCache`); the file is not kept open.
public final class BinarySymbols: Sendable {
    struct Entry: Sendable {
        var address: UInt64
        var size: UInt64
        var name: String
        /// Among symbols at one address the highest rank wins (global over weak over local).
        var rank: UInt8
    }

    /// The path the symbols were read from.
    public let path: String
    /// The name to report as a symbol's module (the path as the process sees it).
    public let displayPath: String
    private let loadSegments: [ELFSegment]
    private let entries: [Entry]

    /// The number of function symbols.
    public var count: Int { entries.count }

    /// Reads the binary at `path` (mapped, not copied).
    /// - Parameter displayPath: the module name symbols carry; `path` if nil.
    public convenience init(path: String, displayPath: String? = nil) throws(BPFError) {
        try self.init(elf: ExecutableELF(path: path), path: path, displayPath: displayPath)
    }

    /// Collects the defined function symbols of both tables (a stripped binary still has
    /// `.dynsym`). Symbols of the same name and address are kept once.
    public init(elf: ExecutableELF, path: String, displayPath: String? = nil) throws(BPFError) {
        self.path = path
        self.displayPath = displayPath ?? path
        loadSegments = elf.segments.filter { $0.type == .load }
        var entries: [Entry] = []
        var seen: Set<SymbolKey> = []
        for table in [ExecutableELFSymbolTable.symtab, .dynsym] {
            for s in try elf.symbols(in: table, types: [.function, .gnuIndirectFunction])
            where s.isDefined && s.value != 0 && !s.name.isEmpty {
                guard seen.insert(SymbolKey(address: s.value, name: s.name)).inserted else { continue }
                let rank: UInt8 = s.binding == .global ? 2 : (s.binding == .weak ? 1 : 0)
                entries.append(Entry(address: s.value, size: s.size, name: s.name, rank: rank))
            }
        }
        entries.sort { $0.address != $1.address ? $0.address < $1.address : $0.rank < $1.rank }
        self.entries = entries
    }

    private struct SymbolKey: Hashable {
        var address: UInt64
        var name: String
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
            if e.size == 0 || address - e.address < e.size {
                return Symbol(name: e.name, demangledName: Demangler.demangle(e.name),
                              address: e.address, offset: address - e.address, module: displayPath)
            }
            guard index > 0, low - index < 8 else { return nil }
            index -= 1
        }
    }
}
