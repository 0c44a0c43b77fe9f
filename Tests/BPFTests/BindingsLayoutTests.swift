import BPFBindings
import Testing
@testable import BPF

/// The typed bindings BPFGen generates for bpf/bind_layout.bpf.c (`BindLayoutObject`): every
/// generated C type has the size, alignment and member offsets of the object's BTF, read here at
/// test time and compared with `MemoryLayout`; accessors for bitfields, unions, packed members,
/// enums and strings read and write the C bytes.
@Suite struct BindingsLayoutTests {
    typealias O = BindLayoutObject

    static let btf: BTF = {
        let elf = try! ELFFile(bytes: EmbeddedObjects.bindLayout.bytes)
        return try! BTF(bytes: elf.contents(of: elf.section(named: ".BTF")!))
    }()

    /// The BTF struct or union named `name` (or the member type reached by `path` from it).
    static func cType(_ name: String, path: [String] = []) throws -> BTFType {
        let id = try #require(btf.typeIDs.first { btf.kind(of: $0)?.isComposite == true && btf.name(of: $0) == name })
        var t = try btf.type(id)
        for member in path {
            let m = try #require(t.members.first { $0.name == member })
            t = try btf.resolvedType(m.type)
        }
        return t
    }

    /// Checks `T` against the BTF type: size, alignment and each listed member's byte offset.
    static func check<T>(_: T.Type, _ c: BTFType, _ fields: [(String, PartialKeyPath<T>)],
                         sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(MemoryLayout<T>.size == c.size, "sizeof \(c.name)", sourceLocation: sourceLocation)
        #expect(MemoryLayout<T>.stride == c.size, "stride of \(T.self)", sourceLocation: sourceLocation)
        #expect(MemoryLayout<T>.alignment == (try btf.alignment(of: c.id)), "alignment of \(c.name)", sourceLocation: sourceLocation)
        for (name, path) in fields {
            let member = try #require(c.members.first { $0.name == name }, "member \(name)", sourceLocation: sourceLocation)
            #expect(MemoryLayout<T>.offset(of: path) == member.byteOffset, "offset of \(c.name).\(name)", sourceLocation: sourceLocation)
        }
    }

    @Test func structsWithPaddingMatchTheBTF() throws {
        try Self.check(O.BindInner.self, Self.cType("bind_inner"), [("a", \.a), ("b", \.b)])
        try Self.check(O.BindPadded.self, Self.cType("bind_padded"),
                       [("u8v", \.u8v), ("u16v", \.u16v), ("u64v", \.u64v), ("last", \.last)])
        try Self.check(O.BindLpmKey.self, Self.cType("bind_lpm_key"), [("prefixlen", \.prefixlen), ("addr", \.addr)])
        try Self.check(O.BindEvent.self, Self.cType("bind_event"), [
            ("u8v", \.u8v), ("u32v", \.u32v), ("u64v", \.u64v), ("inner", \.inner), ("name", \.name), ("nums", \.nums),
            ("grid", \.grid), ("u", \.u), ("anon_named", \.anonNamed), ("color", \.color), ("sign", \.sign),
            ("ptr", \.ptr), ("bits", \.bits), ("ok", \.ok),
        ])
    }

    @Test func nestedAnonymousTypesAndUnionsMatchTheBTF() throws {
        try Self.check(O.BindEvent.U.self, Self.cType("bind_event", path: ["u"]), [])
        try Self.check(O.BindEvent.U.Parts.self, Self.cType("bind_event", path: ["u", "parts"]), [("lo", \.lo), ("hi", \.hi)])
        try Self.check(O.BindEvent.AnonNamed.self, Self.cType("bind_event", path: ["anon_named"]), [("x", \.x), ("y", \.y)])
        var u = O.BindEvent.U()
        u.whole = 0x1111_2222_3333_4444
        #expect(u.halves[0] == 0x3333_4444 && u.halves[1] == 0x1111_2222)
        #expect(u.parts.lo == 0x4444 && u.parts.hi == 0x3333)
        u.parts = .init(lo: 1, hi: 2)
        #expect(u.whole == 0x1111_2222_0002_0001)
    }

    @Test func bitfieldsReadAndWriteTheirBitsOnly() throws {
        try Self.check(O.BindBits.self, Self.cType("bind_bits"), [("after", \.after), ("tail", \.tail)])
        var b = O.BindBits(flag: 5, level: -3, wide: 0xABCDE, after: 0x77, color: .bindGreen, tail: 0xBEEF)
        #expect(b.flag == 5 && b.level == -3 && b.wide == 0xABCDE && b.after == 0x77 && b.color == .bindGreen && b.tail == 0xBEEF)
        // flag 0b101 in bits 0..2, level -3 = 0b11101 in 3..7, wide in 8..27, color in byte 5.
        let bytes = withUnsafeBytes(of: b) { Array($0) }
        #expect(bytes == [0b1110_1101, 0xDE, 0xBC, 0x0A, 0x77, 2, 0xEF, 0xBE])
        b.level = 7
        #expect(b.flag == 5 && b.level == 7 && b.wide == 0xABCDE)
    }

