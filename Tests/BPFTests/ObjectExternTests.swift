import Testing
@testable import BPF

// Expected values cross-checked against libbpf 1.1.2's debug log and its object BTF after open
// (byte-identical BTF for this fixture).

@Test func objectExternsInLibbpfOrder() throws {
    let spec = try ObjectSpec(bytes: EmbeddedObjects.objExterns.bytes, name: "obj_externs")
    #expect(spec.externs.map(\.name) == [
        // kconfig: alignment descending, size ascending, then name
        "CONFIG_HZ", "CONFIG_BPF_JIT", "LINUX_KERNEL_VERSION", "CONFIG_BPF_SYSCALL", "CONFIG_DEFAULT_HOSTNAME",
        // ksyms by name
        "bpf_fake_kfunc", "bpf_prog_active", "bpf_rcu_read_lock", "bpf_rcu_read_unlock", "init_task",
    ])
    let byName = Dictionary(uniqueKeysWithValues: spec.externs.map { ($0.name, $0) })
    #expect(byName["CONFIG_HZ"]?.kind == .kconfig(type: .int, size: 8, alignment: 8, isSigned: false, dataOffset: 0))
    #expect(byName["CONFIG_BPF_JIT"]?.kind == .kconfig(type: .tristate, size: 4, alignment: 4, isSigned: false, dataOffset: 8))
    #expect(byName["LINUX_KERNEL_VERSION"]?.kind == .kconfig(type: .int, size: 4, alignment: 4, isSigned: false, dataOffset: 12))
    #expect(byName["CONFIG_BPF_SYSCALL"]?.kind == .kconfig(type: .bool, size: 1, alignment: 1, isSigned: false, dataOffset: 16))
    #expect(byName["CONFIG_DEFAULT_HOSTNAME"]?.kind == .kconfig(type: .charArray, size: 8, alignment: 1, isSigned: false, dataOffset: 17))
    #expect(byName["LINUX_KERNEL_VERSION"]?.isWeak == false && byName["CONFIG_HZ"]?.isWeak == true)

    let btf = try #require(spec.btf)
    let active = try #require(byName["bpf_prog_active"])
    guard case let .ksym(typeID, isFunction) = active.kind else { Issue.record("\(active.kind)"); return }
    #expect(!isFunction && btf.name(of: typeID) == "int")
    #expect(byName["init_task"]?.kind == .ksym(typeID: 0, isFunction: false))  // typeless: kallsyms
    let lock = try #require(byName["bpf_rcu_read_lock"])
    guard case let .ksym(protoID, lockIsFunction) = lock.kind else { Issue.record("\(lock.kind)"); return }
    #expect(lockIsFunction && btf.kind(of: protoID) == .funcProto)
    #expect(byName["bpf_fake_kfunc"]?.isWeak == true)
    #expect(btf.name(of: lock.sectionBTFID) == ".ksyms")
    #expect(btf.name(of: try #require(byName["CONFIG_HZ"]).sectionBTFID) == ".kconfig")
}

@Test func objectKconfigMapAndExternRelocations() throws {
    let spec = try ObjectSpec(bytes: EmbeddedObjects.objExterns.bytes, name: "obj_externs")
    #expect(spec.maps.map(\.name) == ["obj_ext.kconfig"])
    let kconfig = try #require(spec.maps.first)
    #expect(kconfig.internalKind == .kconfig && kconfig.isReadOnlyData)
    #expect(kconfig.valueSize == 25 && kconfig.contents == [UInt8](repeating: 0, count: 25))
    #expect(kconfig.flags == [.readOnlyProgram, .mmapable])  // 0x480, as libbpf
    #expect(kconfig.sectionName == ".kconfig")
    #expect(spec.kconfigMap?.name == "obj_ext.kconfig")
    #expect(spec.extern(named: "LINUX_KERNEL_VERSION")?.kconfigOffset == 12)
    #expect(spec.extern(named: "init_task")?.kconfigOffset == nil)
    let btf = try #require(spec.btf)
    #expect(btf.name(of: kconfig.valueTypeID) == ".kconfig")

    let prog = try #require(spec.program(named: "uses_externs"))
    let externRelocs = prog.relocations.map(\.kind)
    #expect(externRelocs.contains(.externVariable(name: "LINUX_KERNEL_VERSION")))
    #expect(externRelocs.contains(.externVariable(name: "init_task")))
    #expect(externRelocs.contains(.externFunction(name: "bpf_rcu_read_lock")))
    // A weak kfunc tested for presence is an ld_imm64 (EXTERN_LD64); its call is EXTERN_CALL.
    #expect(externRelocs.filter { $0 == .externVariable(name: "bpf_fake_kfunc") }.count == 1)
    #expect(externRelocs.filter { $0 == .externFunction(name: "bpf_fake_kfunc") }.count == 1)
    #expect(prog.relocations.count == 11)
}

@Test func objectExternBTFEdits() throws {
    let spec = try ObjectSpec(bytes: EmbeddedObjects.objExterns.bytes, name: "obj_externs")
    let btf = try #require(spec.btf)
    // .kconfig: global-allocated VARs at the computed offsets; size = end of the last one.
    let kconfig = try btf.type(try #require(btf.typeID(named: ".kconfig", kind: .dataSec)))
    #expect(kconfig.size == 25)
    #expect(kconfig.dataSecEntries.map(\.offset) == [0, 8, 12, 16, 17])
    for e in kconfig.dataSecEntries { #expect(try btf.type(e.type).linkage == .global) }
    // .ksyms: 4-byte slots at 4·i; VARs become global ints; kfunc entries point at dummy_ksym.
    let ksyms = try btf.type(try #require(btf.typeID(named: ".ksyms", kind: .dataSec)))
    #expect(ksyms.size == 4 * ksyms.vlen)
    #expect(ksyms.dataSecEntries.map(\.offset) == (0..<ksyms.vlen).map { UInt32(4 * $0) })
    #expect(ksyms.dataSecEntries.allSatisfy { $0.size == 4 })
    let dummy = try #require(btf.typeID(named: "dummy_ksym", kind: .var))
    #expect(dummy == btf.count - 1)  // appended last
    #expect(try btf.type(dummy).linkage == .global)
    #expect(btf.name(of: try btf.type(dummy).sizeOrType) == "int")
    for e in ksyms.dataSecEntries where e.type != dummy {
        let v = try btf.type(e.type)
        #expect(v.kind == .var && v.linkage == .global && btf.name(of: v.sizeOrType) == "int")
    }
    // The kfuncs themselves become global, and their unnamed parameters get dummy_ksym's name.
    let fake = try btf.type(try #require(btf.typeID(named: "bpf_fake_kfunc", kind: .func)))
    #expect(fake.linkage == .global)
    let params = try btf.type(fake.sizeOrType).params
    #expect(params.count == 2 && params.allSatisfy { $0.name == "dummy_ksym" })
}

@Test func objectExternWithoutBTFIsAnError() throws {
    var o = try ObjectBytes(EmbeddedObjects.objExterns.bytes)
    o.bytes[Int(try o.section(".BTF").offset)] = 0  // corrupt: dropped, so externs have no BTF
    let message = try #require(bpfError { _ = try ObjectSpec(bytes: o.bytes) }).description
    #expect(message.contains("failed to find BTF for extern"))
}
