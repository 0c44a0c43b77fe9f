// Events: the live stream, filtered by kind, process, container and text; pause and resume;
// older events from the store when scrolled to the end.
"use strict";
UI.pages.events = (function () {
  var KINDS = ["exec", "exit", "open", "tcp_connect", "tcp_accept", "tcp_close", "tcp_retrans"];
  var MAX = 5000, SHOWN = 400;
  var state;

  function details(e) {
    var f = e.fields || {};
    return Object.keys(f).sort().map(function (k) { return k + "=" + f[k]; }).join("  ");
  }
  function matches(e) {
    var c = state.controls;
    if (c.kind.value && e.kind !== c.kind.value) { return false; }
    var p = c.proc.value.trim();
    if (p && !(String(e.pid) === p || e.comm.indexOf(p) >= 0)) { return false; }
    var g = c.container.value.trim();
    if (g && (e.cgroup || "").indexOf(g) < 0 && String(e.cgroup_id) !== g) { return false; }
    var t = c.text.value.trim().toLowerCase();
    if (t && JSON.stringify(e).toLowerCase().indexOf(t) < 0) { return false; }
    return true;
  }
  function row(e) {
    return UI.el("tr", {}, [
      UI.el("td", { text: UI.time(e.time_ns) }),
      UI.el("td", {}, [UI.el("span", { class: "kind " + e.kind, text: e.kind })]),
      UI.el("td", { text: String(e.pid) }), UI.el("td", { text: String(e.ppid) }),
      UI.el("td", { text: e.comm }), UI.el("td", { text: e.cgroup || String(e.cgroup_id || "") }),
      UI.el("td", { class: "details", text: details(e) })]);
  }
  function render() {
    state.dirty = false;
    var body = UI.el("tbody"), n = 0;
    for (var i = 0; i < state.events.length && n < SHOWN; i++) {
      if (matches(state.events[i])) { body.appendChild(row(state.events[i])); n++; }
    }
    state.table.replaceChild(body, state.tbody);
    state.tbody = body;
    status();
  }
  function status() {
    var s = state.paused ? "paused · " + state.held.length + " new held" : (state.live ? "live" : "reconnecting");
    state.status.textContent = s + " · " + state.events.length + " events in view · " + state.rate + "/s";
  }
  function add(list, front) {
    if (front) { state.events = list.concat(state.events); } else { state.events = state.events.concat(list); }
    if (state.events.length > MAX) { state.events.length = MAX; }
    state.dirty = true;
  }
  function older() {
    if (state.loading || state.exhausted) { return; }
    var last = state.events[state.events.length - 1];
    var q = "/api/v1/events?limit=200" + (last ? "&until=" + last.time_ns : "") + (state.controls.kind.value ? "&kind=" + state.controls.kind.value : "");
    state.loading = true;
    UI.json(q).then(function (r) {
      state.loading = false;
      if (r.events.length === 0) { state.exhausted = true; return; }
      add(r.events, false);
      render();
    }, function (err) { state.loading = false; state.notice.replaceChildren(UI.errorBanner(err)); });
  }
  function mount(main) {
    var kind = UI.el("select", { id: "ev-kind" }, [UI.el("option", { value: "", text: "all kinds" })].concat(
      KINDS.map(function (k) { return UI.el("option", { value: k, text: k }); })));
    var proc = UI.el("input", { id: "ev-proc", placeholder: "process (name or pid)", size: "18" });
    var container = UI.el("input", { id: "ev-container", placeholder: "container / cgroup", size: "18" });
    var text = UI.el("input", { id: "ev-text", placeholder: "text", size: "18" });
    var pause = UI.el("button", { id: "ev-pause", text: "Pause" });
    var st = UI.el("span", { class: "status", id: "ev-status" });
    var tbody = UI.el("tbody");
    var table = UI.el("table", { id: "ev-table" }, [UI.el("thead", {}, [UI.el("tr", {}, ["time", "kind", "pid", "ppid", "process", "container", "details"].map(function (h) { return UI.el("th", { text: h }); }))]), tbody]);
    var scroll = UI.el("div", { class: "scroll" }, [table]);
    var notice = UI.el("div");
    state = { events: [], held: [], paused: false, live: false, rate: 0, counted: 0, tbody: tbody, table: table, status: st, notice: notice,
              controls: { kind: kind, proc: proc, container: container, text: text }, dirty: false, loading: false, exhausted: false };
    [kind, proc, container, text].forEach(function (c) { c.addEventListener("input", render); });
    kind.addEventListener("change", function () { state.exhausted = false; render(); });
    pause.addEventListener("click", function () {
      state.paused = !state.paused;
      pause.textContent = state.paused ? "Resume" : "Pause";
      if (!state.paused && state.held.length) { add(state.held.reverse(), true); state.held = []; render(); }
      status();
    });
    scroll.addEventListener("scroll", function () {
      if (scroll.scrollTop + scroll.clientHeight >= scroll.scrollHeight - 40) { older(); }
    });
    main.appendChild(UI.el("h2", { text: "Events" }));
    main.appendChild(notice);
    main.appendChild(UI.el("div", { class: "controls" }, [kind, proc, container, text, pause, st]));
    main.appendChild(scroll);
    var pending = [];
    older();
    state.stream = UI.stream("/api/v1/events/stream", function (e) {
      state.counted++;
      if (state.paused) { state.held.push(e); if (state.held.length > MAX) { state.held.shift(); } } else { pending.push(e); }
    }, function (ok, why) {
      state.live = ok;
      notice.replaceChildren(ok ? document.createTextNode("") : UI.banner("error", "Live stream interrupted: " + why + " (retrying)"));
      status();
    });
    state.flush = setInterval(function () {
      if (pending.length) { add(pending.reverse(), true); pending = []; }
      if (state.dirty) { render(); }
    }, 250);
    state.rateTimer = setInterval(function () { state.rate = state.counted; state.counted = 0; status(); }, 1000);
    status();
  }
  function unmount() {
    if (!state) { return; }
    state.stream.close();
    clearInterval(state.flush);
    clearInterval(state.rateTimer);
  }
  return { title: "Events", mount: mount, unmount: unmount };
})();
