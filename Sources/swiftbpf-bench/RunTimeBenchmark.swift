import BPF
import Glibc

/// The kernel's own measure of a program's cost: with `kernel.bpf_stats_enabled` set, the kernel
/// adds each run's time to the program's `run_time_ns` and counts it in `run_cnt`. Loads an
/// object, attaches every program, drives a fixed load (execs of /bin/true, or short
/// clock_nanosleep calls) and prints, per program, the median over rounds of run time / runs.
/// Used to compare a Swift BPF program with its C twin under the same load.
enum RunTimeBenchmark {
    enum Workload: String {
        case exec, nanosleep
        /// Context switches: two threads pinned to CPU 0 hand a byte back and forth over two
        /// pipes, so each round trip is two wakeups and two switches (runqlat's events).
        case `switch`
    }

    static func run(path: String, workload: Workload, count: Int, rounds: Int, selfThreadConstant: String?) throws {
        var options = LoadOptions()
        // A program that filters on one thread (the histograms' target) is pointed at this one.
        // (This process's main thread, which drives the load.)
        if let name = selfThreadConstant { options.set(name, to: UInt32(getpid())) }
        let object = try BPFObject(path: path, options: options)
        let links = try object.attachAll()
        defer { for link in links { link.close() } }
        let statsPath = "/proc/sys/kernel/bpf_stats_enabled"
        let previous = readFile(statsPath) ?? "0"
        guard writeFile(statsPath, "1") else { throw BPFError.invalidArgument("cannot write \(statsPath) (root?)") }
        defer { _ = writeFile(statsPath, previous) }

        var perEvent: [String: [Double]] = [:]
        var runs: [String: UInt64] = [:]
        for _ in 0..<rounds {
            var before: [String: ProgramInfo] = [:]
            for (name, program) in object.programs { before[name] = try program.info() }
            try drive(workload, count: count)
            for (name, program) in object.programs {
                let after = try program.info()
                let n = after.runCount - before[name]!.runCount
                let t = after.runTimeNanoseconds - before[name]!.runTimeNanoseconds
                runs[name, default: 0] += n
                if n > 0 { perEvent[name, default: []].append(Double(t) / Double(n)) }
            }
        }
        for name in object.programs.keys.sorted() {
            print(Clock.json([("bench", "\"run_time\""), ("object", "\"\(path.split(separator: "/").last ?? "")\""),
                              ("program", "\"\(name)\""), ("workload", "\"\(workload.rawValue)\""),
                              ("runs", "\(runs[name] ?? 0)"), ("ns_per_run", Clock.fixed(Clock.median(perEvent[name] ?? []), 1))]))
        }
    }

    static func drive(_ workload: Workload, count: Int) throws {
        switch workload {
        case .exec:
            for _ in 0..<count {
                var pid: pid_t = 0
                let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
                defer { for a in argv { free(a) } }
                guard posix_spawn(&pid, "/bin/true", nil, nil, argv, environ) == 0 else {
                    throw BPFError.invalidArgument("posix_spawn /bin/true failed")
                }
                var status: Int32 = 0
                _ = waitpid(pid, &status, 0)  // /bin/true exits at once
            }
        case .nanosleep:
            for _ in 0..<count {
                var request = timespec(tv_sec: 0, tv_nsec: 3000)
                _ = clock_nanosleep(CLOCK_MONOTONIC, 0, &request, nil)
            }
        case .switch:
            try pingPong(roundTrips: count)
        }
    }

    /// `roundTrips` exchanges of one byte between this thread and a second one, both on CPU 0.
    static func pingPong(roundTrips: Int) throws {
        var there: [Int32] = [0, 0], back: [Int32] = [0, 0]
        guard pipe(&there) == 0, pipe(&back) == 0 else { throw BPFError.invalidArgument("pipe failed") }
        defer { for fd in there + back { close(fd) } }
        // The echoing thread's fds and count; it reads them once, before the first exchange.
        let job = UnsafeMutablePointer<(Int32, Int32, Int)>.allocate(capacity: 1)
        job.initialize(to: (there[0], back[1], roundTrips))
        defer { job.deallocate() }
        var thread = pthread_t()
        guard pthread_create(&thread, nil, { raw in
            let (input, output, n) = raw!.assumingMemoryBound(to: (Int32, Int32, Int).self).pointee
            RunTimeBenchmark.pinToFirstCPU()
            var byte: UInt8 = 0
            for _ in 0..<n where read(input, &byte, 1) == 1 { _ = write(output, &byte, 1) }
            return nil
        }, job) == 0 else { throw BPFError.invalidArgument("pthread_create failed") }
        let previous = pinToFirstCPU()
        defer { restoreAffinity(previous) }
        var byte: UInt8 = 0
        for _ in 0..<roundTrips {
            guard write(there[1], &byte, 1) == 1, read(back[0], &byte, 1) == 1 else { break }
        }
        pthread_join(thread, nil)
    }

    /// `sched_getaffinity`/`sched_setaffinity` for the calling thread (pid 0), found with dlsym:
    /// Glibc's module hides them without _GNU_SOURCE. The mask is a 1024-bit `cpu_set_t`.
    typealias Affinity = @convention(c) (pid_t, Int, UnsafeMutableRawPointer) -> Int32
    static func affinityCall(_ name: String) -> Affinity? {
        dlsym(nil, name).map { unsafeBitCast($0, to: Affinity.self) }
    }

    /// Pins the calling thread to CPU 0; returns its previous mask.
    @discardableResult
    static func pinToFirstCPU() -> [UInt8] {
        var previous = [UInt8](repeating: 0xff, count: 128)
        if let get = affinityCall("sched_getaffinity") { _ = previous.withUnsafeMutableBytes { get(0, 128, $0.baseAddress!) } }
        var only = [UInt8](repeating: 0, count: 128)
        only[0] = 1
        if let set = affinityCall("sched_setaffinity") { _ = only.withUnsafeMutableBytes { set(0, 128, $0.baseAddress!) } }
        return previous
    }

    static func restoreAffinity(_ mask: [UInt8]) {
        var mask = mask
        if let set = affinityCall("sched_setaffinity") { _ = mask.withUnsafeMutableBytes { set(0, 128, $0.baseAddress!) } }
    }

    static func readFile(_ path: String) -> String? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var buffer = [CChar](repeating: 0, count: 64)
        guard fgets(&buffer, 64, f) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .trimmingCharacters(in: " \n")
    }

    static func writeFile(_ path: String, _ text: String) -> Bool {
        guard let f = fopen(path, "w") else { return false }
        defer { fclose(f) }
        return fputs(text + "\n", f) >= 0
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let c = s.first, set.contains(c) { s.removeFirst() }
        while let c = s.last, set.contains(c) { s.removeLast() }
        return String(s)
    }
}
