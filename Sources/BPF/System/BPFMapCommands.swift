import CBPF

/// `BPF_ANY`, `BPF_NOEXIST`, `BPF_EXIST` and `BPF_F_LOCK`: the `flags` of `BPF_MAP_UPDATE_ELEM`
/// (and `elem_flags` of the batch commands).
public struct MapUpdateFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// `BPF_ANY`: create or replace.
    public static let any = MapUpdateFlags([])
    /// `BPF_NOEXIST`: create only; EEXIST if the key is present.
    public static let noExist = MapUpdateFlags(rawValue: 1)
    /// `BPF_EXIST`: replace only; ENOENT if the key is absent.
    public static let exist = MapUpdateFlags(rawValue: 2)
    /// `BPF_F_LOCK`: take the value's `bpf_spin_lock` while copying.
    public static let lock = MapUpdateFlags(rawValue: 4)
}

/// The outcome of one `BPF_MAP_*_BATCH` call.
public struct MapBatchResult: Sendable {
    /// How many elements the kernel processed (`count` on return).
    public var count: Int
    /// The kernel returned ENOENT: there are no elements after this batch.
    public var reachedEnd: Bool
}

extension BPFCommands {
    /// `BPF_MAP_CREATE`.
    package static func mapCreate(
        type: UInt32, keySize: UInt32, valueSize: UInt32, maxEntries: UInt32, flags: UInt32,
        name: String, numaNode: UInt32 = 0, mapExtra: UInt64 = 0, btfFD: Int32? = nil,
        btfKeyTypeID: UInt32 = 0, btfValueTypeID: UInt32 = 0, btfVmlinuxValueTypeID: UInt32 = 0,
        innerMapFD: Int32? = nil, ifindex: UInt32 = 0
    ) throws(BPFError) -> FileDescriptor {
        var attr = bpf_attr()
        attr.map_type = type
        attr.key_size = keySize
        attr.value_size = valueSize
        attr.max_entries = maxEntries
        attr.map_flags = flags
        attr.numa_node = numaNode
        attr.map_extra = mapExtra
        attr.map_ifindex = ifindex
        if let btfFD {
            attr.btf_fd = UInt32(bitPattern: btfFD)
            attr.btf_key_type_id = btfKeyTypeID
            attr.btf_value_type_id = btfValueTypeID
            attr.btf_vmlinux_value_type_id = btfVmlinuxValueTypeID
        }
        if let innerMapFD { attr.inner_map_fd = UInt32(bitPattern: innerMapFD) }
        setObjectName(&attr.map_name, name)
        return try Syscalls.bpfFD(BPF_MAP_CREATE, &attr, "BPF_MAP_CREATE(\(name))")
    }

    /// One of the `BPF_MAP_*_ELEM` commands on raw pointers.
    static func mapElem(
        _ cmd: bpf_cmd, _ op: String, fd: Int32, key: UnsafeRawPointer?, value: UnsafeRawPointer?,
        flags: UInt64, name: String
    ) throws(BPFError) {
        let errno = mapElemErrno(cmd, fd: fd, key: key, value: value, flags: flags)
        if errno != 0 { throw .syscall(operation: "\(op)(\(name))", errno: BPFErrno(rawValue: errno)) }
    }

    /// The bytes of `union bpf_attr` the `BPF_MAP_*_ELEM` commands read: `map_fd`, `key`,
    /// `value`/`next_key` and `flags` (offsetofend of `flags`, as libbpf passes). The kernel
    /// zero-fills the rest of its copy.
    static var elemAttrSize: UInt32 { 32 }

    /// One `BPF_MAP_*_ELEM` call for the hot paths: returns 0 or the errno, and builds no error
    /// value or message (a miss, ENOENT, costs nothing more than the system call). Retries EINTR.
    @usableFromInline
    static func mapElemErrno(
        _ cmd: bpf_cmd, fd: Int32, key: UnsafeRawPointer?, value: UnsafeRawPointer?, flags: UInt64
    ) -> Int32 {
        var attr = bpf_attr()
        attr.map_fd = UInt32(bitPattern: fd)
        attr.key = address(key)
        attr.value = address(value)
        attr.flags = flags
        while true {
            let r = cbpf_sys_bpf(Int32(cmd.rawValue), &attr, elemAttrSize)
            if r >= 0 { return 0 }
            let e = BPFErrno.current.rawValue
            if e != BPFErrno.EINTR.rawValue { return e }
        }
    }

    /// The error of a failed `mapElemErrno` call, named like the throwing wrappers' errors.
    static func elemError(_ cmd: bpf_cmd, errno: Int32, name: String) -> BPFError {
        .syscall(operation: "\(commandName(cmd))(\(name))", errno: BPFErrno(rawValue: errno))
    }

