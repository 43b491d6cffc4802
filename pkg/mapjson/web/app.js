// gflow's world map: one bubble per country, sized by area, from gjson's JSON.
// Every text that comes from the data is set with textContent or
// setAttribute, never parsed as HTML.
//
// The parts, top to bottom: where the data comes from (dataLocation), the
// world and the view (layout, zoom and pan), the bubbles and which one the
// pointer means (render, pick), the side list, the tooltip (tooltipContent:
// add a line there to show more about a country), the drill-down command,
// and loading.
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var params = new URLSearchParams(location.search);
  var fromFile = location.protocol === "file:";
  var refresh = params.has("refresh") ? Number(params.get("refresh")) : 60;
  if (!(refresh >= 0)) refresh = 60;

  var $ = function (id) { return document.getElementById(id); };
  var svg = $("map"), tooltip = $("tooltip"), mapbox = $("mapbox");
  var current = null; // last good document
  var selected = null; // selected country code

  // ---- where the data comes from
  // Only a .json file beside the page, unless gjson --data-origin named
  // origins (served over HTTP only): a link must not make the page show,
  // or from file:// run as a script, data from elsewhere.
  var originsMeta = document.querySelector('meta[name="gflow-data-origins"]');
  var origins = originsMeta ? originsMeta.getAttribute("content").split(/\s+/).filter(Boolean) : [];
  function dataLocation(p) {
    if (p === null || p === "") return { url: "data.json" };
    if (/^[A-Za-z0-9][A-Za-z0-9._-]*\.json$/.test(p)) return { url: p };
    if (!fromFile && origins.length) {
      try {
        var u = new URL(p, location.href);
        if ((u.protocol === "https:" || u.protocol === "http:") && origins.indexOf(u.origin) >= 0 && /\.json$/.test(u.pathname)) {
          return { url: u.href };
        }
      } catch (e) { /* not a URL */ }
    }
    return { error: "?data= must name a .json file beside the page" + (origins.length && !fromFile ? " or on " + origins.join(", ") : "") };
  }
  var data = dataLocation(params.get("data"));

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
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
  function str(v) { return typeof v === "string" ? v : v == null ? "" : String(v); }
  function num(v) { v = Number(v); return isFinite(v) && v >= 0 ? v : 0; }

  // ---- the world, drawn once per size, inside a group the view moves
  var world = window.gflowWorld;
  var countries = topojson.feature(world, world.objects.countries).features
    .filter(function (f) { return f.id !== "010"; }); // Antarctica: no traffic, much space
  var land = { type: "FeatureCollection", features: countries };
  var numeric = window.gflowNumeric || {};
  var centroids = window.gflowCentroids || {};
  var projection, path, width = 0, height = 0;
  var gView, gLand, gBubbles;

  function layout() {
    var w = Math.max(320, Math.floor(mapbox.clientWidth - 16));
    if (w === width) return false;
    width = w;
    height = Math.round(w * 0.5);
    projection = d3.geoNaturalEarth1().fitExtent([[4, 4], [width - 4, height - 4]], land);
    path = d3.geoPath(projection);
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    clear(svg);
    gView = svgEl("g", { id: "view" });
    gView.appendChild(svgEl("path", { "class": "graticule", d: path(d3.geoGraticule10()) }));
    gLand = svgEl("g", {});
    countries.forEach(function (f) {
      // Kosovo has a shape but no ISO numeric id
      var code = numeric[f.id] || (f.properties && f.properties.name === "Kosovo" ? "XK" : "");
      gLand.appendChild(svgEl("path", { "class": "land", d: path(f), "data-id": code }));
    });
    gView.appendChild(gLand);
    gBubbles = svgEl("g", { id: "bubbles" });
    gView.appendChild(gBubbles);
    svg.appendChild(gView);
    view = { k: 1, x: 0, y: 0 };
    applyView();
    return true;
  }

  function maxRadius() { return Math.max(14, Math.min(60, width / 22)); }

  // ---- zoom and pan: the view is a scale k and a shift (x, y) in the
  // svg's units; bubbles keep their size on screen, so zooming in pulls
  // overlapping bubbles apart.
  var view = { k: 1, x: 0, y: 0 };
  var MAXZOOM = 16;

  function applyView() {
    gView.setAttribute("transform", "translate(" + view.x.toFixed(2) + "," + view.y.toFixed(2) + ") scale(" + view.k.toFixed(4) + ")");
    marks.forEach(function (m) { m.el.setAttribute("r", (m.r / view.k).toFixed(3)); });
    document.body.setAttribute("data-zoom", view.k.toFixed(3));
    $("reset").disabled = view.k === 1;
    hideTip();
  }
  function clampView() {
    view.k = Math.min(MAXZOOM, Math.max(1, view.k));
    view.x = Math.min(0, Math.max(width * (1 - view.k), view.x));
    view.y = Math.min(0, Math.max(height * (1 - view.k), view.y));
  }
  // zoomAt scales the view by factor keeping the point p (svg units) still.
  function zoomAt(p, factor) {
    var k = Math.min(MAXZOOM, Math.max(1, view.k * factor));
    view.x = p[0] - (p[0] - view.x) * k / view.k;
    view.y = p[1] - (p[1] - view.y) * k / view.k;
    view.k = k;
    clampView();
    applyView();
  }
  function resetView() { view = { k: 1, x: 0, y: 0 }; applyView(); }
  // toSvg turns a pointer position into svg units.
  function toSvg(ev) {
    var box = svg.getBoundingClientRect();
    return [(ev.clientX - box.left) * width / box.width, (ev.clientY - box.top) * height / box.height];
  }

  // ---- the bubbles, and which one the pointer means
  var marks = []; // {code, row, x, y (map units), r (screen radius, svg units), el}
  var HIT = 6; // the smallest bubble still takes a pointer this close

  // pick returns the bubble the pointer at p (svg units) means: of those
  // under it, the one whose centre is nearest, so that every bubble can be
  // reached where bubbles overlap (Europe); a tie goes to the smaller one.
  function pick(p) {
    var best = null, bestD = Infinity;
    marks.forEach(function (m) {
      var dx = view.x + view.k * m.x - p[0], dy = view.y + view.k * m.y - p[1];
      var d = Math.sqrt(dx * dx + dy * dy);
      if (d > Math.max(m.r, HIT)) return;
      if (d < bestD || (d === bestD && best && m.r < best.r)) { best = m; bestD = d; }
    });
    return best;
  }

  function render(doc) {
    var rows = doc.rows.filter(function (r) { return centroids.hasOwnProperty(str(r.code).toUpperCase()); });
    var max = rows.reduce(function (m, r) { return Math.max(m, num(r.value)); }, 0);
    var rmax = maxRadius();
    var hot = {};
    rows.forEach(function (r) { hot[str(r.code).toUpperCase()] = true; });
    Array.prototype.forEach.call(gLand.childNodes, function (p) {
      p.setAttribute("class", hot[p.getAttribute("data-id")] ? "land hot" : "land");
    });
    clear(gBubbles);
    marks = [];
    // largest first, so small bubbles are drawn on top
    rows.slice().sort(function (a, b) { return num(b.value) - num(a.value); }).forEach(function (r) {
      var code = str(r.code).toUpperCase();
      var xy = projection(centroids[code]);
      if (!xy) return;
      var rad = max > 0 ? Math.max(2.5, rmax * Math.sqrt(num(r.value) / max)) : 2.5;
      var c = svgEl("circle", {
        "class": "bubble" + (code === selected ? " selected" : ""),
        cx: xy[0].toFixed(1), cy: xy[1].toFixed(1), r: (rad / view.k).toFixed(3),
        "data-code": code, "data-pct": String(num(r.percent)),
      });
      marks.push({ code: code, row: r, x: xy[0], y: xy[1], r: rad, el: c });
      gBubbles.appendChild(c);
    });
    renderNote(doc, rows);
    renderLegend(max, rmax, doc.unit);
    renderSide(doc, rows);
    renderSubtitle(doc);
    // the AS database's credit, when its names are shown
    $("ascredit").hidden = !rows.some(function (r) { return Array.isArray(r.networks) && r.networks.length; });
    document.body.setAttribute("data-generated", str(doc.generated));
    document.body.setAttribute("data-bubbles", String(marks.length));
    document.body.setAttribute("data-ready", "true");
  }

  // A map without bubbles says why: a quiet period is not an error.
  function renderNote(doc, rows) {
    var note = $("note");
    note.hidden = rows.length > 0;
    if (!note.hidden) {
      var s = str(doc.note) || "no country in this data";
      note.textContent = s.charAt(0).toUpperCase() + s.slice(1);
    }
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
    clear(box);
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

  // ---- the side list: every country, scrolling
  function renderSide(doc, rows) {
    var list = $("toplist");
    clear(list);
    var maxPct = rows.reduce(function (m, r) { return Math.max(m, num(r.percent)); }, 0) || 1;
    $("toptitle").textContent = rows.length === 1 ? "1 country" : rows.length + " countries";
    rows.forEach(function (r, i) {
      var li = document.createElement("li");
      li.setAttribute("data-code", str(r.code).toUpperCase());
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
    clear(extra);
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
  // tooltipContent returns the tooltip's lines for a country row: its
  // name, then its share and volume, then its largest networks when the
  // data has them (gjson given a table by country and AS number). Add a
  // line here to tell more.
  function tooltipContent(r, doc) {
    var lines = [text("div", "name", str(r.name) || str(r.code))];
    var share = text("div", "");
    share.appendChild(text("span", "pct", fmtPct(num(r.percent))));
    share.appendChild(document.createTextNode(" · " + fmtValue(num(r.value), doc && doc.unit)));
    lines.push(share);
    var nets = Array.isArray(r.networks) ? r.networks : [];
    if (nets.length) {
      var list = text("ol", "networks");
      nets.forEach(function (n) {
        var li = text("li", "");
        li.appendChild(text("span", "org", str(n.name) || "AS" + String(Math.round(num(n.as)))));
        if (str(n.name)) li.appendChild(text("span", "asn", " AS" + String(Math.round(num(n.as)))));
        li.appendChild(text("span", "npct", fmtPct(num(n.percent))));
        list.appendChild(li);
      });
      lines.push(list);
    }
    return lines;
  }
  var hovered = null;
  function showTip(m, ev) {
    if (hovered !== m) {
      if (hovered) hovered.el.classList.remove("hover");
      hovered = m;
      m.el.classList.add("hover");
      clear(tooltip);
      tooltipContent(m.row, current).forEach(function (e) { tooltip.appendChild(e); });
      tooltip.setAttribute("data-code", m.code);
    }
    tooltip.hidden = false;
    var box = mapbox.getBoundingClientRect();
    var x = ev.clientX - box.left + 14, y = ev.clientY - box.top + 14;
    if (x + tooltip.offsetWidth > box.width) x = ev.clientX - box.left - tooltip.offsetWidth - 14;
    tooltip.style.left = x + "px";
    tooltip.style.top = y + "px";
  }
  function hideTip() {
    if (hovered) hovered.el.classList.remove("hover");
    hovered = null;
    tooltip.hidden = true;
    svg.classList.remove("over");
  }

  // ---- pointer: hover, click, drag, pinch, wheel, double-click
  var pointers = {}; // pointerId → last position (svg units)
  var gesture = null; // {kind: "drag"|"pinch", ...}
  function pointerList() { return Object.keys(pointers).map(function (id) { return pointers[id]; }); }

  svg.addEventListener("pointerdown", function (ev) {
    if (ev.button !== 0) return;
    pointers[ev.pointerId] = toSvg(ev);
    try { svg.setPointerCapture(ev.pointerId); } catch (e) { /* synthetic events */ }
    var ps = pointerList();
    if (ps.length === 1) {
      gesture = { kind: "drag", start: ps[0], x: view.x, y: view.y, moved: false };
    } else if (ps.length === 2) {
      var dx = ps[0][0] - ps[1][0], dy = ps[0][1] - ps[1][1];
      gesture = { kind: "pinch", dist: Math.sqrt(dx * dx + dy * dy) || 1, k: view.k, moved: true,
        mid: [(ps[0][0] + ps[1][0]) / 2, (ps[0][1] + ps[1][1]) / 2], x: view.x, y: view.y };
    }
  });
  svg.addEventListener("pointermove", function (ev) {
    var p = toSvg(ev);
    if (pointers[ev.pointerId]) pointers[ev.pointerId] = p;
    if (gesture && gesture.kind === "drag" && pointers[ev.pointerId]) {
      var dx = p[0] - gesture.start[0], dy = p[1] - gesture.start[1];
      if (!gesture.moved && dx * dx + dy * dy < 16) return;
      gesture.moved = true;
      view.x = gesture.x + dx;
      view.y = gesture.y + dy;
      clampView();
      applyView();
      svg.classList.add("dragging");
      return;
    }
    if (gesture && gesture.kind === "pinch") {
      var ps = pointerList();
      if (ps.length < 2) return;
      var ddx = ps[0][0] - ps[1][0], ddy = ps[0][1] - ps[1][1];
      var k = Math.min(MAXZOOM, Math.max(1, gesture.k * Math.sqrt(ddx * ddx + ddy * ddy) / gesture.dist));
      var mid = [(ps[0][0] + ps[1][0]) / 2, (ps[0][1] + ps[1][1]) / 2];
      // the map point under the first midpoint follows the fingers
      view.x = mid[0] - (gesture.mid[0] - gesture.x) * k / gesture.k;
      view.y = mid[1] - (gesture.mid[1] - gesture.y) * k / gesture.k;
      view.k = k;
      clampView();
      applyView();
      return;
    }
    var m = pick(p);
    if (m) {
      svg.classList.add("over");
      showTip(m, ev);
    } else {
      hideTip();
    }
  });
  function endPointer(ev) {
    if (!pointers[ev.pointerId]) return;
    var p = toSvg(ev);
    delete pointers[ev.pointerId];
    var g = gesture;
    if (pointerList().length === 0) {
      gesture = null;
      svg.classList.remove("dragging");
    } else if (g && g.kind === "pinch") {
      // one finger left: it drags on from here
      var rest = pointerList()[0];
      gesture = { kind: "drag", start: rest, x: view.x, y: view.y, moved: true };
    }
    if (ev.type === "pointerup" && g && g.kind === "drag" && !g.moved) {
      var m = pick(p);
      if (m) drill(m.row);
    }
  }
  svg.addEventListener("pointerup", endPointer);
  svg.addEventListener("pointercancel", endPointer);
  svg.addEventListener("pointerleave", function (ev) {
    // releasing the capture after a click also "leaves": keep the tooltip
    // while the pointer is still over the map
    var box = svg.getBoundingClientRect();
    var inside = ev.clientX >= box.left && ev.clientX < box.right && ev.clientY >= box.top && ev.clientY < box.bottom;
    if (!pointers[ev.pointerId] && !inside) hideTip();
  });
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var dy = ev.deltaMode === 1 ? ev.deltaY * 16 : ev.deltaMode === 2 ? ev.deltaY * 400 : ev.deltaY;
    zoomAt(toSvg(ev), Math.exp(-dy * 0.0015));
  }, { passive: false });
  svg.addEventListener("dblclick", function (ev) {
    ev.preventDefault();
    zoomAt(toSvg(ev), 2);
  });
  $("zoomin").addEventListener("click", function () { zoomAt([width / 2, height / 2], 2); });
  $("zoomout").addEventListener("click", function () { zoomAt([width / 2, height / 2], 0.5); });
  $("reset").addEventListener("click", resetView);

  // ---- drill-down command: the top talkers of one country, with the
  // fields that fit the map (who sends from it; whom we reach there)
  function drillCommand(code, doc) {
    var dst = doc && doc.key === "dcc";
    var vname = str(doc && doc.value_name).toLowerCase();
    var values = /^(bytes|packets|records|flows)$/.test(vname) ? vname : "bytes";
    var day = /^\d{4}-\d{2}-\d{2}/.test(str(doc && doc.generated))
      ? doc.generated.slice(0, 10).replace(/-/g, "/")
      : new Date().toISOString().slice(0, 10).replace(/-/g, "/");
    return "gfilter --start-date=" + day + " --type=all --" + (dst ? "dcc" : "scc") + "=" + code +
      " | gstats --fields=" + (dst ? "dip,dport" : "sip,sport") + " --values=" + values;
  }
  function drill(r) {
    var code = str(r.code).toLowerCase();
    if (!/^[a-z][a-z0-9]$/.test(code)) return; // never put odd text in a shell command
    selected = code.toUpperCase();
    marks.forEach(function (m) { m.el.classList.toggle("selected", m.code === selected); });
    Array.prototype.forEach.call($("toplist").childNodes, function (li) {
      li.classList.toggle("selected", li.getAttribute("data-code") === selected);
    });
    $("drillname").textContent = str(r.name) || code.toUpperCase();
    // one unbreakable span per word, so the command wraps only at spaces
    // (never after "--") and still copies as the plain text
    var pre = $("drillcmd");
    clear(pre);
    drillCommand(code, current).split(" ").forEach(function (word, i) {
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
  // beside the page (NAME.js beside NAME.json, written by gjson) setting
  // gflowData.
  function loadScript(url) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      window.gflowData = undefined;
      s.src = bust(url.replace(/\.json$/, ".js"));
      s.onload = function () { s.remove(); window.gflowData ? resolve(window.gflowData) : reject(new Error("no data in " + url)); };
      s.onerror = function () { s.remove(); reject(new Error("cannot load " + url.replace(/\.json$/, ".js") + " (gjson --html or --output beside the page writes it)")); };
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
    var got = data.error ? Promise.reject(new Error(data.error)) : fromFile ? loadScript(data.url) : loadFetch(data.url);
    return got.then(check).then(function (doc) {
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
  if (refresh > 0 && !data.error) setInterval(load, refresh * 1000);
  var resizeTimer;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { if (layout() && current) render(current); }, 150);
  });
})();
