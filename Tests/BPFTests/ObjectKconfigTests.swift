import Testing
@testable import BPF

private let inputs = KconfigInputs(kernelVersion: 0x6122c, hasBPFCookie: true, hasSyscallWrapper: true)

@Test func kconfigImageFollowsLibbpf() throws {
    let spec = try ObjectSpec(bytes: EmbeddedObjects.objExterns.bytes, name: "obj_externs")
    #expect(spec.needsKernelConfig)
    let config = """
        # comment
        CONFIG_HZ=250
        CONFIG_BPF_JIT=m
        CONFIG_BPF_SYSCALL=y
        CONFIG_DEFAULT_HOSTNAME="(none)-long-name"
        CONFIG_UNRELATED=y
        """
    var calls = 0
    let image = try #require(try spec.kconfigImage(inputs) { () throws(BPFError) -> String in
        calls += 1
        return config
    })
    #expect(calls == 1)
    #expect(image.count == 25)
    #expect(Array(image[0..<8]) == [250, 0, 0, 0, 0, 0, 0, 0])          // CONFIG_HZ, u64
    #expect(Array(image[8..<12]) == [2, 0, 0, 0])                       // CONFIG_BPF_JIT = TRI_MODULE
    #expect(Array(image[12..<16]) == [0x2c, 0x12, 0x06, 0])             // LINUX_KERNEL_VERSION
    #expect(image[16] == 1)                                             // CONFIG_BPF_SYSCALL
    #expect(Array(image[17..<25]) == Array("(none)-\0".utf8))           // truncated to 7 + NUL
}

@Test func kconfigImageExtraConfigAndDefaults() throws {
    let spec = try ObjectSpec(bytes: EmbeddedObjects.objExterns.bytes, name: "obj_externs")
    // Everything set by the extra config: the system config is never read.
    var extra = inputs
    extra.extraConfig = "CONFIG_HZ=0x3e8\nCONFIG_BPF_JIT=y\nCONFIG_BPF_SYSCALL=n\nCONFIG_DEFAULT_HOSTNAME=\"h\"\n"
    let image = try #require(try spec.kconfigImage(extra) { () throws(BPFError) -> String in
        Issue.record("system config read")
        return ""
    })
    #expect(Array(image[0..<2]) == [0xe8, 0x03] && image[8] == 1 && image[16] == 0)
    #expect(Array(image[17..<19]) == [UInt8(ascii: "h"), 0])
    // Weak CONFIG_* externs missing from the config read 0.
    let zeros = try #require(try spec.kconfigImage(inputs) { () throws(BPFError) -> String in "" })
    #expect(Array(zeros[0..<12]) == [UInt8](repeating: 0, count: 12) && zeros[12] == 0x2c)
}

@Test func kconfigImageRejectsBadValues() throws {
    let spec = try ObjectSpec(bytes: EmbeddedObjects.objExterns.bytes, name: "obj_externs")
    func error(_ config: String) -> String? {
        bpfError { _ = try spec.kconfigImage(inputs) { () throws(BPFError) -> String in config } }.map { "\($0)" }
    }
    #expect(error("CONFIG_BPF_SYSCALL=m")?.contains("implies tristate or char type") == true)
    #expect(error("CONFIG_BPF_SYSCALL=2")?.contains("implies integer type") == true)
    #expect(error("CONFIG_HZ=abc")?.contains("isn't a valid integer") == true)
    #expect(error("CONFIG_HZ=\"x\"")?.contains("implies char array type") == true)
    #expect(error("CONFIG_HZ")?.contains("no separator") == true)
    #expect(error("CONFIG_HZ=")?.contains("no value") == true)
    #expect(error("CONFIG_DEFAULT_HOSTNAME=\"x")?.contains("invalid string config") == true)
    // A strong kconfig extern needs a value.
    var noVersion = inputs
    noVersion.kernelVersion = 0
    #expect(bpfError { _ = try spec.kconfigImage(noVersion) { () throws(BPFError) -> String in "" } } != nil)
    // Objects without kconfig externs have no image.
    let calls = try ObjectSpec(bytes: EmbeddedObjects.objCalls.bytes)
    #expect(try calls.kconfigImage(inputs) { () throws(BPFError) -> String in "" } == nil)
}

@Test func kconfigIntegerParsingIsStrtoull() {
    #expect(ObjectSpec.parseUInt64("250") == 250)
    #expect(ObjectSpec.parseUInt64("0x10") == 16)
    #expect(ObjectSpec.parseUInt64("010") == 8)
    #expect(ObjectSpec.parseUInt64("0") == 0)
    #expect(ObjectSpec.parseUInt64("-1") == UInt64.max)
    #expect(ObjectSpec.parseUInt64("12a") == nil)
    #expect(ObjectSpec.parseUInt64("99999999999999999999") == nil)
}
