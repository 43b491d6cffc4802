// gflow's world map: one bubble per country, sized by area, from gjson's JSON.
// Every text that comes from the data is set with textContent or
// setAttribute, never parsed as HTML.
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var params = new URLSearchParams(location.search);
  var dataURL = params.get("data") || "data.json";
  var refresh = params.has("refresh") ? Number(params.get("refresh")) : 60;
  if (!(refresh >= 0)) refresh = 60;
  var fromFile = location.protocol === "file:";

  var $ = function (id) { return document.getElementById(id); };
  var svg = $("map"), tooltip = $("tooltip"), mapbox = $("mapbox");
  var current = null; // last good document
  var selected = null; // selected country code

  // ---- formatting
  function fmtInt(n) {
    return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }
  function fmtScaled(n, units) {
    var i = 0;
    while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
    var digits = i === 0 ? 0 : n < 10 ? 2 : n < 100 ? 1 : 0;
    return n.toFixed(digits) + (units[i] ? " " + units[i] : "");
  }
  function fmtValue(v, unit) {
    switch (unit) {
      case "bytes": return fmtScaled(v, ["B", "KB", "MB", "GB", "TB", "PB", "EB"]);
      case "packets": return fmtScaled(v, ["", "K", "M", "G", "T"]) + " packets";
      case "flows": return fmtScaled(v, ["", "K", "M", "G", "T"]) + " flows";
      default: return fmtInt(v);
    }
  }
  function fmtPct(p) {
    if (p > 0 && p < 0.01) return "<0.01%";
    return p.toFixed(2) + "%";
  }
  function text(tag, cls, s) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (s !== undefined) e.textContent = s;
    return e;
  }
  function svgEl(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }
  function str(v) { return typeof v === "string" ? v : v == null ? "" : String(v); }
  function num(v) { v = Number(v); return isFinite(v) && v >= 0 ? v : 0; }

  // ---- the world, drawn once per size
  var world = window.gflowWorld;
  var countries = topojson.feature(world, world.objects.countries).features
    .filter(function (f) { return f.id !== "010"; }); // Antarctica: no traffic, much space
  var land = { type: "FeatureCollection", features: countries };
  var numeric = window.gflowNumeric || {};
  var centroids = window.gflowCentroids || {};
  var projection, path, width = 0, height = 0;
  var gLand, gBubbles;

  function layout() {
    var w = Math.max(320, Math.floor(mapbox.clientWidth - 16));
    if (w === width) return false;
    width = w;
    height = Math.round(w * 0.5);
    projection = d3.geoNaturalEarth1().fitExtent([[4, 4], [width - 4, height - 4]], land);
    path = d3.geoPath(projection);
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    svg.appendChild(svgEl("path", { "class": "graticule", d: path(d3.geoGraticule10()) }));
    gLand = svgEl("g", {});
    countries.forEach(function (f) {
      // Kosovo has a shape but no ISO numeric id
      var code = numeric[f.id] || (f.properties && f.properties.name === "Kosovo" ? "XK" : "");
      gLand.appendChild(svgEl("path", { "class": "land", d: path(f), "data-id": code }));
    });
    svg.appendChild(gLand);
    gBubbles = svgEl("g", { id: "bubbles" });
    svg.appendChild(gBubbles);
    return true;
  }

  function maxRadius() { return Math.max(14, Math.min(60, width / 22)); }

  // ---- drawing the data
  function render(doc) {
    var rows = doc.rows.filter(function (r) { return centroids.hasOwnProperty(str(r.code).toUpperCase()); });
    var max = rows.reduce(function (m, r) { return Math.max(m, num(r.value)); }, 0);
    var rmax = maxRadius();
    var hot = {};
    rows.forEach(function (r) { hot[str(r.code).toUpperCase()] = true; });
    Array.prototype.forEach.call(gLand.childNodes, function (p) {
      p.setAttribute("class", hot[p.getAttribute("data-id")] ? "land hot" : "land");
    });
    while (gBubbles.firstChild) gBubbles.removeChild(gBubbles.firstChild);
    // largest first, so small bubbles stay on top and can be hovered
    rows.slice().sort(function (a, b) { return num(b.value) - num(a.value); }).forEach(function (r) {
      var code = str(r.code).toUpperCase();
      var xy = projection(centroids[code]);
      if (!xy) return;
      var rad = max > 0 ? Math.max(2.5, rmax * Math.sqrt(num(r.value) / max)) : 2.5;
      var c = svgEl("circle", {
        "class": "bubble" + (code === selected ? " selected" : ""),
        cx: xy[0].toFixed(1), cy: xy[1].toFixed(1), r: rad.toFixed(1),
        "data-code": code, "data-pct": String(num(r.percent)),
      });
      c.addEventListener("mouseenter", function (ev) { showTip(r, ev); });
      c.addEventListener("mousemove", function (ev) { moveTip(ev); });
      c.addEventListener("mouseleave", hideTip);
      c.addEventListener("click", function () { drill(r); });
      gBubbles.appendChild(c);
    });
    renderLegend(max, rmax, doc.unit);
    renderSide(doc, rows);
    renderSubtitle(doc);
    document.body.setAttribute("data-generated", str(doc.generated));
    document.body.setAttribute("data-bubbles", String(gBubbles.childNodes.length));
    document.body.setAttribute("data-ready", "true");
  }

  function renderSubtitle(doc) {
    var who = doc.key === "dcc" ? "destination" : "source";
    var parts = [str(doc.value_name) + " by " + who + " country"];
    if (doc.total) parts.push("total " + fmtValue(num(doc.total), doc.unit));
    if (doc.generated) parts.push("updated " + str(doc.generated).replace("T", " ").replace("Z", " UTC"));
    $("subtitle").textContent = parts.join(" · ");
  }

  function renderLegend(max, rmax, unit) {
    var box = $("legend");
    while (box.firstChild) box.removeChild(box.firstChild);
    box.hidden = !(max > 0) || rmax < 24; // on a phone the labels would overlap
    if (box.hidden) return;
    var steps = [1, 0.25, 0.04].map(function (f) { return { v: max * f, r: rmax * Math.sqrt(f) }; });
    var w = rmax * 2 + 90, h = rmax * 2 + 6;
    var s = svgEl("svg", { width: w, height: h, viewBox: "0 0 " + w + " " + h });
    var cx = rmax + 2, base = h - 2;
    steps.forEach(function (st) {
      s.appendChild(svgEl("circle", { cx: cx, cy: base - st.r, r: st.r }));
      var y = base - 2 * st.r;
      s.appendChild(svgEl("line", { x1: cx, x2: cx + rmax + 10, y1: y, y2: y }));
      var t = svgEl("text", { x: cx + rmax + 14, y: y + 4 });
      t.textContent = fmtValue(st.v, unit);
      s.appendChild(t);
    });
    box.appendChild(s);
  }

  function renderSide(doc, rows) {
    var list = $("toplist");
    while (list.firstChild) list.removeChild(list.firstChild);
    var top = rows.slice(0, 12);
    var maxPct = top.reduce(function (m, r) { return Math.max(m, num(r.percent)); }, 0) || 1;
    $("toptitle").textContent = "Top " + top.length + " of " + rows.length + " countries";
    top.forEach(function (r, i) {
      var li = document.createElement("li");
      var bar = text("span", "bar");
      bar.style.width = "calc((100% - 32px) * " + (num(r.percent) / maxPct).toFixed(4) + ")";
      li.appendChild(bar);
      li.appendChild(text("span", "rank", String(i + 1)));
      li.appendChild(text("span", "cname", str(r.name) || str(r.code)));
      var val = text("span", "val", fmtPct(num(r.percent)));
      val.appendChild(text("small", "", fmtValue(num(r.value), doc.unit)));
      li.appendChild(val);
      li.title = str(r.name);
      li.addEventListener("click", function () { drill(r); });
      list.appendChild(li);
    });
    var extra = $("extra");
    while (extra.firstChild) extra.removeChild(extra.firstChild);
    function add(label, value) {
      extra.appendChild(text("dt", "", label));
      extra.appendChild(text("dd", "", value));
    }
    var nc = doc.no_country || {};
    add("No country (--)", fmtPct(num(nc.percent)) + " · " + fmtValue(num(nc.value), doc.unit));
    var special = Array.isArray(doc.special) ? doc.special : [];
    if (special.length) {
      var sp = special.reduce(function (m, s) { return m + num(s.percent); }, 0);
      add("Other codes (" + special.map(function (s) { return str(s.code); }).join(", ") + ")", fmtPct(sp));
    }
    if (doc.input) {
      add("Input", fmtScaled(num(doc.input.records), ["", "K", "M", "G", "T"]) + " records, " + fmtInt(num(doc.input.bins)) + " bins");
    }
  }

  // ---- tooltip
  function showTip(r, ev) {
    while (tooltip.firstChild) tooltip.removeChild(tooltip.firstChild);
    tooltip.appendChild(text("div", "name", str(r.name) || str(r.code)));
    var line = text("div", "");
    line.appendChild(text("span", "pct", fmtPct(num(r.percent))));
    line.appendChild(document.createTextNode(" · " + fmtValue(num(r.value), current && current.unit)));
    tooltip.appendChild(line);
    tooltip.hidden = false;
    moveTip(ev);
  }
  function moveTip(ev) {
    var box = mapbox.getBoundingClientRect();
    var x = ev.clientX - box.left + 14, y = ev.clientY - box.top + 14;
    if (x + tooltip.offsetWidth > box.width) x = ev.clientX - box.left - tooltip.offsetWidth - 14;
    tooltip.style.left = x + "px";
    tooltip.style.top = y + "px";
  }
  function hideTip() { tooltip.hidden = true; }

  // ---- drill-down command
  function drill(r) {
    var code = str(r.code).toLowerCase();
    if (!/^[a-z][a-z0-9]$/.test(code)) return; // never put odd text in a shell command
    selected = code.toUpperCase();
    Array.prototype.forEach.call(gBubbles.childNodes, function (c) {
      c.setAttribute("class", c.getAttribute("data-code") === selected ? "bubble selected" : "bubble");
    });
    var key = current && current.key === "dcc" ? "dcc" : "scc";
    var vname = str(current && current.value_name).toLowerCase();
    var values = /^(bytes|packets|records|flows)$/.test(vname) ? vname : "bytes";
    var day = /^\d{4}-\d{2}-\d{2}/.test(str(current && current.generated))
      ? current.generated.slice(0, 10).replace(/-/g, "/")
      : new Date().toISOString().slice(0, 10).replace(/-/g, "/");
    $("drillname").textContent = str(r.name) || code.toUpperCase();
    var cmd = "gfilter --start-date=" + day + " --type=all --" + key + "=" + code +
      " --pass=stdout | gstats --top --count=10 --fields=sip,sport --values=" + values;
    // one unbreakable span per word, so the command wraps only at spaces
    // (never after "--") and still copies as the plain text
    var pre = $("drillcmd");
    while (pre.firstChild) pre.removeChild(pre.firstChild);
    cmd.split(" ").forEach(function (word, i) {
      if (i > 0) pre.appendChild(document.createTextNode(" "));
      pre.appendChild(text("span", "", word));
    });
    $("drill").hidden = false;
    $("copy").textContent = "Copy command";
  }
  $("copy").addEventListener("click", function () {
    var cmd = $("drillcmd").textContent;
    var done = function () { $("copy").textContent = "Copied"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(cmd).then(done, selectCmd);
    } else {
      selectCmd();
    }
  });
  function selectCmd() {
    var range = document.createRange();
    range.selectNodeContents($("drillcmd"));
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    try { if (document.execCommand("copy")) $("copy").textContent = "Copied"; } catch (e) { /* selected for Ctrl-C */ }
  }

  // ---- loading
  function bust(url) { return url + (url.indexOf("?") < 0 ? "?" : "&") + "_=" + Date.now(); }

  // From file:// browsers refuse fetch(), so the data comes as a script
  // (data.js beside data.json, written by gjson --html) setting gflowData.
  function loadScript(url) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      window.gflowData = undefined;
      s.src = bust(url.replace(/\.json$/, ".js"));
      s.onload = function () { s.remove(); window.gflowData ? resolve(window.gflowData) : reject(new Error("no data in " + url)); };
      s.onerror = function () { s.remove(); reject(new Error("cannot load " + url)); };
      document.head.appendChild(s);
    });
  }
  function loadFetch(url) {
    return fetch(bust(url), { cache: "no-store" }).then(function (resp) {
      if (!resp.ok) throw new Error(url + ": HTTP " + resp.status);
      return resp.json();
    });
  }
  function check(doc) {
    if (!doc || typeof doc !== "object" || !Array.isArray(doc.rows)) throw new Error("not gjson data");
    return doc;
  }

  function load() {
    return (fromFile ? loadScript(dataURL) : loadFetch(dataURL)).then(check).then(function (doc) {
      current = doc;
      $("status").hidden = true;
      render(doc);
    }, function (err) {
      // keep drawing the last good data
      var st = $("status");
      st.textContent = (current ? "Update failed, showing earlier data: " : "No data: ") + (err && err.message || err);
      st.hidden = false;
      if (!current) $("subtitle").textContent = "No data loaded yet";
      document.body.setAttribute("data-error", String(err && err.message || err));
    });
  }

  layout();
  load();
  if (refresh > 0) setInterval(load, refresh * 1000);
  var resizeTimer;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { if (layout() && current) render(current); }, 150);
  });
})();
