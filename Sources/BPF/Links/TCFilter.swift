import Glibc
import Synchronization

/// The TC hook of an interface: packets received (`ingress`) or sent (`egress`).
public enum TCDirection: String, Sendable {
    case ingress
    case egress

    /// The clsact parent of filters in this direction (ffff:fff2 or ffff:fff3).
    var clsactParent: UInt32 { self == .ingress ? TrafficControl.ingressParent : TrafficControl.egressParent }
}

/// A direct-action cls_bpf filter on an interface's clsact qdisc, attached through rtnetlink
/// (what `tc qdisc add dev X clsact; tc filter add dev X ingress bpf da fd N` does). This is
/// how `sched_cls` programs attach on kernels before 6.6, which have no tcx links.
///
/// The filter owns its netlink socket, so it is removed from the right network namespace
/// whichever thread closes it. Closing deletes the filter, and the clsact qdisc too when this
/// filter created it and no other filter is left on it. Unlike a link, the filter outlives the
/// process if the process dies without closing it.
public final class TCFilter: Sendable, CustomStringConvertible {
    /// The interface's index (in the namespace the filter was attached from).
    public let interfaceIndex: UInt32
    /// Ingress or egress.
    public let direction: TCDirection
    /// The filter's priority (preference), as the kernel assigned or accepted it.
    public let priority: UInt16
    /// The filter's handle, as the kernel assigned or accepted it.
    public let handle: UInt32
    /// Whether attaching created the clsact qdisc (it already existed otherwise).
    public let createdQdisc: Bool
    /// `TCA_BPF_NAME`, shown by `tc filter show`.
    public let name: String
    let socket: NetlinkSocket
    let attached = Mutex<Bool>(true)

    init(socket: NetlinkSocket, interfaceIndex: UInt32, direction: TCDirection, priority: UInt16, handle: UInt32, createdQdisc: Bool, name: String) {
        self.socket = socket
        self.interfaceIndex = interfaceIndex
        self.direction = direction
        self.priority = priority
        self.handle = handle
        self.createdQdisc = createdQdisc
        self.name = name
    }

    /// Attaches `program` (a `sched_cls` program returning `TC_ACT_*`) as a direct-action BPF
    /// filter in `direction` of the interface `interfaceIndex`, which is looked up in the calling
    /// thread's network namespace. Adds the clsact qdisc first unless it exists.
    ///
    /// With `priority` and `handle` 0 the kernel picks them; the filter reports its choice.
    /// With `replace`, a filter of the same priority and handle is replaced atomically (both must
    /// then be non-zero); otherwise such a filter is an error (EEXIST).
    package static func attach(program: Program, interfaceIndex: UInt32, direction: TCDirection,
                              priority: UInt16 = 0, handle: UInt32 = 0, replace: Bool = false) throws(BPFError) -> TCFilter {
        guard program.type == .schedCLS || program.type == .schedACT else {
            throw .invalidArgument("TC filter: program '\(program.name)' is \(program.type), not sched_cls")
        }
        guard !replace || (priority != 0 && handle != 0) else {
            throw .invalidArgument("TC filter: replacing a filter needs its priority and handle")
        }
        guard interfaceIndex != 0, interfaceIndex <= UInt32(Int32.max) else {
            throw .invalidArgument("TC filter: interface index \(interfaceIndex)")
        }
        let socket = try NetlinkSocket()
        let ifindex = Int32(interfaceIndex)
        let label = "ifindex \(interfaceIndex) \(direction.rawValue)"
        var created = true
        do {
            _ = try socket.request(TCRequests.addClsact(interfaceIndex: ifindex), "RTM_NEWQDISC(clsact on ifindex \(interfaceIndex))")
        } catch {
            guard BPFCommands.isErrno(error, .EEXIST) else {
                if BPFCommands.isErrno(error, BPFErrno(rawValue: ENODEV)) { throw .missing("network interface with index \(interfaceIndex)") }
                throw error
            }
            created = false
        }
        let filterName = program.name.isEmpty ? "swiftbpf" : program.name
        do throws(BPFError) {
            let reply = try socket.request(
                TCRequests.addBPFFilter(interfaceIndex: ifindex, parent: direction.clsactParent, priority: priority, handle: handle,
                                        programFD: program.fd, name: filterName, replace: replace),
                "RTM_NEWTFILTER(bpf '\(filterName)' on \(label))")
            // The echo (NLM_F_ECHO) tells the priority and handle the kernel chose.
            var chosen = (priority: priority, handle: handle)
            for m in reply where m.type == Netlink.MessageType.newFilter {
                if let d = try TCFilterDescription(TCMessage(payload: m.payload)), d.kind == "bpf" {
                    chosen = (d.priority, d.handle)
                }
            }
            guard chosen.priority != 0, chosen.handle != 0 else {
                throw BPFError.notSupported(feature: "TC filter echo", reason: "the kernel did not echo the new filter's priority and handle (NLM_F_ECHO)")
            }
            return TCFilter(socket: socket, interfaceIndex: interfaceIndex, direction: direction, priority: chosen.priority,
                            handle: chosen.handle, createdQdisc: created, name: filterName)
        } catch {
            if created {
                _ = try? socket.request(TCRequests.deleteClsact(interfaceIndex: ifindex), "RTM_DELQDISC(clsact on ifindex \(interfaceIndex))")
            }
            throw error
        }
    }

