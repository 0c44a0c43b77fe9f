// Profiles: the continuous profile of a time range (and process, thread, container) as a flame graph (the agent renders the
// same SVG as `swiftbpf profile --svg`, with its script), search and zoom inside it, a diff
// against the range before, and the pprof download.
"use strict";
UI.pages.profiles = (function () {
  var state;

  function range() {
    var minutes = +state.range.value, now = Date.now() * 1e6;
    return { since: now - minutes * 60e9, until: now, minutes: minutes };
  }
  function query(format) {
    var r = range(), q = "/api/v1/profile?format=" + format + "&since=" + r.since + "&until=" + r.until;
    var who = state.proc.value.trim();
    if (who) { q += /^\d+$/.test(who) ? "&pid=" + who : "&comm=" + encodeURIComponent(who); }
    var tid = state.thread.value.trim(), container = state.container.value.trim();
    if (tid) { q += "&tid=" + encodeURIComponent(tid); }
    if (container) { q += "&container=" + encodeURIComponent(container); }
    if (format === "svg" && state.diff.checked) { q += "&base_since=" + (r.since - r.minutes * 60e9) + "&base_until=" + r.since; }
    return q;
  }
  function applySearch() {
    var w = state.frame.contentWindow;
    if (w && w.fgSearch) { state.matched.textContent = state.search.value ? "matched " + w.fgSearch(state.search.value).toFixed(2) + "%" : ""; }
  }
  function fit() {
    var doc = state.frame.contentDocument, svg = doc && doc.documentElement;
    var box = svg && svg.viewBox && svg.viewBox.baseVal;
    if (box && box.width > 0) { state.frame.style.height = Math.max(300, Math.ceil(state.frame.clientWidth * box.height / box.width) + 4) + "px"; }
  }
  function load() {
    UI.text(query("svg")).then(function (svg) {
      if (state.url) { URL.revokeObjectURL(state.url); }
      state.url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
      state.frame.src = state.url;
    }, function (err) { state.notice.replaceChildren(UI.errorBanner(err)); });
  }
  function download() {
    UI.request(query("pprof")).then(function (r) { return r.blob(); }).then(function (b) {
      var a = UI.el("a", { href: URL.createObjectURL(b), download: "profile.pb" });
      document.body.appendChild(a); a.click(); a.remove();
    }, function (err) { state.notice.replaceChildren(UI.errorBanner(err)); });
  }
  function mount(main) {
    state = {};
    state.range = UI.el("select", { id: "prof-range" }, [["1", "last minute"], ["5", "last 5 minutes"], ["15", "last 15 minutes"], ["60", "last hour"]].map(function (o) {
      return UI.el("option", { value: o[0], text: o[1] }); }));
    state.range.value = "5";
    state.proc = UI.el("input", { id: "prof-proc", placeholder: "process (name or pid)", size: "18" });
    state.thread = UI.el("input", { id: "prof-thread", placeholder: "thread id", size: "9" });
    state.container = UI.el("input", { id: "prof-container", placeholder: "container id", size: "14" });
    state.search = UI.el("input", { id: "prof-search", placeholder: "search frames (regex)", size: "20" });
    state.diff = UI.el("input", { id: "prof-diff", type: "checkbox" });
    state.matched = UI.el("span", { class: "status", id: "prof-matched" });
    state.notice = UI.el("div");
    state.frame = UI.el("iframe", { class: "flame", id: "prof-frame", title: "flame graph" });
    // The SVG scales to the frame's width; the frame takes the height that width gives it (the
    // SVG's own height is the frame's, so it cannot tell), or a deep graph shrinks to a sliver.
    state.frame.addEventListener("load", function () { fit(); applySearch(); });
    state.onResize = fit;
    window.addEventListener("resize", fit);
    state.search.addEventListener("input", applySearch);
    [state.range, state.diff].forEach(function (c) { c.addEventListener("change", load); });
    [state.proc, state.thread, state.container].forEach(function (c) { c.addEventListener("change", load); });
    main.appendChild(UI.el("h2", { text: "Profiles" }));
    main.appendChild(state.notice);
    main.appendChild(UI.el("div", { class: "controls" }, [state.range, state.proc, state.thread, state.container, state.search,
      UI.el("label", {}, [state.diff, " diff against the range before"]),
      UI.el("button", { class: "secondary", text: "Refresh", onclick: load }),
      UI.el("button", { class: "secondary", text: "Download pprof", onclick: download }), state.matched]));
    main.appendChild(state.frame);
    UI.collectors().then(function (c) {
      var missing = UI.collectorState(c, "profile", "there are no CPU samples to draw");
      if (missing) { state.notice.replaceChildren(missing); }
    }, function (err) { state.notice.replaceChildren(UI.errorBanner(err)); });
    load();
  }
  function unmount() {
    if (!state) { return; }
    window.removeEventListener("resize", state.onResize);
    if (state.url) { URL.revokeObjectURL(state.url); }
  }
  return { title: "Profiles", mount: mount, unmount: unmount };
})();
