import ArgumentParser

@main
struct SwiftBPFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftbpf",
        abstract: "eBPF tools and object utilities, in Swift.",
        discussion: "Most commands need root (CAP_BPF and CAP_PERFMON) and a kernel with BTF.",
        subcommands: [ExecSnoopCommand.self, OpenSnoopCommand.self, ExitSnoopCommand.self, KillSnoopCommand.self, TCPConnectCommand.self, TCPAcceptCommand.self, TCPLifeCommand.self, TCPRetransCommand.self, SysCountCommand.self, RunQLatCommand.self, BioLatencyCommand.self, ProfileCommand.self,
                      ProgramCommand.self, MapCommand.self, LinkCommand.self, ObjectCommand.self, BTFCommand.self, GenCommand.self, DoctorCommand.self, FirewallCommand.self, GuardCommand.self]
    )

    static func main() {
        main(ByteArguments.compactingByteRuns(Array(CommandLine.arguments.dropFirst())))
    }
}
