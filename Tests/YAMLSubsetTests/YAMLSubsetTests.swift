import Testing
import YAMLSubset

/// The YAML subset reader on the shapes rules files and policies use, on what it refuses, and on
/// junk: every refusal names its line, nothing crashes or hangs.
@Suite struct YAMLSubsetTests {
    @Test func blockMappingsAndSequencesKeepOrderAndMarks() throws {
        let text = """
        # a comment
        default: deny   # trailing comment
        rules:
          - action: allow
            from: 10.0.0.0/8
          - "deny tcp port 22"
          -
            action: count
        empty:
        """
        let root = try #require(try YAMLSubset.compose(yaml: text))
        let top = try #require(root.mapping)
        #expect(top.pairs.map { $0.key.string } == ["default", "rules", "empty"])
        #expect(top.pairs[0].value.string == "deny")
        #expect(top.pairs[0].value.mark == Node.Mark(line: 2, column: 10))
        let rules = try #require(top.pairs[1].value.sequence)
        #expect(rules.count == 3)
        let first = try #require(rules[0].mapping)
        #expect(first.pairs.map { $0.key.string } == ["action", "from"])
        #expect(first.pairs[1].value.string == "10.0.0.0/8")
        #expect(first.pairs[1].value.mark?.line == 5)
        #expect(rules[1].scalar?.quoted == true)
        #expect(rules[1].string == "deny tcp port 22")
        #expect(rules[2].mapping?.pairs.first?.value.string == "count")
        #expect(top.pairs[2].value.null != nil)
    }

    @Test func sequenceAtTheKeysIndentationAndFlowCollections() throws {
        let text = "rules:\n- {name: a, events: [exec, open], action: 'kill'}\n- name: b\n  ports: [22, \"80\",\n    443]\n"
        let root = try #require(try YAMLSubset.compose(yaml: text))
        let rules = try #require(root.mapping?.pairs.first?.value.sequence)
        let a = try #require(rules[0].mapping)
        #expect(a.pairs.map { $0.key.string } == ["name", "events", "action"])
        #expect(a.pairs[1].value.sequence?.compactMap(\.string) == ["exec", "open"])
        #expect(a.pairs[2].value.string == "kill")
        let b = try #require(rules[1].mapping)
        #expect(b.pairs[1].value.sequence?.compactMap(\.string) == ["22", "80", "443"])
    }

    @Test func quotedScalarsAndHashesInsideValues() throws {
        let root = try #require(try YAMLSubset.compose(yaml: "a: 'it''s # not a comment'\nb: \"tab\\there\"\nc: x#y\n"))
        let pairs = try #require(root.mapping?.pairs)
        #expect(pairs[0].value.string == "it's # not a comment")
        #expect(pairs[1].value.string == "tab\there")
        #expect(pairs[2].value.string == "x#y")
    }

    @Test(arguments: [
        ("a: 1\na: 2\n", 2, "given twice"),
        ("- {a: 1, a: 2}\n", 1, "given twice"),
        ("a: &x 1\nb: *x\n", 1, "anchors and aliases"),
        ("a: !!str 1\n", 1, "tags"),
        ("a: |\n  text\n", 1, "block scalars"),
        ("a: 1\n---\nb: 2\n", 2, "second document"),
        ("a:\n\tb: 1\n", 2, "tab"),
        ("a: b: c\n", 1, "': ' inside a plain value"),
        ("a: [1, 2\n", 1, "not closed"),
        ("a: 1\n  b: 2\n", 2, "indentation"),
        ("a: 'open\n", 1, "not closed"),
        ("a: {b 1}\n", 1, "expected ':'"),
    ] as [(String, Int, String)])
    func refusalsNameTheLine(text: String, line: Int, cause: String) {
        do {
            _ = try YAMLSubset.compose(yaml: text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.mark.line == line, "\(error)")
            #expect(error.problem.contains(cause), "\(error)")
        }
    }

    @Test func deepNestingIsRefused() {
        let deep = "a: " + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "\n"
        #expect(throws: YAMLSubsetError.self) { _ = try YAMLSubset.compose(yaml: deep) }
        var block = ""
        for level in 0..<100 { block += String(repeating: " ", count: level * 2) + "k\(level):\n" }
        #expect(throws: YAMLSubsetError.self) { _ = try YAMLSubset.compose(yaml: block) }
    }

    @Test func junkNeverCrashes() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ab:- \n\t#'\"[]{},&*!|>\\0123")
        var refused = 0
        for _ in 0..<5000 {
            let count = Int.random(in: 0..<60, using: &generator)
            let text = String((0..<count).map { _ in alphabet.randomElement(using: &generator)! })
            do { _ = try YAMLSubset.compose(yaml: text) } catch { refused += 1 }
        }
        #expect(refused > 0)
    }
}
