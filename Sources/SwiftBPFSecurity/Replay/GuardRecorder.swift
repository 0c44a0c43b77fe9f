import Glibc

/// Turns live events into records with the facts the kernel's matcher used, keeping what the
/// kernel keeps per process: the parent binary (at exec: the parent's binary then; after a fork
/// without exec: the process's own binary, as `guard_fork` sets it) and the fileless flag.
/// Directory identities of open paths and cgroup ancestors are read from the file system here,
/// at record time, while they still exist.
public struct GuardRecorder {
    struct ProcessFacts {
        var parentBinary: FileID?
        var fileless: Bool
    }

    var processes: [UInt32: ProcessFacts] = [:]
    var cgroupChains: [UInt64: [UInt64]] = [:]
    var directoryIDs: [String: FileID] = [:]
    let cgroupRoot: String?

    public init() {
        cgroupRoot = SystemGuardResolver.cgroup2Mount()
    }

    /// The record of `event`, or nil for kinds the matcher never sees (exit, fork); those still
    /// update the per-process facts.
    public mutating func record(_ event: GuardEvent) -> GuardRecord? {
        let p = event.process
        switch event.kind {
        case .fork:
            let parent = processes[p.ppid]
            processes[p.pid] = ProcessFacts(parentBinary: p.binary, fileless: parent?.fileless ?? false)
            return nil
        case .exit:
            processes[p.pid] = nil
            return nil
        case .exec:
            processes[p.pid] = ProcessFacts(parentBinary: event.lineage.first?.binary, fileless: event.flags.contains(.fileless))
        default:
            if processes[p.pid] == nil {
                processes[p.pid] = ProcessFacts(parentBinary: event.lineage.first?.binary, fileless: false)
            }
        }
        let known = processes[p.pid]
        var facts = GuardMatchFacts(kind: event.kind, binary: p.binary.inode == 0 && p.binary.device == 0 ? nil : p.binary,
                                    parentBinary: known?.parentBinary, uid: p.uid)
        facts.fileless = known?.fileless ?? false
        facts.cgroupAncestors = cgroupChain(p.cgroupID, path: p.cgroupPath)
        if event.kind == .open {
            facts.write = event.flags.contains(.write)
        }
        // Path conditions: open, and unlink/rename/chmod/chown where the BPF LSM matches them.
        if event.kind.isPathCall {
            facts.pathChain = pathChain(object: event.object, path: event.path)
        }
        // Argument conditions (args:) hash argv[1...] in the kernel; the matcher hashes the same strings.
        if event.kind == .exec { facts.argv = event.argv }
        if event.kind.hasAddress {
            facts.port = event.port
            facts.address = event.address.flatMap(GuardRecord.addressBytes)
        }
        if event.kind == .socket, event.arguments.count >= 2 {
            facts.socketFamily = UInt32(truncatingIfNeeded: event.arguments[0])
            facts.socketType = UInt32(truncatingIfNeeded: event.arguments[1])
        }
        if event.kind == .device, event.arguments.count >= 4 {
            let a = event.arguments.map { UInt32(truncatingIfNeeded: $0) }
            facts.device = GuardDeviceAccess(type: a[0], major: a[1], minor: a[2], access: a[3])
        }
        var r = GuardRecord(timestampNanoseconds: event.timestampNanoseconds, facts: facts, pid: p.pid, ppid: p.ppid, comm: p.comm)
        r.binaryPath = p.binaryPath
        r.path = event.path
        r.argv = event.argv
        r.addressText = event.address
        if let rule = event.ruleName {
            r.liveRule = rule
            r.liveAction = event.action
            r.liveEnforced = event.enforced
        }
        return r
    }

    /// The file, then each directory above it up to /, by identity.
    mutating func pathChain(object: FileID?, path: String?) -> [FileID] {
        var chain: [FileID] = []
        if let object { chain.append(object) }
        guard let path, path.hasPrefix("/") else { return chain }
        var dir = Substring(path)
        while let slash = dir.lastIndex(of: "/"), chain.count < 32 {
            dir = slash == dir.startIndex ? "/" : dir[..<slash]
            let key = String(dir)
            if let id = directoryIDs[key] ?? FileID.of(path: key) {
                if directoryIDs.count > 65536 { directoryIDs.removeAll() }
                directoryIDs[key] = id
                chain.append(id)
            }
            if dir == "/" { break }
        }
        return chain
    }

    /// Ids of the cgroup and its ancestors, root (level 0) first: what
    /// `bpf_get_current_ancestor_cgroup_id(level)` answers.
    mutating func cgroupChain(_ id: UInt64, path: String?) -> [UInt64] {
        if let known = cgroupChains[id] { return known }
        guard let root = cgroupRoot, let path else { return [] }
        let trimmedRoot = root.hasSuffix("/") ? String(root.dropLast()) : root
        guard path == trimmedRoot || path.hasPrefix(trimmedRoot + "/") else { return [] }
        var chain: [UInt64] = []
        var current = trimmedRoot
        var st = stat()
        if stat(current, &st) == 0 { chain.append(UInt64(st.st_ino)) }
        for part in path.dropFirst(trimmedRoot.count).split(separator: "/") {
            current += "/" + part
            guard stat(current, &st) == 0 else { return [] }
            chain.append(UInt64(st.st_ino))
        }
        cgroupChains[id] = chain
        return chain
    }
}
