/// `enum bpf_map_type` of the UAPI. Values past Linux 6.1 are defined here with their UAPI names,
/// because the installed headers are from 6.1.
public struct MapType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `BPF_MAP_TYPE_UNSPEC` (0), `unspec` as bpftool prints it.
    public static let unspec = MapType(rawValue: 0)
    /// `BPF_MAP_TYPE_HASH` (1), `hash` as bpftool prints it.
    public static let hash = MapType(rawValue: 1)
    /// `BPF_MAP_TYPE_ARRAY` (2), `array` as bpftool prints it.
    public static let array = MapType(rawValue: 2)
    /// `BPF_MAP_TYPE_PROG_ARRAY` (3), `prog_array` as bpftool prints it.
    public static let progArray = MapType(rawValue: 3)
    /// `BPF_MAP_TYPE_PERF_EVENT_ARRAY` (4), `perf_event_array` as bpftool prints it.
    public static let perfEventArray = MapType(rawValue: 4)
    /// `BPF_MAP_TYPE_PERCPU_HASH` (5), `percpu_hash` as bpftool prints it.
    public static let perCPUHash = MapType(rawValue: 5)
    /// `BPF_MAP_TYPE_PERCPU_ARRAY` (6), `percpu_array` as bpftool prints it.
    public static let perCPUArray = MapType(rawValue: 6)
    /// `BPF_MAP_TYPE_STACK_TRACE` (7), `stack_trace` as bpftool prints it.
    public static let stackTrace = MapType(rawValue: 7)
    /// `BPF_MAP_TYPE_CGROUP_ARRAY` (8), `cgroup_array` as bpftool prints it.
    public static let cgroupArray = MapType(rawValue: 8)
    /// `BPF_MAP_TYPE_LRU_HASH` (9), `lru_hash` as bpftool prints it.
    public static let lruHash = MapType(rawValue: 9)
    /// `BPF_MAP_TYPE_LRU_PERCPU_HASH` (10), `lru_percpu_hash` as bpftool prints it.
    public static let lruPerCPUHash = MapType(rawValue: 10)
    /// `BPF_MAP_TYPE_LPM_TRIE` (11), `lpm_trie` as bpftool prints it.
    public static let lpmTrie = MapType(rawValue: 11)
    /// `BPF_MAP_TYPE_ARRAY_OF_MAPS` (12), `array_of_maps` as bpftool prints it.
    public static let arrayOfMaps = MapType(rawValue: 12)
    /// `BPF_MAP_TYPE_HASH_OF_MAPS` (13), `hash_of_maps` as bpftool prints it.
    public static let hashOfMaps = MapType(rawValue: 13)
    /// `BPF_MAP_TYPE_DEVMAP` (14), `devmap` as bpftool prints it.
    public static let devMap = MapType(rawValue: 14)
    /// `BPF_MAP_TYPE_SOCKMAP` (15), `sockmap` as bpftool prints it.
    public static let sockMap = MapType(rawValue: 15)
    /// `BPF_MAP_TYPE_CPUMAP` (16), `cpumap` as bpftool prints it.
    public static let cpuMap = MapType(rawValue: 16)
    /// `BPF_MAP_TYPE_XSKMAP` (17), `xskmap` as bpftool prints it.
    public static let xskMap = MapType(rawValue: 17)
    /// `BPF_MAP_TYPE_SOCKHASH` (18), `sockhash` as bpftool prints it.
    public static let sockHash = MapType(rawValue: 18)
    /// `BPF_MAP_TYPE_CGROUP_STORAGE` (19), `cgroup_storage` as bpftool prints it.
    public static let cgroupStorage = MapType(rawValue: 19)
    /// `BPF_MAP_TYPE_REUSEPORT_SOCKARRAY` (20), `reuseport_sockarray` as bpftool prints it.
    public static let reuseportSockArray = MapType(rawValue: 20)
    /// `BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE` (21), `percpu_cgroup_storage` as bpftool prints it.
    public static let perCPUCgroupStorage = MapType(rawValue: 21)
    /// `BPF_MAP_TYPE_QUEUE` (22), `queue` as bpftool prints it.
    public static let queue = MapType(rawValue: 22)
    /// `BPF_MAP_TYPE_STACK` (23), `stack` as bpftool prints it.
    public static let stack = MapType(rawValue: 23)
    /// `BPF_MAP_TYPE_SK_STORAGE` (24), `sk_storage` as bpftool prints it.
    public static let skStorage = MapType(rawValue: 24)
    /// `BPF_MAP_TYPE_DEVMAP_HASH` (25), `devmap_hash` as bpftool prints it.
    public static let devMapHash = MapType(rawValue: 25)
    /// `BPF_MAP_TYPE_STRUCT_OPS` (26), `struct_ops` as bpftool prints it.
    public static let structOps = MapType(rawValue: 26)
    /// `BPF_MAP_TYPE_RINGBUF` (27), `ringbuf` as bpftool prints it.
    public static let ringBuf = MapType(rawValue: 27)
    /// `BPF_MAP_TYPE_INODE_STORAGE` (28), `inode_storage` as bpftool prints it.
    public static let inodeStorage = MapType(rawValue: 28)
    /// `BPF_MAP_TYPE_TASK_STORAGE` (29), `task_storage` as bpftool prints it.
    public static let taskStorage = MapType(rawValue: 29)
    /// `BPF_MAP_TYPE_BLOOM_FILTER` (30), `bloom_filter` as bpftool prints it.
    public static let bloomFilter = MapType(rawValue: 30)
    /// `BPF_MAP_TYPE_USER_RINGBUF` (31), `user_ringbuf` as bpftool prints it.
    public static let userRingBuf = MapType(rawValue: 31)
    /// `BPF_MAP_TYPE_CGRP_STORAGE` (32), `cgrp_storage` as bpftool prints it.
    public static let cgrpStorage = MapType(rawValue: 32)  // BPF_MAP_TYPE_CGRP_STORAGE, 6.2
    /// `BPF_MAP_TYPE_ARENA` (33), `arena` as bpftool prints it.
    public static let arena = MapType(rawValue: 33)  // BPF_MAP_TYPE_ARENA, 6.9

    static let names: [UInt32: String] = [
        0: "unspec", 1: "hash", 2: "array", 3: "prog_array", 4: "perf_event_array", 5: "percpu_hash",
        6: "percpu_array", 7: "stack_trace", 8: "cgroup_array", 9: "lru_hash", 10: "lru_percpu_hash",
        11: "lpm_trie", 12: "array_of_maps", 13: "hash_of_maps", 14: "devmap", 15: "sockmap", 16: "cpumap",
        17: "xskmap", 18: "sockhash", 19: "cgroup_storage", 20: "reuseport_sockarray",
        21: "percpu_cgroup_storage", 22: "queue", 23: "stack", 24: "sk_storage", 25: "devmap_hash",
        26: "struct_ops", 27: "ringbuf", 28: "inode_storage", 29: "task_storage", 30: "bloom_filter",
        31: "user_ringbuf", 32: "cgrp_storage", 33: "arena",
    ]

    /// bpftool's name for the type, e.g. `percpu_hash`.
    public var description: String { Self.names[rawValue] ?? "type_\(rawValue)" }

    /// Maps whose values are per CPU: lookups return one value per possible CPU, each padded to 8 bytes.
    public var isPerCPU: Bool { [.perCPUHash, .perCPUArray, .lruPerCPUHash, .perCPUCgroupStorage].contains(self) }

    /// Maps of maps: the value is an inner map's fd on update and its id on lookup.
    public var isMapOfMaps: Bool { self == .arrayOfMaps || self == .hashOfMaps }
}
