/// Names of the Swift runtime and C library functions Embedded Swift may call, and what a call
/// to each means in the source, for build errors.
enum IRRuntimeNames {
    static func isRuntime(_ name: String) -> Bool {
        name.hasPrefix("swift_") || name.hasPrefix("_swift")
    }

    /// Why a program reaches `name`, in the words of the Swift source.
    static func cause(of name: String) -> String {
        switch name {
        case "swift_allocObject", "swift_allocEmptyBox", "swift_slowAlloc", "swift_initStackObject",
             "posix_memalign", "malloc", "calloc", "realloc", "swift_coroFrameAlloc":
            return "allocates memory (\(name)): a class instance, an escaping closure, a boxed or indirect value, an existential, a String or an Array"
        case "free", "swift_slowDealloc", "swift_deallocObject", "swift_deallocClassInstance":
            return "frees memory (\(name)): heap objects cannot exist in a BPF program"
        case _ where name.contains("etain") || name.contains("elease"):
            return "counts references (\(name)): a class or closure reference"
        case "swift_once":
            return "initialises a global lazily (swift_once): give the global a constant initial value"
        case "swift_beginAccess", "swift_endAccess":
            return "checks exclusive access (\(name)): build with -enforce-exclusivity=unchecked"
        case _ where name.hasPrefix("swift_dynamicCast"):
            return "casts dynamically (\(name))"
        case _ where name.hasPrefix("swift_isUniquelyReferenced"):
            return "checks uniqueness of a heap buffer (\(name)): a copy-on-write collection"
        default:
            return isRuntime(name) ? "calls the Swift runtime (\(name))" : "calls the external function \(name), which a BPF program cannot link"
        }
    }
}
