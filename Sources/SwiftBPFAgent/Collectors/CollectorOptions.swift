/// Typed reads of a collector's `options`, each failing with the key's full name and what it
/// expects (options arrive as text: YAML scalars, lists joined with commas).
extension CollectorConfig {
    /// `true`/`false`, nil when absent.
    func boolOption(_ collector: String, _ key: String) throws(ConfigError) -> Bool? {
        guard let text = options[key] else { return nil }
        guard let v = Bool(text) else { throw ConfigError("collectors.\(collector).options.\(key): true or false, got \(text)") }
        return v
    }

    /// An integer within `range`, nil when absent.
    func intOption(_ collector: String, _ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let text = options[key] else { return nil }
        guard let v = Int(text), range.contains(v) else {
            throw ConfigError("collectors.\(collector).options.\(key): an integer from \(range.lowerBound) to \(range.upperBound), got \(text)")
        }
        return v
    }

    /// A number of seconds within `range`, nil when absent.
    func secondsOption(_ collector: String, _ key: String, in range: ClosedRange<Double>) throws(ConfigError) -> Double? {
        guard let text = options[key] else { return nil }
        guard let v = Double(text), range.contains(v) else {
            throw ConfigError("collectors.\(collector).options.\(key): seconds from \(range.lowerBound) to \(range.upperBound), got \(text)")
        }
        return v
    }

    /// A list (YAML sequence or comma-separated text), empty when absent.
    func listOption(_ key: String) -> [String] {
        (options[key] ?? "").split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
    }
}
