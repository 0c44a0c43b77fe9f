import Foundation

/// One tab of a `CDPBrowser`: navigation, script evaluation, screenshots, and what went wrong
/// on the page (exceptions, console errors, failed requests, HTTP errors).
final class CDPPage {
    let browser: CDPBrowser
    let session: String
    let targetID: String

    init(_ browser: CDPBrowser, width: Int = 1366, height: Int = 900) throws {
        self.browser = browser
        let target = try browser.send("Target.createTarget", ["url": "about:blank"])
        guard let id = target["targetId"] as? String else { throw TestError("Target.createTarget: no targetId") }
        targetID = id
        let attached = try browser.send("Target.attachToTarget", ["targetId": id, "flatten": true])
        guard let s = attached["sessionId"] as? String else { throw TestError("Target.attachToTarget: no sessionId") }
        session = s
        for domain in ["Page", "Runtime", "Log", "Network"] { try browser.send(domain + ".enable", session: s) }
        try resize(width: width, height: height)
    }

    func resize(width: Int, height: Int) throws {
        try browser.send("Emulation.setDeviceMetricsOverride", ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false],
                         session: session)
    }

    /// Navigates and waits for the load event.
    func navigate(_ url: String, timeout: Double = 20) throws {
        let r = try browser.send("Page.navigate", ["url": url], session: session)
        if let error = r["errorText"] as? String { throw TestError("navigating to \(url): \(error)") }
        _ = try browser.waitEvent("Page.loadEventFired", session: session, timeout: timeout)
    }

    /// Evaluates an expression (promises awaited) and returns its JSON value.
    func evaluate(_ expression: String, timeout: Double = 15) throws -> Any? {
        let r = try browser.send("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true],
                                 session: session, timeout: timeout)
        if let ex = r["exceptionDetails"] as? [String: Any] {
            let text = ((ex["exception"] as? [String: Any])?["description"] as? String) ?? "\(ex["text"] ?? ex)"
            throw TestError("evaluating \(expression.prefix(80)): \(text)")
        }
        return (r["result"] as? [String: Any])?["value"]
    }

    /// Polls a boolean expression until true or `timeout`; returns whether it became true.
    func wait(for expression: String, timeout: Double) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if try evaluate(expression) as? Bool == true { return true }
            usleep(50_000)
        } while Date() < deadline
        return false
    }

    /// A PNG of the viewport written to `path`.
    func screenshot(_ path: String) throws {
        let r = try browser.send("Page.captureScreenshot", ["format": "png"], session: session, timeout: 30)
        guard let b64 = r["data"] as? String, let data = Data(base64Encoded: b64) else { throw TestError("Page.captureScreenshot: no data") }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Everything that went wrong on the page so far: uncaught exceptions, console errors,
    /// failed requests (not the ones the page cancelled itself) and HTTP statuses >= 400.
    func problems() throws -> [String] {
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

    func close() {
        _ = try? browser.send("Target.closeTarget", ["targetId": targetID], timeout: 5)
    }
}
