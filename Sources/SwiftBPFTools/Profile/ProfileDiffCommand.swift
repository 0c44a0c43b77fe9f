import ArgumentParser

/// `swiftbpf profile diff A.folded B.folded --svg OUT`: a differential flame graph. Frames are
/// B's; each is coloured by how its share of the samples changed from A (red grew, blue
/// shrank), A scaled to B's total so profiles of different lengths compare. `swiftbpf` routes
/// `profile diff …` here before parsing (as a subcommand of `profile`, the profile's own
/// `--svg` option would take the argument).
public struct ProfileDiffCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "swiftbpf profile diff",
        abstract: "Draw a differential flame graph of two folded profiles (B coloured by its change against A).",
        discussion: """
            Reads two folded profiles (swiftbpf profile --folded, or any flamegraph.pl input) \
            and writes one SVG with B's frames, each coloured by the change of its share of the \
            samples from A: red grew, blue shrank, white unchanged. A is scaled to B's total \
            first. Hover shows each frame's change.
            """
    )

    @Argument(help: ArgumentHelp("The baseline folded profile.", valueName: "A"))
    public var base: String

    @Argument(help: ArgumentHelp("The folded profile to compare with the baseline.", valueName: "B"))
    public var profile: String

    @Option(name: .customLong("svg"), help: ArgumentHelp("Write the differential flame graph SVG to FILE.", valueName: "FILE"))
    public var svgPath: String

    public init() {}

    public func run() throws {
        let a = try ProfileFiles.readFolded(base)
        let b = try ProfileFiles.readFolded(profile)
        let totalA = a.reduce(0) { $0 + $1.count }, totalB = b.reduce(0) { $0 + $1.count }
        let svg = FlameGraphSVG.renderDifference(base: a, stacks: b, title: "Differential Flame Graph",
                                                 subtitle: "\(profile) (\(totalB) samples) against \(base) (\(totalA) samples)")
        try ProfileFiles.write(svgPath, Array(svg.utf8))
        Output.error("profile diff: wrote \(svgPath) (\(b.count) stacks of B, \(a.count) of A)")
    }
}
