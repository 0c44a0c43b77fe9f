import ArgumentParser

@main
struct SwiftBPFBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftbpf-bench",
        abstract: "Library benchmarks of SwiftBPF; each prints one JSON line of figures.",
        discussion: "Benchmarks/run.sh runs these against their peers side by side and prints ratios.",
        subcommands: [BTFParse.self, Load.self, RingBufferBench.self, MapBatch.self, RunTime.self]
    )
}

struct BTFParse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "btf-parse", abstract: "Parse the kernel's BTF and look types up by name.")

    @Option(help: "The BTF file.")
    var path = "/sys/kernel/btf/vmlinux"

    @Option(help: "How many parses to time.")
    var iterations = 20

    func run() throws {
        try BTFParseBenchmark.run(path: path, iterations: iterations)
    }
}

struct Load: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Open, load and close an object file repeatedly.")
    @Option(help: "The BPF object file.") var object: String
    @Option(help: "How many loads.") var iterations = 10
    func run() throws { try LibraryBenchmarks.load(path: object, iterations: iterations) }
}

struct RingBufferBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ringbuf", abstract: "Consume ring-buffer records produced in the kernel.")
    @Option(help: "Benchmarks/bpf/ringbuf_bench.bpf.c, compiled.") var object: String
    @Option(help: "Record size in bytes (at most 1024).") var size: UInt32 = 64
    @Option(help: "Records per round.") var count: UInt32 = 200_000
    @Option(help: "Rounds.") var rounds = 5
    func run() throws { try LibraryBenchmarks.ringBuffer(path: object, size: size, count: count, rounds: rounds) }
}

struct MapBatch: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "map", abstract: "Read a whole hash map with batch and single lookups.")
    @Option(help: "Entries in the map.") var entries = 65536
    @Option(help: "Rounds.") var rounds = 5
    func run() throws { try LibraryBenchmarks.mapBatch(entries: entries, rounds: rounds) }
}

struct RunTime: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-time", abstract: "Run time per event of an object's programs (kernel.bpf_stats_enabled) under a fixed load.")
    @Option(help: "The BPF object file.") var object: String
    @Option(help: "exec (spawn /bin/true), nanosleep (3 us clock_nanosleep calls) or switch (context switches between two threads on CPU 0).") var workload = "exec"
    @Option(help: "Events per round.") var count = 2000
    @Option(help: "Rounds.") var rounds = 5
    @Option(help: "A UInt32 load-time constant to set to this thread's id (a histogram's target thread).") var selfThread: String?
    func run() throws {
        guard let w = RunTimeBenchmark.Workload(rawValue: workload) else { throw ValidationError("--workload is exec, nanosleep or switch") }
        try RunTimeBenchmark.run(path: object, workload: w, count: count, rounds: rounds, selfThreadConstant: selfThread)
    }
}
