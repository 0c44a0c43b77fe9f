import Testing
@testable import BPF

/// CO-RE relocation of `core_kernel.bpf.c` against the running kernel's BTF
/// (/sys/kernel/btf/vmlinux, world-readable). Expected values come from the kernel BTF through
/// `KernelLayout`, which does not use the CO-RE engine.
@Suite struct COREKernelTests {
    let object: COREObject
    let kernel: BTF
    let layout: KernelLayout

    init() throws {
        object = try COREObject(EmbeddedObjects.coreKernel.bytes)
        kernel = try BTF.kernel()
        layout = KernelLayout(btf: kernel)
    }

    /// The only result of `kind` whose local spec contains `spec`.
    func result(_ results: [CORERelocationResult], _ kind: String, _ spec: String,
                sourceLocation: SourceLocation = #_sourceLocation) throws -> CORERelocationResult {
        var found = results.filter { $0.kindName == kind && $0.localSpec.contains(spec) }
        if found.count > 1 { found = found.filter { $0.localSpec == spec } }
        try #require(found.count == 1, "expected one <\(kind)> \(spec) in \(results)", sourceLocation: sourceLocation)
        return found[0]
    }

    static func imm64(_ insns: [Instruction], _ i: Int) -> Int64 {
        Int64(bitPattern: UInt64(UInt32(bitPattern: insns[i].imm)) | UInt64(UInt32(bitPattern: insns[i + 1].imm)) << 32)
    }

    @Test func fieldByteOffsetsPatchALUAndLoads() throws {
        let (insns, results) = try object.relocate("core_fields", against: kernel)
        #expect(results.count == 7)

        let pid = try layout.byteOffset("task_struct", "pid")
        let pidResults = results.filter { $0.kindName == "byte_off" && $0.localSpec.contains(".pid ") }
        #expect(pidResults.count == 2)
        for r in pidResults {
            #expect(r.newValue == Int64(pid))
            #expect(r.originalValue == 0)
            let insn = insns[r.instructionIndex]
            if insn.instructionClass == Opcode.ldx {
                #expect(insn.offset == Int16(pid))
            } else {
                #expect(insn.instructionClass == Opcode.alu64)
                #expect(insn.imm == Int32(pid))
            }
        }

        // unsigned long locally, unsigned int in the kernel: the 8-byte load becomes 4 bytes.
        let flags = try result(results, "byte_off", ".flags")
        #expect(flags.originalValue == 32)
        #expect(flags.newValue == Int64(try layout.byteOffset("task_struct", "flags")))
        #expect(insns[flags.instructionIndex].offset == Int16(flags.newValue))
        #expect(insns[flags.instructionIndex].opcode == Opcode.ldx | Opcode.mem | Opcode.w)
        #expect(flags.memorySizeFrom == 8 && flags.memorySizeTo == 4)

        // long locally, int (signed) in the kernel: resizing would lose the sign, so it is poisoned.
        let prio = try result(results, "byte_off", ".prio")
        #expect(prio.poisoned)
        #expect(insns[prio.instructionIndex] == COREInstructionPatch.poisonInstruction)

        let tgid = try result(results, "byte_off", ".tgid")
        #expect(insns[tgid.instructionIndex].imm == Int32(try layout.byteOffset("task_struct", "tgid")))
        let parent = try result(results, "byte_off", ".real_parent")
        #expect(insns[parent.instructionIndex].imm == Int32(try layout.byteOffset("task_struct", "real_parent")))

        // An array element: comm[3] → offset of comm + 3, a 1-byte load stays 1 byte.
        let comm = try result(results, "byte_off", ".comm[3]")
        #expect(comm.localSpec == "struct task_struct.comm[3] (0:3:3 @ offset 19)")
        #expect(insns[comm.instructionIndex].offset == Int16(try layout.byteOffset("task_struct", "comm") + 3))
        #expect(insns[comm.instructionIndex].opcode == Opcode.ldx | Opcode.mem | Opcode.b)
        #expect(comm.targetSpec?.contains("struct task_struct.comm[3]") == true)
    }

