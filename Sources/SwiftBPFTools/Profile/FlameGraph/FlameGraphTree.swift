/// The tree a flame graph draws: each node a frame on one path from the root, with the samples
/// of every stack through it. For a differential graph a node also has the samples of the
/// baseline profile on the same path.
public final class FlameNode {
    public let name: String
    public let kind: FrameKind
    /// Samples of the stacks through this node.
    public internal(set) var value: UInt64 = 0
    /// The baseline's samples on the same path (differential graphs), scaled to this profile's total.
    public internal(set) var baseline: Double = 0
    /// Children by name and kind, sorted by name when drawn (as flamegraph.pl does).
    public internal(set) var children: [FoldedFrame: FlameNode] = [:]

    init(name: String, kind: FrameKind) {
        self.name = name
        self.kind = kind
    }

    /// Children in drawing order: by name, then kind.
    public var sortedChildren: [FlameNode] {
        children.values.sorted { $0.name != $1.name ? $0.name < $1.name : $0.kind.rawValue < $1.kind.rawValue }
    }

    /// The deepest path below this node, in frames (0 for a leaf).
    public var depth: Int { children.values.map { $0.depth + 1 }.max() ?? 0 }

    func child(_ frame: FoldedFrame) -> FlameNode {
        if let c = children[frame] { return c }
        let c = FlameNode(name: frame.name, kind: frame.kind)
        children[frame] = c
        return c
    }

    /// The root of the stacks' tree ("all").
    public static func tree(_ stacks: [FoldedStack]) -> FlameNode {
        let root = FlameNode(name: "all", kind: .process)
        for s in stacks {
            root.value += s.count
            var node = root
            for f in s.frames {
                node = node.child(f)
                node.value += s.count
            }
        }
        return root
    }

    /// The tree of `stacks` with each node's `baseline` from `base`, scaled so both profiles
    /// have the same total (a difference is then a change of share, whatever the durations).
    public static func difference(base: [FoldedStack], stacks: [FoldedStack]) -> FlameNode {
        let root = tree(stacks)
        let baseTotal = base.reduce(0) { $0 + $1.count }
        let scale = baseTotal == 0 ? 0 : Double(root.value) / Double(baseTotal)
        for s in base {
            let add = Double(s.count) * scale
            root.baseline += add
            var node: FlameNode? = root
            for f in s.frames {
                node = node?.children[f]
                node?.baseline += add
            }
        }
        return root
    }
}
