extension BPFObjectKind {
    /// Checks that the descriptor `BPF_OBJ_GET` returned for `path` holds an object of this kind.
    /// The kernel opens any pinned object, and later `BPF_OBJ_GET_INFO_BY_FD` calls answer for
    /// whatever the descriptor is, so a map opened as a program would report nonsense; the kind
    /// is read from /proc/self/fdinfo instead and a mismatch names both kinds.
    func requirePinned(fd: Int32, path: String) throws(BPFError) {
        if let actual = BPFObjectKind.of(fd: fd), actual != self {
            throw .invalidArgument("'\(path)' is a pinned \(actual), not a \(self)")
        }
    }
}