    @Test func fieldExistsSizeAndSignedness() throws {
        let (insns, results) = try object.relocate("core_field_info", against: kernel)
        #expect(results.count == 7)

        let exists = try result(results, "field_exists", "task_struct.pid")
        #expect(insns[exists.instructionIndex].imm == 1)
        // task_struct___fake's essential name finds the kernel task_struct, which lacks the field.
        let missing = try result(results, "field_exists", "does_not_exist")
        #expect(missing.localSpec == "struct task_struct___fake.does_not_exist (0:0 @ offset 0)")
        #expect(missing.originalValue == 1 && missing.newValue == 0 && !missing.poisoned)
        #expect(insns[missing.instructionIndex].imm == 0)

        let commSize = try result(results, "byte_sz", ".comm")
        #expect(insns[commSize.instructionIndex].imm == Int32(try layout.size(of: try layout.member("task_struct", "comm").type)))
        let flagsSize = try result(results, "byte_sz", ".flags")
        #expect(flagsSize.originalValue == 8)
        #expect(insns[flagsSize.instructionIndex].imm == Int32(try layout.size(of: try layout.member("task_struct", "flags").type)))

        #expect(insns[try result(results, "signed", ".prio").instructionIndex].imm == 1)
        #expect(insns[try result(results, "signed", ".flags").instructionIndex].imm == 0)

        // Reading the missing field: poisoned, not an error.
        let read = try result(results, "byte_off", "does_not_exist")
        #expect(read.poisoned)
        #expect(insns[read.instructionIndex].opcode == 0x85)
        #expect(insns[read.instructionIndex].imm == 195_896_080)
        #expect(insns[read.instructionIndex].dst == 0 && insns[read.instructionIndex].src == 0)
    }

    /// Bitfield arithmetic recomputed here from the kernel's bit offset: smallest aligned load
    /// starting from the member type's size, LSHIFT = 64 − (bit end − load start), RSHIFT = 64 − bits.
    func expectedBitfield(_ member: String) throws -> (offset: Int, size: Int, lshift: Int, rshift: Int) {
        let m = try layout.member("task_struct", member)
        #expect(m.bitSize > 0)
        var size = try layout.size(of: m.type)
        var offset = m.bitOffset / 8 / size * size
        while m.bitOffset + m.bitSize - offset * 8 > size * 8 {
            size *= 2
            offset = m.bitOffset / 8 / size * size
        }
        return (offset, size, 64 - (m.bitOffset + m.bitSize - offset * 8), 64 - m.bitSize)
    }

    func checkBitfield(_ function: String, _ member: String) throws {
        let (insns, results) = try object.relocate(function, against: kernel)
        #expect(results.count == 6)
        let want = try expectedBitfield(member)
        let off = try result(results, "byte_off", "." + member)
        #expect(insns[off.instructionIndex].imm == Int32(want.offset))
        let size = try result(results, "byte_sz", "." + member)
        #expect(insns[size.instructionIndex].imm == Int32(want.size))
        let lshift = try result(results, "lshift_u64", "." + member)
        #expect(insns[lshift.instructionIndex].imm == Int32(want.lshift))
        #expect(insns[try result(results, "signed", "." + member).instructionIndex].imm == 0)
        for r in results where r.kindName == "rshift_u64" {
            #expect(insns[r.instructionIndex].imm == Int32(want.rshift))
        }
        // The local layout: both bitfields share the word at local offset 48, loaded as 8 bytes.
        #expect(off.originalValue == 48)
        #expect(size.originalValue == 8)
    }

    @Test func probedBitfieldRead() throws {
        try checkBitfield("core_bitfield_probed", "in_execve")
        // Known on this kernel (checked with libbpf): in_execve at bit 1192*8+3 → 1192, 4, 60, 63.
        let m = try layout.member("task_struct", "in_execve")
        if m.bitOffset == 1192 * 8 + 3 {
            #expect(try expectedBitfield("in_execve") == (1192, 4, 60, 63))
        }
    }

    @Test func directBitfieldRead() throws {
        try checkBitfield("core_bitfield_direct", "in_iowait")
    }

    @Test func anonymousMembersOnBothSides() throws {
        let (insns, results) = try object.relocate("core_anonymous", against: kernel)
        #expect(results.count == 3)
        // Local pid is inside an anonymous struct: access 0:1:0, essential name task_struct.
        let pid = try result(results, "byte_off", "task_struct___anon.pid")
        #expect(pid.localSpec == "struct task_struct___anon.pid (0:1:0 @ offset 8)")
        #expect(insns[pid.instructionIndex].imm == Int32(try layout.byteOffset("task_struct", "pid")))
        // Kernel sk_buff.dev sits inside anonymous unions/structs.
        let dev = try result(results, "byte_off", "sk_buff.dev")
        #expect(insns[dev.instructionIndex].imm == Int32(try layout.byteOffset("sk_buff", "dev")))
        #expect(dev.targetSpec?.contains("struct sk_buff.dev (0:0:") == true)
        let ifindex = try result(results, "byte_off", "net_device.ifindex")
        #expect(insns[ifindex.instructionIndex].imm == Int32(try layout.byteOffset("net_device", "ifindex")))
    }

