// Lucid Microscope: the search box of every atlas page. No server, no dependencies.
//
// The index (search-index.js, next to this file) assigns window.LUCID_SEARCH_INDEX; it is
// loaded on first use by a <script> element, which works from file:// where fetch() of a
// JSON file is blocked. Every text from the index is put into the page with textContent,
// never as HTML, and links are resolved against this script's own URL, so results link
// correctly from a page at any depth of the atlas.
(function () {
  "use strict";
  var MAX_RESULTS = 20;
  var STOP_WORDS = { unit: true, units: true, layer: true };
  var UNIT_TOKEN = /^(?:unit-?)?0*(\d+)$/;
  var script = document.currentScript;
  var root = new URL(".", script ? script.src : document.baseURI);
  var loading = false;

  function tokens(query) {
    return query.toLowerCase().split(/[\s:,]+/).filter(function (t) {
      return t && !STOP_WORDS[t];
    });
  }

  // The score of one token against one entry; 0 if it does not match.
  function tokenScore(token, entry) {
    var number = UNIT_TOKEN.exec(token);
    if (number) {
      return entry.unit !== null && entry.unit === parseInt(number[1], 10) ? 3 : 0;
    }
    var layer = entry.layer.toLowerCase();
    var label = (entry.label || "").toLowerCase();
    if (layer === token) return 4;
    if (label && label.split(/[\W_]+/).indexOf(token) >= 0) return 3;
    if (layer.indexOf(token) >= 0 || label.indexOf(token) >= 0) return 2;
    for (var i = 0; i < entry.captions.length; i++) {
      if (entry.captions[i].toLowerCase().indexOf(token) >= 0) return 1;
    }
    return entry.model.toLowerCase().indexOf(token) >= 0 ? 1 : 0;
  }

  function search(query, entries) {
    var words = tokens(query);
    if (!words.length) return [];
    var found = [];
    entries.forEach(function (entry, position) {
      var total = entry.unit === null ? 0.5 : 0;
      for (var i = 0; i < words.length; i++) {
        var score = tokenScore(words[i], entry);
        if (!score) return;
        total += score;
      }
      found.push({ entry: entry, score: total, position: position });
    });
    found.sort(function (a, b) {
      return b.score - a.score || a.position - b.position;
    });
    return found.map(function (item) { return item.entry; });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function show(list, query) {
    var index = window.LUCID_SEARCH_INDEX;
    while (list.firstChild) list.removeChild(list.firstChild);
    if (!index || !query.trim()) {
      list.hidden = true;
      return;
    }
    var found = search(query, index.entries);
    found.slice(0, MAX_RESULTS).forEach(function (entry) {
      var link = element("a", "search-result");
      link.href = new URL(entry.page, root).href;
      if (entry.image) {
        var picture = element("img");
        picture.src = new URL(entry.image, root).href;
        picture.alt = "";
        picture.loading = "lazy";
        link.appendChild(picture);
      }
      var title = entry.unit === null
        ? entry.layer + " (layer)"
        : entry.layer + " unit " + entry.unit + (entry.label !== null ? ": " + entry.label : "");
      link.appendChild(element("span", "search-title", title));
      var details = [entry.model].concat(entry.captions.slice(0, 3)).join(" · ");
      link.appendChild(element("span", "search-details", details));
      var item = element("li");
      item.appendChild(link);
      list.appendChild(item);
    });
    if (!found.length) {
      list.appendChild(element("li", "search-none", "No matches."));
    } else if (found.length > MAX_RESULTS) {
      var more = found.length - MAX_RESULTS;
      list.appendChild(element("li", "search-none", more + " more: refine the search."));
    }
    list.hidden = false;
  }

  function load(then) {
    if (window.LUCID_SEARCH_INDEX) return then();
    if (loading) return;
    loading = true;
    var tag = document.createElement("script");
    tag.src = new URL("search-index.js", root).href;
    tag.onload = then;
    document.head.appendChild(tag);
  }

  function setUp(form) {
    var input = form.querySelector(".search-input");
    var list = form.querySelector(".search-results");
    var update = function () { load(function () { show(list, input.value); }); };
    input.addEventListener("focus", update);
    input.addEventListener("input", update);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") list.hidden = true;
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = list.querySelector("a.search-result");
      if (first) window.location.href = first.href;
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form.search"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
