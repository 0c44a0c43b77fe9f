import BPF
import Testing

/// The disassembler prints the kernel's (and bpftool's) notation; expected strings are the
/// verifier log's text for the same instructions.
struct DisassemblerTests {
    let d = Disassembler()

    func text(_ insns: [Instruction]) -> [String] { d.lines(insns).map(\.description) }

    @Test func aluMovesAndLoads() {
        #expect(text([.mov64(.r6, .r1)]) == ["   0: (bf) r6 = r1"])
        #expect(text([.mov64(.r0, imm: 0)]) == ["   0: (b7) r0 = 0"])
        #expect(text([.add64(.r10, imm: -8)]) == ["   0: (07) r10 += -8"])
        #expect(text([Instruction(opcode: 0xb4, dst: 1, imm: 0)]) == ["   0: (b4) w1 = 0"])
        #expect(text([Instruction(opcode: 0x87, dst: 3)]) == ["   0: (87) r3 = -r3"])
        #expect(text([Instruction(opcode: 0xdc, dst: 1, imm: 16)]) == ["   0: (dc) r1 = be16 r1"])
        #expect(text([Instruction(opcode: 0xd4, dst: 1, imm: 32)]) == ["   0: (d4) r1 = le32 r1"])
        #expect(text([Instruction(opcode: 0xd7, dst: 2, imm: 64)]) == ["   0: (d7) r2 = bswap64 r2"])
        // movsx and signed division (cpu v4): the offset selects the variant.
        #expect(text([Instruction(opcode: 0xbf, dst: 1, src: 2, offset: 8)]) == ["   0: (bf) r1 = (s8)r2"])
        #expect(text([Instruction(opcode: 0x3f, dst: 1, src: 2, offset: 1)]) == ["   0: (3f) r1 s/= r2"])
        #expect(text([.ldx(.double, .r1, .r2, offset: 8)]) == ["   0: (79) r1 = *(u64 *)(r2 +8)"])
        #expect(text([.ldx(.byte, .r3, .r10, offset: -1)]) == ["   0: (71) r3 = *(u8 *)(r10 -1)"])
        #expect(text([Instruction(opcode: 0x91, dst: 1, src: 2, offset: 4)]) == ["   0: (91) r1 = *(s8 *)(r2 +4)"])
    }

    @Test func storesAndAtomics() {
        #expect(text([Instruction(opcode: 0x7b, dst: 10, src: 1, offset: -8)]) == ["   0: (7b) *(u64 *)(r10 -8) = r1"])
        #expect(text([.st(.word, .fp, offset: -4, imm: 0)]) == ["   0: (62) *(u32 *)(r10 -4) = 0"])
        #expect(text([.atomicAdd(.double, .r0, offset: 0, .r1)]) == ["   0: (db) lock *(u64 *)(r0 +0) += r1"])
        #expect(text([Instruction(opcode: 0xdb, dst: 0, src: 1, imm: 0x01)]) == ["   0: (db) r1 = atomic64_fetch_add((u64 *)(r0 +0), r1)"])
        #expect(text([Instruction(opcode: 0xc3, dst: 2, src: 3, offset: 4, imm: 0xf1)]) == ["   0: (c3) r0 = atomic_cmpxchg((u32 *)(r2 +4), r0, r3)"])
        #expect(text([Instruction(opcode: 0xdb, dst: 2, src: 3, imm: 0xe1)]) == ["   0: (db) r3 = atomic64_xchg((u64 *)(r2 +0), r3)"])
    }

    @Test func jumpsCallsAndExit() {
        #expect(text([Instruction(opcode: 0x55, dst: 0, offset: 3, imm: 0)]) == ["   0: (55) if r0 != 0x0 goto pc+3"])
        #expect(text([Instruction(opcode: 0x5d, dst: 0, src: 1, offset: -2)]) == ["   0: (5d) if r0 != r1 goto pc-2"])
        #expect(text([Instruction(opcode: 0x16, dst: 1, offset: 1, imm: 7)]) == ["   0: (16) if w1 == 0x7 goto pc+1"])
        #expect(text([Instruction(opcode: 0xb5, dst: 1, offset: 1, imm: -1)]) == ["   0: (b5) if r1 <= 0xffffffff goto pc+1"])
        #expect(text([Instruction(opcode: 0x05, offset: 4)]) == ["   0: (05) goto pc+4"])
        #expect(text([.call(helper: .mapLookupElem)]) == ["   0: (85) call bpf_map_lookup_elem#1"])
        #expect(text([Instruction(opcode: 0x85, src: 1, imm: 5)]) == ["   0: (85) call pc+5"])
        #expect(text([Instruction(opcode: 0x95)]) == ["   0: (95) exit"])
    }

