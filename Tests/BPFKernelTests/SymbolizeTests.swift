import BPF
import Foundation
import Glibc
import Testing

/// Symbolisation against the running kernel: /proc/kallsyms, this process's and a child's
/// binaries, and stacks sampled with perf_event cpu-clock on every CPU into a stack-trace map.
@Suite(.serialized, .enabled(if: geteuid() == 0, "perf_event sampling and /proc/kallsyms addresses need root"))
struct SymbolizeTests {
    @Test func kernelSymbolsResolveKnownFunctions() throws {
        let table = try KernelSymbols.load()
        #expect(table.count > 10_000)
        for name in ["do_syscall_64", "schedule", "vfs_read"] {
            let address = try #require(table.address(of: name), "\(name) is not in /proc/kallsyms")
            let at = try #require(table.symbolize(address))
            #expect(at.name == name && at.offset == 0 && at.module == nil)
            let inside = try #require(table.symbolize(address + 3))
            #expect(inside.name == name && inside.offset == 3)
        }
    }

    @Test func processSymbolizerResolvesLibcAndKeepsTheModule() throws {
        let handle = try #require(dlopen(nil, RTLD_NOW))
        defer { dlclose(handle) }
        let getpidAddress = UInt64(UInt(bitPattern: try #require(dlsym(handle, "getpid"))))
        let me = try ProcessSymbolizer(pid: getpid(), cache: BinarySymbolCache())
        let symbol = try #require(me.symbolize(getpidAddress + 1))
        #expect(symbol.name.hasSuffix("getpid"))
        #expect(symbol.offset == 1)
        #expect(symbol.module?.contains("libc") == true)
        #expect(me.symbolize(0x10) == nil)  // the null page is never mapped
    }

    /// A child (a C program compiled now) burns CPU in user space, then in the kernel: the
    /// sampled user stacks name its function in its binary, and every kernel stack resolves to
    /// kallsyms names with a syscall entry among them.
    @Test func sampledChildStacksNameItsFunctionsAndSyscalls() throws {
        let workload = try BurnWorkload()
        let child = try #require(SymbolizeSampling.spawn(workload.binary, ["30"]), "could not start the workload")
        defer { kill(child, SIGKILL); var status: Int32 = 0; waitpid(child, &status, 0) }
        // Until both kinds of stacks are in (a user loop and a read of /dev/zero).
        let stacks = try SymbolizeSampling.sample(tgid: UInt32(child), seconds: 1.0) { stacks in
            stacks.contains { $0.kernel != nil } && stacks.contains { $0.kernel == nil && $0.user != nil }
        }
        #expect(!stacks.isEmpty, "no samples of the child")
        // The child is still running (it is killed at the end): its maps are there.
        let process = try ProcessSymbolizer(pid: child, cache: BinarySymbolCache())
        let kernel = try KernelSymbols.load()

        let userLeaves = stacks.compactMap { $0.user?.first }.compactMap { process.symbolize($0) }
        let burn = userLeaves.filter { $0.name == "swiftbpf_burn_user" }
        #expect(!burn.isEmpty, "user leaves: \(Set(userLeaves.map(\.name)))")
        #expect(burn.allSatisfy { $0.module == workload.binary && $0.demangledName == nil })
        // Below the leaf, frame pointers lead to main.
        let callers = stacks.compactMap(\.user).filter { $0.count > 1 }.flatMap { $0.dropFirst() }.compactMap { process.symbolize($0)?.name }
        #expect(callers.contains("main"), "callers: \(Set(callers))")

        let kernelStacks = stacks.compactMap(\.kernel)
        #expect(!kernelStacks.isEmpty, "no kernel stacks (the child's reads of /dev/zero run in the kernel)")
        let frames = kernelStacks.flatMap { $0 }
        let resolved = frames.compactMap { kernel.symbolize($0) }
        #expect(resolved.count == frames.count, "unresolved kernel frames: \(frames.filter { kernel.symbolize($0) == nil })")
        let names = Set(resolved.map(\.name))
        #expect(names.contains { $0.contains("syscall") }, "kernel frames: \(names)")
        #expect(names.contains { $0.contains("read") }, "kernel frames: \(names)")
    }

    /// This test process burns CPU in a Swift function: the sampled user stacks hold its
    /// mangled name, which demangles to the function's Swift name.
    @Test func sampledSwiftFunctionDemangles() throws {
        let seconds = 1.2
        let stacks = try SymbolizeSampling.sample(tgid: UInt32(getpid()), seconds: seconds, while: {
            let worker = NamedThread(name: "symspin") { _ = symbolizeSpinLoop(seconds: seconds) }
            worker.join()
        })
        let process = try ProcessSymbolizer(pid: getpid(), cache: BinarySymbolCache())
        let leaves = stacks.compactMap { $0.user?.first }.compactMap { process.symbolize($0) }
        let spin = leaves.filter { $0.demangledName?.contains("symbolizeSpinLoop") == true }
        #expect(!spin.isEmpty, "leaves: \(Set(leaves.map(\.displayName)).prefix(20))")
        let first = try #require(spin.first)
        #expect(first.name.hasPrefix("$s"))
        #expect(first.demangledName == "BPFKernelTests.symbolizeSpinLoop(seconds: Swift.Double) -> Swift.UInt64")
    }

    /// Two processes of one binary open it through their own /proc/PID/root: the cache reads
    /// it once (by device and inode), through the first process's path.
    @Test func oneBinaryOfTwoProcessesIsReadOnce() throws {
        // A copy of its own: suites running alongside may replace the shared helper binary,
        // and a replaced binary is mapped as "PATH (deleted)".
        let binary = NSTemporaryDirectory() + "swiftbpf-burn-twice-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.copyItem(atPath: try BurnWorkload().binary, toPath: binary)
        defer { try? FileManager.default.removeItem(atPath: binary) }
        let a = try #require(SymbolizeSampling.spawn(binary, ["30"]), "could not start the workload")
        defer { kill(a, SIGKILL); var status: Int32 = 0; waitpid(a, &status, 0) }
        let b = try #require(SymbolizeSampling.spawn(binary, ["30"]), "could not start the workload")
        defer { kill(b, SIGKILL); var status: Int32 = 0; waitpid(b, &status, 0) }
        let cache = BinarySymbolCache()
        let tables = try [a, b].map { pid -> BinarySymbols in
            let process = try ProcessSymbolizer(pid: pid, cache: cache)
            let mapping = try #require(process.mappings.first { $0.path == binary }, "\(binary) is not mapped in \(pid): \(process.mappings.map(\.path))")
            return try process.binary(of: mapping).get()
        }
        #expect(tables[0] === tables[1], "the binary was read twice")
        #expect(cache.count == 1)
        #expect(tables[0].path == "/proc/\(a)/root" + binary && tables[0].count > 0, "\(tables[0].path): \(tables[0].count) symbols")
    }

    @Test func badTargetsAreClearErrors() throws {
        #expect {
            _ = try BinarySymbols(path: "/nonexistent/swiftbpf-binary")
        } throws: { error in
            guard case let .missing(what) = error as? BPFError else { return false }
            return what.contains("/nonexistent/swiftbpf-binary")
        }
        // Not an ELF file: a clear error, remembered by the cache (not retried per address).
        let cache = BinarySymbolCache()
        guard case let .failure(error) = cache.symbols(path: "/proc/self/status") else {
            Issue.record("a text file was read as an ELF binary")
            return
        }
        #expect("\(error)".contains("/proc/self/status"))
        _ = cache.symbols(path: "/proc/self/status")
        #expect(cache.count == 1)
        // A process that does not exist: ENOENT from /proc.
        #expect {
            _ = try ProcessSymbolizer(pid: Int32.max)
        } throws: { error in
            guard case let .syscall(operation, errno) = error as? BPFError else { return false }
            return operation.contains("/proc/\(Int32.max)/maps") && errno == .ENOENT
        }
    }

