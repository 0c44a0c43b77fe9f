import ArgumentParser
import SwiftBPFTools

@main
struct SwiftBPFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftbpf",
        abstract: "eBPF tools and object utilities, in Swift.",
        discussion: "Most commands need root (CAP_BPF and CAP_PERFMON) and a kernel with BTF.",
        subcommands: tools + [
            ProgramCommand.self, MapCommand.self, LinkCommand.self, ObjectCommand.self, BTFCommand.self, GenCommand.self,
            DoctorCommand.self, FirewallCommand.self, FlowsCommand.self, GuardCommand.self,
        ]
    )

    /// The tools, one line each: a tool's folder in Sources/SwiftBPFTools has its BPF C, its
    /// types and its `Tool` conformance; this line makes it `swiftbpf NAME`.
    static let tools: [any ParsableCommand.Type] = [
        ToolCommand<ExecSnoopTool>.self,
        ToolCommand<OpenSnoopTool>.self,
        ToolCommand<ExitSnoopTool>.self,
        ToolCommand<KillSnoopTool>.self,
        ToolCommand<TCPConnectTool>.self,
        ToolCommand<TCPAcceptTool>.self,
        ToolCommand<TCPLifeTool>.self,
        ToolCommand<TCPRetransTool>.self,
        ToolCommand<SysCountTool>.self,
        ToolCommand<RunQLatTool>.self,
        ToolCommand<BioLatencyTool>.self,
        ToolCommand<ProfileTool>.self,
        ToolCommand<SSLSniffTool>.self,
        ToolCommand<HTTPTool>.self,
    ]

    static func main() {
        let arguments = ByteArguments.compactingByteRuns(Array(CommandLine.arguments.dropFirst()))
        if arguments.starts(with: ["profile", "diff"]) {
            ProfileDiffCommand.main(Array(arguments.dropFirst(2)))
            return
        }
        // A tool's flags are parsed on their own when they parse cleanly (ToolFastPath).
        if let name = arguments.first, let tool = tools.first(where: { $0._commandName == name }),
           ToolFastPath.run(tool, arguments: Array(arguments.dropFirst()), root: self) {
            return
        }
        main(arguments)
    }
}
