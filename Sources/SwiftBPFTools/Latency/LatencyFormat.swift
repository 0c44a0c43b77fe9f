import ToolText
/// Output of the histogram tools (runqlat, biolatency): BCC's histograms with a section
/// header per key, and one JSON object per interval.
public enum LatencyFormat {
    /// The histograms, each after its section header line when `header` gives one.
    public static func text(_ hists: [KeyedHistogram], options: HistogramOptions, header: (KeyedHistogram) -> String?) -> String {
        hists.filter { $0.total > 0 }.map { h in
            let body = options.render(h.slots)
            return header(h).map { "\n\($0)\n" + body } ?? body
        }.joined(separator: "\n")
    }

    /// One interval's report: a time line (with an interval or a timestamp: "[seconds]" since
    /// start, else the wall clock) after a blank line, then the histograms.
    public static func report(_ hists: [KeyedHistogram], options: HistogramOptions, interval: Double?, seconds: Double?,
                              header: (KeyedHistogram) -> String?) -> String {
        let body = text(hists, options: options, header: header)
        guard interval != nil || seconds != nil else { return body }
        return (seconds.map { "\n[\(TimeText.seconds($0))]" } ?? "\n\(TimeText.wallClock())") + "\n" + body
    }

    /// `{"time":S?,"unit":"usecs",<key>:[{<fields of key>...,"hist":[{low,high,count}]}],"dropped":N}`.
    public static func json(_ hists: [KeyedHistogram], options: HistogramOptions, listKey: String, seconds: Double?,
                            dropped: UInt64, fields: (KeyedHistogram) -> [(String, String)]) -> String {
        let items = hists.filter { $0.total > 0 }.map { h in
            JSON.object(fields(h) + [("count", "\(h.total)"), ("hist", options.json(h.slots))])
        }
        var out: [(String, String)] = []
        if let seconds { out.append(("time", TimeText.seconds(seconds))) }
        out += [("unit", JSON.string(options.unit)), (listKey, "[" + items.joined(separator: ",") + "]"), ("dropped", "\(dropped)")]
        return JSON.object(out)
    }
}
