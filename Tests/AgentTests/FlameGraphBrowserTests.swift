import Foundation
import Testing
@testable import SwiftBPFTools

/// The flame graph SVG's script in a real browser (headless Chromium over the DevTools
/// protocol): it loads with no console error, search highlights the matching frames and
/// reports their share, a click zooms, hover shows a frame's details.
@Suite(.serialized, .enabled(if: CDPBrowser.executable != nil, "no chromium installed (Scripts/setup-host.sh installs Debian's chromium)"))
struct FlameGraphBrowserTests {
    @Test func scriptSearchesZoomsAndHoversWithoutErrors() throws {
        let dir = TempDir("fg-browser")
        defer { dir.cleanup() }
        let svg = FlameGraphSVG.render(try FoldedProfile.parse(FlameGraphTests.folded), title: "test")
        let path = dir.path + "/graph.svg"
        try svg.write(toFile: path, atomically: true, encoding: .utf8)
        let browser = try CDPBrowser()
        defer { browser.close() }
        let page = try CDPPage(browser, width: 1280, height: 600)
        try page.navigate("file://" + path)
        _ = try page.evaluate("fgSearch('do_sys')")
        #expect(try page.evaluate("document.querySelectorAll('g.f.m').length") as? Int == 2, "do_syscall and do_sys_openat2")
        let share = try page.evaluate("fgSearch('hot_')") as? Double
        #expect(share.map { abs($0 - 5000.0 / 110) < 0.01 } == true, "matched share \(String(describing: share))")
        #expect(try page.evaluate("Array.from(document.querySelectorAll('g.f.m')).map(g => g.getAttribute('data-n')).join()") as? String == "hot_loop")
        #expect(try page.evaluate("document.getElementById('matched').textContent") as? String == "Matched: 45.45% (1 frames)")
        // The highlight is visible: the matched rect's computed fill is the search colour.
        #expect(try page.evaluate("getComputedStyle(document.querySelector('g.f.m rect')).fill") as? String == "rgb(230, 0, 230)")
        // A regex matching nested frames counts their samples once.
        #expect(try page.evaluate("fgSearch('^(compute|hot_loop)$')") as? Double == 70 * 100 / 110.0)
        // Click on "compute" zooms: hot_loop then spans 50/70 of the width, parse is hidden.
        _ = try page.evaluate("document.querySelector('g.f[data-n=compute] rect').dispatchEvent(new MouseEvent('click', {bubbles: true}))")
        let width = try page.evaluate("+document.querySelector('g.f[data-n=hot_loop] rect').getAttribute('width')") as? Double
        #expect(width.map { abs($0 - 1180.0 * 50 / 70) < 0.02 } == true, "zoomed width \(String(describing: width))")
        #expect(try page.evaluate("document.querySelector('g.f[data-n=parse]').classList.contains('hidden')") as? Bool == true)
        #expect(try page.evaluate("document.querySelector('g.f[data-n=main]').classList.contains('parent')") as? Bool == true)
        _ = try page.evaluate("fgZoomReset()")
        #expect(try page.evaluate("document.querySelector('g.f[data-n=parse]').classList.contains('hidden')") as? Bool == false)
        // Hover shows the frame, its samples and share.
        _ = try page.evaluate("document.querySelector('g.f[data-n=entry_SYSCALL_64] rect').dispatchEvent(new MouseEvent('mouseover', {bubbles: true}))")
        #expect(try page.evaluate("document.getElementById('details').textContent") as? String == "entry_SYSCALL_64 (20 samples, 18.18%, kernel)")
        let problems = try page.problems()
        #expect(problems.isEmpty, "\(problems)")
        page.close()
    }
}
