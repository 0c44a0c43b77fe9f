import Swift

// CO-RE reads declared in a program's Swift source. A top-level line
//
//     let parentTGID = KernelRead<UInt32>("task_struct", "real_parent->tgid")
//     let command = KernelBytesRead("task_struct", "comm", bytes: 16)
//
// becomes, at build time, a C function reading that field with BPF_CORE_READ against the
// build's vmlinux.h (linked as bitcode and inlined, as BPFKernel/CoreReads.c is) and, in Swift,
// an accessor type conforming to one of the protocols below and a global of the generic types
// that wrap it. The program uses the global: `parentTGID()` (current task), `parentTGID(task)`,
// `parentTGID.read(from: pointer)`.

/// What the build generates for a `KernelRead<Value>` declaration: the C read of one field.
public protocol KernelFieldAccessor {
    associatedtype Value
    /// Reads the field from the structure at `structure` (a kernel address).
    static func read(_ structure: UnsafeRawPointer?) -> Value
}

/// A `KernelFieldAccessor` whose structure is `task_struct`, so it also reads tasks.
public protocol KernelTaskFieldAccessor: KernelFieldAccessor {}

/// What the build generates for a `KernelBytesRead` declaration: the C copy of a fixed array.
public protocol KernelBytesAccessor {
    /// The array's size in bytes, as declared (and checked against vmlinux.h at build time).
    static var byteCount: Int { get }
    /// Copies the array of the structure at `structure` to `buffer`: 0, or a negative errno.
    static func read(_ structure: UnsafeRawPointer?, into buffer: UnsafeMutableRawPointer) -> Int64
}

/// A `KernelBytesAccessor` whose structure is `task_struct`.
public protocol KernelTaskBytesAccessor: KernelBytesAccessor {}

/// A CO-RE read of one scalar field of a kernel structure, declared at top level as
/// `let name = KernelRead<UInt32>("struct_name", "member->member.member")`: `->` follows a
/// pointer, `.` selects a member of an embedded struct, as in C after `p->`. The relocations
/// are those clang emits for the same `BPF_CORE_READ` in C.
public struct KernelRead<Accessor: KernelFieldAccessor> {
    @_transparent public init() {}

    /// The field of the structure at `structure`.
    @_transparent public func read(from structure: UnsafeRawPointer?) -> Accessor.Value { Accessor.read(structure) }

    /// The field of the structure at `structure`.
    @_transparent public func callAsFunction(_ structure: UnsafeRawPointer?) -> Accessor.Value { Accessor.read(structure) }
}

extension KernelRead where Accessor: KernelTaskFieldAccessor {
    /// The field of `task` (a `task_struct` the program was handed).
    @_transparent public func callAsFunction(_ task: KernelTask) -> Accessor.Value { Accessor.read(task.pointer) }

    /// The field of the current task (`bpf_get_current_task()`).
    @_transparent public func callAsFunction() -> Accessor.Value {
        Accessor.read(UnsafeRawPointer(bitPattern: UInt(truncatingIfNeeded: bpf_get_current_task())))
    }
}

/// A CO-RE copy of a fixed byte array of a kernel structure (such as `task_struct.comm`),
/// declared at top level as `let name = KernelBytesRead("struct_name", "path", bytes: N)`.
public struct KernelBytesRead<Accessor: KernelBytesAccessor> {
    @_transparent public init() {}

    /// The array's size in bytes: `buffer` needs room for this many.
    @_transparent public var byteCount: Int { Accessor.byteCount }

    /// Copies the array of the structure at `structure` to `buffer`: 0, or a negative errno.
    @_transparent @discardableResult
    public func read(from structure: UnsafeRawPointer?, into buffer: UnsafeMutableRawPointer) -> Int64 {
        Accessor.read(structure, into: buffer)
    }
}

extension KernelBytesRead where Accessor: KernelTaskBytesAccessor {
    /// Copies the array of `task` to `buffer`: 0, or a negative errno.
    @_transparent @discardableResult
    public func callAsFunction(_ task: KernelTask, into buffer: UnsafeMutableRawPointer) -> Int64 {
        Accessor.read(task.pointer, into: buffer)
    }

    /// Copies the array of the current task to `buffer`: 0, or a negative errno.
    @_transparent @discardableResult
    public func callAsFunction(into buffer: UnsafeMutableRawPointer) -> Int64 {
        Accessor.read(UnsafeRawPointer(bitPattern: UInt(truncatingIfNeeded: bpf_get_current_task())), into: buffer)
    }
}
