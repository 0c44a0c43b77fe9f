/// The sizes of `tool_events`, the ring buffer of `BPFInclude/swiftbpf_tool.h`.
public enum ToolRing {
    /// What `swiftbpf_tool.h` declares (`max_entries`, 512 KiB) and `--buffer-kib` leaves alone.
    public static let defaultBytes: UInt32 = 512 * 1024
    /// One page: what a tool that sends no events (it aggregates in maps) shrinks the ring to.
    public static let unusedBytes: UInt32 = 4096
    /// The smallest `--buffer-kib`: one page.
    public static let minimumKiB: UInt32 = 4
    /// The largest `--buffer-kib`: the ring's size in bytes is a u32 (`max_entries`), so 2 GiB is
    /// the largest power of two it can hold.
    public static let maximumKiB: UInt32 = 1 << 21
}
