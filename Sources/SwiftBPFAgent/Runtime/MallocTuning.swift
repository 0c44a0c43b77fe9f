// glibc's malloc tuning (malloc.h, which the Glibc module does not export).
@_silgen_name("mallopt") private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
@_silgen_name("malloc_trim") private func glibcMallocTrim(_ pad: Int) -> Int32

/// The agent's use of glibc malloc: few arenas, freed memory returned to the kernel.
public enum MallocTuning {
    /// glibc gives every thread that allocates its own arena (up to 8 per core), each keeping
    /// freed memory: the reader threads, the store's writer, NIO's and the cooperative pool's
    /// threads. Two arenas (`M_ARENA_MAX`, -8) hold the agent's allocations with less kept aside.
    /// Call before the first threads start.
    public static func limitArenas(_ count: Int32 = 2) {
        _ = glibcMallopt(-8, count)
    }

    /// Returns free memory at the top of the heap and in free pages of every arena.
    public static func trim() {
        _ = glibcMallocTrim(0)
    }
}
