import BPF
import Testing

extension RuntimeTests {
@Suite("programs")
struct RuntimeProgramTests {
    @Test func loadAndInspect() throws {
        let counter = try makeMap("rt_cnt_info", .array, key: 4, value: 8, max: 1)
        let program = try TestPrograms.load("rt_info_prog", .tracepoint, TestPrograms.counting(counter: counter, pidTgid: 1))
        #expect(program.type == .tracepoint)
        #expect(program.id > 0)
        #expect(program.verifierLog.isEmpty)
        let info = try program.info()
        #expect(info.name == "rt_info_prog")
        #expect(info.tag.count == 8 && info.tagHex.count == 16)
        #expect(info.mapIDs == [counter.id])
        #expect(info.xlatedLength > 0 && info.xlatedLength % 8 == 0)
        #expect(info.gplCompatible)

        let extra = try makeMap("rt_bound", .array, key: 4, value: 4, max: 1)
        try program.bind(map: extra)
        #expect(Set(try program.info().mapIDs) == [counter.id, extra.id])

        let again = try Program.open(id: program.id)
        #expect(again.id == program.id && again.type == .tracepoint)
    }

    @Test func requestedLogIsKept() throws {
        let program = try TestPrograms.load("rt_logged", .socketFilter, Instruction.returning(0), logLevel: 1)
        #expect(program.verifierLog.contains("processed"))
    }

    @Test func logBufferGrowsUntilTheWholeLogFits() throws {
        // Level 2 logs every instruction: far more than the 4 KiB first buffer.
        let program = try Program.load(ProgramLoadAttributes(
            name: "rt_longlog", type: .socketFilter, instructions: TestPrograms.long(400), logLevel: 2, logSize: 4096))
        #expect(program.verifierLog.utf8.count > 4096)
        #expect(program.verifierLog.contains("processed 402 insns"))
    }

    @Test func verifierRejectionCarriesWholeLog() throws {
        // exit without setting r0: the verifier answers "R0 !read_ok".
        do {
            _ = try TestPrograms.load("rt_bad", .socketFilter, [.exit()])
            Issue.record("the verifier accepted a program that reads an uninitialised r0")
        } catch {
            guard case let .verifier(program, errno, log, hint) = error else {
                Issue.record("expected BPFError.verifier, got \(error)")
                return
            }
            #expect(program == "rt_bad")
            #expect(errno == .EACCES)
            #expect(log.contains("R0 !read_ok"))
            #expect(hint?.contains("R0 !read_ok") == true)
            #expect(error.description.contains("verifier log"))
        }
    }

    @Test func hintsForUnknownHelperAndPoisonedRelocation() throws {
        // bpf_perf_prog_read_value is only for perf_event programs.
        do {
            _ = try TestPrograms.load("rt_nohelper", .socketFilter, [.call(helper: .perfProgReadValue)] + Instruction.returning(0))
            Issue.record("socket filter with bpf_perf_prog_read_value loaded")
        } catch {
            guard case let .verifier(_, _, log, hint) = error else { Issue.record("\(error)"); return }
            #expect(log.contains("bpf_perf_prog_read_value#56"))
            #expect(hint?.contains("helper is not available") == true)
        }
        // libbpf's poison call for an unresolved CO-RE relocation.
        do {
            _ = try TestPrograms.load("rt_poison", .socketFilter, [.call(helperNumber: 0xbad2310)] + Instruction.returning(0))
            Issue.record("poisoned program loaded")
        } catch {
            guard case let .verifier(_, _, log, hint) = error else { Issue.record("\(error)"); return }
            #expect(log.contains("195896080"))
            #expect(hint?.contains("CO-RE") == true)
        }
    }

    @Test func emptyProgramIsAnArgumentError() {
        #expect(throws: BPFError.self) { try TestPrograms.load("rt_empty", .socketFilter, []) }
    }

    @Test func testRunReturnsRetval() throws {
        let packet = [UInt8](repeating: 0xab, count: 64)
        let xdp = try TestPrograms.load("rt_xdp_pass", .xdp, Instruction.returning(2))  // XDP_PASS
        let result = try xdp.testRun(data: packet, repeat: 3)
        #expect(result.returnValue == 2)
        #expect(result.dataOut == packet)

        let filter = try TestPrograms.load("rt_sockfilt", .socketFilter, Instruction.returning(0x1234))
        #expect(try filter.testRun(data: packet).returnValue == 0x1234)
    }

