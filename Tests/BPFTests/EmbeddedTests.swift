import Testing
@testable import BPF

@Test func embeddedObjectIsELF() {
    let bytes = EmbeddedObjects.objCalls.bytes
    #expect(bytes.starts(with: [0x7f, 0x45, 0x4c, 0x46]))
}

/// The plugin writes `\0` then the hex (a NUL keeps the literal out of the linker's merged
/// strings); objects written before that, and `swiftbpf gen` output of older versions, have none.
@Test func embeddedHexDecodesWithAndWithoutTheLeadingNUL() {
    #expect(EmbeddedObject.decode("\07f454c46") == [0x7f, 0x45, 0x4c, 0x46])
    #expect(EmbeddedObject.decode("7f454c46") == [0x7f, 0x45, 0x4c, 0x46])
    #expect(EmbeddedObject.decode("\0") == [])
}
