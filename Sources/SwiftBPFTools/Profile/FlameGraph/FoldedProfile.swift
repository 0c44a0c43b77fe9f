/// What a frame of a stack is, for colouring and for pprof: the process (the folded line's
/// first element, its command name), a user-space or kernel function, or a placeholder for a
/// stack the kernel could not store.
public enum FrameKind: String, Sendable, Equatable {
    case process, user, kernel, missing
}

/// One frame of a folded stack.
public struct FoldedFrame: Sendable, Hashable {
    public var name: String
    public var kind: FrameKind
    /// The instruction address, when the stack came from the kernel (not from folded text).
    public var address: UInt64?

    public init(name: String, kind: FrameKind, address: UInt64? = nil) {
        self.name = name
        self.kind = kind
        self.address = address
    }

    public static func == (a: Self, b: Self) -> Bool { a.name == b.name && a.kind == b.kind }
    public func hash(into h: inout Hasher) {
        h.combine(name)
        h.combine(kind)
    }
}

/// One stack, outermost frame first, with its sample count: a line of the folded format
/// (`comm;outer;…;inner count`) with what each frame is.
public struct FoldedStack: Sendable, Equatable {
    public var frames: [FoldedFrame]
    public var count: UInt64
    /// The process id, when known (pprof's `pid` label).
    public var pid: UInt32?
    /// The thread id, when the profiler keyed by thread.
    public var tid: UInt32?
    /// The cgroup v2 id, when the profiler keyed by cgroup.
    public var cgroupID: UInt64?

    public init(frames: [FoldedFrame], count: UInt64, pid: UInt32? = nil, tid: UInt32? = nil, cgroupID: UInt64? = nil) {
        self.frames = frames
        self.count = count
        self.pid = pid
        self.tid = tid
        self.cgroupID = cgroupID
    }
}

/// Bad folded text, naming the line.
public struct FoldedParseError: Error, CustomStringConvertible {
    public let line: Int
    public let reason: String
    public var description: String { "line \(line): \(reason)" }
}

/// Folded stacks: parsed from text (flamegraph.pl's input) or built from the profiler's
/// symbolised stacks.
public enum FoldedProfile {
    /// Parses folded text: one `frame;frame;… count` per line, blank lines and `#` comments
    /// skipped. The first frame is the process; frames after a lone `-` (profile
    /// `--delimited`) or ending in `_[k]` (stackcollapse-perf) are kernel frames, `[Missed …]`
    /// frames are placeholders; the others are user frames.
    public static func parse(_ text: String) throws(FoldedParseError) -> [FoldedStack] {
        var out: [FoldedStack] = []
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) || line.first == "#" { continue }
            guard let space = line.lastIndex(of: " ") else {
                throw FoldedParseError(line: number, reason: "no sample count after the stack (expected 'a;b;c 12')")
            }
            let countText = line[line.index(after: space)...]
            guard let count = UInt64(countText) else {
                throw FoldedParseError(line: number, reason: "the count '\(countText.prefix(40))' is not a non-negative integer")
            }
            let stackText = line[..<space]
            guard !stackText.isEmpty else { throw FoldedParseError(line: number, reason: "empty stack") }
            var frames: [FoldedFrame] = []
            var kernelSide = false
            for (i, part) in stackText.split(separator: ";", omittingEmptySubsequences: false).enumerated() {
                var name = String(part)
                if i == 0 {
                    frames.append(FoldedFrame(name: name, kind: .process))
                    continue
                }
                if name == "-" {
                    kernelSide = true
                    continue
                }
                var kind: FrameKind = kernelSide ? .kernel : .user
                if name.hasSuffix("_[k]") {
                    name.removeLast(4)
                    kind = .kernel
                }
                if name.hasPrefix("[Missed ") { kind = .missing }
                frames.append(FoldedFrame(name: name, kind: kind))
            }
            if count > 0 { out.append(FoldedStack(frames: frames, count: count)) }
        }
        return out
    }

    /// The profiler's stacks as folded stacks: the command, the user frames outermost first,
    /// then the kernel frames outermost first (the order of `ProfileFormat.folded`).
    public static func stacks(_ stacks: [ProfileStack], options: Profile.Options) -> [FoldedStack] {
        stacks.map { stack in
            let s = stack.sample
            var frames = [FoldedFrame(name: ProfileFormat.clean(s.comm), kind: .process)]
            if options.userStacks {
                if ProfileSample.isLost(s.userStackID) {
                    frames.append(FoldedFrame(name: "[Missed User Stack]", kind: .missing))
                } else {
                    frames += stack.userFrames.reversed().map { FoldedFrame(name: ProfileFormat.clean($0.name), kind: .user, address: $0.address) }
                }
            }
            if options.kernelStacks {
                if ProfileSample.isLost(s.kernelStackID) {
                    frames.append(FoldedFrame(name: "[Missed Kernel Stack]", kind: .missing))
                } else {
                    frames += stack.kernelFrames.reversed().map { FoldedFrame(name: ProfileFormat.clean($0.name), kind: .kernel, address: $0.address) }
                }
            }
            return FoldedStack(frames: frames, count: s.count, pid: s.tgid, tid: options.perThread ? s.tid : nil,
                               cgroupID: options.perCgroup ? s.cgroupID : nil)
        }
    }

    /// Folded text of stacks (kernel frames marked `_[k]`, so that the text reads back with
    /// its kinds).
    public static func text(_ stacks: [FoldedStack]) -> String {
        stacks.map { s in
            s.frames.map { $0.kind == .kernel ? $0.name + "_[k]" : $0.name }.joined(separator: ";") + " \(s.count)"
        }.joined(separator: "\n")
    }
}
