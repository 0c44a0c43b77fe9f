/// A flame graph as one self-contained SVG: frames as rectangles whose widths are their share
/// of the samples, the root ("all") at the bottom, children sorted by name, user, kernel and
/// process frames in different colours. The embedded script (`FlameGraphScript`) adds hover
/// details, click to zoom, and search (button, Ctrl-F, or `?s=REGEX` in the URL) with the
/// matched share. A differential graph colours each frame by its change of share against a
/// baseline: red grew, blue shrank.
public enum FlameGraphSVG {
    /// Layout constants, in SVG user units (the graph scales to its container's width).
    public static let width = 1200.0
    public static let padding = 10.0
    public static let frameHeight = 16.0
    static let top = 52.0
    static let bottom = 28.0
    /// Frames narrower than this are left out (as flamegraph.pl's --minwidth).
    static let minimumWidth = 0.1

    /// The SVG of `stacks`. An empty profile gives a graph with only the root and a note.
    public static func render(_ stacks: [FoldedStack], title: String = "Flame Graph", subtitle: String = "") -> String {
        render(tree: FlameNode.tree(stacks), title: title, subtitle: subtitle, differential: false)
    }

    /// The differential SVG: widths from `stacks`, colours from the change against `base`.
    public static func renderDifference(base: [FoldedStack], stacks: [FoldedStack], title: String = "Differential Flame Graph",
                                        subtitle: String = "") -> String {
        render(tree: FlameNode.difference(base: base, stacks: stacks), title: title, subtitle: subtitle, differential: true)
    }

    static func render(tree root: FlameNode, title: String, subtitle: String, differential: Bool) -> String {
        let total = root.value
        let inner = width - 2 * padding
        let scale = total == 0 ? 0 : inner / Double(total)
        let depth = root.depth
        let height = top + Double(depth + 1) * frameHeight + bottom
        var maxChange = 0.0
        if differential {
            forEach(root) { node, _, _ in
                maxChange = max(maxChange, abs(Double(node.value) - node.baseline))
                return true
            }
        }
        var out = """
        <?xml version="1.0" standalone="no"?>
        <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="100%" viewBox="0 0 \(n(width)) \(n(height))" \
        preserveAspectRatio="xMinYMin meet" data-total="\(total)" data-differential="\(differential ? 1 : 0)">
        <style>
        text { font-family: Verdana, sans-serif; font-size: 12px; fill: #000; }
        #title { font-size: 17px; } #subtitle { fill: #666; }
        .btn { cursor: pointer; fill: #1a4fa0; } .btn:hover { text-decoration: underline; }
        g.f { cursor: pointer; } g.f:hover rect { stroke: #000; stroke-width: 0.5; }
        g.f text { font-size: 11px; pointer-events: none; }
        g.f.m rect { fill: rgb(230,0,230) !important; }
        g.f.parent rect { opacity: 0.5; }
        g.f.hidden { display: none; }
        </style>
        <script type="text/ecmascript"><![CDATA[
        \(FlameGraphScript.source)
        ]]></script>
        <rect x="0" y="0" width="100%" height="100%" fill="#fdfdfd"/>
        <text id="title" x="\(n(width / 2))" y="22" text-anchor="middle">\(escape(title))</text>
        <text id="subtitle" x="\(n(width / 2))" y="40" text-anchor="middle">\(escape(subtitle.isEmpty ? "\(total) samples" : subtitle))</text>
        <text id="reset" class="btn" x="\(n(padding))" y="22" style="display:none">Reset zoom</text>
        <text id="search" class="btn" x="\(n(width - padding))" y="22" text-anchor="end">Search</text>
        <text id="clear" class="btn" x="\(n(width - padding - 60))" y="22" text-anchor="end" style="display:none">Clear</text>
        \(legend(differential: differential))
        <text id="details" x="\(n(padding))" y="\(n(height - 9))"> </text>
        <text id="matched" x="\(n(width - padding))" y="\(n(height - 9))" text-anchor="end"> </text>
        <g id="frames">

        """
        forEach(root) { node, start, level in
            let w = Double(node.value) * scale
            guard w >= minimumWidth else { return false }
            let x = padding + Double(start) * scale
            let y = height - bottom - Double(level + 1) * frameHeight
            let share = total == 0 ? 0 : Double(node.value) * 100 / Double(total)
            var info = "\(node.name) (\(node.value) samples, \(pct(share))"
            if differential {
                let change = total == 0 ? 0 : (Double(node.value) - node.baseline) * 100 / Double(total)
                info += ", \(change >= 0 ? "+" : "")\(pct(change)) vs baseline"
            }
            info += node.kind == .kernel ? ", kernel)" : node.kind == .user ? ", user)" : ")"
            let fill = differential ? diffColour(node, maxChange: maxChange) : colour(node, isRoot: level == 0)
            out += "<g class=\"f \(node.kind.rawValue.prefix(1))\" data-n=\"\(escape(node.name))\" data-s=\"\(start)\" data-v=\"\(node.value)\" data-d=\"\(level)\">"
            out += "<title>\(escape(info))</title>"
            out += "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(w))\" height=\"\(n(frameHeight - 1))\" fill=\"\(fill)\" rx=\"2\"/>"
            out += "<text x=\"\(n(x + 3))\" y=\"\(n(y + frameHeight - 4.5))\">\(escape(label(node.name, width: w)))</text></g>\n"
            return true
        }
        out += "</g>\n"
        if total == 0 {
            out += "<text x=\"\(n(width / 2))\" y=\"\(n(height - bottom - frameHeight - 8))\" text-anchor=\"middle\">no samples</text>\n"
        }
        return out + "</svg>\n"
    }

