/// `enum bpf_map_type` of the UAPI. Values past Linux 6.1 are defined here with their UAPI names,
/// because the installed headers are from 6.1.
public struct MapType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let unspec = MapType(rawValue: 0)
    public static let hash = MapType(rawValue: 1)
    public static let array = MapType(rawValue: 2)
    public static let progArray = MapType(rawValue: 3)
    public static let perfEventArray = MapType(rawValue: 4)
    public static let perCPUHash = MapType(rawValue: 5)
    public static let perCPUArray = MapType(rawValue: 6)
    public static let stackTrace = MapType(rawValue: 7)
    public static let cgroupArray = MapType(rawValue: 8)
    public static let lruHash = MapType(rawValue: 9)
    public static let lruPerCPUHash = MapType(rawValue: 10)
    public static let lpmTrie = MapType(rawValue: 11)
    public static let arrayOfMaps = MapType(rawValue: 12)
    public static let hashOfMaps = MapType(rawValue: 13)
    public static let devMap = MapType(rawValue: 14)
    public static let sockMap = MapType(rawValue: 15)
    public static let cpuMap = MapType(rawValue: 16)
    public static let xskMap = MapType(rawValue: 17)
    public static let sockHash = MapType(rawValue: 18)
    public static let cgroupStorage = MapType(rawValue: 19)
    public static let reuseportSockArray = MapType(rawValue: 20)
    public static let perCPUCgroupStorage = MapType(rawValue: 21)
    public static let queue = MapType(rawValue: 22)
    public static let stack = MapType(rawValue: 23)
    public static let skStorage = MapType(rawValue: 24)
    public static let devMapHash = MapType(rawValue: 25)
    public static let structOps = MapType(rawValue: 26)
    public static let ringBuf = MapType(rawValue: 27)
    public static let inodeStorage = MapType(rawValue: 28)
    public static let taskStorage = MapType(rawValue: 29)
    public static let bloomFilter = MapType(rawValue: 30)
    public static let userRingBuf = MapType(rawValue: 31)
    public static let cgrpStorage = MapType(rawValue: 32)  // BPF_MAP_TYPE_CGRP_STORAGE, 6.2
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
