import Foundation

/// One tab of a `CDPBrowser`: navigation, script evaluation, screenshots, and what went wrong
/// on the page (exceptions, console errors, failed requests, HTTP errors).
///
/// Every method runs off Swift's cooperative pool (see `CDPBrowser`) and is bounded: a
/// navigation, an evaluation, a wait or a screenshot that does not finish in time throws an
/// error naming it.
final class CDPPage: @unchecked Sendable {
    let browser: CDPBrowser
    let session: String
    let targetID: String

    /// Opens a tab (a new target: its own session storage) of `width` × `height` pixels.
    static func open(_ browser: CDPBrowser, width: Int = 1366, height: Int = 900) async throws -> CDPPage {
        try await offPool { try CDPPage(browser, width: width, height: height) }
    }

    private init(_ browser: CDPBrowser, width: Int, height: Int) throws {
        self.browser = browser
        let target = try browser.send("Target.createTarget", ["url": "about:blank"])
        guard let id = target["targetId"] as? String else { throw TestError("Target.createTarget: no targetId") }
        targetID = id
        let attached = try browser.send("Target.attachToTarget", ["targetId": id, "flatten": true])
        guard let s = attached["sessionId"] as? String else { throw TestError("Target.attachToTarget: no sessionId") }
        session = s
        for domain in ["Page", "Runtime", "Log", "Network"] { try browser.send(domain + ".enable", session: s) }
        try browser.send("Page.setLifecycleEventsEnabled", ["enabled": true], session: s)
        try browser.send("Emulation.setDeviceMetricsOverride", ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false],
                         session: session)
    }

    /// Navigates and waits for the load event. Page.navigate answers once the document's
    /// response has arrived, so a timeout there means the server did not answer.
    func navigate(_ url: String, timeout: Double = 20) async throws {
        let browser = self.browser, session = self.session
        try await offPool {
            let r: [String: Any]
            do {
                r = try browser.send("Page.navigate", ["url": url], session: session, timeout: timeout)
            } catch {
                throw TestError("navigating to \(url): \(error) (the page's server did not answer)")
            }
            if let error = r["errorText"] as? String { throw TestError("navigating to \(url): \(error)") }
            // The load of this navigation's document (its loaderId), not a queued one of about:blank.
            let loader = r["loaderId"] as? String
            do {
                _ = try browser.waitEvent("Page.lifecycleEvent", session: session, timeout: timeout) {
                    $0["name"] as? String == "load" && (loader == nil || $0["loaderId"] as? String == loader)
                }
            } catch {
                throw TestError("\(url): no load event within \(timeout) s (\(error))")
            }
        }
    }

    /// Evaluates an expression (promises awaited) and returns its value as `T` (nil when it is
    /// not a `T`, e.g. undefined). A whole number asked for as a Double comes as one.
    func evaluate<T: Sendable>(_ expression: String, as type: T.Type, timeout: Double = 15) async throws -> T? {
        try await offPool {
            let value = try self.evaluateBlocking(expression, timeout: timeout)
            if T.self == Double.self, let whole = value as? Int { return Double(whole) as? T }
            return value as? T
        }
    }

    /// Evaluates an expression for its effect.
    func run(_ expression: String, timeout: Double = 15) async throws {
        try await offPool { _ = try self.evaluateBlocking(expression, timeout: timeout) }
    }

    private func evaluateBlocking(_ expression: String, timeout: Double) throws -> Any? {
        let r = try browser.send("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true],
                                 session: session, timeout: timeout)
        if let ex = r["exceptionDetails"] as? [String: Any] {
            let text = ((ex["exception"] as? [String: Any])?["description"] as? String) ?? "\(ex["text"] ?? ex)"
            throw TestError("evaluating \(expression.prefix(80)): \(text)")
        }
        return (r["result"] as? [String: Any])?["value"]
    }

    /// Polls a boolean expression until true or `timeout`; returns whether it became true.
    func wait(for expression: String, timeout: Double) async throws -> Bool {
        try await offPool {
            let deadline = Date().addingTimeInterval(timeout)
            repeat {
                if try self.evaluateBlocking(expression, timeout: max(1, deadline.timeIntervalSinceNow)) as? Bool == true { return true }
                usleep(50_000)
            } while Date() < deadline
            return false
        }
    }

    /// A PNG of the viewport written to `path`.
    func screenshot(_ path: String) async throws {
        let browser = self.browser, session = self.session
        try await offPool {
            let r = try browser.send("Page.captureScreenshot", ["format": "png"], session: session, timeout: 30)
            guard let b64 = r["data"] as? String, let data = Data(base64Encoded: b64) else { throw TestError("Page.captureScreenshot: no data") }
            try data.write(to: URL(fileURLWithPath: path))
        }
    }

    /// Sends a DevTools command to this tab.
    func send(_ method: String, _ params: [String: String]) async throws {
        let browser = self.browser, session = self.session
        try await offPool { _ = try browser.send(method, params, session: session) }
    }

    /// Everything that went wrong on the page so far: uncaught exceptions, console errors,
    /// failed requests (not the ones the page cancelled itself) and HTTP statuses >= 400.
    func problems() async throws -> [String] {
        try await offPool { try self.problemsBlocking() }
    }

    private func problemsBlocking() throws -> [String] {
        try browser.drain()
        var out: [String] = []
        for m in browser.events where m["sessionId"] as? String == session {
            let p = m["params"] as? [String: Any] ?? [:]
            switch m["method"] as? String {
            case "Runtime.exceptionThrown":
                let d = p["exceptionDetails"] as? [String: Any] ?? [:]
                out.append("exception: \(((d["exception"] as? [String: Any])?["description"]) ?? d["text"] ?? "")")
            case "Runtime.consoleAPICalled" where p["type"] as? String == "error":
                let args = (p["args"] as? [[String: Any]] ?? []).map { "\($0["value"] ?? $0["description"] ?? "")" }
                out.append("console.error: \(args.joined(separator: " "))")
            case "Log.entryAdded":
                let e = p["entry"] as? [String: Any] ?? [:]
                if e["level"] as? String == "error" { out.append("log: \(e["text"] ?? "") \(e["url"] ?? "")") }
            case "Network.loadingFailed":
                if p["canceled"] as? Bool != true { out.append("request failed: \(p["errorText"] ?? "") (\(p["type"] ?? ""))") }
            case "Network.responseReceived":
                let r = p["response"] as? [String: Any] ?? [:]
                if let status = r["status"] as? Int, status >= 400 { out.append("HTTP \(status): \(r["url"] ?? "")") }
            default: break
            }
        }
        return out
    }

    func close() async {
        let browser = self.browser, id = targetID
        _ = try? await offPool { _ = try browser.send("Target.closeTarget", ["targetId": id], timeout: 5) }
    }
}
