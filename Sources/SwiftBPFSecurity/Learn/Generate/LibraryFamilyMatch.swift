/// Which library families apply to a workload, and what made each apply: its libraries (by
/// file name), its programs, the calls and files in its profile. Pure.
public enum LibraryFamilyMatch {
    /// The families of `LibraryFamilies.all` (or `families`) that apply, in table order, each
    /// with the names that triggered it (empty for `.always`).
    public static func matching(_ libraries: LinkedLibraries, profile: LearnedProfile,
                                families: [LibraryFamily] = LibraryFamilies.all) -> [(family: LibraryFamily, because: [String])] {
        let libraryNames = libraries.libraries.map(\.name)
        let programs = libraries.programNames
        let calls = Set(profile.syscalls.filter { $0.count > 0 }.map(\.name))
        let files = Set(profile.files.map(\.path))
        var out: [(LibraryFamily, [String])] = []
        for family in families {
            var because: [String] = []
            var applies = false
            for trigger in family.triggers {
                switch trigger {
                case .always: applies = true
                case .library(let prefix): because += libraryNames.filter { $0.hasPrefix(prefix) }
                case .program(let prefix): because += programs.filter { $0.hasPrefix(prefix) }
                case .syscall(let name): if calls.contains(name) { because.append("\(name) calls") }
                case .file(let path): if files.contains(path) { because.append("\(path) read") }
                }
            }
            var unique: [String] = []
            for b in because where !unique.contains(b) { unique.append(b) }
            if applies || !unique.isEmpty { out.append((family, unique)) }
        }
        return out
    }
}

extension LinkedLibraries {
    /// What lenient generation assumes when the libraries were not looked at: a program linked
    /// with glibc.
    public static let assumedGlibc = LinkedLibraries(libraries: [.init(name: "libc.so.6", path: nil, neededBy: "assumed: libraries not examined")])
}
