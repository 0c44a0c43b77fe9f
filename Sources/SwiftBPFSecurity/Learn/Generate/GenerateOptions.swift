/// How `guard generate` turns a profile into policies.
public struct GenerateOptions: Sendable {
    /// Strict: exactly what was seen (files by name, seccomp argument filters). Lenient: the
    /// directories of the files seen, common library locations and the directories the
    /// workload's libraries were found in, no argument filters, and the system calls of the
    /// error, retry and shutdown paths of the library families the workload links
    /// (`LibraryFamilies`), so rarely taken branches keep working.
    public var strict: Bool = true
    /// What the guard policy does to the rest: kill or alert.
    public var guardAction: GuardAction = .kill
    /// The seccomp default for calls not seen: fail with EPERM (`SCMP_ACT_ERRNO`) or log (`SCMP_ACT_LOG`).
    public var seccompLog: Bool = false
    /// Where the profile came from, for the header comments.
    public var source: String = "<profile>"

    /// The libraries the workload's binaries link (`LibraryWalk`), for lenient generation; nil:
    /// not examined, and a glibc program is assumed (`LinkedLibraries.assumedGlibc`).
    public var libraries: LinkedLibraries?

    public init() {}

    /// Locations every dynamically linked program reads: the loader's cache, libraries, locale and /proc.
    public static let lenientReadDirectories = ["/etc", "/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/share/locale",
                                                "/usr/share/zoneinfo", "/proc", "/sys/devices/system/cpu", "/dev"]
}
