// A tiny static file server for the benchmark, behaving like ordinary static hosting: gzip for
// text types when the browser accepts it (files of unknown type, such as Pagefind's already
// gzipped .pf_* and .pagefind files, go as they are), `Cache-Control: max-age=600`, index.html
// for folders. It logs every response, so the benchmark counts exactly what a search downloaded,
// whether the page, a worker or a module asked for it. Optional throttling models a slow mobile
// link: each response waits one round trip, then all bodies share one downlink of fixed speed.
//
// Standalone, to look at a site by hand:  node server.mjs FOLDER [PORT]
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
  ".svg": "image/svg+xml",
  ".xml": "application/xml",
  ".ics": "text/calendar; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".ico": "image/x-icon",
};
const COMPRESSIBLE = /^(text\/|application\/(json|javascript|xml|wasm)|image\/svg)/;

/** Size of a gzip member once inflated, or of the bytes themselves when they are not gzip. */
export function unpackedSize(bytes) {
  if (bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return zlib.gunzipSync(bytes).length;
    } catch {
      return bytes.length;
    }
  }
  return bytes.length;
}

/**
 * Serves `root` on 127.0.0.1 (a free port). Returns { port, setRoot, setThrottle, take, quiet, close }.
 * `take()` returns and clears the log: [{ path, status, type, raw, sent, gzip, unpacked }].
 */
export function serve(root, { port = 0 } = {}) {
  let base = path.resolve(root);
  let log = [];
  let inflight = 0;
  let lastActivity = Date.now();
  let throttle = null; // { rttMs, bytesPerSecond }
  let linkFreeAt = 0;
  const gzipCache = new Map();

  function resolve(urlPath) {
    let p = decodeURIComponent(urlPath.split("?")[0]);
    const file = path.join(base, p);
    if (!file.startsWith(base)) return null;
    try {
      const st = fs.statSync(file);
      if (st.isDirectory()) return fs.existsSync(path.join(file, "index.html")) ? path.join(file, "index.html") : null;
      return file;
    } catch {
      return null;
    }
  }

  function send(res, status, headers, body, done) {
    const write = () => {
      res.writeHead(status, { ...headers, "Content-Length": body.length });
      if (!throttle) return res.end(body, done);
      // One downlink shared by all responses: each body arrives when the link has carried it.
      const now = Date.now();
      const start = Math.max(now, linkFreeAt);
      linkFreeAt = start + (body.length / throttle.bytesPerSecond) * 1000;
      setTimeout(() => res.end(body, done), linkFreeAt - now);
    };
    if (throttle) setTimeout(write, throttle.rttMs);
    else write();
  }

  const server = http.createServer((req, res) => {
    inflight++;
    lastActivity = Date.now();
    const urlPath = new URL(req.url, "http://x").pathname;
    const finish = (entry) => () => {
      log.push(entry);
      inflight--;
      lastActivity = Date.now();
    };
    const file = req.method === "GET" || req.method === "HEAD" ? resolve(urlPath) : null;
    if (!file) {
      const body = Buffer.from("not found\n");
      return send(res, 404, { "Content-Type": "text/plain" }, body,
        finish({ path: urlPath, status: 404, type: "text/plain", raw: 0, sent: body.length, gzip: false, unpacked: 0 }));
    }
    const raw = fs.readFileSync(file);
    const type = TYPES[path.extname(file).toLowerCase()] || "application/octet-stream";
    const accepts = /\bgzip\b/.test(req.headers["accept-encoding"] || "");
    let body = raw;
    const headers = { "Content-Type": type, "Cache-Control": "public, max-age=600", Vary: "Accept-Encoding" };
    let gz = false;
    if (accepts && COMPRESSIBLE.test(type)) {
      if (!gzipCache.has(file)) gzipCache.set(file, zlib.gzipSync(raw, { level: 6 }));
      body = gzipCache.get(file);
      headers["Content-Encoding"] = "gzip";
      gz = true;
    }
    const entry = { path: urlPath, status: 200, type, raw: raw.length, sent: body.length, gzip: gz, unpacked: unpackedSize(raw) };
    send(res, 200, headers, req.method === "HEAD" ? Buffer.alloc(0) : body, finish(entry));
  });
  server.keepAliveTimeout = 60_000;

  return new Promise((ready) => {
    server.listen(port, "127.0.0.1", () => {
      ready({
        port: server.address().port,
        setRoot(dir) {
          base = path.resolve(dir);
          gzipCache.clear();
        },
        setThrottle(t) {
          throttle = t;
          linkFreeAt = 0;
        },
        take() {
          const l = log;
          log = [];
          return l;
        },
        /** Resolves once nothing has been in flight for `ms` milliseconds. */
        quiet(ms = 250) {
          return new Promise((done) => {
            const check = () => (inflight === 0 && Date.now() - lastActivity >= ms ? done() : setTimeout(check, 20));
            check();
          });
        },
        close() {
          server.closeAllConnections?.();
          return new Promise((done) => server.close(done));
        },
      });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir, port] = process.argv.slice(2);
  if (!dir) {
    console.error("usage: node server.mjs FOLDER [PORT]");
    process.exit(2);
  }
  const s = await serve(dir, { port: Number(port || 8000) });
  console.log(`serving ${dir} on http://127.0.0.1:${s.port}/`);
}
