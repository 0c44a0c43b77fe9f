import Foundation
import Glibc
import Testing
import SwiftBPFNet
@testable import SwiftBPFAgent

/// The web UI in headless Chromium against a running agent with real collectors: every page
/// loads at a laptop's and a large monitor's width with no console error and no failed
/// request (screenshots in test-artifacts/ui); an exec the test triggers shows in Events
/// within 2 s; the Profiles page draws a process spinning in a known function and search
/// highlights it; the network map of a client talking to two servers has exactly those
/// edges (from the tcp collector, and from the flows collector with each edge's RTT); the
/// Security page shows a monitor-mode policy's alerts and a firewall's counters; with a
/// token the UI works through it; with the agent gone the pages say so.
@Suite(.serialized, .enabled(if: isRoot && CDPBrowser.executable != nil, "needs root (the collectors) and chromium (Scripts/setup-host.sh)"))
struct WebUITests {
    static func agentConfig() -> AgentConfig {
        .testing(["exec", "exit", "tcp", "flows", "profile"]) {
            $0.collectors["profile"]?.options["frequency"] = "199"
            $0.collectors["flows"]?.options["dns"] = "false"
        }
    }

    /// Waits until the profile history holds samples of `comm` (the collector reads every second).
    static func waitForProfile(_ agent: Agent, comm: String) async throws {
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if !agent.pipeline.profiles.stacks(since: nil, until: nil, comm: comm).isEmpty { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestError("no CPU samples of \(comm) within 15 s")
    }

    @Test func everyPageLoadsAtTwoWidthsWithoutErrors() async throws {
        let dir = TempDir("ui-pages")
        defer { dir.cleanup() }
        let spin = try SpinWorkload(in: dir)
        defer { spin.stop() }
        let scenario = try TwoServerScenario(in: dir)
        defer { scenario.stop() }
        try await RunningAgent.with(Self.agentConfig()) { running in
            let marker = try MarkerBinary(in: dir)
            try await offPool { try marker.run(3) }
            try scenario.run()
            try await Self.waitForProfile(running.agent, comm: spin.name)
            let browser = try await offPool { try CDPBrowser() }
            defer { browser.close() }
            for (name, ready) in UIPages.all {
                for size in UIPages.widths {
                    let page = try await CDPPage.open(browser, width: size.width, height: size.height)
                    let start = Date()
                    try await page.navigate("http://127.0.0.1:\(running.port)/ui/#/\(name)")
                    let loaded = Date()
                    let drawn = try await page.wait(for: ready, timeout: 10)
                    #expect(drawn, "\(name) at \(size.width) px: not drawn within 10 s")
                    print("WebUITests: \(name) at \(size.width) px: loaded after \(Int(loaded.timeIntervalSince(start) * 1000)) ms, drawn after \(Int(Date().timeIntervalSince(start) * 1000)) ms")
                    try await page.screenshot(UIPages.artifacts + "/\(name)-\(size.width).png")
                    let problems = try await page.problems()
                    #expect(problems.isEmpty, "\(name) at \(size.width) px: \(problems)")
                    await page.close()
                }
            }
        }
    }

    @Test func execTriggeredShowsInEventsWithinTwoSeconds() async throws {
        let dir = TempDir("ui-exec")
        defer { dir.cleanup() }
        try await RunningAgent.with(.testing(["exec"])) { running in
            let marker = try MarkerBinary(in: dir)
            let browser = try await offPool { try CDPBrowser() }
            defer { browser.close() }
            let page = try await CDPPage.open(browser)
            try await page.navigate("http://127.0.0.1:\(running.port)/ui/#/events")
            #expect(try await page.wait(for: "document.getElementById('ev-status').textContent.startsWith('live')", timeout: 10), "the live stream did not connect")
            let start = Date()
            try await offPool { try marker.run(1) }
            let seen = try await page.wait(for: "document.getElementById('ev-table').textContent.includes('\(marker.name)')", timeout: 2)
            let elapsed = Date().timeIntervalSince(start)
            #expect(seen, "the exec of \(marker.name) did not show within 2 s")
            print("WebUITests: exec shown in Events after \(Int(elapsed * 1000)) ms")
            // Pause holds new events back; resume shows them.
            try await page.run("document.getElementById('ev-pause').click()")
            try await offPool { try marker.run(1) }
            #expect(try await page.wait(for: "/paused · [1-9]/.test(document.getElementById('ev-status').textContent)", timeout: 3), "no held event while paused")
            try await page.run("document.getElementById('ev-pause').click()")
            #expect(try await page.wait(for: "document.getElementById('ev-status').textContent.startsWith('live')", timeout: 3), "not live again after Resume")
            // The process filter keeps only the marker's rows.
            try await page.run("(() => { const i = document.getElementById('ev-proc'); i.value = '\(marker.name)'; i.dispatchEvent(new Event('input')); })()")
            let rows = try await page.evaluate("Array.from(document.querySelectorAll('#ev-table tbody tr')).map(r => r.children[4].textContent)", as: [String].self) ?? []
            #expect(rows.count == 2 && rows.allSatisfy { $0 == marker.name }, "filtered rows: \(rows.prefix(5))")
            let problems = try await page.problems()
            #expect(problems.isEmpty, "\(problems)")
            await page.close()
        }
    }

    @Test func profilesPageDrawsTheSpinningFunctionAndSearchHighlightsIt() async throws {
        let dir = TempDir("ui-profile")
        defer { dir.cleanup() }
        let spin = try SpinWorkload(in: dir)
        defer { spin.stop() }
        try await RunningAgent.with(.testing(["profile"]) { $0.collectors["profile"]?.options["frequency"] = "199" }) { running in
            try await Self.waitForProfile(running.agent, comm: spin.name)
            let browser = try await offPool { try CDPBrowser() }
            defer { browser.close() }
            let page = try await CDPPage.open(browser, width: 1280, height: 800)
            try await page.navigate("http://127.0.0.1:\(running.port)/ui/#/profiles")
            let frame = "document.getElementById('prof-frame').contentDocument"
            #expect(try await page.wait(for: "!!(\(frame) && \(frame).querySelector('g.f[data-n=\"\(SpinWorkload.function)\"]'))", timeout: 10),
                    "the flame graph has no frame \(SpinWorkload.function)")
            try await page.run("(() => { const i = document.getElementById('prof-search'); i.value = 'ui_spin'; i.dispatchEvent(new Event('input')); })()")
            let highlighted = try await page.evaluate("Array.from(\(frame).querySelectorAll('g.f.m')).map(g => g.getAttribute('data-n'))", as: [String].self) ?? []
            #expect(highlighted.contains(SpinWorkload.function), "highlighted: \(highlighted)")
            #expect(try await page.evaluate("document.getElementById('prof-matched').textContent", as: String.self) ?? "" != "", "no matched share shown")
            // The spinner alone (the process filter), searched: the README's screenshot.
            try await page.run("(() => { const i = document.getElementById('prof-proc'); i.value = '\(spin.name)'; i.dispatchEvent(new Event('change')); })()")
            #expect(try await page.wait(for: "!!(\(frame) && \(frame).querySelector('#subtitle').textContent.includes('\(spin.name)') && \(frame).querySelector('g.f.m'))", timeout: 10),
                    "the flame graph of \(spin.name) alone was not drawn with the search applied")
            try await page.screenshot(UIPages.artifacts + "/profiles-spin-1280.png")
            let problems = try await page.problems()
            #expect(problems.isEmpty, "\(problems)")
            await page.close()
        }
    }

    @Test func networkMapOfAClientTalkingToTwoServers() async throws {
        let dir = TempDir("ui-net")
        defer { dir.cleanup() }
        let scenario = try TwoServerScenario(in: dir)
        defer { scenario.stop() }
        try await RunningAgent.with(.testing(["tcp"])) { running in
            try scenario.run()
            let browser = try await offPool { try CDPBrowser() }
            defer { browser.close() }
            let page = try await CDPPage.open(browser)
            try await page.navigate("http://127.0.0.1:\(running.port)/ui/#/network")
            let edges = "Array.from(document.querySelectorAll('#net-map .edge')).filter(e => e.dataset.proc === '\(scenario.client)').map(e => e.dataset.endpoint).sort()"
            let expected = scenario.ports.map { "127.0.0.1:\($0)" }.sorted()
            var got: [String] = []
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                got = try await page.evaluate(edges, as: [String].self) ?? []
                if got == expected { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(got == expected, "edges of \(scenario.client): \(got), expected \(expected)")
            // Clicking an edge lists its connections.
            try await page.run("document.querySelector('#net-map .edge[data-proc=\"\(scenario.client)\"]').dispatchEvent(new MouseEvent('click', {bubbles: true}))")
            #expect(try await page.wait(for: "document.querySelectorAll('#net-detail tbody tr').length > 0", timeout: 3), "no connection listed for the clicked edge")
            let problems = try await page.problems()
            #expect(problems.isEmpty, "\(problems)")
            await page.close()
        }
    }

    /// The flows collector's connections on the map: the client's two edges, each with the
    /// smoothed RTT of its connection and the colour class of that RTT's band; the toggle
    /// colours them by retransmits (none on loopback); a clicked edge lists its connection
    /// with its RTT.
    @Test func networkMapFromFlowsShowsRTTPerEdge() async throws {
        let dir = TempDir("ui-flows")
        defer { dir.cleanup() }
        let scenario = try TwoServerScenario(in: dir)
        defer { scenario.stop() }
        try await RunningAgent.with(.testing(["flows"]) { $0.collectors["flows"]?.options["dns"] = "false" }) { running in
            let state = running.agent.collectors.snapshot["flows"]
            try #require(state?.state == .running, "flows did not start: \(state?.error ?? "")")
            try scenario.run()
            let browser = try await offPool { try CDPBrowser() }
            defer { browser.close() }
            let page = try await CDPPage.open(browser, width: 1280, height: 800)
            try await page.navigate("http://127.0.0.1:\(running.port)/ui/#/network")
            // "endpoint|rtt_us|class" of each edge of the client.
            let edges = "Array.from(document.querySelectorAll('#net-map .edge')).filter(e => e.dataset.proc === '\(scenario.client)')"
                + ".map(e => [e.dataset.endpoint, e.dataset.rttUs, e.getAttribute('class')].join('|')).sort()"
            let expected = scenario.ports.map { "127.0.0.1:\($0)" }.sorted()
            let got = await eventually(timeout: 15) { () -> [String]? in
                let rows = (try? await page.evaluate(edges, as: [String].self)) ?? []
                return rows.map { $0.split(separator: "|", omittingEmptySubsequences: false).first.map(String.init) ?? "" } == expected
                    && rows.allSatisfy { !$0.contains("||") } ? rows : nil
            }
            if got == nil {
                let shown = (try? await page.evaluate(edges, as: [String].self)) ?? []
                Issue.record("edges of \(scenario.client) with an RTT: \(shown), expected \(expected)")
                return
            }
            for row in got! {
                let parts = row.split(separator: "|").map(String.init)
                let rtt = Int(parts[1]) ?? 0
                let band = rtt < 1000 ? "rtt-fast" : rtt < 10_000 ? "rtt-ok" : rtt < 100_000 ? "rtt-slow" : "rtt-bad"
                #expect(rtt > 0, "\(parts[0]): RTT \(parts[1]) µs")
                #expect(parts[2].split(separator: " ").contains(Substring(band)), "\(parts[0]): RTT \(rtt) µs, classes '\(parts[2])', expected \(band)")
            }
            // The agent's own record of the connections carries the same RTT the edge shows.
            let api = try await TestHTTP.get(running.port, "/api/v1/flows?comm=\(scenario.client)")
            let flows = try JSONSerialization.jsonObject(with: Data(api.body.utf8)) as? [String: Any]
            let records = (flows?["flows"] as? [[String: Any]] ?? []).compactMap { $0["fields"] as? [String: String] }
            #expect(Set(records.compactMap { $0["dport"] }) == Set(scenario.ports.map(String.init)), "/api/v1/flows: \(api.body.prefix(600))")
            #expect(records.allSatisfy { (Int($0["rtt_us"] ?? "") ?? 0) > 0 && $0["direction"] == "outgoing" }, "\(records)")
            let bad = try await TestHTTP.get(running.port, "/api/v1/flows?since=yesterday")
            #expect(bad.status == 400 && bad.body.contains("since"), "a bad window is named: \(bad.status) \(bad.body)")
            try await page.screenshot(UIPages.artifacts + "/network-flows-1280.png")
            // Coloured by retransmits instead: none on loopback.
            try await page.run("(() => { const s = document.getElementById('net-colour'); s.value = 'retrans'; s.dispatchEvent(new Event('change')); })()")
            let retx = try await page.evaluate(edges, as: [String].self) ?? []
            #expect(retx.count == 2 && retx.allSatisfy { $0.hasSuffix("retx-none") }, "classes by retransmits: \(retx)")
            // Clicking an edge lists its connection with the RTT.
            try await page.run("document.querySelector('#net-map .edge[data-proc=\"\(scenario.client)\"]').dispatchEvent(new MouseEvent('click', {bubbles: true}))")
            #expect(try await page.wait(for: "document.querySelectorAll('#net-detail tbody tr').length > 0", timeout: 3), "no connection listed for the clicked edge")
            let cells = try await page.evaluate("Array.from(document.querySelectorAll('#net-detail tbody td.rtt')).map(td => td.textContent)", as: [String].self) ?? []
            #expect(!cells.isEmpty && cells.allSatisfy { $0.hasSuffix("µs") || $0.hasSuffix("ms") }, "RTT cells: \(cells)")
            let problems = try await page.problems()
            #expect(problems.isEmpty, "\(problems)")
            await page.close()
        }
    }

    /// The Security page with a guard policy whose rule watches a marker binary in monitor mode
    /// (kill) and an XDP firewall on a veth pair between two namespaces of the test's own:
    /// three execs of the marker show as the rule's three alerts and what it would have done
    /// (the marker still ran), ten datagrams to the denied port as that rule's packet counter,
    /// exactly as the kernel counted them.
    @Test(.enabled(if: VethPair.ip != nil, "needs iproute2's ip for network namespaces"))
    func securityPageShowsAlertsByPolicyAndFirewallCounters() async throws {
        let dir = TempDir("ui-security")
        defer { dir.cleanup() }
        let marker = try MarkerBinary(in: dir)
        let policy = dir.path + "/policy.yaml"
        try """
            - {name: watch-marker, events: [exec], binary: \(marker.path), action: kill, mode: monitor}
            - {name: no-shadow-writes, events: [open], paths: [/etc/shadow], access: write, action: alert}

            """.write(toFile: policy, atomically: true, encoding: .utf8)
        let net = try VethPair()
        defer { net.close() }
        let root = "/sys/fs/bpf/swiftbpf-agent-test-\(getpid())-uifw"
        let rules = try FirewallRuleParser.ruleSet("deny udp port 9999\ncount udp port 7000\n")
        _ = try await net.inReceiver { try Firewall.install(interface: "vr", mode: .generic, ruleSet: rules, root: root) }
        defer { _ = try? Firewall.uninstall(interface: "vr", root: root) }
        let config = AgentConfig.testing(["guard", "firewall"]) {
            $0.collectors["guard"]?.options["policy"] = policy
            $0.collectors["firewall"]?.options["root"] = root
        }
        try await RunningAgent.with(config) { running in
            for name in ["guard", "firewall"] {
                let state = running.agent.collectors.snapshot[name]
                try #require(state?.state == .running, "\(name) did not start: \(state?.error ?? "")")
            }
            try await offPool { try marker.run(3) }
            #expect(net.sendUDP(port: 9999, count: 10, payload: "denied") == 0)
            let fw = try Firewall.open(interface: "vr", root: root)
            let deny = try #require(try fw.rules().first { $0.rule.description == "deny udp port 9999" })
            #expect(try fw.counter(ruleID: deny.id).packets == 10, "the kernel's count of denied datagrams")
            let browser = try await offPool { try CDPBrowser() }
            defer { browser.close() }
            let page = try await CDPPage.open(browser, width: 1280, height: 800)
            try await page.navigate("http://127.0.0.1:\(running.port)/ui/#/security")
            let alerts = "(document.querySelector('#sec-policy-table tr[data-rule=\"watch-marker\"] td.count')||{}).textContent"
            let alertsShown = try await page.wait(for: "\(alerts) === '3'", timeout: 15)
            let alertsText = try await page.evaluate(alerts, as: String.self) ?? "none"
            #expect(alertsShown, "alerts of watch-marker: \(alertsText)")
            // Newest first: the rule that alerted is above the one that did not.
            let order = try await page.evaluate("Array.from(document.querySelectorAll('#sec-policy-table tbody tr')).map(r => r.dataset.rule)", as: [String].self) ?? []
            #expect(order == ["watch-marker", "no-shadow-writes"], "rows: \(order)")
            let would = "(document.querySelector('#sec-monitor .would[data-rule=\"watch-marker\"]')||{}).textContent || ''"
            let wouldShown = try await page.wait(for: "(\(would)).includes('would have killed 3 times') && (\(would)).includes('\(marker.name)')", timeout: 5)
            let wouldText = try await page.evaluate(would, as: String.self) ?? ""
            #expect(wouldShown, "monitor-mode verdict: \(wouldText)")
            let packets = "(document.querySelector('#sec-firewalls .firewall[data-interface=\"vr\"] tr[data-text=\"deny udp port 9999\"] td.packets')||{}).textContent"
            let packetsShown = try await page.wait(for: "\(packets) === '10'", timeout: 15)
            let packetsText = try await page.evaluate(packets, as: String.self) ?? "none"
            #expect(packetsShown, "packets of deny udp port 9999: \(packetsText)")
            // The API the page reads: the rule matched three times and, in monitor mode, acted never.
            let api = try await TestHTTP.get(running.port, "/api/v1/alerts")
            let report = try JSONSerialization.jsonObject(with: Data(api.body.utf8)) as? [String: Any]
            let first = (report?["policies"] as? [[String: Any]])?.first
            #expect(first?["rule"] as? String == "watch-marker" && first?["alerts"] as? Int == 3 && first?["matched"] as? Int == 3
                    && first?["acted"] as? Int == 0 && first?["would"] as? String == "kill", "/api/v1/alerts: \(api.body.prefix(500))")
            let recent = (first?["recent"] as? [[String: Any]] ?? []).compactMap { $0["fields"] as? [String: String] }
            #expect(recent.count == 3 && recent.allSatisfy { $0["enforced"] == "false" && $0["action"] == "kill" }, "\(recent)")
            try await page.screenshot(UIPages.artifacts + "/security-policies-1280.png")
            let problems = try await page.problems()
            #expect(problems.isEmpty, "\(problems)")
            await page.close()
        }
    }

    @Test func tokenIsUsedAndAgentLossIsShown() async throws {
        let dir = TempDir("ui-token")
        defer { dir.cleanup() }
        let token = "ui-t0ken-\(UInt64.random(in: 0...UInt64.max))"
        try token.write(toFile: dir.path + "/token", atomically: true, encoding: .utf8)
        let running = try await RunningAgent(.testing(["exec"]) { $0.tokenFile = dir.path + "/token" })
        var stopped = false
        do {
            let browser = try await offPool { try CDPBrowser() }
            defer { browser.close() }
            let page = try await CDPPage.open(browser)
            try await page.navigate("http://127.0.0.1:\(running.port)/ui/#token=\(token)")
            #expect(try await page.wait(for: "document.getElementById('ev-status').textContent.startsWith('live')", timeout: 10),
                    "the live stream did not connect with the token")
            #expect(try await page.evaluate("document.getElementById('tokenbar').classList.contains('hidden')", as: Bool.self) == true, "token bar shown")
            #expect(try await page.problems().isEmpty)
            // Without the token the page asks for it (a new tab has session storage of its own).
            let fresh = try await CDPPage.open(browser)
            try await fresh.navigate("http://127.0.0.1:\(running.port)/ui/#/health")
            #expect(try await fresh.evaluate("sessionStorage.getItem('swiftbpf-token')", as: String.self) == nil, "the new tab has the token")
            #expect(try await fresh.wait(for: "!document.getElementById('tokenbar').classList.contains('hidden')", timeout: 10), "no token prompt after a 401")
            await fresh.close()
            // The agent goes away: the page says it is unavailable.
            await running.stop()
            stopped = true
            try await page.run("location.hash = '#/health'")
            let saysSo = try await page.wait(for: "document.getElementById('conn').textContent === 'agent unavailable' && document.querySelector('main .banner.error') !== null", timeout: 10)
            let shown = try await page.evaluate("document.getElementById('conn').textContent + ' | ' + document.querySelector('main').textContent.slice(0, 300)", as: String.self) ?? ""
            #expect(saysSo, "the page does not say the agent is unavailable: \(shown)")
            await page.close()
        } catch {
            if !stopped { await running.stop() }
            throw error
        }
    }
}

