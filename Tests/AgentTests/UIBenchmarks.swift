import Foundation
import Glibc
import Testing

/// Measurements of the web UI for Benchmarks/ui.sh, which starts a `swiftbpf-agent` with a
/// filled store and passes it here through the environment (`SWIFTBPF_UI_BENCH_URL`,
/// `SWIFTBPF_UI_BENCH_PID`, `SWIFTBPF_UI_BENCH_LOAD`: a load command and its arguments,
/// space-separated). Not a pass/fail timing: it prints JSON lines of figures.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["SWIFTBPF_UI_BENCH_URL"] != nil && CDPBrowser.executable != nil,
                             "a benchmark: Benchmarks/ui.sh runs it against an agent it starts (SWIFTBPF_UI_BENCH_URL)"))
struct UIBenchmarks {
    let env = ProcessInfo.processInfo.environment

    /// Navigation timing (DOMContentLoaded, load), first contentful paint and the time until each
    /// page drew its data (its `UIPages` predicate), all from navigation start, median of 5 loads.
    @Test func timeToFirstPaintPerPage() async throws {
        let base = try #require(env["SWIFTBPF_UI_BENCH_URL"])
        let browser = try await offPool { try CDPBrowser() }
        defer { browser.close() }
        for (name, ready) in UIPages.all {
            var fcp: [Double] = [], drawn: [Double] = [], dcl: [Double] = [], load: [Double] = []
            for _ in 0..<5 {
                let page = try await CDPPage.open(browser, width: 1280, height: 800)
                // A poller installed before the page's own scripts notes when it has drawn.
                try await page.send("Page.addScriptToEvaluateOnNewDocument", ["source": """
                    (function poll() { try { if (\(ready)) { window.__drawn = performance.now(); return; } } catch (e) {}
                      setTimeout(poll, 5); })();
                    """])
                try await page.navigate(base + "/ui/#/" + name)
                guard try await page.wait(for: "window.__drawn !== undefined", timeout: 30) else {
                    print("{\"page\":\"\(name)\",\"error\":\"not drawn within 30 s\"}")
                    await page.close()
                    continue
                }
                drawn.append(try await page.evaluate("window.__drawn", as: Double.self) ?? -1)
                fcp.append(try await page.evaluate("(performance.getEntriesByName('first-contentful-paint')[0] || {startTime: -1}).startTime", as: Double.self) ?? -1)
                dcl.append(try await page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd", as: Double.self) ?? -1)
                load.append(try await page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd", as: Double.self) ?? -1)
                await page.close()
            }
            func median(_ v: [Double]) -> Double { v.isEmpty ? -1 : v.sorted()[v.count / 2] }
            print("{\"page\":\"\(name)\",\"dom_content_loaded_ms\":\(Int(median(dcl))),\"load_event_ms\":\(Int(median(load))),\"first_contentful_paint_ms\":\(Int(median(fcp))),\"data_drawn_ms\":\(Int(median(drawn))),\"loads\":\(drawn.count)}")
        }
    }

    /// The agent's CPU while the load runs, without and then with one browser on the live Events page.
    @Test func agentCPUWithABrowserOnTheLiveStream() async throws {
        let base = try #require(env["SWIFTBPF_UI_BENCH_URL"])
        let pid = try #require(env["SWIFTBPF_UI_BENCH_PID"].flatMap { Int32($0) })
        let load = try #require(env["SWIFTBPF_UI_BENCH_LOAD"]).split(separator: " ").map(String.init)
        func ticks() -> Double {
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
            return fields.count > 12 ? Double(fields[11])! + Double(fields[12])! : 0
        }
        func measure(_ label: String) throws {
            let c0 = ticks(), t0 = Date()
            let r = try ProcessRun.run(load[0], Array(load.dropFirst()), timeout: 120)
            let cpu = (ticks() - c0) / Double(sysconf(Int32(_SC_CLK_TCK))) / Date().timeIntervalSince(t0) * 100
            let reached = r.output.split(separator: "\n").last.map(String.init) ?? "{}"
            print("{\"phase\":\"\(label)\",\"agent_cpu_percent_of_one_core\":\(String(format: "%.2f", cpu)),\"load\":\(reached)}")
        }
        try measure("load, no browser")
        let browser = try await offPool { try CDPBrowser() }
        defer { browser.close() }
        let page = try await CDPPage.open(browser, width: 1280, height: 800)
        try await page.navigate(base + "/ui/#/events")
        _ = try await page.wait(for: "document.getElementById('ev-status').textContent.startsWith('live')", timeout: 30)
        try measure("load, one browser on the live Events page")
        let shown = try await page.evaluate("document.getElementById('ev-status').textContent", as: String.self) ?? ""
        print("{\"events_page_status\":\"\(shown)\"}")
        await page.close()
    }
}
