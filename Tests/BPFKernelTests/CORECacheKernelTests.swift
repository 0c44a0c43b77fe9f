@testable import BPF
import Foundation
import Testing

/// The per-boot CO-RE cache (`LoadOptions.coreCacheDirectory`) against the running kernel: a
/// hit gives the same instructions as relocating, never reads kernel BTF for CO-RE, and loads;
/// a damaged or foreign file is ignored and replaced; another object or program set misses.
@Suite(.serialized, .enabled(if: isRoot, "the CO-RE cache is root's"))
struct CORECacheKernelTests {
    typealias Relocated = [String: [Instruction]]

    /// A fresh cache directory, removed with its files at the end of `body`.
    func withCacheDirectory(_ body: (String) throws -> Void) throws {
        let dir = NSTemporaryDirectory() + "swiftbpf-core-cache-\(UUID().uuidString)/cache"
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        try body(dir)
    }

    /// The CO-RE'd instructions of every function of `spec` (loading its main programs), keyed by
    /// name, and whether kernel BTF was asked for.
    func relocate(_ spec: ObjectSpec, cache: String?, loading: [ProgramSpec]? = nil) throws -> (Relocated, [String: [CORERelocationResult]], askedBTF: Bool) {
        var asked = false
        let preparer = try ProgramPreparer(spec: spec, loading: loading ?? spec.mainPrograms, targetBTF: { () throws(BPFError) -> BTF in
            asked = true
            return try BTF.kernel()
        }, coreCache: cache.map { CORECacheStore(directory: $0) })
        var insns: Relocated = [:]
        var core: [String: [CORERelocationResult]] = [:]
        for p in (loading ?? spec.mainPrograms) + spec.subprograms {
            let r = try #require(preparer.relocated[.init(p)])
            insns[p.name] = r.instructions
            core[p.name] = r.core
        }
        return (insns, core, asked)
    }

    func files(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasSuffix(".tmp") }.sorted()
    }

    @Test func hitGivesTheSameInstructionsWithoutKernelBTFAndLoads() throws {
        let spec = try ObjectSpec(bytes: EmbeddedObjects.diffCore.bytes, name: "diff_core")
        try withCacheDirectory { dir in
            let plain = try relocate(spec, cache: nil)
            #expect(plain.askedBTF)
            #expect(plain.1.values.contains { !$0.isEmpty }, "the object has CO-RE relocations")

            let miss = try relocate(spec, cache: dir)
            #expect(miss.askedBTF)
            #expect(miss.0 == plain.0 && miss.1 == plain.1)
            let written = files(dir)
            #expect(written.count == 1)
            var st = stat()
            let statResult = stat(dir, &st)
            #expect(statResult == 0 && st.st_mode & 0o777 == 0o700 && st.st_uid == 0)

            let hit = try relocate(spec, cache: dir)
            #expect(!hit.askedBTF, "a hit must not read kernel BTF for CO-RE")
            #expect(hit.0 == plain.0 && hit.1 == plain.1)

            // The real load from the cache, and its program reads through the relocated offsets.
            var options = LoadOptions()
            options.coreCacheDirectory = dir
            let object = try BPFObject(spec, options: options)
            let uncached = try BPFObject(spec, options: { var o = LoadOptions(); o.coreCacheDirectory = nil; return o }())
            #expect(object.coreRelocations == uncached.coreRelocations)
            let link = try object.attach("core_kinds")
            defer { withExtendedLifetime(link) {} }
            var seen = false
            for _ in 0..<200 where !seen {
                _ = getpid()
                seen = try object.map("out").lookup(key: UInt32(0), as: UInt64.self) == UInt64(getpid())
            }
            #expect(seen, "the CO-RE read of task->tgid never matched this process")
            #expect(files(dir) == written)
        }
    }

    @Test func damagedFilesAreIgnoredAndReplaced() throws {
        let spec = try ObjectSpec(bytes: EmbeddedObjects.diffCore.bytes, name: "diff_core")
        try withCacheDirectory { dir in
            let plain = try relocate(spec, cache: dir)
            let name = try #require(files(dir).first)
            let path = dir + "/" + name
            let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            // Well-formed, for this key, but an instruction that no relocation patched differs.
            var file = try #require(CORECacheFile.decode(good))
            let patched = Set(file.functions[0].results.flatMap { [$0.instructionIndex, $0.instructionIndex + 1] })
            let unpatched = try #require(file.functions[0].instructions.indices.first { !patched.contains($0) })
            file.functions[0].instructions[unpatched].imm &+= 1
            let tampered = try #require(file.encoded())
            let damaged: [[UInt8]] = [[], Array(good.prefix(good.count / 2)), good + [0], Array(repeating: 0xff, count: 4096), tampered]
            for bytes in damaged {
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                let again = try relocate(spec, cache: dir)
                #expect(again.0 == plain.0 && again.1 == plain.1)
                #expect(again.askedBTF, "a damaged file must not count as a hit")
                let rewritten = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
                #expect(CORECacheFile.decode(rewritten) != nil, "the damaged file is replaced by a good one")
            }
            // A file other users may write is not read.
            chmod(path, 0o666)
            #expect(try relocate(spec, cache: dir).askedBTF)
        }
    }

    @Test func anotherObjectOrProgramSetMisses() throws {
        let core = try ObjectSpec(bytes: EmbeddedObjects.diffCore.bytes, name: "diff_core")
        let exec = try ObjectSpec(bytes: EmbeddedObjects.cExecEvents.bytes, name: "c_exec_events")
        try withCacheDirectory { dir in
            _ = try relocate(core, cache: dir)
            let other = try relocate(exec, cache: dir)
            #expect(other.askedBTF)
            #expect(other.0 == (try relocate(exec, cache: nil)).0)
            #expect(files(dir).count == 2)
            #expect(!(try relocate(exec, cache: dir)).askedBTF)
            // Fewer programs loaded: another key (relocation order and pruning may differ).
            let fentry = try ObjectSpec(bytes: EmbeddedObjects.fentryOpen.bytes, name: "fentry_open")
            try #require(fentry.mainPrograms.count == 2)
            _ = try relocate(fentry, cache: dir)
            let one = try relocate(fentry, cache: dir, loading: [fentry.mainPrograms[0]])
            #expect(one.askedBTF)
            #expect(files(dir).count == 4)
        }
    }

    /// After a hit, what else needs kernel BTF (here an fentry program's attach target) still
    /// finds it, read lazily.
    @Test func attachTargetsStillResolveAfterAHit() throws {
        let spec = try ObjectSpec(bytes: EmbeddedObjects.fentryOpen.bytes, name: "fentry_open")
        try withCacheDirectory { dir in
            _ = try relocate(spec, cache: dir)
            #expect(!(try relocate(spec, cache: dir)).askedBTF)
            let program = try #require(spec.mainPrograms.first { $0.needsAttachBTFID })
            let id = try ProgramPreparer.attachBTFID(for: program)
            #expect(id == (try BTF.kernel()).typeID(named: "vfs_open", kind: .func))
        }
    }

    @Test(ProbedFeature.enabled(.fentry))
    func objectNeedingKernelBTFForAttachLoadsFromTheCache() throws {
        let spec = try ObjectSpec(bytes: EmbeddedObjects.fentryOpen.bytes, name: "fentry_open")
        try withCacheDirectory { dir in
            var options = LoadOptions()
            options.coreCacheDirectory = dir
            let first = try BPFObject(spec, options: options)
            let second = try BPFObject(spec, options: options)
            #expect(first.coreRelocations == second.coreRelocations)
            #expect(second.programs.count == first.programs.count)
        }
    }
}
