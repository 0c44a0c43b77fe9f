import CBPF

/// Operations on raw bytes. Keys are `keySize` bytes; values are `valueBufferSize` bytes
/// (per-CPU maps: one 8-byte-aligned slot per possible CPU).
extension Map {
    /// `BPF_MAP_LOOKUP_ELEM` into a caller buffer; false if the key is absent (ENOENT).
    /// `key` is nil for queues and stacks (peek). `flags` may be `BPF_F_LOCK` (4).
    public func lookup(rawKey key: UnsafeRawBufferPointer?, into value: UnsafeMutableRawBufferPointer, flags: UInt64 = 0) throws(BPFError) -> Bool {
        if let key { try checkKey(key.count) }
        // The common case (not per-CPU, exact size) is checked without computing the per-CPU size.
        if hasPerCPUValues || value.count != valueSize { try checkValue(value.count) }
        let status = BPFCommands.mapElemErrno(
            BPF_MAP_LOOKUP_ELEM, fd: fd, key: key?.baseAddress, value: try valuePointer(value), flags: flags)
        if status == 0 { return true }
        if status == BPFErrno.ENOENT.rawValue { return false }
        throw elementError("BPF_MAP_LOOKUP_ELEM", status)
    }

    /// `BPF_MAP_LOOKUP_ELEM`: the value of `key`, or nil if absent.
    public func lookup(key: [UInt8], flags: UInt64 = 0) throws(BPFError) -> [UInt8]? {
        var value = [UInt8](repeating: 0, count: try valueBufferSize)
        let found = try BPFCommands.withBytes(key) { (k) throws(BPFError) in
            try value.withUnsafeMutableBytes { v in
                Result { () throws(BPFError) in try lookup(rawKey: k, into: v, flags: flags) }
            }.get()
        }
        return found ? value : nil
    }

    /// `BPF_MAP_UPDATE_ELEM` from raw buffers. `key` is nil for queues and stacks (push).
    public func update(rawKey key: UnsafeRawBufferPointer?, rawValue value: UnsafeRawBufferPointer, flags: MapUpdateFlags = .any) throws(BPFError) {
        if let key { try checkKey(key.count) }
        if hasPerCPUValues || value.count != valueSize { try checkValue(value.count) }
        try BPFCommands.mapUpdate(fd: fd, key: key?.baseAddress, value: try valuePointer(UnsafeMutableRawBufferPointer(mutating: value)), flags: flags, name: name)
    }

    /// `BPF_MAP_UPDATE_ELEM`. Throws EEXIST with `.noExist` on a present key, ENOENT with
    /// `.exist` on an absent one, E2BIG when a hash map is full, EPERM when frozen.
    public func update(key: [UInt8], value: [UInt8], flags: MapUpdateFlags = .any) throws(BPFError) {
        try BPFCommands.withBytes(key) { (k) throws(BPFError) in
            try BPFCommands.withBytes(value) { (v) throws(BPFError) in try update(rawKey: k, rawValue: v, flags: flags) }
        }
    }

    /// `BPF_MAP_DELETE_ELEM`: true if the key was there, false if absent.
    /// Arrays cannot delete (EINVAL is thrown).
    @discardableResult
    public func delete(rawKey key: UnsafeRawBufferPointer) throws(BPFError) -> Bool {
        try checkKey(key.count)
        do {
            try BPFCommands.mapDelete(fd: fd, key: try keyPointer(key), name: name)
            return true
        } catch {
            if BPFCommands.isErrno(error, .ENOENT) { return false }
            throw error
        }
    }

    /// `BPF_MAP_DELETE_ELEM`: true if the key was there, false if absent.
    @discardableResult
    public func delete(key: [UInt8]) throws(BPFError) -> Bool {
        try BPFCommands.withBytes(key) { (k) throws(BPFError) in try delete(rawKey: k) }
    }

    /// `BPF_MAP_GET_NEXT_KEY`: the key after `key`, the first key when `key` is nil, or nil after
    /// the last. If `key` is not in a hash map, the kernel returns the first key.
    public func nextKey(after key: [UInt8]?) throws(BPFError) -> [UInt8]? {
        var next = [UInt8](repeating: 0, count: keySize)
        if let key { try checkKey(key.count) }
        let found = try BPFCommands.withBytes(key ?? []) { (k) throws(BPFError) in
            try next.withUnsafeMutableBytes { n in
                Result { () throws(BPFError) in
                    try BPFCommands.found { () throws(BPFError) in
                        try BPFCommands.mapGetNextKey(fd: fd, key: key == nil ? nil : k.baseAddress, nextKey: try keyPointer(UnsafeRawBufferPointer(n)).mutable, name: name)
                    }
                }
            }.get()
        }
        return found ? next : nil
    }

    /// `BPF_MAP_LOOKUP_AND_DELETE_ELEM`: removes `key` and returns its value, or nil if absent.
    /// Hash maps support it since 5.14; queues and stacks use `pop()`.
    public func lookupAndDelete(key: [UInt8]) throws(BPFError) -> [UInt8]? {
        try checkKey(key.count)
        return try lookupAndDeleteRaw(key: key)
    }

    func lookupAndDeleteRaw(key: [UInt8]?) throws(BPFError) -> [UInt8]? {
        var value = [UInt8](repeating: 0, count: try valueBufferSize)
        let found = try BPFCommands.withBytes(key ?? []) { (k) throws(BPFError) in
            try value.withUnsafeMutableBytes { v in
                Result { () throws(BPFError) in
                    try BPFCommands.found { () throws(BPFError) in
                        try BPFCommands.mapLookupAndDelete(fd: fd, key: key == nil ? nil : k.baseAddress, value: try valuePointer(v), name: name)
                    }
                }
            }.get()
        }
        return found ? value : nil
    }

    /// The start of a value buffer; maps without values (ring buffers) cannot be read this way.
    func valuePointer(_ buffer: UnsafeMutableRawBufferPointer) throws(BPFError) -> UnsafeMutableRawPointer {
        guard let p = buffer.baseAddress, buffer.count > 0 else {
            throw .invalidArgument("map '\(name)' (\(type)) has no values to read or write with element operations")
        }
        return p
    }

    /// The start of a key buffer; maps without keys (queues, stacks, ring buffers) have none.
    func keyPointer(_ buffer: UnsafeRawBufferPointer) throws(BPFError) -> UnsafeRawPointer {
        guard let p = buffer.baseAddress, buffer.count > 0 else {
            throw .invalidArgument("map '\(name)' (\(type)) has no keys")
        }
        return p
    }
}

extension UnsafeRawPointer {
    var mutable: UnsafeMutableRawPointer { UnsafeMutableRawPointer(mutating: self) }
}
