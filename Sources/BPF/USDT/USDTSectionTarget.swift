/// The probe a `SEC("usdt/PATH:PROVIDER:NAME")` program names, libbpf's auto-attach format
/// (`attach_usdt()`: `usdt/%m[^:]:%m[^:]:%m[^:]`). `usdt.s/` (sleepable) takes the same form.
public struct USDTSectionTarget: Hashable, Sendable {
    /// The binary or library path (no ':' allowed).
    public var path: String
    /// The probe's provider.
    public var provider: String
    /// The probe's name.
    public var name: String

    /// The probe `provider:name` in the binary at `path`.
    public init(path: String, provider: String, name: String) {
        self.path = path
        self.provider = provider
        self.name = name
    }

    /// Parses a section name. Returns nil for a bare `usdt` or `usdt.s` section, which names no
    /// probe (libbpf skips it in auto-attach).
    /// - Throws: `.invalidArgument` if the part after `usdt/` is not `PATH:PROVIDER:NAME` with
    ///   three non-empty fields.
    public static func parse(sectionName: String) throws(BPFError) -> USDTSectionTarget? {
        let parts = sectionName.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.first == "usdt" || parts.first == "usdt.s" else {
            throw .invalidArgument("section '\(sectionName)' is not a usdt section")
        }
        guard parts.count == 2 else { return nil }
        let fields = parts[1].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 3, !fields.contains(where: \.isEmpty) else {
            throw .invalidArgument("section '\(sectionName)' is not of the form usdt/PATH:PROVIDER:NAME")
        }
        return USDTSectionTarget(path: fields[0], provider: fields[1], name: fields[2])
    }
}
