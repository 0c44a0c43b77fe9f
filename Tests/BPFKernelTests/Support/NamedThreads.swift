import Glibc

/// A thread for test workloads: named (its comm, which the tools' --comm filter matches) and
/// optionally pinned to one CPU, running `body` once. `join()` waits for it.
final class NamedThread: @unchecked Sendable {
    private var thread = pthread_t()
    private let name: String
    private let cpu: Int?
    private let body: @Sendable () -> Void

    init(name: String, cpu: Int? = nil, _ body: @escaping @Sendable () -> Void) {
        self.name = name
        self.cpu = cpu
        self.body = body
        let box = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { arg in
            let me = Unmanaged<NamedThread>.fromOpaque(arg!).takeRetainedValue()
            me.main()
            return nil
        }, box)
        precondition(rc == 0, "pthread_create: \(rc)")
    }

    private func main() {
        // /proc/thread-self/comm names this thread (pthread_setname_np needs _GNU_SOURCE).
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        if fd >= 0 {
            _ = name.withCString { write(fd, $0, strlen($0)) }
            close(fd)
        }
        if let cpu { pinCurrentThread(to: cpu) }
        body()
    }

    func join() { pthread_join(thread, nil) }
}

/// Spins on the CPU for `seconds` (CLOCK_MONOTONIC).
func spin(seconds: Double) {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    let end = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9 + seconds
    var x: UInt64 = 0
    while true {
        for i in 0..<10_000 { x = x &* 6364136223846793005 &+ UInt64(i) }
        clock_gettime(CLOCK_MONOTONIC, &ts)
        if Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9 >= end { break }
    }
    if x == 42 { print("") } // keep the loop
}

/// Sleeps with nanosleep(2) (glibc issues clock_nanosleep).
func sleepNanoseconds(_ ns: Int) {
    var req = timespec(tv_sec: ns / 1_000_000_000, tv_nsec: ns % 1_000_000_000)
    var rem = timespec()
    while nanosleep(&req, &rem) != 0 && errno == EINTR { req = rem }
}

/// sched_setaffinity(0, ...) for the calling thread, found with dlsym: Glibc's module hides it
/// without _GNU_SOURCE.
func pinCurrentThread(to cpu: Int) {
    typealias SetAffinity = @convention(c) (pid_t, Int, UnsafeRawPointer) -> Int32
    guard let sym = dlsym(nil, "sched_setaffinity") else { return }
    let setAffinity = unsafeBitCast(sym, to: SetAffinity.self)
    var mask = [UInt8](repeating: 0, count: 128) // cpu_set_t: 1024 bits
    mask[cpu / 8] |= UInt8(1 << (cpu % 8))
    _ = mask.withUnsafeBytes { setAffinity(0, 128, $0.baseAddress!) }
}
