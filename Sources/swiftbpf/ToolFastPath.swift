import ArgumentParser

/// Parsing a tool's arguments without the whole command tree.
///
/// `SwiftBPFCommand.main` parses through the root command, which walks every command of
/// `swiftbpf` before the tool's own flags are read. A tool's start is measured to its first
/// event, so when the first argument names a tool, its command is parsed on its own instead.
/// This path only ever succeeds or steps aside: any parse error, help or version request, or
/// built-in flag sends the arguments to the full parser, whose messages, usage lines and exit
/// statuses are then exactly the usual ones.
enum ToolFastPath {
    /// Flags the full parser answers itself (help, version, completion scripts, help dumps):
    /// never taken on the fast path, so that their output names the whole `swiftbpf` command.
    static func isBuiltIn(_ argument: String) -> Bool {
        switch argument {
        case "-h", "--help", "-help", "help", "--version", "--help-hidden", "-help-hidden": return true
        default: return argument.hasPrefix("--generate-completion") || argument.hasPrefix("--experimental")
            || argument.hasPrefix("---")
        }
    }

    /// Parses `arguments` (without the tool's name) as `command` alone and runs it, exiting
    /// through `root`'s error handling as the full path does. Returns false, having run nothing,
    /// when the full parser must answer instead.
    static func run(_ command: any ParsableCommand.Type, arguments: [String], root: any ParsableCommand.Type) -> Bool {
        if arguments.contains(where: isBuiltIn) { return false }
        guard var parsed = try? command.parseAsRoot(arguments), type(of: parsed) == command else { return false }
        do {
            try parsed.run()
        } catch {
            root.exit(withError: error)
        }
        return true
    }
}
