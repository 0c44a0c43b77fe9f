/// The `#!` line of a script: which program the kernel runs it with. Pure.
enum ScriptLine {
    /// The interpreter named by the first bytes of a file, nil if they are not a `#!` line.
    /// `#!/usr/bin/env [-S] NAME` gives NAME as found in `programDirectories` (the first for
    /// which `exists` holds), or nil if it is in none.
    static func interpreter(_ head: [UInt8], programDirectories: [String], exists: (String) -> Bool) -> String? {
        guard head.count > 2, head[0] == UInt8(ascii: "#"), head[1] == UInt8(ascii: "!") else { return nil }
        let line = head[2...].prefix { $0 != UInt8(ascii: "\n") }
        let words = String(decoding: line, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
        guard let first = words.first, first.hasPrefix("/") else { return nil }
        guard LinkedLibraries.fileName(first) == "env" else { return first }
        guard let name = words.dropFirst().first(where: { !$0.hasPrefix("-") && !$0.contains("=") }) else { return nil }
        if name.hasPrefix("/") { return name }
        return programDirectories.map { $0 + "/" + name }.first(where: exists)
    }
}