    @Test func packedStructIsRawStorageWithAccessors() throws {
        try Self.check(O.BindPacked.self, Self.cType("bind_packed"), [])
        let p = O.BindPacked(tag: 1, value: 0x0102_0304, more: 0x0506)
        #expect(withUnsafeBytes(of: p) { Array($0) } == [1, 4, 3, 2, 1, 6, 5])
        #expect(p.value == 0x0102_0304 && p.more == 0x0506)
    }

    @Test func enumsStringsAndEquality() throws {
        #expect(O.BindColor.bindBig.rawValue == 0x10000)
        #expect(O.BindSigned.bindNeg.rawValue == -2)
        var e = O.BindEvent(u32v: 7, color: .bindRed)
        e.nameString = "hello"
        #expect(e.nameString == "hello" && e.name[5] == 0)
        e.nameString = "much-too-long-name"
        #expect(e.nameString == "much-too-lon")
        #expect(O.BindEvent(u32v: 7) == O.BindEvent(u32v: 7))
        #expect(O.BindEvent(u32v: 7) != O.BindEvent(u32v: 8))
        #expect(Set([O.BindPadded(u8v: 1), O.BindPadded(u8v: 1), O.BindPadded(u8v: 2)]).count == 2)
    }

    @Test func configDefaultsComeFromTheObject() {
        let c = O.Config()
        #expect(c.cfgPid == 42)
        #expect(c.cfgNameString == "init")
        #expect(c.cfgColor == .bindGreen)
        var options = LoadOptions()
        var changed = c
        changed.cfgPid = 7
        changed.apply(to: &options)
        #expect(options.globals["cfg_pid"] == [7, 0, 0, 0])
        #expect(options.globals["cfg_name"] == Array("init".utf8) + [0, 0, 0, 0])
    }

    @Test func programsGetTheirHookFamilysType() throws {
        let spec = try ObjectSpec(bytes: EmbeddedObjects.bindLayout.bytes, name: "bind_layout")
        let hooks = Dictionary(uniqueKeysWithValues: spec.mainPrograms.map { ($0.name, ProgramHook($0)) })
        #expect(hooks == [
            "on_tp": .tracepoint, "on_raw_tp": .rawTracepoint, "on_kprobe": .kprobe, "on_uretprobe": .uprobe,
            "on_perf": .perfEvent, "on_xdp": .xdp, "on_tc": .tc, "on_cgroup": .cgroup, "on_sockops": .sockOps,
            "on_socket": .socketFilter, "on_sk_lookup": .skLookup, "on_sk_msg": .sockMap, "on_syscall": .syscall,
            "on_optional": .xdp,
        ])
    }

    /// Compile-time check of the generated property types (never called: it only has to build).
    static func propertyTypes(_ o: O) {
        let _: TracepointProgram = o.onTp
        let _: XDPProgram? = o.onOptional
        let _: HashMap<O.BindPadded, O.BindEvent> = o.hashMap
        let _: LRUHashMap<UInt64, O.BindBits> = o.lruMap
        let _: PerCPUHashMap<UInt32, UInt64> = o.lruPercpuHash
        let _: ArrayMap<O.BindPacked> = o.arrayMap
        let _: PerCPUArrayMap<O.BindInner> = o.percpuArray
        let _: LPMTrieMap<O.BindLpmKey, UInt32> = o.lpmMap
        let _: RingBufferMap<O.BindEvent> = o.events
        let _: PerfEventArrayMap = o.perfMap
        let _: ProgArray = o.jumpTable
        let _: StackTraceMap = o.stacks
        let _: UntypedMap = o.queue
        let _: GlobalVariable<UInt64> = o.bssCounter
        let _: GlobalVariable<O.BindInner> = o.dataInner
    }

    @Test func generatorWritesTheDeclarationsForAnObjectBuiltElsewhere() throws {
        let bytes = EmbeddedObjects.bindLayout.bytes
        let spec = try ObjectSpec(bytes: bytes, name: "bind_layout")
        var options = BindingsGenerator.Options(typeName: "Layout", embedding: .inline(bytes: bytes), sourceName: "bind_layout.o")
        options.isPublic = true
        let text = try BindingsGenerator(spec: spec, options: options).generate()
        for declaration in [
            "public struct Layout: Sendable {", "public static let embedded = EmbeddedObject(name: \"bind_layout\", hex: \"\\07f454c46",
            "public let onXdp: XDPProgram", "public let hashMap: HashMap<BindPadded, BindEvent>",
            "public let bssCounter: GlobalVariable<UInt64>", "public var cfgPid: UInt32 = CLayout.value(UInt32.self, bytes: [42, 0, 0, 0])",
            "public struct BindBits: BitwiseCopyable, Sendable, Hashable {", "public static let bindRed = BindColor(rawValue: 1)",
            "public let events: UntypedMap",  // no record struct named: the ring stays untyped
        ] {
            #expect(text.contains(declaration), "missing: \(declaration)")
        }
        #expect(!text.contains("hiddenStatic"))
        #expect(BindingsGenerator.typeName(forObject: "tcp_life") == "TcpLifeObject")
    }
}
