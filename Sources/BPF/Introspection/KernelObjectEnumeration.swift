/// Enumeration of the kernel's BPF objects by global id (`BPF_PROG_GET_NEXT_ID`,
/// `BPF_MAP_GET_NEXT_ID`, `BPF_LINK_GET_NEXT_ID`, `BPF_BTF_GET_NEXT_ID`), as bpftool's `list`
/// commands do. Objects come and go while the walk runs: an id listed a moment ago may be gone
/// when it is opened (ENOENT), which is skipped, never an error.
extension BPFObjectKind {
    /// Every id of this kind, ascending. The walk restarts from the last id seen, so an object
    /// freed in between does not end it.
    public func allIDs() throws(BPFError) -> [UInt32] {
        var ids: [UInt32] = []
        var last: UInt32 = 0
        while let next = try BPFCommands.nextID(self, after: last) {
            // The kernel's ids only grow along the walk; a repeat would be a kernel bug, not a loop.
            guard next > last else { break }
            ids.append(next)
            last = next
        }
        return ids
    }

    /// Opens each id with `open`, skipping objects that disappeared (ENOENT) since listing.
    func openAll<T>(_ open: (UInt32) throws(BPFError) -> T) throws(BPFError) -> [T] {
        var out: [T] = []
        for id in try allIDs() {
            do {
                out.append(try open(id))
            } catch {
                if BPFCommands.isErrno(error, .ENOENT) { continue }
                throw error
            }
        }
        return out
    }

    /// Runs `body` with a descriptor of each object in turn (one open at a time), skipping
    /// objects that disappeared. Use it to list thousands of objects without holding their fds.
    func forEachOpen(_ body: (UInt32, borrowing FileDescriptor) throws(BPFError) -> Void) throws(BPFError) {
        for id in try allIDs() {
            let fd: FileDescriptor
            do {
                fd = try BPFCommands.fdByID(self, id: id)
            } catch {
                if BPFCommands.isErrno(error, .ENOENT) { continue }
                throw error
            }
            try body(id, fd)
        }
    }
}

extension Program {
    /// The ids of every program loaded in the kernel, ascending.
    public static func allIDs() throws(BPFError) -> [UInt32] { try BPFObjectKind.program.allIDs() }

    /// Every program loaded in the kernel, each opened by id (this process then holds one
    /// descriptor per program until the values are released). Programs unloaded during the
    /// walk are skipped.
    public static func all() throws(BPFError) -> [Program] {
        try BPFObjectKind.program.openAll { (id) throws(BPFError) in try Program.open(id: id) }
    }

    /// The details of every loaded program, opening one descriptor at a time.
    public static func allDetails() throws(BPFError) -> [ProgramDetails] {
        var out: [ProgramDetails] = []
        try BPFObjectKind.program.forEachOpen { (_, fd) throws(BPFError) in
            do throws(BPFError) { out.append(try ProgramDetails(fd: fd.rawValue)) } catch {
                if !BPFCommands.isErrno(error, .ENOENT) { throw error }
            }
        }
        return out
    }
}

extension Map {
    /// The ids of every map in the kernel, ascending.
    public static func allIDs() throws(BPFError) -> [UInt32] { try BPFObjectKind.map.allIDs() }

    /// Every map in the kernel, each opened by id. Maps freed during the walk are skipped.
    public static func all() throws(BPFError) -> [Map] {
        try BPFObjectKind.map.openAll { (id) throws(BPFError) in try Map.open(id: id) }
    }

    /// The details of every map, opening one descriptor at a time.
    public static func allDetails() throws(BPFError) -> [MapDetails] {
        var out: [MapDetails] = []
        try BPFObjectKind.map.forEachOpen { (_, fd) throws(BPFError) in
            do throws(BPFError) { out.append(try MapDetails(fd: fd.rawValue)) } catch {
                if !BPFCommands.isErrno(error, .ENOENT) { throw error }
            }
        }
        return out
    }
}

extension Link {
    /// The ids of every BPF link in the kernel, ascending (legacy perf-event attachments are
    /// not links and have no id).
    public static func allIDs() throws(BPFError) -> [UInt32] { try BPFObjectKind.link.allIDs() }

    /// Every BPF link in the kernel, each opened by id. Each value is a reference: while it
    /// lives, the link stays attached even after its owner closes its own descriptor, so
    /// release these values promptly. Links destroyed during the walk are skipped.
    public static func all() throws(BPFError) -> [Link] {
        try BPFObjectKind.link.openAll { (id) throws(BPFError) in try Link.open(id: id) }
    }

    /// The details of every link, opening one descriptor at a time.
    public static func allDetails() throws(BPFError) -> [LinkDetails] {
        var out: [LinkDetails] = []
        try BPFObjectKind.link.forEachOpen { (_, fd) throws(BPFError) in
            do throws(BPFError) { out.append(try LinkDetails(fd: fd.rawValue)) } catch {
                if !BPFCommands.isErrno(error, .ENOENT) { throw error }
            }
        }
        return out
    }
}
