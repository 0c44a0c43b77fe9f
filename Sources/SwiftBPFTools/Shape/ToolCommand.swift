import ArgumentParser

/// The `swiftbpf` subcommand of a ``Tool``: parses its arguments, installs the stop handlers,
/// loads the tool and runs it. `swiftbpf` lists each tool with one line,
/// `ToolCommand<ExecSnoopTool>.self`.
public struct ToolCommand<T: Tool>: ParsableCommand {
    public static var configuration: CommandConfiguration { T.configuration }

    @OptionGroup public var arguments: T.Arguments

    public init() {}

    public func run() throws {
        // Before loading: a signal during the load then stops the tool instead of killing it
        // with its programs attached.
        installStopHandlers()
        let tool = try T(arguments: arguments)
        try tool.run(arguments: arguments)
    }
}
