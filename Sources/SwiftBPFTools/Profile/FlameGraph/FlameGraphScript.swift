/// The script of the flame graph SVG (and of the agent's Profiles page, which shows the same
/// SVG): hover shows a frame's details, a click zooms to the frame, search highlights frames
/// whose name matches a regular expression and reports the matched share of samples.
/// `fgSearch(re)` and `fgZoomReset()` are global for pages that embed the graph.
public enum FlameGraphScript {
    public static let source = #"""
    (function () {
      "use strict";
      var W = 1200, PAD = 10, frames = [], byEl = null, details, matched, reset, clear, total = 0, current = null;
      function num(g, a) { return +g.getAttribute(a); }
      function label(f, w) {
        var fits = Math.floor((w - 6) / 7), n = f.name;
        f.text.textContent = fits < 3 ? "" : (n.length <= fits ? n : n.slice(0, fits - 2) + "..");
      }
      function place(f, x, w) {
        var px = PAD + x * (W - 2 * PAD), pw = w * (W - 2 * PAD);
        f.rect.setAttribute("x", px.toFixed(2));
        f.rect.setAttribute("width", pw.toFixed(2));
        f.text.setAttribute("x", (px + 3).toFixed(2));
        label(f, pw);
      }
      function zoom(f) {
        var s = f.s, v = f.v, d = f.d;
        frames.forEach(function (o) {
          var inside = o.s >= s && o.s + o.v <= s + v;
          var above = o.d < d && o.s <= s && o.s + o.v >= s + v;
          o.g.classList.remove("hidden", "parent");
          if (o.d >= d && inside) { place(o, (o.s - s) / v, o.v / v); }
          else if (above) { place(o, 0, 1); o.g.classList.add("parent"); }
          else { o.g.classList.add("hidden"); }
        });
        current = f;
        reset.style.display = f.d === 0 ? "none" : "";
      }
      function zoomReset() { if (frames.length) { zoom(frames[0]); } }
      function search(term) {
        var re = null, ranges = [], sum = 0, end = -1;
        frames.forEach(function (o) { o.g.classList.remove("m"); });
        matched.textContent = " ";
        clear.style.display = "none";
        if (!term) { return 0; }
        try { re = new RegExp(term); } catch (e) { details.textContent = "not a regular expression: " + e.message; return 0; }
        frames.forEach(function (o) {
          if (o.d > 0 && re.test(o.name)) { o.g.classList.add("m"); ranges.push([o.s, o.s + o.v]); }
        });
        ranges.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
        ranges.forEach(function (r) {
          if (r[0] >= end) { sum += r[1] - r[0]; end = r[1]; }
          else if (r[1] > end) { sum += r[1] - end; end = r[1]; }
        });
        var share = total > 0 ? 100 * sum / total : 0;
        matched.textContent = "Matched: " + share.toFixed(2) + "% (" + ranges.length + " frames)";
        clear.style.display = "";
        return share;
      }
      function ask() {
        var t = window.prompt("Search frames (regular expression)", "");
        if (t !== null) { search(t); }
      }
      function find(el) {
        while (el && el !== document) { if (el.classList && el.classList.contains("f")) { return byEl.get(el); } el = el.parentNode; }
        return null;
      }
      function init() {
        var root = document.documentElement;
        total = +root.getAttribute("data-total") || 0;
        details = document.getElementById("details");
        matched = document.getElementById("matched");
        reset = document.getElementById("reset");
        clear = document.getElementById("clear");
        byEl = new Map();
        Array.prototype.forEach.call(document.querySelectorAll("g.f"), function (g) {
          var f = { g: g, s: num(g, "data-s"), v: num(g, "data-v"), d: num(g, "data-d"), name: g.getAttribute("data-n"),
                    rect: g.querySelector("rect"), text: g.querySelector("text"), info: g.querySelector("title").textContent };
          frames.push(f);
          byEl.set(g, f);
        });
        var layer = document.getElementById("frames");
        layer.addEventListener("mouseover", function (e) { var f = find(e.target); if (f) { details.textContent = f.info; } });
        layer.addEventListener("mouseout", function () { details.textContent = " "; });
        layer.addEventListener("click", function (e) { var f = find(e.target); if (f) { zoom(f); } });
        reset.addEventListener("click", zoomReset);
        clear.addEventListener("click", function () { search(""); });
        document.getElementById("search").addEventListener("click", ask);
        document.addEventListener("keydown", function (e) {
          if ((e.ctrlKey || e.metaKey) && e.key === "f") { e.preventDefault(); ask(); }
          else if (e.key === "Escape") { zoomReset(); search(""); }
        });
        window.fgSearch = search;
        window.fgZoomReset = zoomReset;
        window.fgZoom = function (name) {
          for (var i = 0; i < frames.length; i++) { if (frames[i].name === name) { zoom(frames[i]); return true; } }
          return false;
        };
        var q = /[?&]s=([^&]*)/.exec(window.location.search || "");
        if (q) { search(decodeURIComponent(q[1].replace(/\+/g, " "))); }
      }
      if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
    })();
    """#
}
