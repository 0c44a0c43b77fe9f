import BPF
import Foundation

// hello-bpf [--uid UID] [--count N] [--duration SECONDS]
// Prints every exec on the machine (as root), then the execs counted per user id.
var uid: UInt32?
var maxEvents = Int.max
var duration = 5.0
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let flag = arguments.next() {
    guard let value = arguments.next() else { fatalError("\(flag) needs a value") }
    switch flag {
    case "--uid": uid = UInt32(value)
    case "--count": maxEvents = Int(value) ?? maxEvents
    case "--duration": duration = Double(value) ?? duration
    default: fatalError("unknown option \(flag)")
    }
}

do {
    // Configure the `const volatile` globals, then load the object the plugin embedded.
    var options = LoadOptions()
    if let uid { options.set("target_uid", to: uid) }
    let object = try BPFObject(embedded: EmbeddedObjects.hello, options: options)

    // Attach every program by its SEC() name; the links detach when released.
    let links = try object.attachAll()
    let events = try RingBuffer(map: object.map("events"))

    print("PID      UID    COMM             FILENAME")
    var seen = 0
    let deadline = Date().addingTimeInterval(duration)
    while seen < maxEvents, Date() < deadline {
        _ = try events.poll(timeoutMilliseconds: 100) { bytes in
            guard seen < maxEvents, let e = ExecEvent(bytes) else { return }
            seen += 1
            let pid = String(e.pid).padding(toLength: 8, withPad: " ", startingAt: 0)
            let uid = String(e.uid).padding(toLength: 6, withPad: " ", startingAt: 0)
            let comm = e.command.padding(toLength: 16, withPad: " ", startingAt: 0)
            print("\(pid) \(uid) \(comm) \(e.filename)")
        }
    }

    // The counts the program kept in its hash map, per user id.
    let counts = try object.map("execs_by_uid")
    for key in try counts.allKeys() {
        let user = key.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        let count = try counts.lookup(key: user, as: UInt64.self) ?? 0
        print("uid \(user): \(count) execs")
    }
    withExtendedLifetime(links) {}
} catch {
    FileHandle.standardError.write(Data("hello-bpf: \(error)\n".utf8))
    exit(1)
}
