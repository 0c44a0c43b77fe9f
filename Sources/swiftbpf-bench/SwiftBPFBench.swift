import ArgumentParser

@main
struct SwiftBPFBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftbpf-bench",
        abstract: "Library benchmarks of SwiftBPF; each prints one JSON line of figures.",
        discussion: "Benchmarks/run.sh runs these against their peers side by side and prints ratios.",
        subcommands: [BTFParse.self]
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