    @Test func stackTraceMapRejectsOtherMaps() throws {
        let map = try Map.create(MapCreateAttributes(name: "sym_not_stack", type: .hash, keySize: 4, valueSize: 8, maxEntries: 1))
        #expect {
            _ = try map.stackTrace(id: 0)
        } throws: { error in
            guard case let .invalidArgument(why) = error as? BPFError else { return false }
            return why.contains("not a stack-trace map")
        }
        let stacks = try Map.create(MapCreateAttributes(name: "sym_stacks", type: .stackTrace, keySize: 4, valueSize: 8 * 16, maxEntries: 4))
        #expect(try stacks.stackTrace(id: 3) == nil)
        #expect(try stacks.stackTrace(signedID: -14) == nil)
        #expect(stacks.stackTraceDepth == 16)
    }
}

/// Spins in Swift code for `seconds` (the function the sampling test looks for by name).
@inline(never)
func symbolizeSpinLoop(seconds: Double) -> UInt64 {
    var x: UInt64 = 1
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        for i in 0..<200_000 { x = x &* 6364136223846793005 &+ UInt64(i) }
    }
    return x
}

/// One sampled context: its count and its stacks (nil when the helper returned an error).
struct SampledStack {
    var count: UInt64
    var user: [UInt64]?
    var kernel: [UInt64]?
}

