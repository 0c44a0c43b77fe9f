import BPF
import ToolText

/// The profiler's output: BCC's multi-line stacks, folded stacks for flame graphs, and JSON.
public enum ProfileFormat {
    /// BCC's `profile` output, coldest first so the hottest stack ends up at the bottom: the
    /// kernel frames, `--` between kernel and user frames with `delimited`, the user frames
    /// (innermost first), then `-  comm (pid)` and the count.
    public static func text(_ stacks: [ProfileStack], options: Profile.Options, delimited: Bool = false) -> String {
        var lines: [String] = []
        for stack in stacks.reversed() {
            let s = stack.sample
            if options.kernelStacks {
                if ProfileSample.isLost(s.kernelStackID) {
                    lines.append("    [Missed Kernel Stack]")
                } else {
                    lines += stack.kernelFrames.map { "    " + $0.name }
                }
            }
            if options.userStacks {
                if delimited, options.kernelStacks, s.kernelStackID >= 0, s.userStackID >= 0 { lines.append("    --") }
                if ProfileSample.isLost(s.userStackID) {
                    lines.append("    [Missed User Stack]")
                } else {
                    lines += stack.userFrames.map { "    " + $0.name }
                }
            }
            let who = s.tid != 0 ? "\(s.tgid)/\(s.tid)" : "\(s.tgid)"
            lines.append("    " + Columns.pad("-", 16) + " " + s.comm + " (" + who + ")")
            lines.append("        \(s.count)")
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    /// Folded stacks, one per line, for flamegraph.pl and speedscope:
    /// `comm;outermost user frame;…;innermost[;-];outermost kernel frame;… count`.
    /// `;` inside a name becomes `:`, so frames stay separable.
    public static func folded(_ stacks: [ProfileStack], options: Profile.Options, delimited: Bool = false) -> String {
        var lines: [String] = []
        for stack in stacks {
            let s = stack.sample
            var parts = [clean(s.comm)]
            if options.userStacks {
                if ProfileSample.isLost(s.userStackID) {
                    parts.append("[Missed User Stack]")
                } else {
                    parts += stack.userFrames.reversed().map { clean($0.name) }
                }
            }
            if options.kernelStacks {
                if delimited, options.userStacks { parts.append("-") }
                if ProfileSample.isLost(s.kernelStackID) {
                    parts.append("[Missed Kernel Stack]")
                } else {
                    parts += stack.kernelFrames.reversed().map { clean($0.name) }
                }
            }
            lines.append(parts.joined(separator: ";") + " \(s.count)")
        }
        return lines.joined(separator: "\n")
    }

    /// One JSON object per stack (largest count first): `pid`, `tid` (0 unless per thread),
    /// `comm`, `count`, `user_stack_id`, `kernel_stack_id` (negative: none or lost, see
    /// `ProfileSample`), and `user_stack`/`kernel_stack` as frames innermost first, each
    /// `{"address":"0x…","symbol":S,"offset":N,"module":M}` (`symbol` demangled; `mangled` too
    /// when it differs; `symbol`, `offset` and `module` are null when unresolved).
    public static func json(_ stack: ProfileStack) -> String {
        let s = stack.sample
        return JSON.object([
            ("pid", "\(s.tgid)"), ("tid", "\(s.tid)"), ("comm", JSON.string(s.comm)), ("count", "\(s.count)"),
            ("user_stack_id", "\(s.userStackID)"), ("kernel_stack_id", "\(s.kernelStackID)"),
            ("user_stack", "[" + stack.userFrames.map(frameJSON).joined(separator: ",") + "]"),
            ("kernel_stack", "[" + stack.kernelFrames.map(frameJSON).joined(separator: ",") + "]"),
        ])
    }

    static func frameJSON(_ frame: ProfileFrame) -> String {
        var fields = [("address", JSON.string("0x" + String(frame.address, radix: 16)))]
        if let symbol = frame.symbol {
            fields.append(("symbol", JSON.string(symbol.displayName)))
            if symbol.demangledName != nil { fields.append(("mangled", JSON.string(symbol.name))) }
            fields.append(("offset", "\(symbol.offset)"))
            fields.append(("module", symbol.module.map(JSON.string) ?? "null"))
        } else {
            fields += [("symbol", "null"), ("offset", "null"), ("module", "null")]
        }
        return JSON.object(fields)
    }

    /// Stacks the kernel could not store (`-EEXIST` collisions, `-ENOMEM`), counted in samples.
    public static func lostSamples(_ samples: [ProfileSample]) -> UInt64 {
        samples.filter { ProfileSample.isLost($0.userStackID) || ProfileSample.isLost($0.kernelStackID) }.reduce(0) { $0 + $1.count }
    }

    static func clean(_ name: String) -> String {
        name.contains(";") ? name.split(separator: ";", omittingEmptySubsequences: false).joined(separator: ":") : name
    }
}
