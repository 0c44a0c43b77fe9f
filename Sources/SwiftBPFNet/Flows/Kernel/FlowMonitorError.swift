/// Why `swiftbpf flows` cannot start or read its maps, with the cause named.
public struct FlowMonitorError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
