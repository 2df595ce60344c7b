// A tiny static host for the audit, behaving like the hosts bimtek's `_headers` is written for
// (Netlify, Cloudflare Pages): every response carries the headers of every `_headers` rule whose
// path matches (`*` is a splat, `:name` one path segment; when two matching rules set the same
// header, the later rule wins, as Netlify does), text is gzipped when the browser accepts it,
// a folder serves its index.html, a folder without its trailing slash is redirected (301), and
// a missing file gets the site's 404.html with status 404.
//
// Standalone, to look at a build by hand:  node server.mjs OUTPUT_FOLDER [PORT]
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".xml": "application/xml",
  ".ics": "text/calendar; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".pdf": "application/pdf",
};
const COMPRESSIBLE = /^(text\/|application\/(json|javascript|xml|manifest\+json)|image\/svg)/;

/** Parses a `_headers` file into [{ pattern, regex, headers: [[name, value]] }], in file order. */
export function parseHeaders(text) {
  const rules = [];
  let rule = null;
  for (const raw of text.split(/\r?\n/)) {
    if (!raw.trim() || raw.trim().startsWith("#")) continue;
    if (!/^\s/.test(raw)) {
      const pattern = raw.trim();
      const source = pattern
        .split(/(\*|:[A-Za-z_][A-Za-z0-9_]*)/)
        .map((part) => (part === "*" ? ".*" : part.startsWith(":") ? "[^/]+" : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")))
        .join("");
      rule = { pattern, regex: new RegExp("^" + source + "$"), headers: [] };
      rules.push(rule);
    } else if (rule) {
      const line = raw.trim();
      const colon = line.indexOf(":");
      if (colon > 0) rule.headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
  }
  return rules;
}

/** The headers the rules give to a URL path: later matching rules override earlier ones. */
export function headersFor(rules, urlPath) {
  const out = new Map(); // lower-case name -> [name, value]
  for (const rule of rules) {
    if (!rule.regex.test(urlPath)) continue;
    for (const [name, value] of rule.headers) out.set(name.toLowerCase(), [name, value]);
  }
  return Object.fromEntries([...out.values()]);
}

/**
 * Serves `root` (a bimtek output folder) on 127.0.0.1. Resolves to { port, origin, rules, close }.
 * `rules` are the `_headers` rules read from `root` (none when the file is missing).
 */
export function serve(root, { port = 0 } = {}) {
  const base = path.resolve(root);
  const headersFile = path.join(base, "_headers");
  const rules = fs.existsSync(headersFile) ? parseHeaders(fs.readFileSync(headersFile, "utf8")) : [];
  const gzipCache = new Map();

  function fileFor(urlPath) {
    const file = path.join(base, urlPath);
    if (file !== base && !file.startsWith(base + path.sep)) return { kind: "missing" };
    let st;
    try {
      st = fs.statSync(file);
    } catch {
      return { kind: "missing" };
    }
    if (st.isDirectory()) {
      if (!urlPath.endsWith("/")) return { kind: "redirect", location: urlPath + "/" };
      const index = path.join(file, "index.html");
      return fs.existsSync(index) ? { kind: "file", file: index } : { kind: "missing" };
    }
    // `_headers` is for the host, not for readers.
    if (file === headersFile) return { kind: "missing" };
    return { kind: "file", file };
  }

  const server = http.createServer((req, res) => {
    let urlPath;
    try {
      urlPath = decodeURIComponent(new URL(req.url, "http://host").pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    let status = 200;
    let found = fileFor(urlPath);
    const ruleHeaders = headersFor(rules, urlPath);
    if (found.kind === "redirect") {
      const query = req.url.includes("?") ? req.url.slice(req.url.indexOf("?")) : "";
      res.writeHead(301, { ...ruleHeaders, Location: encodeURI(found.location) + query, "Content-Length": 0 });
      res.end();
      return;
    }
    if (found.kind === "missing") {
      status = 404;
      const notFound = path.join(base, "404.html");
      if (!fs.existsSync(notFound)) {
        res.writeHead(404, { ...ruleHeaders, "Content-Type": "text/plain; charset=utf-8" });
        res.end("not found\n");
        return;
      }
      found = { kind: "file", file: notFound };
    }
    const type = TYPES[path.extname(found.file).toLowerCase()] || "application/octet-stream";
    let body = fs.readFileSync(found.file);
    const headers = { "Content-Type": type, ...ruleHeaders };
    if (COMPRESSIBLE.test(headers["Content-Type"] || type)) {
      headers["Vary"] = "Accept-Encoding";
      if (/\bgzip\b/.test(req.headers["accept-encoding"] || "")) {
        const key = found.file;
        const stamp = fs.statSync(found.file).mtimeMs;
        let cached = gzipCache.get(key);
        if (!cached || cached.stamp !== stamp) {
          cached = { stamp, bytes: zlib.gzipSync(body, { level: 9 }) };
          gzipCache.set(key, cached);
        }
        body = cached.bytes;
        headers["Content-Encoding"] = "gzip";
      }
    }
    headers["Content-Length"] = body.length;
    res.writeHead(status, headers);
    res.end(req.method === "HEAD" ? undefined : body);
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const actual = server.address().port;
      resolve({
        port: actual,
        origin: `http://127.0.0.1:${actual}`,
        rules,
        close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(() => done()); }),
      });
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [root, port] = process.argv.slice(2);
  if (!root) {
    console.error("usage: node server.mjs OUTPUT_FOLDER [PORT]");
    process.exit(2);
  }
  const s = await serve(root, { port: Number(port) || 8080 });
  console.log(`serving ${path.resolve(root)} at ${s.origin}/ with ${s.rules.length} _headers rules (Ctrl-C to stop)`);
}
