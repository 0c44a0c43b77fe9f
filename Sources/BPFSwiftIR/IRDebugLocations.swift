/// Resolves `!dbg` references of a module to source positions, preferring the frame that lies
/// in the user's program over frames inlined from the standard library or `BPFKernel`.
struct IRDebugLocations {
    let index: IRModuleIndex
    /// Suffix of the files the user wrote (`.bpf.swift`).
    let userSuffix: String

    /// The position of location node `id`: the innermost frame of the inlining chain that is in
    /// a user file, else the outermost frame (the function the code was inlined into).
    func position(of id: Int) -> (file: String, line: Int, column: Int)? {
        var frames: [(file: String, line: Int, column: Int)] = []
        var next: Int? = id
        var guardCount = 0
        while let n = next, let node = index.metadata[n], node.hasPrefix("!DILocation("), guardCount < 256 {
            guardCount += 1
            let line = Int(IRModuleIndex.field("line", in: node) ?? "") ?? 0
            let column = Int(IRModuleIndex.field("column", in: node) ?? "") ?? 0
            let file = IRModuleIndex.reference(IRModuleIndex.field("scope", in: node)).flatMap(fileOfScope) ?? "<unknown>"
            frames.append((file, line, column))
            next = IRModuleIndex.reference(IRModuleIndex.field("inlinedAt", in: node))
        }
        if let user = frames.first(where: { $0.file.hasSuffix(userSuffix) && $0.line > 0 }) { return user }
        return frames.last(where: { $0.line > 0 }) ?? frames.last
    }

    /// The definition line of a function's `DISubprogram`, for code without a location.
    func position(ofFunctionHeader header: Substring) -> (file: String, line: Int, column: Int)? {
        guard let r = header.range(of: "!dbg !"), let n = Int(header[r.upperBound...].prefix { $0.isNumber }),
              let node = index.metadata[n] else { return nil }
        let file = IRModuleIndex.reference(IRModuleIndex.field("file", in: node)).flatMap(fileName) ?? "<unknown>"
        return (file, Int(IRModuleIndex.field("line", in: node) ?? "") ?? 0, 0)
    }

    private func fileOfScope(_ id: Int) -> String? {
        var next: Int? = id
        var guardCount = 0
        while let n = next, let node = index.metadata[n], guardCount < 256 {
            guardCount += 1
            if node.hasPrefix("!DIFile(") { return fileName(n) }
            if let f = IRModuleIndex.reference(IRModuleIndex.field("file", in: node)) { return fileName(f) }
            next = IRModuleIndex.reference(IRModuleIndex.field("scope", in: node))
        }
        return nil
    }

    private func fileName(_ id: Int) -> String? {
        guard let node = index.metadata[id], node.hasPrefix("!DIFile(") else { return nil }
        let name = String(IRModuleIndex.field("filename", in: node) ?? "")
        let dir = String(IRModuleIndex.field("directory", in: node) ?? "")
        if name.hasPrefix("/") || dir.isEmpty || name.hasPrefix("<") { return name }
        return dir.hasSuffix("/") ? dir + name : dir + "/" + name
    }
}
