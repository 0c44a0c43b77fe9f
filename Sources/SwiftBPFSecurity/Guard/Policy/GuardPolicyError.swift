/// A policy that cannot be used, with where and why: `file:line:column: field: reason`.
public struct GuardPolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: GuardSourceLocation?
    /// The field at fault (`rules[2].ports`), when there is one.
    public var field: String?
    public var message: String

    public init(_ message: String, at location: GuardSourceLocation? = nil, field: String? = nil) {
        self.location = location
        self.field = field
        self.message = message
    }

    public var description: String {
        var s = location.map { "\($0): " } ?? ""
        if let field { s += "\(field): " }
        return s + message
    }
}
