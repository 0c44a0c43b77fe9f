import CBPF
import Glibc

/// A buffer the kernel fills during `BPF_OBJ_GET_INFO_BY_FD`: the info struct holds its address
/// (an `__aligned_u64`) at `pointerOffset` and its capacity (a `__u32`) at `lengthOffset`. The
/// kernel writes back the length it needed there.
package struct InfoBuffer: Sendable, Hashable {
    package var pointerOffset: Int
    package var lengthOffset: Int
    /// Capacity in bytes, or in records when `lengthCountsRecords` (for example `nr_map_ids`).
    package var capacity: Int
    /// The size of one record when the length field counts records (`nr_map_ids` counts u32s).
    package var recordSize: Int

    package init(pointerOffset: Int, lengthOffset: Int, capacity: Int, recordSize: Int = 1) {
        self.pointerOffset = pointerOffset
        self.lengthOffset = lengthOffset
        self.capacity = capacity
        self.recordSize = recordSize
    }
}

extension BPFCommands {
    /// `BPF_OBJ_GET_INFO_BY_FD` into a zeroed byte buffer of `size` bytes, for info structs whose
    /// layout is newer than the installed 6.1 headers (`struct bpf_link_info` of 6.18 is 64 bytes
    /// with union members the headers lack). A buffer larger than the kernel's struct is fine:
    /// the kernel only requires the tail it does not know to be zero. Each of `buffers` is
    /// allocated, its address and capacity written into the struct, and returned filled (cut to
    /// the length the kernel wrote back). Returns the struct's bytes as the kernel left them.
    /// `presets` are u32 fields written before the call (such as `func_info_rec_size`).
    package static func objGetInfoBytes(fd: Int32, size: Int, buffers: [InfoBuffer] = [], presets: [Int: UInt32] = [:], name: String) throws(BPFError) -> (info: [UInt8], buffers: [[UInt8]]) {
        guard size > 0, size <= 4096 else { throw .invalidArgument("info size \(size) for \(name)") }
        for b in buffers {
            guard b.pointerOffset >= 0, b.pointerOffset + 8 <= size, b.lengthOffset >= 0, b.lengthOffset + 4 <= size,
                  b.capacity >= 0, b.capacity <= Int(UInt32.max), b.recordSize > 0
            else { throw .invalidArgument("info buffer outside the \(size)-byte info struct of \(name)") }
        }
        var info = [UInt8](repeating: 0, count: size)
        for (offset, value) in presets {
            guard offset >= 0, offset + 4 <= size else { throw .invalidArgument("preset outside the info struct of \(name)") }
            info.withUnsafeMutableBytes { $0.storeBytes(of: value, toByteOffset: offset, as: UInt32.self) }
        }
        // One allocation per buffer, released on every path.
        let storage = buffers.map { UnsafeMutableRawBufferPointer.allocate(byteCount: max($0.capacity * $0.recordSize, 1), alignment: 8) }
        defer { storage.forEach { $0.deallocate() } }
        for s in storage { s.initializeMemory(as: UInt8.self, repeating: 0) }
        let written: Int = try info.withUnsafeMutableBytes { p in
            for (b, s) in zip(buffers, storage) {
                p.storeBytes(of: b.capacity == 0 ? 0 : address(s.baseAddress), toByteOffset: b.pointerOffset, as: UInt64.self)
                p.storeBytes(of: UInt32(b.capacity), toByteOffset: b.lengthOffset, as: UInt32.self)
            }
            return Result { () throws(BPFError) in
                var attr = bpf_attr()
                attr.info.bpf_fd = UInt32(bitPattern: fd)
                attr.info.info_len = UInt32(size)
                attr.info.info = address(p.baseAddress)
                try Syscalls.bpf(BPF_OBJ_GET_INFO_BY_FD, &attr, "BPF_OBJ_GET_INFO_BY_FD(\(name))")
                return Int(attr.info.info_len)
            }
        }.get()
        _ = written
        var filled: [[UInt8]] = []
        for (b, s) in zip(buffers, storage) {
            let reported = info.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: b.lengthOffset, as: UInt32.self)) }
            let count = min(reported, b.capacity) * b.recordSize
            filled.append(Array(UnsafeRawBufferPointer(rebasing: s[0..<count])))
        }
        return (info, filled)
    }

    /// The translated instructions of a program (`xlated_prog_insns` of `struct bpf_prog_info`):
    /// what the verifier left, with map pointers turned back into map ids. Empty when the caller
    /// lacks the rights to see them (the kernel then reports a zero length).
    package static func programXlatedInstructions(fd: Int32, name: String = "program") throws(BPFError) -> [UInt8] {
        var first = bpf_prog_info()
        try objGetInfo(fd: fd, info: &first, name: name)
        let length = Int(first.xlated_prog_len)
        guard length > 0 else { return [] }
        var insns = [UInt8](repeating: 0, count: length)
        let got: Int = try insns.withUnsafeMutableBytes { p in
            Result { () throws(BPFError) in
                var again = bpf_prog_info()
                again.xlated_prog_len = UInt32(p.count)
                again.xlated_prog_insns = address(p.baseAddress)
                try objGetInfo(fd: fd, info: &again, name: name)
                return Int(again.xlated_prog_len)
            }
        }.get()
        return Array(insns.prefix(min(got, length)))
    }

    /// The raw BTF of a BTF object (`btf` and `btf_size` of `struct bpf_btf_info`), sized by a
    /// first call.
    package static func btfData(fd: Int32) throws(BPFError) -> [UInt8] {
        var first = bpf_btf_info()
        try objGetInfo(fd: fd, info: &first, name: "btf")
        let size = Int(first.btf_size)
        guard size > 0 else { return [] }
        var data = [UInt8](repeating: 0, count: size)
        let got: Int = try data.withUnsafeMutableBytes { p in
            Result { () throws(BPFError) in
                var again = bpf_btf_info()
                again.btf = address(p.baseAddress)
                again.btf_size = UInt32(p.count)
                try objGetInfo(fd: fd, info: &again, name: "btf")
                return Int(again.btf_size)
            }
        }.get()
        return Array(data.prefix(min(got, size)))
    }
}

extension Syscalls {
    /// Nanoseconds to add to a `CLOCK_BOOTTIME` stamp (such as a program's `load_time`) to get
    /// wall-clock time since the epoch: `CLOCK_REALTIME` minus `CLOCK_BOOTTIME`, now.
    package static func bootTimeToRealTimeOffset() -> Int64 {
        var real = timespec(), boot = timespec()
        clock_gettime(CLOCK_REALTIME, &real)
        clock_gettime(CLOCK_BOOTTIME, &boot)
        return (Int64(real.tv_sec) - Int64(boot.tv_sec)) * 1_000_000_000 + (Int64(real.tv_nsec) - Int64(boot.tv_nsec))
    }

    /// The open descriptors of this process (the numbers listed in /proc/self/fd, without the
    /// descriptor of the listing itself).
    package static func openDescriptors() throws(BPFError) -> [Int32] {
        guard let dir = opendir("/proc/self/fd") else { throw .syscall(operation: "opendir(/proc/self/fd)", errno: .current) }
        defer { closedir(dir) }
        let own = dirfd(dir)
        var out: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if let n = Int32(name), n != own { out.append(n) }
        }
        return out.sorted()
    }

    /// The target of a symbolic link (readlink(2)), e.g. `anon_inode:bpf-prog` for
    /// /proc/self/fd/N.
    package static func readLink(_ path: String) throws(BPFError) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { throw .syscall(operation: "readlink(\(path))", errno: .current) }
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
