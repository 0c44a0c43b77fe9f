/// One USDT probe site as a SystemTap SDT note records it (`.note.stapsdt`, note name `stapsdt`,
/// type `NT_STAPSDT` = 3). `readelf -n` prints the same fields as "Provider", "Name", "Location",
/// "Base", "Semaphore" and "Arguments".
///
/// The note's descriptor is three target-sized addresses (on ELF64: 8 bytes each, in the file's
/// byte order) followed by three NUL-terminated strings:
/// `pc, base, semaphore, "provider\0", "name\0", "args\0"`.
public struct USDTNote: Hashable, Sendable {
    /// The provider, e.g. `python`.
    public var provider: String
    /// The probe's name, e.g. `gc__start`.
    public var name: String
    /// The argument specification, e.g. `-4@%edi 8@-16(%rbp)` (empty for a probe without
    /// arguments). Parse it with `USDTArgument.parseList(_:)`.
    public var arguments: String
    /// The link-time virtual address of the probe's `nop` instruction.
    public var location: UInt64
    /// The link-time address of `.stapsdt.base` recorded when the note was written (0 if none);
    /// a difference to the section's current `sh_addr` means the file was prelinked.
    public var base: UInt64
    /// The link-time virtual address of the probe's 2-byte semaphore (a counter in `.probes`
    /// that the program tests before preparing arguments), or 0 when it has none.
    public var semaphore: UInt64

    /// A note with these fields, as `.note.stapsdt` holds them.
    public init(provider: String, name: String, arguments: String, location: UInt64, base: UInt64, semaphore: UInt64) {
        self.provider = provider
        self.name = name
        self.arguments = arguments
        self.location = location
        self.base = base
        self.semaphore = semaphore
    }

    /// `NT_STAPSDT`.
    public static let noteType: UInt32 = 3
    /// The note name of SDT notes.
    public static let noteName = "stapsdt"
    /// The section that holds SDT notes.
    public static let sectionName = ".note.stapsdt"
    /// The marker section whose `sh_addr` corrects prelinked addresses.
    public static let baseSectionName = ".stapsdt.base"

    /// Decodes one note's descriptor (libbpf's `parse_usdt_note`): three little-endian u64
    /// addresses, then provider, name and arguments, each NUL-terminated. Provider and name must
    /// be non-empty; an argument string that is empty or starts with ':' means no arguments.
    /// - Throws: `.malformedObject` naming what is wrong.
    public init(descriptor d: ArraySlice<UInt8>) throws(BPFError) {
        let start = d.startIndex
        guard d.count >= 24 + 3 else {
            throw .malformedObject("USDT note descriptor is \(d.count) bytes; at least 27 are needed (3 addresses and 3 strings)")
        }
        func u64(_ at: Int) -> UInt64 {
            var v: UInt64 = 0
            for i in (0..<8).reversed() { v = v << 8 | UInt64(d[start + at + i]) }
            return v
        }
        location = u64(0)
        base = u64(8)
        semaphore = u64(16)
        var cursor = start + 24
        func string(_ what: String) throws(BPFError) -> String {
            guard cursor < d.endIndex else { throw .malformedObject("USDT note descriptor ends before its \(what)") }
            guard let nul = d[cursor...].firstIndex(of: 0) else {
                throw .malformedObject("USDT note \(what) is not NUL-terminated")
            }
            let s = String(decoding: d[cursor..<nul], as: UTF8.self)
            cursor = nul + 1
            return s
        }
        provider = try string("provider")
        name = try string("name")
        guard !provider.isEmpty else { throw .malformedObject("USDT note has an empty provider") }
        guard !name.isEmpty else { throw .malformedObject("USDT note for provider '\(provider)' has an empty probe name") }
        let args = try string("argument string of \(provider):\(name)")
        arguments = args.hasPrefix(":") ? "" : args
    }
}
