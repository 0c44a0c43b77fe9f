import Testing
@testable import BPF

@Test func objectNameFromPathFollowsLibbpf() {
    #expect(ObjectNaming.objectName(fromPath: "semtest.bpf.o") == "semtest")
    #expect(ObjectNaming.objectName(fromPath: "/some/dir/semtest.bpf.o") == "semtest")
    #expect(ObjectNaming.objectName(fromPath: "my-very-long-object_name.bpf.o") == "my-very-long-ob")
    #expect(ObjectNaming.objectName(fromPath: "noext") == "noext")
    // Truncation comes before cutting at the first '.'.
    #expect(ObjectNaming.objectName(fromPath: "abcdefghijklmnopq.o") == "abcdefghijklmno")
    #expect(ObjectNaming.objectName(given: "my-very-long-object_name") == "my-very-long-ob")
    #expect(ObjectNaming.objectName(given: "a.b") == "a.b")
}

@Test func internalMapNamesFollowLibbpf() {
    let n = ObjectNaming.internalMapName
    #expect(n("semtest", ".rodata") == "semtest.rodata")
    #expect(n("semtest", ".data") == "semtest.data")
    #expect(n("semtest", ".bss") == "semtest.bss")
    #expect(n("my-very-long-ob", ".data") == "my_very_.data")
    #expect(n("my-very-long-ob", ".kconfig") == "my_very.kconfig")
    #expect(n("my_object_name", ".rodata") == "my_objec.rodata")
    #expect(n("my_object_name", ".bss") == "my_objec.bss")
    #expect(n("anything", ".data.custom_long_section") == ".data.custom_lo")
    #expect(n("anything", ".rodata.str1.1") == ".rodata.str1.1")
    #expect(n("semtest_bpf", ".rodata") == "semtest_.rodata")  // bpftool skeleton names
    #expect(n("", ".rodata") == ".rodata")
    #expect(n("obj", ".data.custom") == ".data.custom")
}
