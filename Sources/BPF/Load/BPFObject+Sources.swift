/// The one-call ways to get an object from where it lives: a file, or an object the
/// `BPFCompiler` build plugin embedded in the binary (`EmbeddedObjects.<name>`).

extension ObjectSpec {
    /// Parses the object file at `path`, named after the file as libbpf names it
    /// (`minimal.bpf.o` is `minimal`).
    ///
    /// - Throws: `BPFError.syscall` if the file cannot be read, `BPFError.invalidArgument` if it
    ///   is not a regular file of at most 1 GiB, `BPFError.malformedObject` if it is not a BPF
    ///   ELF object.
    public init(path: String) throws(BPFError) {
        // Only a regular file of bounded size: a device or FIFO is refused before any read.
        let bytes = try Syscalls.readRegularFile(path)
        try self.init(bytes: bytes, name: ObjectNaming.objectName(fromPath: path))
    }

    /// Parses an object the `BPFCompiler` plugin compiled and embedded, named after its
    /// source file (`hello.bpf.c` is `hello`).
    public init(embedded object: EmbeddedObject) throws(BPFError) {
        try self.init(bytes: object.bytes, name: object.name)
    }
}

extension BPFObject {
    /// Parses and loads an object the `BPFCompiler` plugin embedded:
    /// `try BPFObject(embedded: EmbeddedObjects.hello)`.
    ///
    /// - Parameters:
    ///   - object: the embedded object, `EmbeddedObjects.<source base name>`.
    ///   - options: the `const volatile` globals to set and the other load-time choices.
    public convenience init(embedded object: EmbeddedObject, options: LoadOptions = LoadOptions()) throws(BPFError) {
        try self.init(ObjectSpec(embedded: object), options: options)
    }
}

extension EmbeddedObject {
    /// Parses this object (pure: no system calls).
    public func spec() throws(BPFError) -> ObjectSpec {
        try ObjectSpec(embedded: self)
    }

    /// Parses and loads this object into the kernel: `try EmbeddedObjects.hello.load()`.
    public func load(options: LoadOptions = LoadOptions()) throws(BPFError) -> BPFObject {
        try BPFObject(embedded: self, options: options)
    }
}
