import Testing
@testable import BPF

@Test func embeddedObjectIsELF() {
    let bytes = EmbeddedObjects.objCalls.bytes
    #expect(bytes.starts(with: [0x7f, 0x45, 0x4c, 0x46]))
}
