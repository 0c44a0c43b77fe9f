// Processes: the tree of processes the exec collector saw, with lineage; a selected process
// shows its recent execs, files, connections and alerts.
"use strict";
UI.pages.processes = (function () {
  var state;

  function build(execs, exits) {
    var procs = {};
    execs.slice().reverse().forEach(function (e) {
      procs[e.pid] = { pid: e.pid, ppid: e.ppid, comm: e.comm, args: (e.fields && e.fields.args) || "", time: e.time_ns, children: [], exited: false };
    });
    exits.forEach(function (e) { if (procs[e.pid]) { procs[e.pid].exited = true; procs[e.pid].exit = e.fields; } });
    // Parents not seen exec'ing are shown as placeholders, so that lineage stays visible.
    Object.keys(procs).forEach(function (pid) {
      var p = procs[pid];
      if (p.ppid && !procs[p.ppid]) { procs[p.ppid] = { pid: p.ppid, ppid: 0, comm: "?", args: "(not seen exec'ing)", children: [], placeholder: true }; }
    });
    var roots = [];
    Object.keys(procs).forEach(function (pid) {
      var p = procs[pid];
      if (p.ppid && procs[p.ppid] && p.ppid !== p.pid) { procs[p.ppid].children.push(p); } else { roots.push(p); }
    });
    var order = function (a, b) { return a.pid - b.pid; };
    Object.keys(procs).forEach(function (pid) { procs[pid].children.sort(order); });
    roots.sort(order);
    return { procs: procs, roots: roots };
  }
  function matchesFilter(p, f) {
    if (!f) { return true; }
    if ((p.comm + " " + p.args + " " + p.pid).indexOf(f) >= 0) { return true; }
    return p.children.some(function (c) { return matchesFilter(c, f); });
  }
  function node(p, f) {
    var label = UI.el("span", { class: "proc" + (p.exited ? " exited" : "") + (state.selected === p.pid ? " selected" : ""), "data-pid": String(p.pid) }, [
      p.comm + " ", UI.el("span", { class: "pid", text: "(" + p.pid + ")" }), " ", UI.el("span", { class: "args", text: p.args.slice(0, 160) })]);
    label.addEventListener("click", function () { select(p.pid); });
    var kids = p.children.filter(function (c) { return matchesFilter(c, f); });
    var li = UI.el("li", {}, [UI.el("span", { class: "twisty", text: kids.length ? "▾" : "" }), label]);
    if (kids.length) {
      var ul = UI.el("ul", { class: "tree" }, kids.map(function (c) { return node(c, f); }));
      li.firstChild.addEventListener("click", function () { ul.classList.toggle("hidden"); li.firstChild.textContent = ul.classList.contains("hidden") ? "▸" : "▾"; });
      li.appendChild(ul);
    }
    return li;
  }
  function renderTree() {
    var f = state.filter.value.trim();
    var roots = state.tree.roots.filter(function (p) { return matchesFilter(p, f); });
    state.treeBox.replaceChildren(roots.length ? UI.el("ul", { class: "tree root", id: "proc-tree" }, roots.map(function (p) { return node(p, f); }))
      : UI.banner("info", "No processes yet: the tree is built from exec events, and none matched."));
    state.count.textContent = Object.keys(state.tree.procs).length + " processes";
  }
  function section(title, events, text) {
    var box = UI.el("div", {}, [UI.el("h3", { text: title + " (" + events.length + ")" })]);
    if (!events.length) { box.appendChild(UI.el("div", { class: "status", text: "none recorded" })); }
    events.slice(0, 30).forEach(function (e) { box.appendChild(UI.el("div", { class: "lineage", text: UI.time(e.time_ns) + "  " + text(e) })); });
    return box;
  }
  function select(pid) {
    state.selected = pid;
    renderTree();
    var p = state.tree.procs[pid];
    var chain = [], seen = {};
    for (var q = p; q && !seen[q.pid]; q = state.tree.procs[q.ppid]) { seen[q.pid] = true; chain.push(q.comm + " (" + q.pid + ")"); }
    var panel = state.panel;
    panel.replaceChildren(UI.el("h3", { text: p.comm + " (" + pid + ")" }),
      UI.el("div", { class: "lineage", id: "proc-lineage", text: "lineage: " + chain.join(" ← ") }),
      UI.el("div", { class: "status", text: p.args }));
    UI.json("/api/v1/events?pid=" + pid + "&limit=500").then(function (r) {
      var by = function (kinds) { return r.events.filter(function (e) { return kinds.indexOf(e.kind) >= 0; }); };
      panel.appendChild(section("Execs", by(["exec"]), function (e) { return e.fields.args || e.comm; }));
      panel.appendChild(section("Files", by(["open"]), function (e) { return (e.fields.path || "") + (e.fields.ret ? "  ret=" + e.fields.ret : ""); }));
      panel.appendChild(section("Connections", by(["tcp_connect", "tcp_accept", "tcp_close", "tcp_retrans"]), function (e) {
        return e.kind + " " + e.fields.saddr + ":" + e.fields.sport + " → " + e.fields.daddr + ":" + e.fields.dport; }));
      panel.appendChild(section("Exit", by(["exit"]), function (e) { return JSON.stringify(e.fields); }));
      panel.appendChild(UI.el("h3", { text: "Alerts" }));
      panel.appendChild(UI.banner("", "Collector not running: the agent has no guard collector, so there are no alerts to show."));
    }, function (err) { panel.appendChild(UI.errorBanner(err)); });
  }
  function load() {
    Promise.all([UI.json("/api/v1/events?kind=exec&limit=5000"), UI.json("/api/v1/events?kind=exit&limit=5000"), UI.collectors()]).then(function (r) {
      var missing = UI.collectorState(r[2], "exec", "no process tree can be built");
      state.notice.replaceChildren(missing || document.createTextNode(""));
      state.tree = build(r[0].events, r[1].events);
      renderTree();
    }, function (err) { state.notice.replaceChildren(UI.errorBanner(err)); });
  }
  function mount(main) {
    state = { tree: { procs: {}, roots: [] }, selected: null };
    state.filter = UI.el("input", { id: "proc-filter", placeholder: "filter (name, args, pid)", size: "24" });
    state.filter.addEventListener("input", renderTree);
    state.count = UI.el("span", { class: "status" });
    state.notice = UI.el("div");
    state.treeBox = UI.el("div", { class: "scroll panel" });
    state.panel = UI.el("div", { class: "panel", id: "proc-detail" }, [UI.el("div", { class: "status", text: "Select a process to see its lineage, execs, files, connections and alerts." })]);
    main.appendChild(UI.el("h2", { text: "Processes" }));
    main.appendChild(state.notice);
    main.appendChild(UI.el("div", { class: "controls" }, [state.filter, UI.el("button", { class: "secondary", text: "Refresh", onclick: load }), state.count]));
    main.appendChild(UI.el("div", { class: "split" }, [state.treeBox, state.panel]));
    load();
  }
  return { title: "Processes", mount: mount, unmount: function () {} };
})();
