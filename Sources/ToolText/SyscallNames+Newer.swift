extension SyscallNames {
    /// System calls added after the UAPI header the table is generated from, up to Linux 6.18
    /// (`arch/x86/entry/syscalls/syscall_64.tbl`). Kept by hand: add new ones here.
    static let newerThanHeader: [Int: String] = [
        451: "cachestat",
        452: "fchmodat2",
        453: "map_shadow_stack",
        454: "futex_wake",
        455: "futex_wait",
        456: "futex_requeue",
        457: "statmount",
        458: "listmount",
        459: "lsm_get_self_attr",
        460: "lsm_set_self_attr",
        461: "lsm_list_modules",
        462: "mseal",
        463: "setxattrat",
        464: "getxattrat",
        465: "listxattrat",
        466: "removexattrat",
        467: "open_tree_attr",
        468: "file_getattr",
        469: "file_setattr",
    ]

    /// Number → name for x86_64: syscount's rows and the names seccomp profiles use.
    public static let x86_64: [Int: String] = fromHeader.merging(newerThanHeader) { header, _ in header }

    /// Name → number for x86_64.
    public static let x86_64Numbers: [String: Int] = Dictionary(x86_64.map { ($0.value, $0.key) }) { a, _ in a }
}
