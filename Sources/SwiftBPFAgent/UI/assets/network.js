// Network map: processes (left) and the endpoints they talk to (right) over a window, from
// the tcp collector's connect, accept, close and retransmit events (the flows collector,
// with RTT, is not in the agent yet: the page says so). Edges are sized by bytes and
// coloured by retransmits; clicking one lists its connections. Refreshed every 3 s.
"use strict";
UI.pages.network = (function () {
  var NS = "http://www.w3.org/2000/svg", state;
  function svg(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  // Close and retransmit events do not say who connected: a connection whose local end a
  // connect event named is outbound, one an accept event named is inbound, else the lower
  // port of the two is taken for the server's.
  function edgeOf(e, seen) {
    var f = e.fields, local = f.saddr + ":" + f.sport, remote = f.daddr + ":" + f.dport;
    var outbound = e.kind === "tcp_connect" ? true : e.kind === "tcp_accept" ? false
      : seen.out[local] ? true : seen.in[local + ">" + remote] ? false : +f.dport <= +f.sport;
    return outbound ? { proc: e.comm, endpoint: remote } : { proc: e.comm + " :" + f.sport, endpoint: f.daddr };
  }
  function build(events) {
    var edges = {}, seen = { out: {}, in: {} };
    events.forEach(function (e) {
      var f = e.fields || {};
      if (e.kind === "tcp_connect") { seen.out[f.saddr + ":" + f.sport] = true; }
      if (e.kind === "tcp_accept") { seen.in[f.saddr + ":" + f.sport + ">" + f.daddr + ":" + f.dport] = true; }
    });
    events.forEach(function (e) {
      if (!e.fields || !e.fields.daddr) { return; }
      var k = edgeOf(e, seen), key = k.proc + "|" + k.endpoint;
      var x = edges[key] || (edges[key] = { proc: k.proc, endpoint: k.endpoint, bytes: 0, connects: 0, retrans: 0, events: [] });
      if (e.kind === "tcp_close") { x.bytes += (+e.fields.tx_bytes || 0) + (+e.fields.rx_bytes || 0); }
      if (e.kind === "tcp_connect" || e.kind === "tcp_accept") { x.connects++; }
      if (e.kind === "tcp_retrans") { x.retrans++; }
      x.events.push(e);
    });
    return Object.keys(edges).map(function (k) { return edges[k]; });
  }
  function draw(edges) {
    var box = state.map;
    while (box.firstChild) { box.removeChild(box.firstChild); }
    var procs = [], ends = [];
    edges.forEach(function (e) { if (procs.indexOf(e.proc) < 0) { procs.push(e.proc); } if (ends.indexOf(e.endpoint) < 0) { ends.push(e.endpoint); } });
    procs.sort(); ends.sort();
    var W = 1000, H = Math.max(200, 40 + 34 * Math.max(procs.length, ends.length));
    box.setAttribute("viewBox", "0 0 " + W + " " + H);
    box.style.height = Math.min(H, 900) + "px";
    var y = function (i, n) { return 30 + (H - 60) * (n === 1 ? 0.5 : i / (n - 1)); };
    var maxBytes = Math.max(1, Math.max.apply(null, edges.map(function (e) { return e.bytes; })));
    edges.forEach(function (e) {
      var y1 = y(procs.indexOf(e.proc), procs.length), y2 = y(ends.indexOf(e.endpoint), ends.length);
      var width = 1.5 + 8 * Math.log(1 + e.bytes) / Math.log(1 + maxBytes);
      var colour = e.retrans === 0 ? "#4f9d69" : e.retrans < 5 ? "#e0a030" : "#d04040";
      var path = svg("path", { d: "M 260 " + y1 + " C 500 " + y1 + ", 500 " + y2 + ", 740 " + y2, fill: "none", stroke: colour, "stroke-width": width.toFixed(1),
                               "stroke-opacity": "0.75", class: "edge", "data-proc": e.proc, "data-endpoint": e.endpoint });
      path.appendChild(svg("title", {}, e.proc + " → " + e.endpoint + ": " + e.connects + " connections, " + UI.bytes(e.bytes) + ", " + e.retrans + " retransmits"));
      path.addEventListener("click", function () { select(e); });
      box.appendChild(path);
    });
    procs.forEach(function (p, i) {
      box.appendChild(svg("circle", { cx: 260, cy: y(i, procs.length), r: 7, fill: "#2e5eaa", class: "node process" }));
      box.appendChild(svg("text", { x: 248, y: y(i, procs.length) + 4, "text-anchor": "end" }, p));
    });
    ends.forEach(function (p, i) {
      box.appendChild(svg("rect", { x: 734, y: y(i, ends.length) - 6, width: 12, height: 12, fill: "#8a5cc2", class: "node endpoint" }));
      box.appendChild(svg("text", { x: 754, y: y(i, ends.length) + 4 }, p));
    });
    if (!edges.length) { box.appendChild(svg("text", { x: W / 2, y: H / 2, "text-anchor": "middle" }, "no TCP connections in this window")); }
  }
  function select(e) {
    state.detail.replaceChildren(UI.el("h3", { text: e.proc + " → " + e.endpoint }),
      UI.el("table", {}, [UI.el("thead", {}, [UI.el("tr", {}, ["time", "event", "pid", "local", "remote", "bytes"].map(function (h) { return UI.el("th", { text: h }); }))]),
        UI.el("tbody", {}, e.events.slice(0, 200).map(function (x) {
          var f = x.fields;
          return UI.el("tr", {}, [UI.el("td", { text: UI.time(x.time_ns) }), UI.el("td", { text: x.kind }), UI.el("td", { text: String(x.pid) }),
            UI.el("td", { text: f.saddr + ":" + f.sport }), UI.el("td", { text: f.daddr + ":" + f.dport }),
            UI.el("td", { text: f.tx_bytes !== undefined ? UI.bytes(+f.tx_bytes + +f.rx_bytes) : "" })]);
        }))]));
  }
  function load() {
    var since = Date.now() * 1e6 - (+state.window.value) * 60e9;
    var kinds = ["tcp_connect", "tcp_accept", "tcp_close", "tcp_retrans"];
    Promise.all(kinds.map(function (k) { return UI.json("/api/v1/events?kind=" + k + "&since=" + since + "&limit=5000"); })).then(function (r) {
      var all = [];
      r.forEach(function (x) { all = all.concat(x.events); });
      var edges = build(all);
      state.status.textContent = edges.length + " edges · " + all.length + " events";
      draw(edges);
    }, function (err) { state.notice.replaceChildren(UI.errorBanner(err)); });
  }
  function mount(main) {
    state = { notice: UI.el("div"), status: UI.el("span", { class: "status", id: "net-status" }), detail: UI.el("div", { class: "panel", id: "net-detail" }, [UI.el("div", { class: "status", text: "Click an edge to list its connections." })]) };
    state.window = UI.el("select", { id: "net-window" }, [["1", "last minute"], ["5", "last 5 minutes"], ["15", "last 15 minutes"], ["60", "last hour"]].map(function (o) {
      return UI.el("option", { value: o[0], text: o[1] }); }));
    state.window.value = "15";
    state.window.addEventListener("change", load);
    state.map = svg("svg", { class: "netmap", id: "net-map", viewBox: "0 0 1000 200" });
    main.append(UI.el("h2", { text: "Network map" }), state.notice, UI.el("div", { class: "controls" }, [state.window, state.status,
      UI.el("span", { class: "status", text: "edge width: bytes · colour: retransmits (green none, amber some, red many)" })]), state.map, state.detail);
    UI.collectors().then(function (c) {
      var tcp = UI.collectorState(c, "tcp", "there are no connections to map");
      var flows = UI.collectorState(c, "flows", "RTT is not shown (the map is drawn from the tcp collector's events)");
      state.notice.replaceChildren.apply(state.notice, [tcp, flows].filter(Boolean));
    }, function (err) { state.notice.replaceChildren(UI.errorBanner(err)); });
    load();
    state.timer = setInterval(load, 3000);
  }
  return { title: "Network", mount: mount, unmount: function () { if (state) { clearInterval(state.timer); } } };
})();