    /// Attaches `program` to the interface named `interface` (looked up in the calling thread's
    /// network namespace).
    package static func attach(program: Program, interface: String, direction: TCDirection,
                              priority: UInt16 = 0, handle: UInt32 = 0, replace: Bool = false) throws(BPFError) -> TCFilter {
        let index = try Syscalls.interfaceIndex(name: interface)
        return try attach(program: program, interfaceIndex: index, direction: direction, priority: priority, handle: handle, replace: replace)
    }

    /// The filters in `direction` of the interface `interfaceIndex` (`RTM_GETTFILTER` dump), in
    /// the calling thread's network namespace. An interface without a clsact qdisc has none.
    public static func filters(interfaceIndex: UInt32, direction: TCDirection) throws(BPFError) -> [TCFilterDescription] {
        try NetlinkSocket().filters(interfaceIndex: interfaceIndex, direction: direction)
    }

    /// Whether the filter is still attached (not closed or detached).
    public var isAttached: Bool { attached.locked { $0 } }

    /// The filter as the kernel reports it now (program id, name, flags), nil if it is gone.
    public func currentDescription() throws(BPFError) -> TCFilterDescription? {
        try socket.filters(interfaceIndex: interfaceIndex, direction: direction).first { $0.priority == priority && $0.handle == handle && $0.kind == "bpf" }
    }

    /// Deletes the filter (`RTM_DELTFILTER`), then the clsact qdisc if this filter created it
    /// and no filter is left in either direction. Throws what the kernel answered; a filter that
    /// is already gone (ENOENT, or the interface was deleted: ENODEV) is not an error.
    public func detach() throws(BPFError) {
        guard attached.locked({ a in defer { a = false }; return a }) else { return }
        let ifindex = Int32(interfaceIndex)
        do {
            _ = try socket.request(
                TCRequests.deleteFilter(interfaceIndex: ifindex, parent: direction.clsactParent, priority: priority, handle: handle),
                "RTM_DELTFILTER(bpf '\(name)' on ifindex \(interfaceIndex) \(direction.rawValue))")
        } catch {
            if BPFCommands.isErrno(error, .ENOENT) || BPFCommands.isErrno(error, BPFErrno(rawValue: ENODEV)) || BPFCommands.isErrno(error, BPFErrno(rawValue: EINVAL)) {
                return
            }
            throw error
        }
        guard createdQdisc else { return }
        let remaining = try socket.filters(interfaceIndex: interfaceIndex, direction: .ingress).count
            + socket.filters(interfaceIndex: interfaceIndex, direction: .egress).count
        guard remaining == 0 else { return }
        do {
            _ = try socket.request(TCRequests.deleteClsact(interfaceIndex: ifindex), "RTM_DELQDISC(clsact on ifindex \(interfaceIndex))")
        } catch {
            if BPFCommands.isErrno(error, .ENOENT) || BPFCommands.isErrno(error, BPFErrno(rawValue: EINVAL)) { return }
            throw error
        }
    }

    /// Detaches, ignoring errors (idempotent). Also done when the filter is deinitialised.
    public func close() { try? detach() }

    deinit { close() }

    public var description: String {
        "TCFilter(\(name) on ifindex \(interfaceIndex) \(direction.rawValue), priority \(priority), handle \(handle))"
    }
}

extension NetlinkSocket {
    /// The filters under the clsact parent of `direction` (an `RTM_GETTFILTER` dump).
    func filters(interfaceIndex: UInt32, direction: TCDirection) throws(BPFError) -> [TCFilterDescription] {
        let op = "RTM_GETTFILTER(ifindex \(interfaceIndex) \(direction.rawValue))"
        let reply: [NetlinkMessage]
        do {
            reply = try request(TCRequests.dumpFilters(interfaceIndex: Int32(bitPattern: interfaceIndex), parent: direction.clsactParent), op)
        } catch {
            // No clsact qdisc: the parent does not exist.
            if BPFCommands.isErrno(error, .EINVAL) || BPFCommands.isErrno(error, .ENOENT) { return [] }
            throw error
        }
        var out: [TCFilterDescription] = []
        for m in reply where m.type == Netlink.MessageType.newFilter {
            if let d = try TCFilterDescription(TCMessage(payload: m.payload)) { out.append(d) }
        }
        return out
    }
}
