import BPF

extension GuardSession {
    /// Pins every map, program and attachment of this session at `location` (whose folders
    /// exist). From then on the attachments outlive this process: the kernel keeps a pinned
    /// link, and with it its program and maps, until the pin is removed. Returns the pins made.
    func pin(at location: GuardPinLocation) throws(BPFError) -> Int {
        // guard_exec first: it marks the directory as a guard's (`holdsGuard`), so that even a
        // load killed halfway leaves something `guard unload` recognises and removes.
        try bindings.object.program("guard_exec").pin(location.programPin("guard_exec"))
        var count = 1
        for (name, program) in bindings.object.programs.sorted(by: { $0.key < $1.key }) where name != "guard_exec" {
            try program.pin(location.programPin(name))
            count += 1
        }
        for (name, map) in bindings.object.maps.sorted(by: { $0.key < $1.key }) {
            try map.pin(location.mapPin(name))
            count += 1
        }
        // BPF_OBJ_PIN of a link: a perf-event link (tracepoints) holds its perf event, a tracing
        // link its trampoline or raw tracepoint, a cgroup link its cgroup, for as long as it lives.
        for (program, link) in links {
            try link.pin(location.linkPin(program))
            count += 1
        }
        return count
    }
}
