// Network map: processes (left) and the endpoints they talk to (right) over a window. With the
// flows collector the map is drawn from its connections (/api/v1/flows: bytes, smoothed RTT,
// retransmits per connection); without it, from the tcp collector's events (no RTT). Edges
// are sized by bytes and coloured by RTT or by retransmits (a toggle); clicking one lists its
// connections. Refreshed every 3 s.
"use strict";
UI.pages.network = (function () {
  var NS = "http://www.w3.org/2000/svg", state;
  // Colour classes, from the CSS: RTT bands in microseconds, retransmit counts.
  var RTT = [[1000, "rtt-fast", "< 1 ms"], [10000, "rtt-ok", "< 10 ms"], [100000, "rtt-slow", "< 100 ms"], [Infinity, "rtt-bad", "≥ 100 ms"]];
  var RETX = [[1, "retx-none", "none"], [5, "retx-some", "1–4"], [Infinity, "retx-many", "5 or more"]];
  function svg(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function band(bands, v) { for (var i = 0; i < bands.length; i++) { if (v < bands[i][0]) { return bands[i][1]; } } return bands[bands.length - 1][1]; }
  function colourClass(e) {
    if (state.colour.value === "retrans") { return band(RETX, e.retrans); }
    return e.rttCount ? band(RTT, e.rtt) : "rtt-unknown";
  }
  function host(a) { return a.indexOf(":") >= 0 ? "[" + a + "]" : a; }
  function ms(us) { return us >= 1000 ? (us / 1000).toFixed(us >= 100000 ? 0 : 1) + " ms" : us + " µs"; }

  // A connection as the map keys it: an outgoing one goes from the process to the remote
  // address and port; an incoming one from the process's listening port to the client's
  // address. Events and flows of unknown direction take the lower port for the server's.
  function keyOf(x, seen) {
    var f = x.fields, local = f.saddr + ":" + f.sport, remote = host(f.daddr) + ":" + f.dport;
    var comm = x.comm || "(owner unknown)";
    var outbound = f.direction === "outgoing" || x.kind === "tcp_connect" ? true
      : f.direction === "incoming" || x.kind === "tcp_accept" ? false
      : seen.out[local] ? true : seen.in[local + ">" + f.daddr + ":" + f.dport] ? false : +f.dport <= +f.sport;
    return outbound ? { proc: comm, endpoint: remote } : { proc: comm + " :" + f.sport, endpoint: f.daddr };
  }
  function build(records) {
    var edges = {}, seen = { out: {}, in: {} };
    records.forEach(function (e) {
      var f = e.fields || {};
      if (e.kind === "tcp_connect") { seen.out[f.saddr + ":" + f.sport] = true; }
      if (e.kind === "tcp_accept") { seen.in[f.saddr + ":" + f.sport + ">" + f.daddr + ":" + f.dport] = true; }
    });
    records.forEach(function (e) {
      if (!e.fields || !e.fields.daddr) { return; }
      var k = keyOf(e, seen), key = k.proc + "|" + k.endpoint, f = e.fields;
      var x = edges[key] || (edges[key] = { proc: k.proc, endpoint: k.endpoint, bytes: 0, connects: 0, retrans: 0, rtt: 0, rttSum: 0, rttCount: 0, records: [] });
      if (e.kind === "flow" || e.kind === "flow_close") {
        x.connects++;
        x.bytes += (+f.tx_bytes || 0) + (+f.rx_bytes || 0);
        x.retrans += +f.retransmits || 0;
        if (f.transport === "tcp" && +f.rtt_us > 0) { x.rttSum += +f.rtt_us; x.rttCount++; x.rtt = Math.round(x.rttSum / x.rttCount); }
      } else {
        if (e.kind === "tcp_close") { x.bytes += (+f.tx_bytes || 0) + (+f.rx_bytes || 0); }
        if (e.kind === "tcp_connect" || e.kind === "tcp_accept") { x.connects++; }
        if (e.kind === "tcp_retrans") { x.retrans++; }
      }
      x.records.push(e);
    });
    return Object.keys(edges).map(function (k) { return edges[k]; });
  }
  function legend() {
    var rows = state.colour.value === "retrans" ? RETX.map(function (b) { return [b[1], "retransmits " + b[2]]; })
      : RTT.map(function (b) { return [b[1], "RTT " + b[2]]; }).concat([["rtt-unknown", "no RTT (UDP, or the tcp collector)"]]);
    state.legend.replaceChildren.apply(state.legend, [UI.el("span", { class: "status", text: "edge width: bytes · colour:" })].concat(rows.map(function (r) {
      return UI.el("span", { class: "swatch " + r[0], text: r[1] }); })));
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
      var path = svg("path", { d: "M 260 " + y1 + " C 500 " + y1 + ", 500 " + y2 + ", 740 " + y2, fill: "none", "stroke-width": width.toFixed(1),
                               class: "edge " + colourClass(e), "data-proc": e.proc, "data-endpoint": e.endpoint,
                               "data-bytes": e.bytes, "data-retransmits": e.retrans, "data-rtt-us": e.rttCount ? e.rtt : "" });
      path.appendChild(svg("title", {}, e.proc + " → " + e.endpoint + ": " + e.connects + " connections, " + UI.bytes(e.bytes) +
        (e.rttCount ? ", RTT " + ms(e.rtt) : "") + ", " + e.retrans + " retransmits"));
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
    if (!edges.length) { box.appendChild(svg("text", { x: W / 2, y: H / 2, "text-anchor": "middle" }, "no connections in this window")); }
  }
  function select(e) {
    var flows = state.source === "flows";
    var head = flows ? ["time", "state", "pid", "transport", "local", "remote", "bytes", "RTT", "retransmits"] : ["time", "event", "pid", "local", "remote", "bytes"];
    state.detail.replaceChildren(UI.el("h3", { text: e.proc + " → " + e.endpoint }),
      UI.el("table", {}, [UI.el("thead", {}, [UI.el("tr", {}, head.map(function (h) { return UI.el("th", { text: h }); }))]),
        UI.el("tbody", {}, e.records.slice(0, 200).map(function (x) {
          var f = x.fields, bytes = f.tx_bytes !== undefined ? UI.bytes(+f.tx_bytes + +f.rx_bytes) : "";
          var cells = flows ? [UI.time(x.time_ns), x.kind === "flow" ? (f.state || "open").toLowerCase() : "closed", String(x.pid), f.transport,
                               f.saddr + ":" + f.sport, host(f.daddr) + ":" + f.dport, bytes, +f.rtt_us > 0 ? ms(+f.rtt_us) : "", f.retransmits]
            : [UI.time(x.time_ns), x.kind, String(x.pid), f.saddr + ":" + f.sport, f.daddr + ":" + f.dport, bytes];
          return UI.el("tr", {}, cells.map(function (c, i) { return UI.el("td", { text: c, class: flows && head[i] === "RTT" ? "rtt" : "" }); }));
        }))]));
  }
  function fetchRecords(since) {
    if (state.source === "flows") {
      return UI.json("/api/v1/flows?since=" + since + "&limit=5000").then(function (r) { return r.flows; });
    }
    var kinds = ["tcp_connect", "tcp_accept", "tcp_close", "tcp_retrans"];
    return Promise.all(kinds.map(function (k) { return UI.json("/api/v1/events?kind=" + k + "&since=" + since + "&limit=5000"); })).then(function (r) {
      var all = [];
      r.forEach(function (x) { all = all.concat(x.events); });
      return all;
    });
  }
  function load() {
    if (!state.source) { return; }
    var since = Date.now() * 1e6 - (+state.window.value) * 60e9;
    fetchRecords(since).then(function (records) {
      state.edges = build(records);
      state.status.textContent = state.edges.length + " edges · " + records.length + (state.source === "flows" ? " connections" : " events");
      draw(state.edges);
    }, function (err) { state.notice.replaceChildren(UI.errorBanner(err)); });
  }
  function mount(main) {
    state = { notice: UI.el("div"), status: UI.el("span", { class: "status", id: "net-status" }), legend: UI.el("span", { class: "legend", id: "net-legend" }),
              detail: UI.el("div", { class: "panel", id: "net-detail" }, [UI.el("div", { class: "status", text: "Click an edge to list its connections." })]) };
    state.window = UI.el("select", { id: "net-window" }, [["1", "last minute"], ["5", "last 5 minutes"], ["15", "last 15 minutes"], ["60", "last hour"]].map(function (o) {
      return UI.el("option", { value: o[0], text: o[1] }); }));
    state.window.value = "15";
    state.window.addEventListener("change", load);
    state.colour = UI.el("select", { id: "net-colour" }, [["rtt", "colour by RTT"], ["retrans", "colour by retransmits"]].map(function (o) {
      return UI.el("option", { value: o[0], text: o[1] }); }));
    state.colour.addEventListener("change", function () { legend(); if (state.edges) { draw(state.edges); } });
    state.map = svg("svg", { class: "netmap", id: "net-map", viewBox: "0 0 1000 200" });
    main.append(UI.el("h2", { text: "Network map" }), state.notice, UI.el("div", { class: "controls" }, [state.window, state.colour, state.status, state.legend]), state.map, state.detail);
    legend();
    UI.collectors().then(function (c) {
      var flows = c.flows && c.flows.state === "running";
      state.source = flows ? "flows" : "tcp";
      if (!flows) {
        state.colour.value = "retrans";
        legend();
        var tcp = UI.collectorState(c, "tcp", "there are no connections to map");
        var why = UI.collectorState(c, "flows", "there is no RTT per connection (the map is drawn from the tcp collector's events)");
        state.notice.replaceChildren.apply(state.notice, [tcp, why].filter(Boolean));
      }
      load();
    }, function (err) { state.notice.replaceChildren(UI.errorBanner(err)); });
    state.timer = setInterval(load, 3000);
  }
  return { title: "Network", mount: mount, unmount: function () { if (state) { clearInterval(state.timer); } } };
})();
