import BPF
import Foundation
import SwiftBPFSecurity
import ToolText
import Testing

/// The dynamic-section reader on real binaries and on damaged ones, the library walk, and the
/// library families lenient generation adds.
@Suite struct LinkedLibrariesTests {
    /// `readelf -d`'s NEEDED names of `path`, nil without readelf.
    static func readelfNeeded(_ path: String) -> [String]? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/readelf") else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/readelf")
        p.arguments = ["-d", path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            guard line.contains("(NEEDED)"), let a = line.firstIndex(of: "["), let b = line.lastIndex(of: "]") else { return nil }
            return String(line[line.index(after: a)..<b])
        }
    }

    @Test(arguments: ["/bin/ls", "/usr/bin/python3"])
    func neededLibrariesOfSystemBinariesAreReadelfs(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let info = DynamicLinkInfo(try ExecutableELF(path: path))
        #expect(info.isDynamic)
        #expect(info.needed.contains("libc.so.6"), "\(info.needed)")
        #expect(info.interpreter?.hasSuffix("/ld-linux-x86-64.so.2") == true, "\(info.interpreter ?? "none")")
        if let expected = Self.readelfNeeded(path) { #expect(info.needed == expected) }
    }

    @Test func libcNamesItselfAndNeedsTheLoader() throws {
        let libc = "/lib/x86_64-linux-gnu/libc.so.6"
        guard FileManager.default.fileExists(atPath: libc) else { return }
        let info = DynamicLinkInfo(try ExecutableELF(path: libc))
        #expect(info.soname == "libc.so.6")
        #expect(info.needed == ["ld-linux-x86-64.so.2"])
    }

    /// /bin/ls with its section headers dropped (so that the ELF reader keeps going) and cut at
    /// every 512 bytes, and with bytes of its dynamic section and string table overwritten:
    /// never a crash, and the names read are always names the whole file has.
    @Test func truncatedAndCorruptedBinariesGiveWhatCanBeRead() throws {
        guard let whole = FileManager.default.contents(atPath: "/bin/ls") else { return }
        var bytes = [UInt8](whole)
        for k in 40..<48 { bytes[k] = 0 }  // e_shoff = 0: no section header table
        let full = DynamicLinkInfo(try ExecutableELF(bytes: bytes))
        #expect(full.needed.contains("libc.so.6"))
        var partial = 0
        for cut in stride(from: 0, to: bytes.count, by: 512) {
            guard let elf = try? ExecutableELF(bytes: Array(bytes[..<cut])) else { continue }
            let info = DynamicLinkInfo(elf)
            #expect(info.needed.allSatisfy(full.needed.contains), "cut at \(cut): \(info.needed)")
            if info.needed.count < full.needed.count { partial += 1 }
        }
        #expect(partial > 0, "some cuts fall inside the dynamic section or string table")
        var random = SystemRandomNumberGenerator()
        let elf = try ExecutableELF(bytes: bytes)
        guard let dynamic = elf.segments.first(where: { $0.type == .dynamic }) else { return }
        for _ in 0..<300 {
            var copy = bytes
            for _ in 0..<8 {
                let at = Int(dynamic.offset) + Int.random(in: 0..<Int(dynamic.fileSize), using: &random)
                copy[at] = UInt8.random(in: 0...255, using: &random)
            }
            if let e = try? ExecutableELF(bytes: copy) { _ = DynamicLinkInfo(e) }
        }
        for size in [0, 3, 16, 63, 64, 200, 4096] {
            let garbage = (0..<size).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(throws: BPFError.self) { _ = try ExecutableELF(bytes: garbage) }
            var header = garbage + [UInt8](repeating: 0, count: max(0, 64 - size))
            header.replaceSubrange(0..<6, with: [0x7f, 0x45, 0x4c, 0x46, 2, 1])  // ELF magic, 64-bit, little-endian
            if let e = try? ExecutableELF(bytes: header) { _ = DynamicLinkInfo(e) }
        }
    }

    @Test func theWalkFollowsNeededLibrariesScriptsAndOpenedObjects() throws {
        guard FileManager.default.fileExists(atPath: "/bin/ls") else { return }
        let walk = LibraryWalk()
        let ls = walk.libraries(ofPrograms: ["/bin/ls"])
        #expect(ls.dynamicBinaries.count == 1 && ls.staticBinaries.isEmpty)
        let names = ls.libraries.map(\.name)
        #expect(names.contains("libc.so.6") && names.contains("ld-linux-x86-64.so.2"), "\(names)")
        #expect(ls.libraries.allSatisfy { $0.path != nil }, "\(ls.notes)")
        #expect(ls.libraries.first { $0.name == "libc.so.6" }?.neededBy.hasSuffix("/ls") == true)
        // The loader's own opens (its cache, libc under its real name) add nothing.
        let libc = try #require(ls.libraries.first { $0.name == "libc.so.6" }?.path)
        let again = walk.libraries(ofPrograms: ["/bin/ls"], opened: ["/etc/ld.so.cache", libc])
        #expect(again.libraries == ls.libraries, "\(again.libraries.map(\.name))")

        let dir = NSTemporaryDirectory() + "swiftbpf-walk-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = FileManager.default.createFile(atPath: dir + "/a.py", contents: Data("#!/usr/bin/python3\nprint(1)\n".utf8))
        _ = FileManager.default.createFile(atPath: dir + "/b.py", contents: Data("#!/usr/bin/env -S python3 -u\n".utf8))
        _ = FileManager.default.createFile(atPath: dir + "/junk", contents: Data([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]))
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") {
            for script in ["a.py", "b.py"] {
                let py = walk.libraries(ofPrograms: [dir + "/" + script])
                #expect(py.dynamicBinaries.count == 1 && py.dynamicBinaries[0].contains("python3"), "\(script): \(py.dynamicBinaries) \(py.notes)")
                #expect(py.libraries.contains { $0.name == "libc.so.6" })
                if let expected = Self.readelfNeeded("/usr/bin/python3") {
                    #expect(Set(expected).isSubset(of: py.libraries.map(\.name)), "\(expected) in \(py.libraries.map(\.name))")
                }
            }
        }
        #expect(mkfifo(dir + "/fifo", 0o600) == 0)
        #expect(mkfifo(dir + "/fifo.so", 0o600) == 0)
        let bad = walk.libraries(ofPrograms: [dir + "/junk", dir + "/missing", dir + "/fifo", dir], opened: [dir + "/fifo.so"])
        #expect(bad.libraries.isEmpty && bad.dynamicBinaries.isEmpty && bad.staticBinaries.isEmpty)
        #expect(bad.notes.count == 4, "\(bad.notes)")

        let ssl = "/usr/lib/x86_64-linux-gnu/libssl.so.3"
        if FileManager.default.fileExists(atPath: ssl) {
            let opened = walk.libraries(ofPrograms: [], opened: [ssl, "/etc/hosts"])
            #expect(opened.libraries.map(\.name).prefix(2) == ["libssl.so.3", "libcrypto.so.3"], "\(opened.libraries.map(\.name))")
            #expect(opened.libraries.first?.neededBy == "opened by the workload")
        }
        var tight = LibraryWalk()
        tight.maxLibraries = 1
        let capped = tight.libraries(ofPrograms: ["/bin/ls"])
        #expect(capped.libraries.count == 1 && capped.notes.contains { $0.contains("more than 1 libraries") }, "\(capped.notes)")
    }

    @Test func familyTableNamesRealCallsOnce() {
        for f in LibraryFamilies.all {
            #expect(Set(f.syscalls).count == f.syscalls.count, "\(f.name) repeats a call")
            for c in f.syscalls { #expect(SyscallNames.x86_64Numbers[c] != nil, "\(f.name): \(c)") }
        }
    }

    func profile() -> LearnedProfile {
        var p = LearnedProfile(workload: .init(cgroup: "/sys/fs/cgroup/app"), seconds: 1, runs: 1)
        p.addExec(path: "/usr/bin/app", inode: nil, parents: [])
        p.addSyscall("read", count: 10)
        p.addSyscall("write", count: 3)
        p.addSyscall("getrandom", count: 1)
        p.normalize()
        return p
    }

    func lenient(_ libraries: LinkedLibraries?) -> GenerateOptions {
        var o = GenerateOptions()
        o.strict = false
        o.libraries = libraries
        return o
    }

    @Test func lenientSeccompAddsTheFamiliesOfTheLinkedLibraries() throws {
        let linked = LinkedLibraries(dynamicBinaries: ["/usr/bin/app"], libraries: [
            .init(name: "ld-linux-x86-64.so.2", path: "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", neededBy: "/usr/bin/app"),
            .init(name: "libssl.so.3", path: "/usr/lib/x86_64-linux-gnu/libssl.so.3", neededBy: "/usr/bin/app"),
            .init(name: "libc.so.6", path: "/usr/lib/x86_64-linux-gnu/libc.so.6", neededBy: "/usr/bin/app"),
            .init(name: "libcrypto.so.3", path: "/usr/lib/x86_64-linux-gnu/libcrypto.so.3", neededBy: "/usr/lib/x86_64-linux-gnu/libssl.so.3"),
        ])
        let out = SeccompGenerator.profile(profile(), lenient(linked))
        #expect(out.json.contains("\"comment\":\"lenient: error and shutdown paths of openssl: libssl.so.3, libcrypto.so.3, not seen\""), "\(out.json)")
        #expect(out.json.contains("\"comment\":\"lenient: error and shutdown paths of glibc: libc.so.6, ld-linux-x86-64.so.2, not seen\""))
        #expect(out.allowed.contains("mlock") && out.allowed.contains("tgkill") && out.allowed.contains("exit_group"))
        #expect(!out.allowed.contains("getdents64"), "no python here")
        #expect(Set(out.allowed).count == out.allowed.count, "each call once")
        // getrandom was seen: it stays in its own "seen" entry, not in openssl's.
        let openssl = out.json.split(separator: "\n").first { $0.contains("of openssl") } ?? ""
        #expect(!openssl.contains("getrandom") && !openssl.contains("\"futex\""), "\(openssl)")

        // A static binary: the base set only.
        let staticOnly = SeccompGenerator.profile(profile(), lenient(LinkedLibraries(staticBinaries: ["/usr/bin/app"])))
        let base = LibraryFamilies.all[0].syscalls.filter { !["read", "write", "getrandom"].contains($0) }
        #expect(staticOnly.allowed == ["read", "write", "getrandom"] + base)
        #expect(staticOnly.json.contains("\"comment\":\"lenient: error and shutdown paths of every process, not seen\""))

        // Not examined: a glibc program is assumed.
        let assumed = SeccompGenerator.profile(profile(), lenient(nil))
        #expect(assumed.allowed.contains("tgkill") && !assumed.allowed.contains("mlock"))

        // A python3 program, and threads shown by clone3.
        var threaded = profile()
        threaded.addSyscall("clone3", count: 2)
        let py = SeccompGenerator.profile(threaded, lenient(LinkedLibraries(dynamicBinaries: ["/usr/bin/python3.11"],
                                                                             libraries: [.init(name: "libc.so.6", path: nil, neededBy: "/usr/bin/python3.11")])))
        #expect(py.json.contains("of python: python3.11, not seen") && py.json.contains("of threads: clone3 calls, not seen"))
        #expect(py.allowed.contains("getdents64") && py.allowed.contains("set_robust_list"))
    }

    @Test func lenientGuardPolicyAllowsLibraryDirectoriesOutsideTheUsualOnes() {
        let linked = LinkedLibraries(dynamicBinaries: ["/opt/app/bin/app"], libraries: [
            .init(name: "libc.so.6", path: "/usr/lib/x86_64-linux-gnu/libc.so.6", neededBy: "/opt/app/bin/app"),
            .init(name: "libapp.so.1", path: "/opt/app/lib/libapp.so.1", neededBy: "/opt/app/bin/app"),
        ])
        let text = GuardPolicyGenerator.guardPolicy(profile(), lenient(linked))
        #expect(text.contains("- \"/opt/app/lib\"  # lenient: libraries libapp.so.1"), "\(text)")
        #expect(!text.contains("\"/usr/lib/x86_64-linux-gnu\""), "under /usr/lib already")
        var strict = lenient(linked)
        strict.strict = true
        #expect(!GuardPolicyGenerator.guardPolicy(profile(), strict).contains("/opt/app/lib"))
    }
}
