extension BPFObject {
    /// Reads the global variable `name` (from `.data`, `.bss` or `.rodata`) as the kernel holds
    /// it now. `T` must have the variable's size.
    public func global<T: BitwiseCopyable>(_ name: String, as type: T.Type = T.self) throws(BPFError) -> T {
        let (v, map) = try variable(name, size: MemoryLayout<T>.size)
        guard let image = try map.lookup(key: [0, 0, 0, 0]) else { throw .missing("value of internal map '\(map.name)'") }
        return image.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: Int(v.offset), as: T.self) }
    }

    /// Writes the global variable `name` in `.data` or `.bss`. `.rodata` is frozen at load:
    /// set `const volatile` values before loading, with `LoadOptions.set(_:to:)`.
    public func setGlobal<T: BitwiseCopyable>(_ name: String, to value: T) throws(BPFError) {
        let (v, map) = try variable(name, size: MemoryLayout<T>.size)
        guard !v.isConst else {
            throw .invalidArgument("global '\(name)' is in \(v.sectionName), which is frozen after load; set it with LoadOptions before loading")
        }
        guard var image = try map.lookup(key: [0, 0, 0, 0]) else { throw .missing("value of internal map '\(map.name)'") }
        withUnsafeBytes(of: value) { image.replaceSubrange(Int(v.offset)..<Int(v.offset) + $0.count, with: $0) }
        try map.update(key: [0, 0, 0, 0], value: image)
    }

    private func variable(_ name: String, size: Int) throws(BPFError) -> (VariableSpec, Map) {
        guard let v = spec.variable(named: name) else {
            throw .missing("global variable '\(name)' (the object's globals: \(spec.variables.map(\.name).joined(separator: ", ")))")
        }
        guard Int(v.size) == size else { throw .invalidArgument("global '\(name)' is \(v.size) bytes, not \(size)") }
        return (v, try map(v.mapName))
    }
}