/// Two TCP servers on loopback (listening sockets of the test) and a client (a copy of bash
/// under a unique name) that connects to each once.
final class TwoServerScenario {
    let client: String
    let ports: [Int]
    private let listeners: [Int32]
    private let bash: String

    init(in dir: TempDir) throws {
        client = "netcli\(UInt16.random(in: 1000...9999))"
        bash = dir.path + "/" + client
        try FileManager.default.copyItem(atPath: "/bin/bash", toPath: bash)
        var fds: [Int32] = [], ports: [Int] = []
        for _ in 0..<2 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
            let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard bound == 0, listen(fd, 8) == 0 else { throw TestError("listen: errno \(errno)") }
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
            fds.append(fd)
            ports.append(Int(UInt16(bigEndian: addr.sin_port)))
        }
        listeners = fds
        self.ports = ports
    }

    /// The client connects to both servers, writes a line to each, and exits.
    func run() throws {
        let script = ports.map { "exec 3<>/dev/tcp/127.0.0.1/\($0); echo hello >&3; exec 3>&-" }.joined(separator: "; ")
        let r = try ProcessRun.run(bash, ["-c", script], timeout: 10)
        guard r.status == 0 else { throw TestError("the client failed: \(r.output)") }
    }

    func stop() { for fd in listeners { close(fd) } }
}
