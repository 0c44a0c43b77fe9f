import BPF
import Glibc
import Testing

/// A BPF LSM program on file_open (lsm_deny_open.bpf.c) that denies this process opening one
/// marker file with EPERM, synchronously, while other files still open. Where the BPF LSM is
/// not active or the kernel refuses LSM programs (the development host), the deny test skips
/// with the probed reason and `unsupportedKernelRefusesTheProgram` checks that reason.
@Suite("LSM", .serialized, .enabled(if: isRoot, "BPF LSM programs need root"))
struct LSMTests {
    func load(deny file: MarkerFile) throws -> BPFObject {
        var options = LoadOptions()
        options.set("target_tgid", to: UInt32(getpid()))
        options.set("deny_ino", to: file.inode)
        return try BPFObject(ObjectSpec(bytes: EmbeddedObjects.lsmDenyOpen.bytes, name: "lsm_deny_open"), options: options)
    }

    func count(_ object: BPFObject, _ index: UInt32) throws -> UInt64 {
        try #require(try object.map("counts").lookup(key: index, as: UInt64.self))
    }

    @Test(ProbedFeature.enabled(.lsm))
    func fileOpenOfMarkerIsDeniedWithEPERM() throws {
        let denied = try MarkerFile("lsm-deny")
        let allowed = try MarkerFile("lsm-allow")
        let object = try load(deny: denied)
        #expect(denied.open() >= 0, "before the LSM program attaches, the file opens")
        let link = try LSMProgram(object, name: "deny_marker_open").attach(cookie: 0)
        #expect(try link.info().typeName == "tracing")
        #expect(denied.open() == -EPERM)
        #expect(denied.open() == -EPERM)
        #expect(allowed.open() >= 0, "other files still open")
        #expect(try count(object, 0) == 2)
        #expect(try count(object, 1) >= 1)
        link.close()
        #expect(denied.open() >= 0, "closing the link lifts the deny")
        #expect(try count(object, 0) == 2)
    }

    @Test(ProbedFeature.enabled(.lsm))
    func autoAttachBySectionName() throws {
        let denied = try MarkerFile("lsm-deny")
        let object = try load(deny: denied)
        let links = try object.attachAll()
        #expect(links.count == 1)
        #expect(denied.open() == -EPERM)
        for l in links { l.close() }
        #expect(denied.open() >= 0)
    }

    @Test(ProbedFeature.whereUnsupported(.lsm))
    func unsupportedKernelRefusesTheProgram() throws {
        let reason = try #require(Features.probe(.lsm).reason)
        if let active = Features.activeLSMs(), !active.contains("bpf") {
            #expect(reason.contains("not active"), "\(reason)")
        }
        let denied = try MarkerFile("lsm-deny")
        let attached = Result { () throws -> Link in
            try load(deny: denied).attach("deny_marker_open")
        }
        if case .success = attached {
            Issue.record("the LSM probe said unsupported (\(reason)), but the program loaded and attached")
        }
        #expect(denied.open() >= 0, "nothing denies the open")
    }
}
