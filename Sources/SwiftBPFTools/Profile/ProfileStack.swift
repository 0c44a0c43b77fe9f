import BPF

/// One counted context of the profiler as the kernel keyed it: process, command, and the ids of
/// its stacks in the stack-trace map, with the addresses read back from the map.
public struct ProfileSample: Sendable, Equatable {
    /// The process id (tgid).
    public var tgid: UInt32
    /// The thread id with `perThread`, else 0.
    public var tid: UInt32
    /// The sampled thread's command name.
    public var comm: String
    /// `bpf_get_stackid()`'s result for the user stack: an id, -1 when not collected (`-K`),
    /// else `-errno` (`-EFAULT` (-14): no user stack, as for kernel threads; `-EEXIST` (-17):
    /// a hash collision in the stack map; `-ENOMEM`).
    public var userStackID: Int32
    /// The same for the kernel stack (`-EFAULT` when the sample hit user mode).
    public var kernelStackID: Int32
    /// Samples of this context.
    public var count: UInt64
    /// The user stack's addresses, innermost first (empty without a stack).
    public var userAddresses: [UInt64]
    /// The kernel stack's addresses, innermost first.
    public var kernelAddresses: [UInt64]
    /// The sampled task's cgroup v2 id with `perCgroup`, else 0.
    public var cgroupID: UInt64

    public init(tgid: UInt32, tid: UInt32 = 0, comm: String, userStackID: Int32, kernelStackID: Int32, count: UInt64,
                userAddresses: [UInt64] = [], kernelAddresses: [UInt64] = [], cgroupID: UInt64 = 0) {
        self.tgid = tgid
        self.tid = tid
        self.comm = comm
        self.userStackID = userStackID
        self.kernelStackID = kernelStackID
        self.count = count
        self.userAddresses = userAddresses
        self.kernelAddresses = kernelAddresses
        self.cgroupID = cgroupID
    }

    /// `-EFAULT`: the helper found no stack of that kind (no user stack for a kernel thread,
    /// no kernel stack for a sample taken in user mode). Not a loss.
    public static let noStack: Int32 = -14

    /// A stack the kernel should have stored but could not (hash collision, no memory); BCC
    /// prints these as `[Missed User Stack]` / `[Missed Kernel Stack]`.
    public static func isLost(_ id: Int32) -> Bool { id < 0 && id != -1 && id != noStack }
}

/// One frame of a symbolised stack.
public struct ProfileFrame: Sendable, Equatable {
    public var address: UInt64
    /// The function, if the address resolved.
    public var symbol: Symbol?

    public init(address: UInt64, symbol: Symbol?) {
        self.address = address
        self.symbol = symbol
    }

    /// The function's name (demangled when possible), or `[unknown]`.
    public var name: String { symbol?.displayName ?? "[unknown]" }
}

/// A sample with both stacks symbolised, innermost frame first.
public struct ProfileStack: Sendable, Equatable {
    public var sample: ProfileSample
    public var kernelFrames: [ProfileFrame]
    public var userFrames: [ProfileFrame]

    public init(sample: ProfileSample, kernelFrames: [ProfileFrame], userFrames: [ProfileFrame]) {
        self.sample = sample
        self.kernelFrames = kernelFrames
        self.userFrames = userFrames
    }
}

extension ProfileStack {
    /// Stacks that read the same once symbolised (same process, thread, cgroup, command, stack
    /// errors and frame names) merged into one, counts summed, largest count first. The kernel
    /// keys stacks by address, so samples at different instructions of one function are
    /// separate stacks until merged. The first stack's addresses are kept.
    public static func merged(_ stacks: [ProfileStack]) -> [ProfileStack] {
        struct Key: Hashable {
            var tgid: UInt32, tid: UInt32, cgroupID: UInt64, comm: String
            var userLost: Bool, kernelLost: Bool
            var kernel: [String], user: [String]
        }
        var order: [Key] = []
        var byKey: [Key: ProfileStack] = [:]
        for stack in stacks {
            let s = stack.sample
            let key = Key(tgid: s.tgid, tid: s.tid, cgroupID: s.cgroupID, comm: s.comm,
                          userLost: ProfileSample.isLost(s.userStackID), kernelLost: ProfileSample.isLost(s.kernelStackID),
                          kernel: stack.kernelFrames.map(\.name), user: stack.userFrames.map(\.name))
            if byKey[key] == nil {
                order.append(key)
                byKey[key] = stack
            } else {
                byKey[key]!.sample.count += s.count
            }
        }
        return order.compactMap { byKey[$0] }.enumerated()
            .sorted { $0.element.sample.count != $1.element.sample.count ? $0.element.sample.count > $1.element.sample.count : $0.offset < $1.offset }
            .map(\.element)
    }
}