    @Test func wideImmediatesKeepTheirNumbering() {
        let insns = Instruction.loadImm64(.r1, 0x1_0000_0002) + [Instruction(opcode: 0x18, dst: 2, src: 1, imm: 7), Instruction(opcode: 0),
                                                                   Instruction(opcode: 0x18, dst: 3, src: 2, imm: 7), Instruction(opcode: 0, imm: 16),
                                                                   Instruction(opcode: 0x95)]
        #expect(text(insns) == [
            "   0: (18) r1 = 0x100000002",
            "   2: (18) r2 = map[id:7]",
            "   4: (18) r3 = map[id:7][0]+16",
            "   6: (95) exit",
        ])
        #expect(d.lines(insns).map(\.width) == [2, 2, 2, 1])
    }

    @Test func resolversNameCallsAndImmediates() {
        let named = Disassembler(callName: { insn, _ in insn.imm == 300_123 ? "bpf_get_current_pid_tgid" : nil },
                                 immediateText: { _, _ in "map[counts]" })
        #expect(named.lines([Instruction(opcode: 0x85, imm: 300_123)]).map(\.text) == ["call bpf_get_current_pid_tgid#300123"])
        #expect(named.lines([Instruction(opcode: 0x85, imm: 999)]).map(\.text) == ["call unknown#999"])
        // As in the kernel's disasm.c, a valid helper id is named before the resolver is asked.
        #expect(named.lines([Instruction(opcode: 0x85, imm: 14)]).map(\.text) == ["call bpf_get_current_pid_tgid#14"])
        #expect(named.lines([Instruction(opcode: 0x18, dst: 1, src: 1, imm: 3), Instruction(opcode: 0)]).map(\.text) == ["r1 = map[counts]"])
    }

    @Test func malformedInputDoesNotTrap() {
        // A truncated ld_imm64, unknown classes and modes print BUG_ text like the kernel.
        #expect(text([Instruction(opcode: 0x18, dst: 1, imm: 1)]) == ["   0: (18) BUG_ld_18 (truncated ld_imm64)"])
        #expect(text([Instruction(opcode: 0xe1)]) == ["   0: (e1) BUG_ldx_e1"])
        #expect(text([Instruction(opcode: 0x2a)]) == ["   0: (2a) BUG_st_2a"])
        #expect(text([Instruction(opcode: 0xf5)]) == ["   0: (f5) BUG_jmp_f5"])
        #expect(text(Instruction.decode([UInt8](repeating: 0xff, count: 16))).count == 2)
    }
}

/// `struct bpf_link_info` decoding at the 6.18 offsets, from hand-built bytes.
struct LinkDetailsDecodingTests {
    func info(type: UInt32, id: UInt32 = 5, prog: UInt32 = 9, _ fields: [(Int, UInt64, Int)]) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 64)
        func put(_ off: Int, _ v: UInt64, _ size: Int) { for i in 0..<size { b[off + i] = UInt8((v >> (8 * UInt64(i))) & 0xff) } }
        put(0, UInt64(type), 4); put(4, UInt64(id), 4); put(8, UInt64(prog), 4)
        for (off, v, size) in fields { put(off, v, size) }
        return b
    }

    @Test func decodesEachFamily() {
        let tp = LinkDetails(bytes: info(type: 7, [(16, 5, 4), (40, 77, 8)]), name: "sys_enter_getpid")
        #expect(tp.id == 5 && tp.programID == 9 && tp.type == .perfEvent)
        #expect(tp.target == .perfEvent(.tracepoint(name: "sys_enter_getpid", cookie: 77)))
        let up = LinkDetails(bytes: info(type: 7, [(16, 2, 4), (36, 0x1234, 4), (40, 3, 8), (48, 0x88, 8)]), name: "/usr/bin/bash")
        #expect(up.target == .perfEvent(.uprobe(path: "/usr/bin/bash", offset: 0x1234, cookie: 3, refCounterOffset: 0x88, isReturn: true)))
        let cg = LinkDetails(bytes: info(type: 3, [(16, 0xabcdef, 8), (24, 1, 4)]))
        #expect(cg.target == .cgroup(cgroupID: 0xabcdef, attachType: .cgroupInetEgress))
        let tcx = LinkDetails(bytes: info(type: 11, [(16, 4, 4), (20, 46, 4)]))
        #expect(tcx.target == .tcx(ifindex: 4, attachType: AttachType(rawValue: 46)))
        let xdp = LinkDetails(bytes: info(type: 6, [(16, 3, 4)]))
        #expect(xdp.target == .xdp(ifindex: 3))
        let tracing = LinkDetails(bytes: info(type: 2, [(16, 24, 4), (20, 1, 4), (24, 555, 4), (32, 9, 8)]))
        #expect(tracing.target == .tracing(attachType: AttachType(rawValue: 24), targetObjectID: 1, targetBTFID: 555, cookie: 9))
        let um = LinkDetails(bytes: info(type: 12, [(48, 10, 4), (52, 3, 4), (56, 1, 4), (60, 42, 4)]), name: "/bin/true")
        #expect(um.target == .uprobeMulti(path: "/bin/true", count: 3, flags: 1, pid: 42))
        #expect(LinkDetails(bytes: info(type: 99, [])).target == .other)
        #expect(LinkType(rawValue: 13).description == "netkit")
    }

    @Test func shortInputReadsAsZeroes() {
        let d = LinkDetails(bytes: [3, 0, 0, 0, 8])
        #expect(d.type == .cgroup)
        #expect(d.id == 0)
        #expect(d.target == .cgroup(cgroupID: 0, attachType: .cgroupInetIngress))
        #expect(LinkDetails(bytes: []).target == .other)
    }

    @Test func fdinfoParsing() {
        let info = FDInfo(text: "pos:\t0\nflags:\t02000002\nmnt_id:\t15\nmap_type:\t1\nmemlock:\t4096\nfrozen:\t1\nbogus line\n")
        #expect(info.integer("memlock") == 4096)
        #expect(info["map_type"] == "1")
        #expect(info.integer("frozen") == 1)
        #expect(info["bogus line"] == nil)
    }
}
