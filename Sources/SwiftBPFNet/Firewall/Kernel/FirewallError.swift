import BPF

/// Why a firewall command could not do what it was asked; the text names the cause.
public struct FirewallError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }

    /// A kernel call failed while doing `what`.
    static func kernel(_ what: String, _ error: BPFError) -> FirewallError {
        FirewallError("\(what): \(error)")
    }
}
