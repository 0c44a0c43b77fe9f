import Testing
@testable import BPF

/// A tiny "kernel" BTF built from this object's own BTF stands in for vmlinux: the fixture's
/// kfunc prototypes and the typed ksym's type are present there by construction.
@Test func ksymResolutionAgainstBTF() throws {
    let spec = try ObjectSpec(bytes: EmbeddedObjects.objExterns.bytes, name: "obj_externs")
    // The object's own BTF has FUNCs for the kfuncs (made global) but no VAR bpf_prog_active
    // (VAR types were rewritten to int and kept their names), so use it as the kernel.
    let kernel = try #require(spec.btf)
    var moduleCalls = 0
    let r = try spec.resolveKsyms(vmlinux: kernel) { () throws(BPFError) -> [BTF] in
        moduleCalls += 1
        return []
    }
    let lock = try #require(r["bpf_rcu_read_lock"])
    #expect(lock.moduleIndex == nil && kernel.kind(of: lock.btfID) == .func && kernel.name(of: lock.btfID) == "bpf_rcu_read_lock")
    #expect(r["bpf_rcu_read_unlock"] != nil)
    #expect(r["bpf_fake_kfunc"] != nil)
    // bpf_prog_active is a VAR in this BTF (linkage changed, type now int): compatible with int.
    let active = try #require(r["bpf_prog_active"])
    #expect(kernel.kind(of: active.btfID) == .var)
    #expect(r["init_task"] == nil)  // typeless: kallsyms
    #expect(moduleCalls == 0)
}

@Test func ksymResolutionMissingStrongAndWeak() throws {
    let spec = try ObjectSpec(bytes: EmbeddedObjects.objExterns.bytes, name: "obj_externs")
    // A kernel BTF without any of the names: strong externs fail, after asking for modules once.
    let empty = try #require(try ObjectSpec(bytes: EmbeddedObjects.objCalls.bytes).btf)
    var moduleCalls = 0
    let error = bpfError {
        _ = try spec.resolveKsyms(vmlinux: empty) { () throws(BPFError) -> [BTF] in
            moduleCalls += 1
            return [empty]
        }
    }
    #expect(moduleCalls == 1)
    #expect(error.map { "\($0)" }?.contains("not found in kernel") == true)
}

@Test func typelessKsymsFromKallsyms() throws {
    let spec = try ObjectSpec(bytes: EmbeddedObjects.objExterns.bytes, name: "obj_externs")
    let text = """
        ffffffff81000000 T _stext
        ffffffff82a00000 D init_task
        ffffffff82a10000 d bpf_prog_active.llvm.123
        ffffffffc0000000 t helper\t[some_module]
        """
    let r = try spec.resolveTypelessKsyms(kallsyms: text)
    #expect(r["init_task"] == 0xffffffff82a00000)
    #expect(r["bpf_prog_active"] == 0xffffffff82a10000)
    #expect(r["bpf_rcu_read_lock"] == nil)  // kfuncs are not variables
    let ambiguous = bpfError { _ = try spec.resolveTypelessKsyms(kallsyms: text + "\nffffffff82b00000 D init_task\n") }
    #expect(ambiguous.map { "\($0)" }?.contains("ambiguous") == true)
}
