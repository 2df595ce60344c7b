// The Indonesian stemmer of bimtek's search, line for line the same algorithm as
// src/search/stem.rs (Enhanced Confix Stripping after Sastrawi), fed the same rules and roots,
// so a query is stemmed exactly as the pages were when the index was built.
(function (global) {
  "use strict";

  function Stemmer(roots, rulesTsv) {
    this.roots = roots; // an object used as a set: roots[word] === 1
    this.groups = [];
    var lines = rulesTsv.split("\n");
    var lastGroup = null;
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i];
      if (!line.trim() || line.charAt(0) === "#") continue;
      var cols = line.split("\t");
      var rule = { pattern: new RegExp(cols[1]), result: cols[2] || "", reject: cols[3] ? new RegExp(cols[3]) : null };
      if (cols[0] === lastGroup) this.groups[this.groups.length - 1].push(rule);
      else this.groups.push([rule]);
      lastGroup = cols[0];
    }
    this.particle = /-*(lah|kah|tah|pun)$/;
    this.possessive = /-*(ku|mu|nya)$/;
    this.derivational = /(is|isme|isasi|i|kan|an)$/;
    this.plainPrefix = /^(di|ke|se)/;
    this.prefixFirst = [/^be(.*)lah$/, /^be(.*)an$/, /^me(.*)i$/, /^di(.*)i$/, /^pe(.*)i$/, /^ter(.*)i$/];
  }

  Stemmer.prototype.isRoot = function (word) {
    return Object.prototype.hasOwnProperty.call(this.roots, word);
  };

  function apply(rule, word) {
    if (rule.reject && rule.reject.test(word)) return null;
    var m = rule.pattern.exec(word);
    if (!m) return null;
    var out = "";
    for (var i = 0; i < rule.result.length; i++) {
      var c = rule.result.charAt(i);
      out += c >= "0" && c <= "9" ? m[+c] || "" : c;
    }
    return out;
  }

  // Longer words are left as they are, as the build leaves them (MAX_STEMMED in src/search/stem.rs).
  var MAX_STEMMED = 48;

  Stemmer.prototype.stem = function (word) {
    if (word.length > MAX_STEMMED) return word;
    var dash = word.indexOf("-");
    if (dash >= 0) {
      var a = this.stemSingle(word.slice(0, dash));
      var b = this.stemSingle(word.slice(dash + 1));
      return a === b ? a : word;
    }
    return this.stemSingle(word);
  };

  Stemmer.prototype.stemSingle = function (word) {
    var ctx = new Context(this, word);
    ctx.run();
    return this.isRoot(ctx.current) ? ctx.current : ctx.original;
  };

  function Context(stemmer, word) {
    this.s = stemmer;
    this.original = word;
    this.current = word;
    this.removals = [];
  }

  Context.prototype.found = function () {
    return this.s.isRoot(this.current);
  };

  Context.prototype.run = function () {
    if (this.found()) return;
    if (Array.from(this.current).length <= 3) return;
    var original = this.original;
    var prefixFirst = this.s.prefixFirst.some(function (r) { return r.test(original); });
    if (prefixFirst) {
      this.removePrefixes();
      if (!this.found()) this.removeSuffixes();
      if (this.found()) {
        var throughPrefix = this.current;
        this.current = this.original;
        this.removals = [];
        this.removeSuffixes();
        if (!this.found()) this.current = throughPrefix;
        return;
      }
      this.current = this.original;
      this.removals = [];
    }
    this.removeSuffixes();
    if (this.found()) return;
    this.removePrefixes();
    if (this.found()) return;
    this.restoreSuffixes();
  };

  Context.prototype.removeWith = function (pattern, affix) {
    var result = this.current.replace(pattern, "");
    if (result !== this.current) {
      this.removals.push({ subject: this.current, result: result, removed: this.current.slice(result.length), affix: affix });
      this.current = result;
    }
  };

  Context.prototype.removeSuffixes = function () {
    var steps = [[this.s.particle, "P"], [this.s.possessive, "PP"], [this.s.derivational, "DS"]];
    for (var i = 0; i < steps.length; i++) {
      this.removeWith(steps[i][0], steps[i][1]);
      if (this.found()) return;
    }
  };

  Context.prototype.removePrefixes = function () {
    for (var i = 0; i < 3; i++) {
      this.onePrefix();
      if (this.found()) return;
    }
  };

  Context.prototype.onePrefix = function () {
    var before = this.removals.length;
    var result = this.current.replace(this.s.plainPrefix, "");
    if (result !== this.current) {
      this.removals.push({
        subject: this.current, result: result,
        removed: this.current.slice(0, this.current.length - result.length), affix: "DP"
      });
      this.current = result;
    }
    if (this.found() || this.removals.length > before) return;
    var groups = this.s.groups;
    for (var g = 0; g < groups.length; g++) {
      var found = null;
      for (var r = 0; r < groups[g].length; r++) {
        found = apply(groups[g][r], this.current);
        if (found !== null && this.s.isRoot(found)) break;
      }
      if (found !== null) {
        this.removals.push({ subject: this.current, result: found, removed: this.current.replace(found, ""), affix: "DP" });
        this.current = found;
      }
      if (this.found() || this.removals.length > before) return;
    }
  };

  Context.prototype.restoreSuffixes = function () {
    if (this.removals.length) this.current = this.removals[0].subject;
    this.removals = this.removals.filter(function (r) { return r.affix !== "DP"; });
    var removals = this.removals.slice();
    var current = this.current;
    for (var i = removals.length - 1; i >= 0; i--) {
      var removal = removals[i];
      if (removal.removed === "kan") {
        this.current = removal.result + "k";
        this.removePrefixes();
        if (this.found()) return;
        this.current = removal.result + "kan";
      } else {
        this.current = removal.subject;
      }
      this.removePrefixes();
      if (this.found()) return;
      this.removals = removals.slice();
      this.current = current;
    }
  };

  global.BimtekStemmer = Stemmer;
})(typeof window !== "undefined" ? window : this);
