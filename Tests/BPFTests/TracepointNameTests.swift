import Testing
@testable import BPF

/// A tracepoint's category and name become two directories of tracefs's events/: each must be
/// one directory name, so neither can leave events/.
@Test(arguments: [("sched", ".."), ("..", "x"), (".", "sched_switch"), ("a/b", "c"), ("sched", ""), ("", "x")])
func tracepointNamesThatLeaveEventsAreRefused(category: String, name: String) {
    #expect(!PerfEvent.isFileName(category) || !PerfEvent.isFileName(name))
    #expect(throws: BPFError.self) { try PerfEvent.tracepointID(category: category, name: name) }
}

@Test func dotsInsideANameAreOrdinaryCharacters() {
    #expect(PerfEvent.isFileName("a..b"))
    #expect(PerfEvent.isFileName("sys_enter_openat"))
}
