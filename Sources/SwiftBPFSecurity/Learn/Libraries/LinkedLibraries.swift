/// The shared libraries a workload's binaries link, as `LibraryWalk` found them on this host:
/// the input of lenient generation (`LibraryFamilies` maps them to system calls). Pure data.
public struct LinkedLibraries: Sendable, Equatable {
    /// A library by the name it was asked for (`DT_NEEDED`, the interpreter's file name, or the
    /// file name of a library the workload opened itself), where it was found (nil: not found)
    /// and which binary or library asked for it first.
    public struct Library: Sendable, Equatable {
        public var name: String
        public var path: String?
        public var neededBy: String
        public init(name: String, path: String?, neededBy: String) {
            self.name = name
            self.path = path
            self.neededBy = neededBy
        }
    }

    /// Binaries (and script interpreters) that were read: linked dynamically or statically.
    public var dynamicBinaries: [String] = []
    public var staticBinaries: [String] = []
    public var libraries: [Library] = []
    /// What could not be read or resolved, and limits reached, one line each.
    public var notes: [String] = []

    public init(dynamicBinaries: [String] = [], staticBinaries: [String] = [], libraries: [Library] = [], notes: [String] = []) {
        self.dynamicBinaries = dynamicBinaries
        self.staticBinaries = staticBinaries
        self.libraries = libraries
        self.notes = notes
    }

    /// The directories the libraries were found in, sorted, each once.
    public var directories: [String] {
        Set(libraries.compactMap { $0.path.map(Self.directory) }).sorted()
    }

    /// The file names of the programs run (`python3.11`), for families recognised by program.
    public var programNames: [String] {
        (dynamicBinaries + staticBinaries).map(Self.fileName)
    }

    static func directory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
