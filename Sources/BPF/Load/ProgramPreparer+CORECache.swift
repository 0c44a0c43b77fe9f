/// The loader's side of the CO-RE cache (`CORECacheStore`): what the key covers, and how a
/// cached file becomes the relocated functions, checked against the object first.
extension ProgramPreparer {
    /// The digest of everything CO-RE reads from the object for `functions` (the functions with
    /// CO-RE records, in relocation order): its BTF, its `.BTF.ext`, and each function's place
    /// and instructions.
    static func coreDigest(btf: BTF, extBytes: [UInt8]?, functions: [ProgramSpec]) -> COREInputHash {
        var digest = COREInputHash()
        let btfBytes = btf.bytes
        digest.add(btfBytes, count: btfBytes.count)
        let ext = extBytes ?? []
        digest.add(ext, count: ext.count)
        digest.add(UInt64(functions.count))
        for f in functions {
            digest.add(f.elfSectionName)
            digest.add(UInt64(f.sectionOffset))
            let code = Instruction.encode(f.instructions)
            digest.add(code, count: code.count)
        }
        return digest
    }

    /// The relocated functions of `file`, if it holds exactly `functions`, each with as many
    /// instructions as the object's and differing from them only where one of its results
    /// patched (the instruction, and the second half of an ld_imm64). Nil otherwise: the file
    /// is then ignored.
    static func relocations(from file: CORECacheFile, functions: [ProgramSpec])
        -> [FunctionPlace: (instructions: [Instruction], core: [CORERelocationResult])]?
    {
        guard file.functions.count == functions.count else { return nil }
        var out: [FunctionPlace: (instructions: [Instruction], core: [CORERelocationResult])] = [:]
        for (f, cached) in zip(functions, file.functions) {
            guard cached.section == f.elfSectionName, cached.offset == f.sectionOffset,
                  cached.instructions.count == f.instructions.count else { return nil }
            var patched = Set<Int>()
            for r in cached.results { patched.formUnion([r.instructionIndex, r.instructionIndex + 1]) }
            for (i, insn) in cached.instructions.enumerated() where insn != f.instructions[i] && !patched.contains(i) {
                return nil
            }
            out[FunctionPlace(f)] = (cached.instructions, cached.results)
        }
        return out
    }

    /// The cache file for `key` of the relocated `functions`.
    static func cacheFile(key: CORECacheKey, functions: [ProgramSpec],
                          relocated: [FunctionPlace: (instructions: [Instruction], core: [CORERelocationResult])]) -> CORECacheFile {
        CORECacheFile(key: key, functions: functions.compactMap { f in
            relocated[FunctionPlace(f)].map {
                CORECacheFile.Function(section: f.elfSectionName, offset: f.sectionOffset, instructions: $0.instructions, results: $0.core)
            }
        })
    }
}