enum SymbolizeSampling {
    /// Loads `profile_stacks`, samples process `tgid` at 499 Hz on every CPU for `seconds`
    /// (running `body` meanwhile), then on until `until` accepts the stacks or 8 s have passed
    /// (the machine is shared: a busy one gives the workload less CPU), detaches, and returns
    /// the counted stacks.
    static func sample(tgid: UInt32, seconds: Double, until: ([SampledStack]) -> Bool = { _ in true },
                       while body: () -> Void = {}) throws -> [SampledStack] {
        var options = LoadOptions()
        options.set("targ_tgid", to: tgid)
        let object = try BPFObject(ObjectSpec(bytes: EmbeddedObjects.profileStacks.bytes, name: EmbeddedObjects.profileStacks.name), options: options)
        let links = try PerfEventProgram(object, name: "sample_stacks").attach(sampling: 1, config: 0, frequency: 499)
        defer { for link in links { link.close() } }
        let start = Date()
        body()
        let rest = seconds - Date().timeIntervalSince(start)
        if rest > 0 { usleep(UInt32(rest * 1_000_000)) }
        var stacks = try read(object)
        while !until(stacks), Date().timeIntervalSince(start) < 8 {
            usleep(200_000)
            stacks = try read(object)
        }
        return stacks
    }

    static func read(_ object: BPFObject) throws -> [SampledStack] {
        let counts = try object.map("stack_counts")
        let traces = try object.map("stack_traces")
        var out: [SampledStack] = []
        for (key, value) in try counts.allEntries() {
            let (user, kernel) = key.withUnsafeBytes { ($0.loadUnaligned(fromByteOffset: 4, as: Int32.self), $0.loadUnaligned(fromByteOffset: 8, as: Int32.self)) }
            let count = value.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            out.append(SampledStack(count: count, user: try traces.stackTrace(signedID: user), kernel: try traces.stackTrace(signedID: kernel)))
        }
        return out
    }

    /// Starts a program without waiting for it (output to /dev/null).
    static func spawn(_ path: String, _ args: [String]) -> pid_t? {
        var cArgs: [UnsafeMutablePointer<CChar>?] = ([path] + args).map { strdup($0) }
        cArgs.append(nil)
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        return posix_spawn(&pid, path, nil, nil, cArgs, environ) == 0 ? pid : nil
    }
}

/// The C workload `Helpers/burn.c`: it alternates between a user-space loop
/// (`swiftbpf_burn_user`) and reads of /dev/zero (kernel time) for argv[1] seconds. Built once
/// per test process, or prebuilt on the host for the VM (see `TestHelperBinary`).
final class BurnWorkload {
    let binary: String

    init() throws {
        binary = try TestHelperBinary.path(of: "burn")
    }
}
