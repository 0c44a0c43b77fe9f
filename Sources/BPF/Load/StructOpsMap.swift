import Glibc

/// A struct_ops map of a loaded object: a `BPF_MAP_TYPE_STRUCT_OPS` map whose value (the
/// kernel's `struct bpf_struct_ops_<type>`) holds the object's struct with each function pointer
/// replaced by a loaded program. Registering it (`register()`) hands the struct to its kernel
/// subsystem, e.g. a TCP congestion control that sockets can then select by name.
public final class StructOpsMap: Sendable, CustomStringConvertible {
    /// What the object declared.
    public let spec: StructOpsMapSpec
    /// The kernel map.
    public let map: Map
    /// The value written at registration, in the kernel's layout, program descriptors included.
    let value: [UInt8]
    /// The programs of the value, kept loaded while this map lives.
    let programs: [Program]

    init(spec: StructOpsMapSpec, map: Map, value: [UInt8], programs: [Program]) {
        self.spec = spec
        self.map = map
        self.value = value
        self.programs = programs
    }

    /// The map's (variable's) name.
    public var name: String { spec.name }

    /// Registers the struct with the kernel and returns the handle that unregisters it on close
    /// (or deinit), as libbpf's `bpf_map__attach_struct_ops()`:
    /// - `.struct_ops.link` maps: `BPF_MAP_UPDATE_ELEM` of the value, then `BPF_LINK_CREATE` with
    ///   `BPF_STRUCT_OPS`; the returned link is that BPF link. An EBUSY update (the value was
    ///   already written by an earlier registration) is not an error, as in libbpf.
    /// - plain `.struct_ops` maps: the update itself registers; the returned link owns a
    ///   duplicate of the map's descriptor and deletes the element (`BPF_MAP_DELETE_ELEM`),
    ///   which unregisters, when it closes. Its descriptor is a map's, not a BPF link's:
    ///   `info()`, `detach()` and `update(program:)` do not apply; use `close()`.
    public func register() throws(BPFError) -> Link {
        let label = "struct_ops \(spec.name) (\(spec.typeName))"
        do {
            try map.update(key: [0, 0, 0, 0], value: value)
        } catch {
            guard spec.isLink, BPFCommands.isErrno(error, BPFErrno(rawValue: EBUSY)) else { throw Self.explain(error, spec: spec) }
        }
        if spec.isLink {
            do {
                let fd = try BPFCommands.structOpsLinkCreate(mapFD: map.fd, name: spec.name)
                return Link(taking: fd, name: label)
            } catch {
                throw Self.explain(error, spec: spec)
            }
        }
        let link = Link(taking: try map.duplicateDescriptor(), name: label)
        let map = self.map
        link.onClose { _ = try? map.delete(key: [0, 0, 0, 0]) }
        return link
    }

    /// Names the usual reason of a refused registration.
    static func explain(_ error: BPFError, spec: StructOpsMapSpec) -> BPFError {
        guard case let .syscall(op, errno) = error else { return error }
        switch errno {
        case .EEXIST:
            return .invalidArgument("\(op): the kernel already has a '\(spec.typeName)' registered under the name struct_ops map '\(spec.name)' gives (its 'name' member), or this map is registered already; unregister that first")
        case .EINVAL:
            return .invalidArgument("\(op): the kernel refused struct_ops map '\(spec.name)' (\(errno)); its subsystem validates the struct, e.g. a tcp_congestion_ops needs ssthresh, undo_cwnd and cong_avoid or cong_control, and a unique name")
        default:
            return error
        }
    }

    public var description: String { "StructOpsMap(\(spec.name): \(spec.typeName)\(spec.isLink ? ", link" : ""))" }
}
