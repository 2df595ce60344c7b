// Search of one regency site, entirely in the browser: the query is stemmed like the pages were
// (stem.js), only the index shards of its words are fetched, documents are ranked with BM25, and
// results are built with DOM text nodes, never HTML strings. The query lives in the URL (?q=).
// A result's snippet is taken from its own page, which the offline copy holds anyway and which
// the reader is likely to open next: the index does not store the site's text a second time.
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  if (!form || !window.fetch || !window.BimtekStemmer) return;
  var input = form.querySelector("#q");
  var roleSelect = form.querySelector("#peran");
  var topicSelect = form.querySelector("#topik");
  var list = document.getElementById("hasil");
  var status = document.getElementById("status");

  var cache = {};
  function load(path) {
    if (!cache[path]) {
      cache[path] = fetch(path).then(function (r) {
        if (!r.ok) throw new Error(path + ": " + r.status);
        return r.json();
      });
    }
    return cache[path];
  }

  function tokens(text) {
    return text.toLowerCase().split(/[^a-z0-9-]+/).map(function (w) { return w.replace(/^-+|-+$/g, ""); })
      .filter(function (w) { return w.length > 0; });
  }

  var meta = null;
  var stemmer = null;
  function ready() {
    return load("meta.json").then(function (m) {
      if (!meta) {
        meta = m;
        var roots = {};
        m.roots.forEach(function (r) { roots[r] = 1; });
        stemmer = new window.BimtekStemmer(roots, m.rules);
      }
    });
  }

  // The shards that can hold `term` (or, for a prefix, any term starting with it): a large
  // two-letter shard is split by three letters, keeping only the shorter terms.
  function shardsFor(term, prefix) {
    if (prefix) {
      return meta.shards.filter(function (k) { return k.indexOf(term) === 0 || term.indexOf(k) === 0; });
    }
    var three = term.slice(0, 3), two = term.slice(0, 2);
    if (term.length >= 3 && meta.shards.indexOf(three) >= 0) return [three];
    return meta.shards.indexOf(two) >= 0 ? [two] : [];
  }

  // Postings are stored as flat [doc gap, frequency, ...] lists; returns [[doc, frequency], ...].
  function decode(flat) {
    var list = [], doc = 0;
    for (var i = 0; i < flat.length; i += 2) {
      doc += flat[i];
      list.push([doc, flat[i + 1]]);
    }
    return list;
  }

  function postings(term, prefix) {
    return Promise.all(shardsFor(term, prefix).map(function (key) {
      return load("indeks/" + key + ".json");
    })).then(function (shards) {
      var found = [];
      shards.forEach(function (shard) {
        if (!prefix) {
          if (shard[term]) found.push(decode(shard[term]));
          return;
        }
        Object.keys(shard).forEach(function (t) {
          if (t.indexOf(term) === 0) found.push(decode(shard[t]));
        });
      });
      return found;
    });
  }

  function search(query, role, topic) {
    var words = tokens(query);
    if (!words.length) return Promise.resolve([]);
    var typing = !/\s$/.test(query);
    return ready().then(function () {
      // Each word matches its stem; the word being typed also matches as a prefix, and so does a
      // word with no match of its own ("rekap" for "rekapitulasi").
      var lookups = words.map(function (w, i) {
        var exact = postings(stemmer.stem(w), false);
        var asPrefix = i === words.length - 1 && typing && w.length >= 2;
        return exact.then(function (found) {
          if (!asPrefix && (found.length || w.length < 4)) return found;
          return postings(w, true).then(function (more) { return found.concat(more); });
        });
      });
      return Promise.all(lookups);
    }).then(function (perWord) {
      var n = meta.docs, k1 = 1.2, b = 0.75;
      var scores = {}, hits = {};
      perWord.forEach(function (lists) {
        var seen = {};
        lists.forEach(function (list) {
          var idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
          list.forEach(function (p) {
            var d = p[0], tf = p[1];
            var norm = tf * (k1 + 1) / (tf + k1 * (1 - b + b * meta.lens[d] / meta.avgdl));
            scores[d] = (scores[d] || 0) + idf * norm;
            if (!seen[d]) { seen[d] = 1; hits[d] = (hits[d] || 0) + 1; }
          });
        });
      });
      var roleBit = role ? 1 << meta.roles.indexOf(role) : 0;
      var topicIndex = topic ? meta.topics.indexOf(topic) : -1;
      var candidates = Object.keys(scores).map(Number).filter(function (d) {
        // Filters keep what they name (events and pages carry no topic, and may carry no role).
        return (!roleBit || meta.role_bits[d] & roleBit || meta.role_bits[d] === 0) &&
          (topicIndex < 0 || meta.topic[d] === topicIndex);
      });
      // Documents with every word come first; when there are none, those with the most words.
      var most = candidates.reduce(function (m, d) { return Math.max(m, hits[d]); }, 0);
      return candidates.filter(function (d) { return hits[d] === most; }).map(function (d) {
        // Events are short, which BM25 favours; a module's own section should come first.
        var event = d >= meta.events[0] && d < meta.events[1];
        return [d, event ? scores[d] * 0.5 : scores[d]];
      }).sort(function (x, y) { return y[1] - x[1] || x[0] - y[0]; }).slice(0, 20).map(function (s) { return s[0]; });
    });
  }

  var stems = Object.create(null);
  function stemOf(word) {
    if (!(word in stems)) stems[word] = stemmer.stem(word);
    return stems[word];
  }

  function snippet(text, query) {
    var wanted = tokens(query).map(stemOf);
    var prefix = tokens(query).pop() || "";
    var words = text.split(/\s+/);
    var marks = words.map(function (w) {
      var t = tokens(w)[0];
      return !!t && (wanted.indexOf(stemOf(t)) >= 0 || (prefix.length >= 2 && t.indexOf(prefix) === 0));
    });
    var first = Math.max(0, marks.indexOf(true));
    var start = Math.max(0, first - 8), end = Math.min(words.length, start + 30);
    var p = document.createElement("p");
    p.className = "result-snippet";
    if (start > 0) p.appendChild(document.createTextNode("… "));
    for (var i = start; i < end; i++) {
      if (marks[i]) {
        var m = document.createElement("mark");
        m.textContent = words[i];
        p.appendChild(m);
      } else {
        p.appendChild(document.createTextNode(words[i]));
      }
      p.appendChild(document.createTextNode(" "));
    }
    if (end < words.length) p.appendChild(document.createTextNode("…"));
    return p;
  }

  // Each page as a parsed document (inert: its scripts do not run), or null when it cannot be had.
  // XMLHttpRequest parses it, not DOMParser: the site's Trusted Types policy refuses a string
  // parsed as HTML. Only the last search's pages are kept: typing runs a search per key, and a
  // cheap phone should not hold every page any of them showed.
  var pages = {};
  function page(url, kept) {
    var path = "../" + url.split("#")[0];
    if (!(path in pages)) {
      pages[path] = kept[path] || new Promise(function (resolve) {
        var request = new XMLHttpRequest();
        request.open("GET", path);
        request.responseType = "document";
        request.onload = function () { resolve(request.status === 200 ? request.responseXML : null); };
        request.onerror = function () { resolve(null); };
        request.send();
      });
    }
    return pages[path];
  }

  // The text under `node`, with a space wherever a block ends, so the last word of one paragraph
  // or list item does not run into the first of the next.
  var INLINE = /^(A|ABBR|B|CITE|CODE|DEL|EM|I|INS|KBD|MARK|Q|S|SAMP|SMALL|SPAN|STRONG|SUB|SUP|TIME|U|VAR)$/;
  function collect(node, out) {
    if (node.nodeType === 3) { out.push(node.data); return; }
    if (node.nodeType !== 1 || /^(SCRIPT|STYLE|TEMPLATE|NOSCRIPT)$/.test(node.tagName) || node.hidden) return;
    var block = !INLINE.test(node.tagName);
    if (block) out.push(" ");
    for (var c = node.firstChild; c; c = c.nextSibling) collect(c, out);
    if (block) out.push(" ");
  }

  function startsSection(node) { return node.nodeType === 1 && /^H[23]$/.test(node.tagName); }

  // The text of the document at `url` in its page `doc`: a module's section runs from its heading
  // to the next one (the part before the first, with the module's summary, when there is no
  // anchor); an anchor on anything else, an event for one, is that element; a page without
  // either is its main content.
  function documentText(doc, url) {
    if (!doc) return "";
    var id = url.indexOf("#") >= 0 ? url.slice(url.indexOf("#") + 1) : "";
    try { id = decodeURIComponent(id); } catch (e) { /* kept as written */ }
    var out = [], n, prose = doc.querySelector(".prose");
    if (id) {
      var target = doc.getElementById(id);
      if (!target) return "";
      if (!startsSection(target)) collect(target, out);
      else for (n = target.nextSibling; n && !startsSection(n); n = n.nextSibling) collect(n, out);
    } else if (prose) {
      var lead = doc.querySelector(".lead");
      if (lead) collect(lead, out);
      for (n = prose.firstChild; n && !startsSection(n); n = n.nextSibling) collect(n, out);
    } else {
      collect(doc.querySelector("main") || doc.body, out);
    }
    return out.join("").replace(/\s+/g, " ").trim();
  }

  // Renders `docs` for the search numbered `ticket`, unless a newer search started meanwhile:
  // the rows and texts arrive asynchronously, and a slower older search must not overwrite a newer
  // one. The results show as soon as their titles are in; each snippet follows when its page has
  // come (on a slow link, twenty pages take seconds).
  function show(query, docs, ticket) {
    if (!docs.length) {
      list.textContent = "";
      status.textContent = query.trim() ? status.getAttribute("data-no-results") : "";
      return Promise.resolve();
    }
    var chunks = {};
    docs.forEach(function (d) { chunks[Math.floor(d / meta.chunk)] = 1; });
    return Promise.all(Object.keys(chunks).map(function (c) {
      return load("dokumen/" + c + ".json").then(function (rows) { return [Number(c), rows]; });
    })).then(function (loaded) {
      if (ticket !== latest) return;
      var byChunk = {};
      loaded.forEach(function (l) { byChunk[l[0]] = l[1]; });
      var rows = docs.map(function (d) { return byChunk[Math.floor(d / meta.chunk)][d % meta.chunk]; });
      list.textContent = "";
      var items = rows.map(function (row) {
        var li = document.createElement("li");
        li.className = "result";
        var a = document.createElement("a");
        a.href = "../" + row[0];
        a.textContent = row[1];
        li.appendChild(a);
        if (row[2]) {
          var h = document.createElement("p");
          h.className = "result-heading";
          h.textContent = row[2];
          li.appendChild(h);
        }
        list.appendChild(li);
        return li;
      });
      status.textContent = docs.length + " " + status.getAttribute("data-results");
      var kept = pages;
      pages = {};
      return Promise.all(rows.map(function (row, i) {
        return page(row[0], kept).then(function (doc) {
          var text = ticket === latest ? documentText(doc, row[0]) : "";
          if (text) items[i].appendChild(snippet(text, query));
        });
      }));
    });
  }

  var latest = 0;
  function run(updateUrl) {
    var query = input.value, ticket = ++latest;
    list.setAttribute("aria-busy", "true");
    if (updateUrl && window.history && history.replaceState) {
      var params = new URLSearchParams();
      if (query) params.set("q", query);
      if (roleSelect.value) params.set("peran", roleSelect.value);
      if (topicSelect.value) params.set("topik", topicSelect.value);
      var qs = params.toString();
      history.replaceState(null, "", qs ? "?" + qs : "./");
    }
    return search(query, roleSelect.value, topicSelect.value).then(function (docs) {
      if (ticket === latest) return show(query, docs, ticket);
    }).catch(function () {
      if (ticket === latest) status.textContent = status.getAttribute("data-no-results");
    }).then(function () {
      if (ticket === latest) list.setAttribute("aria-busy", "false");
    });
  }

  // Arrow keys walk from the box through the result links and back; Escape returns to the box.
  function links() { return [].slice.call(list.querySelectorAll(".result > a")); }
  function step(e) {
    var all = links(), at = all.indexOf(document.activeElement), next = null;
    if (e.key === "ArrowDown") next = e.target === input ? all[0] : all[at + 1];
    else if (e.key === "ArrowUp" && at >= 0) next = at === 0 ? input : all[at - 1];
    else if (e.key === "Escape" && at >= 0) next = input;
    if (next) { e.preventDefault(); next.focus(); }
  }
  input.addEventListener("keydown", step);
  list.addEventListener("keydown", step);

  var params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  roleSelect.value = params.get("peran") || "";
  topicSelect.value = params.get("topik") || "";
  form.addEventListener("submit", function (e) { e.preventDefault(); run(true); });
  input.addEventListener("input", function () { run(true); });
  roleSelect.addEventListener("change", function () { run(true); });
  topicSelect.addEventListener("change", function () { run(true); });
  window.bimtekSearchDone = input.value ? run(false) : Promise.resolve();
})();
