import BPF
import Synchronization
import Testing

/// An object whose BTF the kernel rejects loads without it (as libbpf does), and says so
/// through the library's log instead of silently.
@Suite(.serialized, .enabled(if: isRoot, "loading BPF programs needs root"))
struct BTFFallbackTests {
    /// `minimal` with its program's BTF FUNC renamed "9ount_getpid": the parser does not care,
    /// the kernel refuses a name that is not an identifier ("Invalid name").
    static func objectWithRejectedBTF() throws -> [UInt8] {
        var bytes = EmbeddedObjects.minimal.bytes
        let elf = try ELFFile(bytes: bytes)
        let section = try #require(elf.section(named: ".BTF"))
        let base = Int(section.offset)
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        let headerLength = u32(base + 4)
        let strings = base + headerLength + u32(base + 16)
        let stringsLength = u32(base + 20)
        let name = Array("count_getpid\0".utf8)
        let at = try #require((strings..<(strings + stringsLength - name.count)).first { i in
            (i == strings || bytes[i - 1] == 0) && Array(bytes[i..<(i + name.count)]) == name
        }, "no 'count_getpid' in the BTF strings")
        bytes[at] = UInt8(ascii: "9")
        return bytes
    }

    @Test func rejectedBTFIsLoggedAndTheObjectLoadsWithoutIt() throws {
        let messages = Mutex<[(BPFLog.Level, String)]>([])
        BPFLog.setHandler { level, message in messages.locked { $0.append((level, message)) } }
        defer { BPFLog.setHandler(BPFLog.standardError) }
        let spec = try ObjectSpec(bytes: Self.objectWithRejectedBTF(), name: "rejected_btf")
        let object = try BPFObject(spec)
        #expect(object.btfFD == nil)
        #expect(object.programs["count_getpid"] != nil)
        let warnings = messages.locked { $0.filter { $0.0 == .warning && $0.1.contains("rejected_btf") } }
        #expect(warnings.count == 1, "\(messages.locked { $0.map(\.1) })")
        #expect(warnings.first?.1.contains("rejected its BTF") == true)
        #expect(warnings.first?.1.contains("Invalid name") == true, "the kernel's BTF log is quoted: \(warnings.first?.1 ?? "")")

        // An object whose BTF loads says nothing.
        messages.locked { $0.removeAll() }
        let good = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.minimal.bytes, name: "accepted_btf"))
        #expect(good.btfFD != nil)
        #expect(messages.locked { $0.filter { $0.1.contains("accepted_btf") } }.isEmpty)
    }
}
