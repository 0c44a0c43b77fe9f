/// An SVG of a `Topology`, laid out by the tool itself (no Graphviz): connecting nodes in the
/// left column, accepting-only nodes in the right, edges as arrows labelled with their figures.
extension Topology {
    public func svg() -> String {
        let boxWidth = 260.0, boxHeight = 36.0, gap = 24.0, margin = 20.0, middle = 320.0
        // A node with an outgoing edge goes left; the others right.
        let sources = Set(edges.map(\.from))
        let all = nodes.values.sorted()
        let left = all.filter { sources.contains($0.id) }
        let right = all.filter { !sources.contains($0.id) }
        var position: [String: (x: Double, y: Double)] = [:]
        for (i, n) in left.enumerated() { position[n.id] = (margin, margin + Double(i) * (boxHeight + gap)) }
        for (i, n) in right.enumerated() { position[n.id] = (margin + boxWidth + middle, margin + Double(i) * (boxHeight + gap)) }
        let rows = Double(max(left.count, right.count, 1))
        let width = 2 * margin + 2 * boxWidth + middle
        let height = 2 * margin + rows * boxHeight + (rows - 1) * gap
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        out += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        for e in edges {
            guard let a = position[e.from], let b = position[e.to] else { continue }
            let x1 = a.x + boxWidth, y1 = a.y + boxHeight / 2
            let x2 = b.x, y2 = b.y + boxHeight / 2
            let sameColumn = x2 <= x1
            let (sx, ex) = sameColumn ? (a.x + boxWidth, b.x + boxWidth) : (x1, x2)
            if sameColumn {
                out += "<path d=\"M\(f(sx)),\(f(y1)) C\(f(sx + 80)),\(f(y1)) \(f(ex + 80)),\(f(y2)) \(f(ex)),\(f(y2))\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>\n"
            } else {
                out += "<line x1=\"\(f(sx))\" y1=\"\(f(y1))\" x2=\"\(f(ex))\" y2=\"\(f(y2))\" stroke=\"#555\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>\n"
            }
            let lx = sameColumn ? sx + 60 : (sx + ex) / 2, ly = (y1 + y2) / 2 - 4
            out += "<text x=\"\(f(lx))\" y=\"\(f(ly))\" text-anchor=\"middle\" fill=\"#333\">\(escape(Self.edgeLabel(e)))</text>\n"
        }
        for n in all {
            guard let p = position[n.id] else { continue }
            let fill = n.kind == .process ? "#dbe9f6" : "#f6ecd9"
            let rx = n.kind == .process ? 4 : 18
            out += "<rect x=\"\(f(p.x))\" y=\"\(f(p.y))\" width=\"\(f(boxWidth))\" height=\"\(f(boxHeight))\" rx=\"\(rx)\" fill=\"\(fill)\" stroke=\"#333\"/>\n"
            var label = n.label
            if label.count > 38 { label = String(label.prefix(37)) + "…" }
            out += "<text x=\"\(f(p.x + boxWidth / 2))\" y=\"\(f(p.y + boxHeight / 2 + 4))\" text-anchor=\"middle\">\(escape(label))</text>\n"
            if let cg = n.cgroupID {
                out += "<title>cgroup \(cg)</title>\n"
            }
        }
        return out + "</svg>\n"
    }

    private func f(_ v: Double) -> String { FlowFormat.fixed(v, 1) }

    func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