    /// A minimal BTF blob: header, one type `int` (BTF_KIND_INT, 4 bytes, signed, 32 bits).
    static func tinyBTF(badKind: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        func u16(_ v: UInt16) { out += withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        func u32(_ v: UInt32) { out += withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        let strings: [UInt8] = [0] + Array("int".utf8) + [0]
        let typeLength: UInt32 = 16
        u16(0xeb9f); out += [1, 0]; u32(24)  // magic, version, flags, hdr_len
        u32(0); u32(typeLength); u32(typeLength); u32(UInt32(strings.count))  // type_off/len, str_off/len
        u32(1)  // name_off "int"
        u32((badKind ? 31 : 1) << 24)  // info: kind INT (or an unknown kind), vlen 0
        u32(4)  // size
        u32((1 << 24) | 32)  // BTF_INT_SIGNED, 32 bits
        out += strings
        return out
    }

    @Test func btfLoadAndInfo() throws {
        let fd = try BPFCommands.btfLoad(Self.tinyBTF())
        let info = try BPFCommands.btfInfo(fd: fd.rawValue)
        #expect(info.id > 0)
        #expect(info.size == UInt32(Self.tinyBTF().count))
        #expect(!info.isKernel)
        do {
            _ = try BPFCommands.btfLoad(Self.tinyBTF(badKind: true))
            Issue.record("BTF with an unknown kind was accepted")
        } catch {
            guard case let .btfRejected(errno, log) = error else { Issue.record("\(error)"); return }
            #expect(errno == .EINVAL)
            #expect(!log.isEmpty)
        }
        #expect(throws: BPFError.self) { try BPFCommands.btfLoad([]) }
    }

    @Test func pinAndOpenPinnedProgram() throws {
        let dir = RuntimeTestEnvironment.uniquePinDirectory("prog")
        try Syscalls.mkdir(dir)
        defer { try? Syscalls.rmdir(dir) }
        let program = try TestPrograms.load("rt_pinprog", .socketFilter, Instruction.returning(0))
        let path = dir + "/prog"
        try program.pin(path)
        defer { try? Program.unpin(path) }
        let opened = try Program.open(pinned: path)
        #expect(opened.id == program.id)
        #expect(opened.name == "rt_pinprog")
        try Program.unpin(path)
        #expect(!Syscalls.exists(path))
    }
}

}

/// Pure: no kernel, no root.
@Suite("Runtime: assembler")
struct RuntimeAssemblerTests {
    @Test func labelsResolveToRelativeOffsets() throws {
        var a = Assembler()
        a.jump(.eq, .r1, imm: 0, to: "end")
        a.emit(Instruction.loadImm64(.r0, 0x1_0000_0002))
        a.goto("end")
        a.label("end")
        a.emit(.exit())
        let insns = try a.assemble()
        #expect(insns.count == 5)
        #expect(insns[0].offset == 3)
        #expect(insns[3].offset == 0)
        #expect(insns[1].imm == 2 && insns[2].imm == 1)
        var bad = Assembler()
        bad.goto("nowhere")
        #expect(throws: BPFError.self) { try bad.assemble() }
    }

    @Test func encodingsMatchTheUAPI() {
        #expect(Instruction.mov64(.r0, imm: 7).bytes == [0xb7, 0x00, 0, 0, 7, 0, 0, 0])
        #expect(Instruction.exit().bytes == [0x95, 0, 0, 0, 0, 0, 0, 0])
        #expect(Instruction.call(helper: .ringbufOutput).imm == 130)
        #expect(Instruction.ldx(.word, .r2, .r1, offset: 4).bytes == [0x61, 0x12, 4, 0, 0, 0, 0, 0])
        #expect(Instruction.stx(.double, .r10, offset: -8, .r1).bytes == [0x7b, 0x1a, 0xf8, 0xff, 0, 0, 0, 0])
        #expect(Instruction.loadMapFD(.r1, fd: 5)[0].bytes == [0x18, 0x11, 0, 0, 5, 0, 0, 0])
        #expect(Instruction.atomicAdd(.double, .r0, offset: 0, .r1).bytes == [0xdb, 0x10, 0, 0, 0, 0, 0, 0])
        #expect(BPFHelper.mapLookupElem.rawValue == 1 && BPFHelper.getCurrentPidTgid.rawValue == 14)
        #expect(BPFHelper.ringbufReserve.rawValue == 131 && BPFHelper.ringbufSubmit.rawValue == 132)
        #expect(BPFHelper.getCurrentPidTgid.description == "bpf_get_current_pid_tgid#14")
    }
}
