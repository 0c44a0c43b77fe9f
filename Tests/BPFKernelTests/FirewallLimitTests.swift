import BPF
import Foundation
import Glibc
import Synchronization
import Testing
@testable import SwiftBPFNet

extension FirewallTests {
    /// A limit of 400 packets a second on one source passes 400 a second (± 5 %) of a flood
    /// over 5 s, counts what it limited (the rule's counter, the source's bucket), and leaves
    /// another source alone; a bytes-per-second limit passes its byte rate. The bursts are half a
    /// second and a second of the rate: a bucket gains nothing past its burst, so a receiver
    /// that stalls longer than that (a loaded machine, qemu) would pass less than the rate.
    @Test(arguments: BPFProgramLanguage.allCases) func rateLimitPassesItsRate(language: BPFProgramLanguage) throws {
        let net = try FirewallNetwork("l")
        defer { net.close() }
        let root = Self.pinRoot("limit")
        let set = try FirewallRuleParser.ruleSet("""
            limit from 10.77.0.20 pps 400 burst 200
            limit from 10.77.0.32/28 bytes 30000 burst 30000 per-prefix
            """)
        let fw = try net.veth.receiver.enter { try Firewall.install(interface: "vr", mode: .native, ruleSet: set, root: root, language: language) }
        defer { _ = try? Firewall.uninstall(interface: "vr", root: root) }
        let rules = try fw.rules()
        let packetLimit = try #require(rules.first { $0.rule.limit?.packetsPerSecond == 400 })
        let byteLimit = try #require(rules.first { $0.rule.limit?.bytesPerSecond == 30000 })

        /// Floods from `source` for `seconds`; returns the datagrams sent, those of them that
        /// reached XDP (veth drops some of a flood before it, see FirewallNetwork.send) and the
        /// time taken.
        func flood(from source: String, seconds: Double, payload: String) throws -> (sent: Int, reached: Int, seconds: Double) {
            let s = try net.sender(from: source, port: 5000)
            let start = Firewall.now()
            var sent = 0, reached = 0
            while Firewall.now() - start < seconds {
                for _ in 0..<64 {
                    sent += 1
                    if s.send(payload) { reached += 1 }
                }
            }
            return (sent, reached, Firewall.now() - start)
        }
        /// The bucket of `rule` once it has passed or limited all `reached` datagrams (under qemu
        /// XDP works through the flood for a while after the sender stops).
        func bucket(of rule: InstalledRule, reaching reached: Int) throws -> LimitedSource? {
            var found: LimitedSource?
            _ = try settled(at: reached) {
                found = try fw.limitedSources().first { $0.ruleID == rule.id }
                return (found?.passedPackets ?? 0) + (found?.limitedPackets ?? 0)
            }
            return found
        }
        let receiver = try net.receiver(port: 5000)
        let (sent, reached, seconds) = try flood(from: "10.77.0.20", seconds: 5, payload: "flood")
        let packetBucket = try #require(try bucket(of: packetLimit, reaching: reached))
        let arrived = receiver.receiveAll(expecting: Int(packetBucket.passedPackets), quietMilliseconds: 300).count
        let expected = 400 * seconds + 200
        print("firewall rate limit 400 pps: \(arrived) of \(sent) datagrams passed in \(String(format: "%.2f", seconds)) s (expected \(Int(expected))), \(sent - reached) dropped by veth before XDP")
        #expect(Double(reached) > 2 * expected, "the flood (\(sent) sent, \(reached) reached XDP) must exceed the limit")
        #expect(abs(Double(arrived) - expected) <= 0.05 * expected, "\(arrived) passed, expected \(expected) ± 5 %")
        // Every datagram that reached XDP was passed (and arrived) or limited (and counted).
        let limited = try fw.counter(ruleID: packetLimit.id)
        #expect(Int(limited.packets) + arrived == reached, "\(limited.packets) limited + \(arrived) arrived, \(reached) reached XDP")
        #expect(limited.bytes == limited.packets * UInt64(14 + 20 + 8 + 5))
        let sources = try fw.limitedSources()
        let top = try #require(sources.first)
        #expect(top.source.description == "10.77.0.20" && top.ruleID == packetLimit.id)
        #expect(top.limitedPackets == limited.packets && Int(top.passedPackets) == arrived)
        #expect(try fw.topDroppedSources().first?.counter.packets == limited.packets)

        // Another source passes whole.
        let other = net.send("other", count: 20, through: try net.sender(from: "10.77.0.21", port: 5000), every: 1, pause: 300)
        #expect(receiver.receiveAll(expecting: other).count == other)

        // 30,000 bytes a second of 100-byte frames: 300 a second, for the whole /28.
        let payload = String(repeating: "b", count: 100 - 42)
        let (sent2, reached2, seconds2) = try flood(from: "10.77.0.33", seconds: 5, payload: payload)
        let prefixBucket = try #require(try bucket(of: byteLimit, reaching: reached2))
        let arrived2 = receiver.receiveAll(expecting: Int(prefixBucket.passedPackets), quietMilliseconds: 300).count
        let expected2 = (30000 * seconds2 + 30000) / 100
        print("firewall rate limit 30000 bytes/s: \(arrived2) of \(sent2) 100-byte frames passed in \(String(format: "%.2f", seconds2)) s (expected \(Int(expected2))), \(sent2 - reached2) dropped by veth before XDP")
        #expect(Double(reached2) > 2 * expected2)
        #expect(abs(Double(arrived2) - expected2) <= 0.05 * expected2, "\(arrived2) passed, expected \(expected2) ± 5 %")
        #expect(prefixBucket.source.description == "10.77.0.32/28")
        #expect(Int(prefixBucket.passedPackets) == arrived2 && Int(prefixBucket.limitedPackets) + arrived2 == reached2, "\(prefixBucket)")
        #expect(FirewallFormat.text(try fw.status()).contains("rate-limited sources:"))
    }

