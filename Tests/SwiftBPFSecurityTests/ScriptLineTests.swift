@testable import SwiftBPFSecurity
import Testing

/// `#!` lines: the interpreter, through env, and what is not a script.
@Suite struct ScriptLineTests {
    func interpreter(_ text: String, present: Set<String> = ["/usr/bin/python3"]) -> String? {
        ScriptLine.interpreter(Array(text.utf8), programDirectories: ["/usr/local/bin", "/usr/bin"]) { present.contains($0) }
    }

    @Test func interpreters() {
        #expect(interpreter("#!/usr/bin/python3\nprint(1)") == "/usr/bin/python3")
        #expect(interpreter("#! /bin/sh -e\n") == "/bin/sh")
        #expect(interpreter("#!/usr/bin/env python3\n") == "/usr/bin/python3")
        #expect(interpreter("#!/usr/bin/env -S PYTHONUNBUFFERED=1 python3 -u\r\n") == "/usr/bin/python3")
        #expect(interpreter("#!/usr/bin/env ruby\n") == nil, "not installed")
        #expect(interpreter("#!/usr/bin/env\n") == nil)
        #expect(interpreter("#!relative\n") == nil)
        #expect(interpreter("\u{7f}ELF") == nil)
        #expect(interpreter("#!") == nil)
    }
}
