import BPF
import Glibc
import Testing

/// fentry and fexit programs on vfs_open (fentry_open.bpf.c) counting this process's opens of a
/// marker file, matched by inode. Where the kernel refuses tracing programs (the development
/// host answers EPERM), the attach test skips with the probed reason and
/// `unsupportedKernelRefusesTheLoad` checks the probe against a real load.
@Suite("fentry", .serialized, .enabled(if: isRoot, "fentry needs root"))
struct FentryTests {
    func load(_ file: MarkerFile) throws -> BPFObject {
        var options = LoadOptions()
        options.set("target_tgid", to: UInt32(getpid()))
        options.set("target_ino", to: file.inode)
        return try BPFObject(ObjectSpec(bytes: EmbeddedObjects.fentryOpen.bytes, name: "fentry_open"), options: options)
    }

    func hit(_ object: BPFObject, _ index: UInt32) throws -> (count: UInt64, lastRet: Int64) {
        let b = try #require(try object.map("hits").lookup(key: withUnsafeBytes(of: index) { Array($0) }))
        return (readLE(b, at: 0), readLE(b, at: 8))
    }

    @Test(ProbedFeature.enabled(.fentry))
    func fentryAndFexitSeeMarkerOpens() throws {
        let file = try MarkerFile("fentry")
        let other = try MarkerFile("fentry-other")
        let object = try load(file)
        // fentry through BPF_LINK_CREATE(BPF_TRACE_FENTRY); fexit by its SEC() name.
        let entry = try TracingProgram(object, name: "fentry_vfs_open").attach(cookie: 0)
        let exit = try object.attach("fexit_vfs_open")
        #expect(try entry.info().typeName == "tracing")
        for _ in 0..<4 { #expect(file.open() >= 0) }
        #expect(other.open() >= 0)
        entry.close()
        exit.close()
        #expect(file.open() >= 0)  // detached: not counted
        let (entries, _) = try hit(object, 0)
        let (exits, ret) = try hit(object, 1)
        #expect(entries == 4)
        #expect(exits == 4)
        #expect(ret == 0, "fexit sees vfs_open's return value")
    }

    @Test(ProbedFeature.whereUnsupported(.fentry))
    func unsupportedKernelRefusesTheLoad() throws {
        let reason = try #require(Features.probe(.fentry).reason)
        #expect(!reason.isEmpty)
        let file = try MarkerFile("fentry")
        // The probe said no: a real fentry object must not load and attach either.
        let attached = Result { () throws -> Link in
            let object = try load(file)
            return try object.attach("fentry_vfs_open")
        }
        if case .success = attached {
            Issue.record("the fentry probe said unsupported (\(reason)), but the object loaded and attached")
        }
        #expect(Features.probe(.fexit).isSupported == false)
    }
}
