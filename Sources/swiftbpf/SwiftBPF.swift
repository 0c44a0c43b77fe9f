import ArgumentParser
import BPF
import SwiftBPFTools

@main
struct SwiftBPFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftbpf",
        abstract: "eBPF tools and object utilities, in Swift."
    )
}
