/// Which connections `FlowMonitor` tracks. Every filter runs in the kernel (`const volatile`
/// globals of flows.bpf.c, frozen before load): ports and addresses when a connection is first
/// seen, process filters when its owner is known (at connect(2) for outgoing TCP, at the first
/// read for accepted TCP, at socket(2) for UDP: a UDP socket made before the monitor started has
/// no known owner and is left out while a process filter is on).
public struct FlowFilter: Sendable, Equatable {
    /// Only sockets of this process (tgid).
    public var pid: UInt32?
    /// Only sockets of processes with exactly this command name (at most 15 bytes).
    public var comm: String?
    /// Only sockets of processes in this cgroup v2 directory or below it.
    public var cgroupPath: String?
    /// Only connections whose local or remote port is this.
    public var port: UInt16?
    /// Only connections whose remote address lies in this prefix.
    public var remote: IPPrefix?

    public init(pid: UInt32? = nil, comm: String? = nil, cgroupPath: String? = nil, port: UInt16? = nil, remote: IPPrefix? = nil) {
        self.pid = pid
        self.comm = comm
        self.cgroupPath = cgroupPath
        self.port = port
        self.remote = remote
    }

    /// True when a process filter is on: flows with no known owner are then not shown.
    public var filtersProcesses: Bool { pid != nil || comm != nil || cgroupPath != nil }
}
