/// A user-facing error of the introspection commands; printed as is, exit status 1.
struct IntrospectError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
