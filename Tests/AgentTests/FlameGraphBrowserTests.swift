import Foundation
import Testing
@testable import SwiftBPFTools

/// The flame graph SVG's script in a real browser (headless Chromium over the DevTools
/// protocol): it loads with no console error, search highlights the matching frames and
/// reports their share, a click zooms, hover shows a frame's details.
@Suite(.serialized, .enabled(if: CDPBrowser.executable != nil, "no chromium installed (Scripts/setup-host.sh installs Debian's chromium)"))
struct FlameGraphBrowserTests {
    @Test func scriptSearchesZoomsAndHoversWithoutErrors() async throws {
        let dir = TempDir("fg-browser")
        defer { dir.cleanup() }
        let svg = FlameGraphSVG.render(try FoldedProfile.parse(FlameGraphTests.folded), title: "test")
        let path = dir.path + "/graph.svg"
        try svg.write(toFile: path, atomically: true, encoding: .utf8)
        let browser = try await offPool { try CDPBrowser() }
        defer { browser.close() }
        let page = try await CDPPage.open(browser, width: 1280, height: 600)
        try await page.navigate("file://" + path)
        try await page.run("fgSearch('do_sys')")
        #expect(try await page.evaluate("document.querySelectorAll('g.f.m').length", as: Int.self) == 2, "do_syscall and do_sys_openat2")
        let share = try await page.evaluate("fgSearch('hot_')", as: Double.self)
        #expect(share.map { abs($0 - 5000.0 / 110) < 0.01 } == true, "matched share \(String(describing: share))")
        #expect(try await page.evaluate("Array.from(document.querySelectorAll('g.f.m')).map(g => g.getAttribute('data-n')).join()", as: String.self) == "hot_loop")
        #expect(try await page.evaluate("document.getElementById('matched').textContent", as: String.self) == "Matched: 45.45% (1 frames)")
        // The highlight is visible: the matched rect's computed fill is the search colour.
        #expect(try await page.evaluate("getComputedStyle(document.querySelector('g.f.m rect')).fill", as: String.self) == "rgb(230, 0, 230)")
        // A regex matching nested frames counts their samples once.
        #expect(try await page.evaluate("fgSearch('^(compute|hot_loop)$')", as: Double.self) == 70 * 100 / 110.0)
        // Click on "compute" zooms: hot_loop then spans 50/70 of the width, parse is hidden.
        try await page.run("document.querySelector('g.f[data-n=compute] rect').dispatchEvent(new MouseEvent('click', {bubbles: true}))")
        let width = try await page.evaluate("+document.querySelector('g.f[data-n=hot_loop] rect').getAttribute('width')", as: Double.self)
        #expect(width.map { abs($0 - 1180.0 * 50 / 70) < 0.02 } == true, "zoomed width \(String(describing: width))")
        #expect(try await page.evaluate("document.querySelector('g.f[data-n=parse]').classList.contains('hidden')", as: Bool.self) == true)
        #expect(try await page.evaluate("document.querySelector('g.f[data-n=main]').classList.contains('parent')", as: Bool.self) == true)
        try await page.run("fgZoomReset()")
        #expect(try await page.evaluate("document.querySelector('g.f[data-n=parse]').classList.contains('hidden')", as: Bool.self) == false)
        // Hover shows the frame, its samples and share.
        try await page.run("document.querySelector('g.f[data-n=entry_SYSCALL_64] rect').dispatchEvent(new MouseEvent('mouseover', {bubbles: true}))")
        #expect(try await page.evaluate("document.getElementById('details').textContent", as: String.self) == "entry_SYSCALL_64 (20 samples, 18.18%, kernel)")
        let problems = try await page.problems()
        #expect(problems.isEmpty, "\(problems)")
        await page.close()
    }
}