    /// Visits nodes depth first with their start (in samples from the left) and level; `body`
    /// returns false to skip a node's children.
    static func forEach(_ root: FlameNode, _ body: (FlameNode, UInt64, Int) -> Bool) {
        func visit(_ node: FlameNode, _ start: UInt64, _ level: Int) {
            guard body(node, start, level) else { return }
            var s = start
            for c in node.sortedChildren {
                visit(c, s, level + 1)
                s += c.value
            }
        }
        visit(root, 0, 0)
    }

    static func legend(differential: Bool) -> String {
        let items: [(String, String)] = differential
            ? [("rgb(255,90,90)", "grew"), ("rgb(90,90,255)", "shrank"), ("rgb(250,250,250)", "unchanged")]
            : [("rgb(240,120,30)", "user"), ("rgb(80,170,215)", "kernel"), ("rgb(190,165,220)", "process")]
        var x = padding
        var out = "<g id=\"legend\">"
        for (fill, name) in items {
            out += "<rect x=\"\(n(x))\" y=\"31\" width=\"10\" height=\"10\" fill=\"\(fill)\" stroke=\"#999\" stroke-width=\"0.5\"/>"
            out += "<text x=\"\(n(x + 14))\" y=\"40\">\(name)</text>"
            x += 24 + Double(name.count) * 7
        }
        return out + "</g>"
    }

    /// flamegraph.pl's idea: a stable colour per name, within a band per kind.
    static func colour(_ node: FlameNode, isRoot: Bool) -> String {
        if isRoot { return "rgb(200,200,200)" }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in node.name.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let v1 = Double(h & 0xff) / 255, v2 = Double((h >> 8) & 0xff) / 255, v3 = Double((h >> 16) & 0xff) / 255
        switch node.kind {
        case .user: return rgb(215 + 40 * v3, 60 + 150 * v1, 20 * v2)
        case .kernel: return rgb(50 + 60 * v1, 150 + 50 * v2, 200 + 45 * v3)
        case .process: return rgb(175 + 30 * v1, 150 + 30 * v1, 210 + 30 * v2)
        case .missing: return "rgb(170,170,170)"
        }
    }

    static func diffColour(_ node: FlameNode, maxChange: Double) -> String {
        let change = Double(node.value) - node.baseline
        guard maxChange > 0 else { return "rgb(250,250,250)" }
        let strength = min(1, abs(change) / maxChange)
        let other = 250 - 160 * strength
        return change >= 0 ? rgb(250, other, other) : rgb(other, other, 250)
    }

    static func rgb(_ r: Double, _ g: Double, _ b: Double) -> String { "rgb(\(Int(r)),\(Int(g)),\(Int(b)))" }

    /// The name cut to fit `width` (about 7 units a character at 11 px), with "..".
    static func label(_ name: String, width: Double) -> String {
        let fits = Int((width - 6) / 7)
        if fits < 3 { return "" }
        if name.count <= fits { return name }
        return String(name.prefix(fits - 2)) + ".."
    }

    static func pct(_ v: Double) -> String {
        let hundredths = Int((abs(v) * 100).rounded())
        let frac = hundredths % 100
        return (v < 0 && hundredths > 0 ? "-" : "") + "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)%"
    }

    /// A coordinate with at most two decimals.
    static func n(_ v: Double) -> String {
        let c = Int((v * 100).rounded())
        if c % 100 == 0 { return "\(c / 100)" }
        let frac = abs(c % 100)
        return (c < 0 && c > -100 ? "-" : "") + "\(c / 100).\(frac < 10 ? "0" : "")\(frac)"
    }

    /// Text for XML content and attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case _ where ch.value < 0x20: out += " "
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
