import Glibc

extension Syscalls {
    /// The value of environment variable `name` of this process (getenv(3)), or nil.
    package static func environment(_ name: String) -> String? {
        guard let value = Glibc.getenv(name) else { return nil }
        return String(cString: value)
    }

    /// Whether `path` names an existing file that this process may execute (access(2) X_OK).
    package static func isExecutable(_ path: String) -> Bool { access(path, X_OK) == 0 }
}
