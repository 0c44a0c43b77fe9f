/// A symbol an address resolved to: the function (or object) that contains it, and where.
public struct Symbol: Sendable, Hashable, CustomStringConvertible {
    /// The name as the symbol table spells it (mangled for Swift and C++).
    public var name: String
    /// The demangled name of a Swift (`$s…`, `_T0…`) or C++ (`_Z…`) symbol; nil if `name` is
    /// not mangled or the runtime's demangler could not read it.
    public var demangledName: String?
    /// The symbol's start: a kernel address, or a virtual address as linked in `module`.
    public var address: UInt64
    /// How far into the symbol the resolved address lies (address − start).
    public var offset: UInt64
    /// Where the symbol lives: a kernel module name (`bpf`, `nf_tables`; nil for vmlinux
    /// itself), or the path of the binary or shared library of a user address.
    public var module: String?

    /// A resolved symbol.
    public init(name: String, demangledName: String? = nil, address: UInt64, offset: UInt64, module: String? = nil) {
        self.name = name
        self.demangledName = demangledName
        self.address = address
        self.offset = offset
        self.module = module
    }

    /// The name to show people: demangled if possible, else as written.
    public var displayName: String { demangledName ?? name }

    /// `name+0x1f [module]`, as kernel stack traces print a symbol.
    public var description: String {
        var text = displayName + "+0x" + String(offset, radix: 16)
        if let module { text += " [\(module)]" }
        return text
    }
}
