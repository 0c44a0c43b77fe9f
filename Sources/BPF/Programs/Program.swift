import Synchronization

/// A BPF program loaded into the kernel. It owns its descriptor and closes it on deinit; the
/// kernel frees the program when no descriptor, pin or link refers to it any more.
public final class Program: Sendable, CustomStringConvertible {
    let descriptor: FileDescriptor
    /// The program's name as given at load (or the kernel's 15-byte name when opened).
    public let name: String
    /// The program type.
    public let type: ProgramType
    /// The kernel-wide id.
    public let id: UInt32
    /// The verifier log of a load that asked for one (`logLevel` > 0); empty otherwise.
    public let verifierLog: String
    /// `expected_attach_type` it was loaded with; nil for a program opened by id or pin (the
    /// kernel does not report it).
    public let expectedAttachType: AttachType?
    /// Maps this program keeps open while it lives (see `retainedMaps`).
    let retained = Mutex<[Map]>([])

    /// The descriptor number, valid while the program lives. Do not close it.
    public var fd: Int32 { descriptor.rawValue }

    /// Loads a program with `BPF_PROG_LOAD`, with libbpf's verifier log strategy (see
    /// `ProgramLoader`). Throws `BPFError.verifier` with the whole log on rejection.
    public static func load(_ attrs: ProgramLoadAttributes) throws(BPFError) -> Program {
        let loaded = try ProgramLoader.load(attrs)
        return try Program(taking: FileDescriptor(taking: loaded.fd), name: attrs.name, verifierLog: loaded.log,
                           expectedAttachType: attrs.expectedAttachType)
    }

    /// Opens a program pinned on bpffs (`BPF_OBJ_GET`).
    public static func open(pinned path: String) throws(BPFError) -> Program {
        let fd = try BPFCommands.objGet(path: path)
        try BPFObjectKind.program.requirePinned(fd: fd.rawValue, path: path)
        return try Program(taking: fd)
    }

    /// Opens a program by its global id (`BPF_PROG_GET_FD_BY_ID`).
    public static func open(id: UInt32) throws(BPFError) -> Program {
        try Program(taking: BPFCommands.fdByID(.program, id: id))
    }

    /// Takes ownership of a program descriptor; reads type, id and name from the kernel.
    package init(taking fd: consuming FileDescriptor, name: String? = nil, verifierLog: String = "",
                 expectedAttachType: AttachType? = nil) throws(BPFError) {
        let info = try BPFCommands.programInfo(fd: fd.rawValue, name: name ?? "program")
        descriptor = fd
        self.name = name ?? info.name
        type = info.type
        id = info.id
        self.verifierLog = verifierLog
        self.expectedAttachType = expectedAttachType
    }

    /// `BPF_OBJ_GET_INFO_BY_FD`: id, tag, name, type, map ids, translated length, run stats.
    public func info() throws(BPFError) -> ProgramInfo {
        try BPFCommands.programInfo(fd: fd, name: name)
    }

    /// A new descriptor for the same program (the caller owns it).
    package func duplicateDescriptor() throws(BPFError) -> FileDescriptor {
        try descriptor.duplicate()
    }

    /// Pins the program at `path` on bpffs (`BPF_OBJ_PIN`).
    public func pin(_ path: String) throws(BPFError) {
        try BPFCommands.objPin(fd: fd, path: path)
    }

    /// Removes a pin (unlink).
    public static func unpin(_ path: String) throws(BPFError) {
        try Syscalls.unlink(path)
    }

    /// `BPF_PROG_BIND_MAP`: keeps `map` alive as long as the program and lists it in `map_ids`.
    public func bind(map: Map) throws(BPFError) {
        try BPFCommands.progBindMap(programFD: fd, mapFD: map.fd, name: "\(name), \(map.name)")
    }

    /// `BPF_PROG_TEST_RUN`: runs the program on `data` (a packet for socket filter, XDP, TC...)
    /// and/or `context` `repeat` times. `dataOutSize` defaults to the input size plus 256 bytes
    /// (XDP may grow the packet).
    public func testRun(
        data: [UInt8] = [], dataOutSize: Int? = nil, context: [UInt8] = [], contextOutSize: Int = 0,
        repeat count: UInt32 = 1, flags: UInt32 = 0
    ) throws(BPFError) -> ProgramTestRunResult {
        try BPFCommands.progTestRun(
            fd: fd, data: data, dataOutSize: dataOutSize ?? (data.isEmpty ? 0 : data.count + 256),
            context: context, contextOutSize: contextOutSize, repeat: count, flags: flags, name: name)
    }

    /// The maps this program keeps open while it lives: the prog arrays it tail-calls through,
    /// when it was loaded from a `BPFObject`. The kernel empties a prog array when the map's
    /// last user-space descriptor closes, so holding them here keeps tail calls working even
    /// after the object is released.
    public var retainedMaps: [Map] { retained.locked { $0 } }

    /// Keeps `maps` open as long as this program lives.
    public func retain(maps: [Map]) {
        retained.locked { $0 += maps }
    }

    public var description: String { "Program(\(name), \(type), id \(id))" }
}