    /// The UAPI name of a map element or batch command, for error messages.
    static func commandName(_ cmd: bpf_cmd) -> String {
        switch cmd {
        case BPF_MAP_LOOKUP_ELEM: "BPF_MAP_LOOKUP_ELEM"
        case BPF_MAP_UPDATE_ELEM: "BPF_MAP_UPDATE_ELEM"
        case BPF_MAP_DELETE_ELEM: "BPF_MAP_DELETE_ELEM"
        case BPF_MAP_GET_NEXT_KEY: "BPF_MAP_GET_NEXT_KEY"
        case BPF_MAP_LOOKUP_AND_DELETE_ELEM: "BPF_MAP_LOOKUP_AND_DELETE_ELEM"
        case BPF_MAP_LOOKUP_BATCH: "BPF_MAP_LOOKUP_BATCH"
        case BPF_MAP_LOOKUP_AND_DELETE_BATCH: "BPF_MAP_LOOKUP_AND_DELETE_BATCH"
        case BPF_MAP_UPDATE_BATCH: "BPF_MAP_UPDATE_BATCH"
        case BPF_MAP_DELETE_BATCH: "BPF_MAP_DELETE_BATCH"
        default: "bpf(\(cmd.rawValue))"
        }
    }

    /// `BPF_MAP_LOOKUP_ELEM`: copies the value of `key` into `value`. Throws ENOENT if absent.
    /// `key` is nil for queues and stacks (peek).
    package static func mapLookup(fd: Int32, key: UnsafeRawPointer?, value: UnsafeMutableRawPointer, flags: UInt64 = 0, name: String) throws(BPFError) {
        try mapElem(BPF_MAP_LOOKUP_ELEM, "BPF_MAP_LOOKUP_ELEM", fd: fd, key: key, value: value, flags: flags, name: name)
    }

    /// `BPF_MAP_UPDATE_ELEM`. `key` is nil for queues and stacks (push).
    package static func mapUpdate(fd: Int32, key: UnsafeRawPointer?, value: UnsafeRawPointer, flags: MapUpdateFlags, name: String) throws(BPFError) {
        try mapElem(BPF_MAP_UPDATE_ELEM, "BPF_MAP_UPDATE_ELEM", fd: fd, key: key, value: value, flags: flags.rawValue, name: name)
    }

    /// `BPF_MAP_DELETE_ELEM`. Throws ENOENT if absent.
    package static func mapDelete(fd: Int32, key: UnsafeRawPointer, name: String) throws(BPFError) {
        try mapElem(BPF_MAP_DELETE_ELEM, "BPF_MAP_DELETE_ELEM", fd: fd, key: key, value: nil, flags: 0, name: name)
    }

    /// `BPF_MAP_GET_NEXT_KEY`: the key after `key`, or the first key when `key` is nil.
    /// Throws ENOENT after the last key.
    package static func mapGetNextKey(fd: Int32, key: UnsafeRawPointer?, nextKey: UnsafeMutableRawPointer, name: String) throws(BPFError) {
        try mapElem(BPF_MAP_GET_NEXT_KEY, "BPF_MAP_GET_NEXT_KEY", fd: fd, key: key, value: nextKey, flags: 0, name: name)
    }

    /// `BPF_MAP_LOOKUP_AND_DELETE_ELEM`. `key` is nil for queues and stacks (pop).
    package static func mapLookupAndDelete(fd: Int32, key: UnsafeRawPointer?, value: UnsafeMutableRawPointer, flags: UInt64 = 0, name: String) throws(BPFError) {
        try mapElem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, "BPF_MAP_LOOKUP_AND_DELETE_ELEM", fd: fd, key: key, value: value, flags: flags, name: name)
    }

    /// `BPF_MAP_FREEZE`: no more writes from user space (programs may still write unless the map
    /// has `BPF_F_RDONLY_PROG`).
    package static func mapFreeze(fd: Int32, name: String) throws(BPFError) {
        var attr = bpf_attr()
        attr.map_fd = UInt32(bitPattern: fd)
        try Syscalls.bpf(BPF_MAP_FREEZE, &attr, "BPF_MAP_FREEZE(\(name))")
    }

    /// One `BPF_MAP_LOOKUP_BATCH`, `BPF_MAP_LOOKUP_AND_DELETE_BATCH`, `BPF_MAP_UPDATE_BATCH` or
    /// `BPF_MAP_DELETE_BATCH` call. For the lookups, `inBatch` is nil on the first call and then
    /// the previous call's `outBatch`; for them ENOENT means "no more elements" and is returned as
    /// `reachedEnd` with the count of elements copied, not thrown. For update and delete, errors
    /// are thrown (ENOENT from a delete names a missing key).
    package static func mapBatch(
        _ cmd: bpf_cmd, fd: Int32, inBatch: UnsafeRawPointer?, outBatch: UnsafeMutableRawPointer?,
        keys: UnsafeRawPointer?, values: UnsafeRawPointer?, count: Int, elemFlags: UInt64 = 0, name: String
    ) throws(BPFError) -> MapBatchResult {
        var attr = bpf_attr()
        attr.batch.map_fd = UInt32(bitPattern: fd)
        attr.batch.in_batch = address(inBatch)
        attr.batch.out_batch = address(outBatch)
        attr.batch.keys = address(keys)
        attr.batch.values = address(values)
        attr.batch.count = UInt32(count)
        attr.batch.elem_flags = elemFlags
        let op = commandName(cmd)
        do {
            try Syscalls.bpf(cmd, &attr, "\(op)(\(name))")
            return MapBatchResult(count: Int(attr.batch.count), reachedEnd: false)
        } catch {
            let isLookup = cmd == BPF_MAP_LOOKUP_BATCH || cmd == BPF_MAP_LOOKUP_AND_DELETE_BATCH
            if isLookup, isErrno(error, .ENOENT) { return MapBatchResult(count: Int(attr.batch.count), reachedEnd: true) }
            throw error
        }
    }
}
