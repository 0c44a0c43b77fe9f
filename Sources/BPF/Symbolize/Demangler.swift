import Glibc

/// Demangling of Swift and C++ symbol names by the runtimes' own demanglers, so that names are
/// read exactly as the compilers wrote them: `swift_demangle` of the Swift runtime, and for
/// C++ the runtime's `_swift_backtrace_demangle`, which hands `_Z` names to libstdc++'s
/// `__cxa_demangle`. (Declaring `__cxa_demangle` itself does not link in a dynamic build:
/// libstdc++ is only an indirect dependency of libswiftCore there.) Both entry points are in
/// libswiftCore, shared or static, so this works in debug builds, `--static-swift-stdlib` and
/// `-static-executable` alike.
public enum Demangler {
    /// The demangled form of `name`, or nil if it is not a Swift or C++ mangled name (or the
    /// demangler cannot read it).
    ///
    /// - Parameters:
    ///   - name: a symbol name as the binary's symbol table holds it.
    ///   - simplified: for Swift names, the short form the Swift backtracer prints
    ///     (`spin(_:)` instead of `Module.Type.spin(Swift.Int) -> Swift.Int`).
    public static func demangle(_ name: String, simplified: Bool = false) -> String? {
        if isSwiftMangled(name) {
            return simplified ? runtimeBacktraceDemangle(name) : swiftDemangle(name)
        }
        if isCxxMangled(name) { return runtimeBacktraceDemangle(name) }
        return nil
    }

    /// Swift manglings: `$s` (Swift 5+), `$S` (4.2), `$e` (embedded), `_T0` (4.0), with or
    /// without the leading underscore Darwin adds.
    public static func isSwiftMangled(_ name: String) -> Bool {
        let body = name.hasPrefix("_$") ? name.dropFirst() : Substring(name)
        return body.hasPrefix("$s") || body.hasPrefix("$S") || body.hasPrefix("$e") || body.hasPrefix("_T0")
    }

    /// The Itanium C++ ABI's mangling: `_Z` followed by an encoding.
    public static func isCxxMangled(_ name: String) -> Bool {
        name.hasPrefix("_Z") && name.utf8.count > 2
    }

    static func swiftDemangle(_ name: String) -> String? {
        let out = name.withCString { p in swift_demangle_entry(p, strlen(p), nil, nil, 0) }
        return take(out, unlessEqualTo: name)
    }

    static func runtimeBacktraceDemangle(_ name: String) -> String? {
        var status: Int32 = 0
        let out = name.withCString { p in swift_backtrace_demangle_entry(p, strlen(p), nil, nil, &status) }
        return take(out, unlessEqualTo: name)
    }

    /// Takes ownership of a malloc'd result; a result equal to the input means "not demangled".
    private static func take(_ pointer: UnsafeMutablePointer<CChar>?, unlessEqualTo name: String) -> String? {
        guard let pointer else { return nil }
        defer { free(pointer) }
        let text = String(decoding: UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
        return text.isEmpty || text == name ? nil : text
    }
}

/// `char *swift_demangle(const char *mangledName, size_t mangledNameLength, char *outputBuffer,
/// size_t *outputBufferSize, uint32_t flags)`: with a nil buffer the result is malloc'd.
@_silgen_name("swift_demangle")
private func swift_demangle_entry(
    _ mangledName: UnsafePointer<CChar>?, _ mangledNameLength: Int, _ outputBuffer: UnsafeMutablePointer<CChar>?,
    _ outputBufferSize: UnsafeMutablePointer<Int>?, _ flags: UInt32
) -> UnsafeMutablePointer<CChar>?

/// `char *_swift_backtrace_demangle(const char *mangledName, size_t mangledNameLength,
/// char *outputBuffer, size_t *outputBufferSize[, int *status])`: Swift and C++ names, the
/// result malloc'd with a nil buffer. Older runtimes take no `status`; the extra argument is
/// then ignored (C calling convention).
@_silgen_name("_swift_backtrace_demangle")
private func swift_backtrace_demangle_entry(
    _ mangledName: UnsafePointer<CChar>?, _ mangledNameLength: Int, _ outputBuffer: UnsafeMutablePointer<CChar>?,
    _ outputBufferSize: UnsafeMutablePointer<Int>?, _ status: UnsafeMutablePointer<Int32>?
) -> UnsafeMutablePointer<CChar>?