    /// Drop events: each drop of a watched firewall arrives with its source, destination, ports
    /// and rule; over the event rate the rest are counted as lost, and the events stop when the
    /// watcher closes. The drops are counted per source (top dropped sources).
    @Test(arguments: BPFProgramLanguage.allCases) func dropEventsAndTopSources(language: BPFProgramLanguage) throws {
        let net = try FirewallNetwork("w")
        defer { net.close() }
        let root = Self.pinRoot("watch")
        let fw = try net.veth.receiver.enter {
            try Firewall.install(interface: "vr", mode: .generic, ruleSet: try FirewallRuleParser.ruleSet("deny from 10.77.0.9\ndeny udp port 5001\n"), root: root, language: language)
        }
        defer { _ = try? Firewall.uninstall(interface: "vr", root: root) }
        let id = try #require(try fw.rules().first { $0.rule.description == "deny from 10.77.0.9" }?.id)
        let watcher = try fw.watchEvents(sample: 1, rate: 1000)
        let s9 = try net.sender(from: "10.77.0.9", port: 5000), s20 = try net.sender(from: "10.77.0.20", port: 5001)
        // The drops XDP saw: the datagrams that reached it (see FirewallNetwork.send).
        let nines = net.send("nine", count: 20, through: s9, every: 1, pause: 300)
        let twenties = net.send("twenty", count: 5, through: s20, every: 1, pause: 300)
        var events: [FirewallEvent] = []
        let deadline = Firewall.now() + 5
        while events.count < nines + twenties && Firewall.now() < deadline { try watcher.poll(timeoutMilliseconds: 100) { events.append($0) } }
        try watcher.poll(timeoutMilliseconds: 100) { events.append($0) }
        #expect(events.count == nines + twenties, "\(events.count) events of \(nines + twenties) drops")
        let nine = events.filter { $0.source.description == "10.77.0.9" }
        #expect(nine.count == nines)
        #expect(nine.allSatisfy { $0.destination.description == "10.77.0.2" && $0.destinationPort == 5000 && $0.proto == .udp && $0.cause == .rule(id) && $0.bytes == 14 + 20 + 8 + 4 })
        #expect(events.filter { $0.source.description == "10.77.0.20" }.allSatisfy { $0.destinationPort == 5001 })
        #expect(try watcher.loss() == EventLoss(ringFull: 0, overRate: 0, sent: UInt64(events.count)))
        let top = try fw.topDroppedSources()
        #expect(top.map(\.source.description) == ["10.77.0.9", "10.77.0.20"])
        #expect(Int(top[0].counter.packets) == nine.count)
        watcher.close()

        // At 5 events a second, a burst of 100 drops gives about 5 events (the bucket holds one
        // second's worth) and counts the rest as over the rate.
        let slow = try fw.watchEvents(sample: 1, rate: 5)
        let burst = net.send("nine", count: 100, through: s9)
        var few = 0
        for _ in 0..<5 { try slow.poll(timeoutMilliseconds: 100) { _ in few += 1 } }
        // Every drop of the burst that reached XDP is an event or over the rate.
        _ = try settled(at: burst) { let l = try slow.loss(); return l.overRate + l.sent }
        try slow.poll(timeoutMilliseconds: 100) { _ in few += 1 }
        let loss = try slow.loss()
        #expect(few >= 4 && few <= 7, "\(few) events")
        #expect(loss.sent == UInt64(few) && loss.ringFull == 0 && Int(loss.overRate) + few == burst, "\(loss), \(burst) drops")
        slow.close()
        // Closed: no more events are sampled.
        let sentBefore = try fw.eventLoss().sent
        for _ in 0..<5 { s9.send("nine"); usleep(300) }
        usleep(100_000)
        #expect(try fw.eventLoss().sent == sentBefore)
    }
}