    @Test func typeRelocations() throws {
        let (insns, results) = try object.relocate("core_types", against: kernel)
        #expect(results.count == 10)
        let taskID = try layout.structID("task_struct")
        let localTaskID = try #require(object.btf.typeID(named: "task_struct", kind: .struct))

        let local = try result(results, "local_type_id", "task_struct")
        #expect(Self.imm64(insns, local.instructionIndex) == Int64(localTaskID))
        let targetIDs = results.filter { $0.kindName == "target_type_id" }
        #expect(targetIDs.count == 2)
        for r in targetIDs {
            let expected: Int64 = r.localSpec == "struct task_struct" ? Int64(taskID) : 0
            #expect(Self.imm64(insns, r.instructionIndex) == expected)
        }

        for r in results where r.kindName == "type_exists" {
            // task_struct and its flavour task_struct___fake exist; core_no_such_kernel_type does not.
            #expect(insns[r.instructionIndex].imm == (r.localSpec.contains("no_such") ? 0 : 1), "\(r)")
        }
        for r in results where r.kindName == "type_size" {
            let expected = r.localSpec.contains("no_such") ? 0 : Int32(try layout.size(of: taskID))
            #expect(insns[r.instructionIndex].imm == expected, "\(r)")
        }
        // list_head matches the kernel's; the local task_struct does not (flags is 8 bytes locally).
        #expect(insns[try result(results, "type_matches", "list_head").instructionIndex].imm == 1)
        #expect(insns[try result(results, "type_matches", "task_struct").instructionIndex].imm == 0)
        #expect(!results.contains { $0.poisoned })
    }

    @Test func enumeratorRelocations() throws {
        let (insns, results) = try object.relocate("core_enums", against: kernel)
        #expect(results.count == 5)
        let exists = results.filter { $0.kindName == "enumval_exists" }
        #expect(exists.count == 2)
        for r in exists {
            #expect(Self.imm64(insns, r.instructionIndex) == (r.localSpec.contains("NOT_IN_KERNEL") ? 0 : 1))
        }
        let sid = try result(results, "enumval_value", "PIDTYPE_SID")
        #expect(sid.localSpec == "enum pid_type::PIDTYPE_SID = 0")
        #expect(Self.imm64(insns, sid.instructionIndex) == (try layout.enumValue("pid_type", "PIDTYPE_SID")))
        let tgid = try result(results, "enumval_value", "PIDTYPE_TGID")
        #expect(tgid.originalValue == 5)
        #expect(Self.imm64(insns, tgid.instructionIndex) == (try layout.enumValue("pid_type", "PIDTYPE_TGID")))
        // A value the kernel lacks: both halves of the ld_imm64 are poisoned.
        let missing = try result(results, "enumval_value", "NOT_IN_KERNEL")
        #expect(missing.poisoned)
        #expect(insns[missing.instructionIndex] == COREInstructionPatch.poisonInstruction)
        #expect(insns[missing.instructionIndex + 1] == COREInstructionPatch.poisonInstruction)
    }

    @Test func typeMatchesAcrossKindsAndEnum64Values() throws {
        let (insns, results) = try object.relocate("core_matches", against: kernel)
        #expect(results.count == 8)
        func matches(_ spec: String) throws -> Int32 {
            insns[try result(results, "type_matches", spec).instructionIndex].imm
        }
        #expect(try matches("struct callback_head") == 1)
        #expect(try matches("callback_head___wrong_arity") == 0)   // function pointer arity differs
        #expect(try matches("union sigval") == 1)
        #expect(try matches("typedef pid_t") == 1)
        #expect(try matches("pid_t___unsigned") == 0)              // unsigned int vs int
        #expect(try matches("enum64 perf_callchain_context") == 1)
        #expect(insns[try result(results, "type_size", "pid_t").instructionIndex].imm == 4)
        // A 64-bit enumerator through both halves of an ld_imm64.
        let kernelValue = try layout.enumValue("perf_callchain_context", "PERF_CONTEXT_KERNEL")
        let value = try result(results, "enumval_value", "PERF_CONTEXT_KERNEL")
        #expect(value.localSpec == "enum64 perf_callchain_context::PERF_CONTEXT_KERNEL = \(UInt64(bitPattern: kernelValue))")
        #expect(Self.imm64(insns, value.instructionIndex) == kernelValue)
    }

    @Test func onlyTheFunctionsOwnRecordsApply() throws {
        let (a, ra) = try object.relocate("core_shared_a", against: kernel)
        let (b, rb) = try object.relocate("core_shared_b", against: kernel)
        #expect(object.functions["core_shared_b"]?.sectionOffset ?? 0 > 0)
        #expect(ra.count == 1 && rb.count == 1)
        #expect(ra[0].localSpec.contains(".tgid") && rb[0].localSpec.contains(".pid"))
        #expect(a[ra[0].instructionIndex].offset == Int16(try layout.byteOffset("task_struct", "tgid")))
        #expect(b[rb[0].instructionIndex].offset == Int16(try layout.byteOffset("task_struct", "pid")))
    }

    @Test func candidatesAreCachedPerLocalType() throws {
        let relocator = CORERelocator(local: object.btf, target: kernel)
        _ = try object.relocate("core_fields", against: kernel, relocator: relocator)
        #expect(relocator.cache.count == 1)
        _ = try object.relocate("core_anonymous", against: kernel, relocator: relocator)
        #expect(relocator.cache.count == 4)
    }
}
