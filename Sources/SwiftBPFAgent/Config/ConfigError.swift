/// A configuration that cannot be used, naming the key and the reason.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "config: \(message)" }
}
