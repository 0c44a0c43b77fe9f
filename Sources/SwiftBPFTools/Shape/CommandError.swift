/// A user-facing error found while a command runs (a file without what it needs, an unknown
/// name): printed as "Error: <message>" alone, exit status 1. ArgumentParser prints the usage
/// after a `ValidationError`, which helps only for a malformed command line, and for one thrown
/// from `run()` it prints the top-level usage, which does not help at all.
package struct CommandError: Error, CustomStringConvertible {
    package let description: String
    package init(_ message: String) { description = message }
}
