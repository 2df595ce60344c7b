// Driver of the search benchmark (run it through run.sh, which builds the sites and runs Pagefind).
//
//   node bench.mjs --site NAME=FOLDER [--site NAME=FOLDER]... [--quality NAME] [--queries queries.tsv]
//                  [--runs 7] [--first "surat suara rusak"] [--second netralitas] [--out RESULTS.md]
//                  [--verbose] [--chromium /usr/bin/chromium] [--note TEXT]... [--limit N]
// (--limit: only the first N queries, for a quick check of the script itself.)
//
// Each FOLDER is one regency site in which Pagefind has already written `pagefind/` (whole site)
// and `pagefind-modul/` (module pages only). For each site and engine it measures, over a local
// server (server.mjs) with gzip, in headless Chromium driven by playwright-core:
//   - index bytes on disk;
//   - bytes downloaded for a first query (fresh browser context: cold cache, navigation to the
//     search page with ?q=) and a second, different query typed into the same page afterwards;
//   - time to first result: for the first query, from navigation start to the first
//     <li class="result"> in the page; for the second, from the `input` event to the first new one;
//   - with --quality NAME, hit@1, hit@3 and MRR@5 on that site for every query of queries.tsv.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve, unpackedSize } from "./server.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------- arguments
const args = { sites: [], runs: 7, first: "surat suara rusak", second: "netralitas", verbose: false, notes: [] };
args.queries = path.join(HERE, "queries.tsv");
args.chromium = "/usr/bin/chromium";
{
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    const v = () => a[++i];
    switch (a[i]) {
      case "--site": {
        const [name, dir] = v().split(/=(.*)/s);
        args.sites.push({ name, dir: path.resolve(dir) });
        break;
      }
      case "--quality": args.quality = v(); break;
      case "--queries": args.queries = v(); break;
      case "--runs": args.runs = Number(v()); break;
      case "--first": args.first = v(); break;
      case "--second": args.second = v(); break;
      case "--out": args.out = v(); break;
      case "--chromium": args.chromium = v(); break;
      case "--note": args.notes.push(v()); break;
      case "--limit": args.limit = Number(v()); break;
      case "--verbose": case "-v": args.verbose = true; break;
      default:
        console.error(`unknown argument ${a[i]}`);
        process.exit(2);
    }
  }
  if (!args.sites.length) {
    console.error("usage: node bench.mjs --site NAME=FOLDER [...] (see the top of bench.mjs)");
    process.exit(2);
  }
}

// ---------------------------------------------------------------- engines
// Each engine: its search page in the site, and the promise its script resolves when the results
// of the URL's query are in the page.
const ENGINES = [
  {
    id: "bimtek", label: "bimtek", page: "/cari/", done: "bimtekSearchDone",
    // Its two scripts, its index and the result pages it takes snippets from; not the search
    // page, the CSS, the icons, offline.js and the like.
    counts: (p) => p === "/assets/stem.js" || p === "/assets/search.js" || (p.startsWith("/cari/") && !/(\/|\.html)$/.test(p)) ||
      /^\/(modul\/[^/]+|jadwal|kontak)\/$/.test(p),
  },
  {
    id: "pagefind", label: "Pagefind", page: "/pf-cari/", done: "pfSearchDone", bundle: "/pagefind",
    counts: (p) => p === "/pf-cari/pf-search.js" || p.startsWith("/pagefind/"),
  },
  {
    id: "pagefind-modul", label: "Pagefind, modul/ only", page: "/pf-modul-cari/", done: "pfSearchDone", bundle: "/pagefind-modul",
    counts: (p) => p === "/pf-modul-cari/pf-search.js" || p.startsWith("/pagefind-modul/"),
  },
];

/** Writes the Pagefind test pages: bimtek's own search page with bimtek's scripts swapped out. */
function writePagefindPages(dir) {
  const html = fs.readFileSync(path.join(dir, "cari/index.html"), "utf8");
  const scripts = /<script[^>]*stem\.js[^>]*><\/script>\s*<script[^>]*search\.js[^>]*><\/script>/;
  if (!scripts.test(html)) throw new Error(`${dir}/cari/index.html: cannot find bimtek's two script tags to replace`);
  const template = fs.readFileSync(path.join(HERE, "pagefind-page.js"), "utf8");
  for (const e of ENGINES.filter((e) => e.bundle)) {
    if (!fs.existsSync(path.join(dir, e.bundle, "pagefind.js"))) throw new Error(`${dir}${e.bundle}: no Pagefind bundle; run pagefind first`);
    const out = path.join(dir, e.page);
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, "index.html"), html.replace(scripts, "<script type=module src=pf-search.js></script>"));
    fs.writeFileSync(path.join(out, "pf-search.js"), template.replaceAll("__BUNDLE__", e.bundle));
  }
}

// ---------------------------------------------------------------- disk
function walk(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out.sort();
}

function diskStats(files) {
  let raw = 0, gz = 0;
  for (const f of files) {
    const b = fs.readFileSync(f);
    raw += b.length;
    // What static hosting would send: gzip for text types, other files (Pagefind's, gzipped already) as they are.
    gz += /\.(json|js|css|html|wasm|svg)$/.test(f) ? zlib.gzipSync(b, { level: 6 }).length : b.length;
  }
  return { files: files.length, raw, gz };
}

function indexOnDisk(dir, engine) {
  if (engine.id === "bimtek") {
    const files = walk(path.join(dir, "cari")).filter((f) => f !== path.join(dir, "cari/index.html"));
    return { all: diskStats(files) };
  }
  const files = walk(path.join(dir, engine.bundle));
  // What the JS API can fetch: not the UI bundles, not the wasm of other languages.
  const language = JSON.parse(fs.readFileSync(path.join(dir, engine.bundle, "pagefind-entry.json"), "utf8")).languages;
  const wasms = new Set(Object.values(language).map((l) => `wasm.${l.wasm}.pagefind`));
  const api = files.filter((f) => {
    const b = path.basename(f);
    if (/ui\.(js|css)$|highlight\.js$/.test(b)) return false;
    if (/^wasm\..*\.pagefind$/.test(b)) return wasms.has(b);
    return true;
  });
  return { all: diskStats(files), api: diskStats(api) };
}

// ---------------------------------------------------------------- browser
const OBSERVER = `
  window.__resultTimes = [];
  new MutationObserver((mutations) => {
    for (const m of mutations) for (const n of m.addedNodes)
      if (n.nodeType === 1 && n.matches("li.result")) window.__resultTimes.push(performance.now());
  }).observe(document, { childList: true, subtree: true });
`;

function sum(rs) {
  return {
    requests: rs.length,
    sent: rs.reduce((s, r) => s + r.sent, 0),
    decoded: rs.reduce((s, r) => s + r.raw, 0),
    unpacked: rs.reduce((s, r) => s + r.unpacked, 0),
    list: rs,
  };
}

function slugOf(href) {
  const parts = new URL(href).pathname.split("/").filter(Boolean);
  if (parts[0] === "modul") return parts[1];
  if (parts[0] === "peran" || parts[0] === "topik") return parts.slice(0, 2).join("/");
  return parts[0] || "beranda";
}

/**
 * One measurement in a fresh context: load the search page with ?q=first, then type `second`.
 * Returns bytes, times and the result URLs of both queries.
 */
async function measure(browser, server, engine, first, second, extra = "", serviceWorkers = "block") {
  // Service workers blocked: bimtek's offline worker would otherwise precache the whole site on
  // the first visit (measured on its own, see main) and answer later fetches from its cache.
  const context = await browser.newContext({ serviceWorkers });
  const page = await context.newPage();
  await page.addInitScript(OBSERVER);
  await server.quiet(50);
  server.take();
  await page.goto(`http://127.0.0.1:${server.port}${engine.page}?q=${encodeURIComponent(first)}${extra}`);
  await page.waitForFunction((name) => window[name], engine.done);
  await page.evaluate((name) => window[name], engine.done);
  const t1 = await page.evaluate(() => ({ first: window.__resultTimes[0] ?? null, done: performance.now() }));
  const results1 = await page.$$eval("#hasil li.result > a", (as) => as.map((a) => a.href));
  await server.quiet(serviceWorkers === "block" ? 150 : 1500);
  const log1 = server.take();
  let t2 = null, results2 = [], log2 = [];
  if (second !== undefined) {
    t2 = await page.evaluate(async (q) => {
      const input = document.querySelector("#q");
      const list = document.getElementById("hasil");
      const mark = window.__resultTimes.length;
      const start = performance.now();
      const finished = new Promise((resolve) => {
        const obs = new MutationObserver(() => {
          if (list.getAttribute("aria-busy") === "false") {
            obs.disconnect();
            resolve();
          }
        });
        obs.observe(list, { attributes: true, attributeFilter: ["aria-busy"] });
      });
      input.value = q;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      await finished;
      const end = performance.now();
      const first = window.__resultTimes[mark];
      return { first: first === undefined ? null : first - start, done: end - start };
    }, second);
    results2 = await page.$$eval("#hasil li.result > a", (as) => as.map((a) => a.href));
    await server.quiet(150);
    log2 = server.take();
  }
  await context.close();
  return {
    first: { bytes: sum(log1.filter((r) => engine.counts(r.path))), all: log1, time: t1, results: results1 },
    second: second === undefined ? null : { bytes: sum(log2.filter((r) => engine.counts(r.path))), time: t2, results: results2 },
  };
}

// ---------------------------------------------------------------- quality
function readQueries(file) {
  const rows = [];
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line.trim() || line.startsWith("#")) continue;
    const [query, expected, kind, note] = line.split("\t");
    if (query === "query") continue;
    rows.push({ query, expected: expected.split(",").map((s) => s.trim()), kind, note: note || "" });
  }
  return rows;
}

function score(slugs, expected) {
  const ok = slugs.map((s) => expected.includes(s));
  const rank = ok.slice(0, 5).indexOf(true);
  return { hit1: ok[0] ? 1 : 0, hit3: ok.slice(0, 3).some(Boolean) ? 1 : 0, rr5: rank < 0 ? 0 : 1 / (rank + 1) };
}

// ---------------------------------------------------------------- formatting
const kb = (n) => (n / 1024).toFixed(1);
const ms = (n) => (n === null || n === undefined ? "–" : n.toFixed(0));
const median = (xs) => {
  const v = xs.filter((x) => x !== null && x !== undefined).sort((a, b) => a - b);
  if (!v.length) return null;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
function table(head, rows) {
  const lines = [`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i ? "---:" : "---")).join("|")}|`];
  for (const r of rows) lines.push(`| ${r.join(" | ")} |`);
  return lines.join("\n");
}
const short = (slug) => (slug.includes("/") ? slug : slug.split("-")[0]);

// ---------------------------------------------------------------- main
const THROTTLE = { rttMs: 300, bytesPerSecond: 1_600_000 / 8, label: "300 ms round trip, 1.6 Mbit/s down" };

async function main() {
  const queries = readQueries(args.queries).slice(0, args.limit || Infinity);
  const browser = await chromium.launch({ executablePath: args.chromium, headless: true });
  const server = await serve(args.sites[0].dir);
  const report = [];
  const out = (s = "") => {
    report.push(s);
    console.log(s);
  };
  const results = {};
  for (const site of args.sites) {
    writePagefindPages(site.dir);
    server.setRoot(site.dir);
    const r = (results[site.name] = { engines: {} });
    // Outside the comparison: what a first visit downloads when bimtek's offline service worker
    // is allowed to run (it precaches the regency site in the background).
    {
      const m = await measure(browser, server, ENGINES[0], args.first, undefined, "", "allow");
      r.offline = { requests: m.first.all.length, sent: m.first.all.reduce((s, x) => s + x.sent, 0) };
    }
    for (const engine of ENGINES) {
      process.stderr.write(`${site.name} / ${engine.label}: `);
      const e = (r.engines[engine.id] = { disk: indexOnDisk(site.dir, engine) });
      // Warm-up (not recorded): the first page load of a browser pays for its own start.
      await measure(browser, server, engine, args.first, args.second);
      // Headline pair, several fresh contexts, unthrottled then throttled.
      e.pair = [];
      for (let i = 0; i < args.runs; i++) e.pair.push(await measure(browser, server, engine, args.first, args.second));
      server.setThrottle(THROTTLE);
      e.slow = [];
      for (let i = 0; i < Math.min(args.runs, 5); i++) e.slow.push(await measure(browser, server, engine, args.first, args.second));
      server.setThrottle(null);
      if (engine.bundle) e.top5 = await measure(browser, server, engine, args.first, args.second, "&n=5");
      // Every query of the list as a first query (cold), each followed by the next one typed.
      e.each = [];
      for (let i = 0; i < queries.length; i++) {
        const next = queries[(i + 1) % queries.length].query;
        e.each.push(await measure(browser, server, engine, queries[i].query, next));
        if (i % 10 === 9) process.stderr.write(".");
      }
      process.stderr.write(" done\n");
    }
  }
  await browser.close().catch(() => {});
  const chromeVersion = execFileSync(args.chromium, ["--version"], { encoding: "utf8" }).trim();
  await server.close();

  // ------------------------------------------------------------ report
  const version = (p) => JSON.parse(fs.readFileSync(path.join(HERE, "node_modules", p, "package.json"), "utf8")).version;
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["-C", HERE, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["-C", HERE, "status", "--porcelain", "--", "../../src", "../../themes"], { encoding: "utf8" }).trim();
    if (dirty) commit += " + uncommitted changes in src/ or themes/";
  } catch {}
  out("# bimtek search vs Pagefind");
  out();
  out("Written by `run.sh`; what each number means is in README.md beside this file.");
  out();
  out(`Run ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ` +
    `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; bimtek ${commit}, Pagefind ${version("pagefind")}, playwright-core ${version("playwright-core")}, ` +
    `${chromeVersion} headless, Node ${process.version}.`);
  for (const n of args.notes) out(n);
  out();
  out(`Headline pair: first query \`${args.first}\` (cold: fresh browser context, navigation to the search page with ?q=), ` +
    `then \`${args.second}\` typed into the same page. Times are medians of ${args.runs} runs (throttled: ${Math.min(args.runs, 5)} runs). ` +
    `"All queries" columns: each of the ${queries.length} queries of queries.tsv as a cold first query, each followed by the next one typed.`);
  out();
  const bytesRows = [], timeRows = [];
  for (const site of args.sites) {
    for (const engine of ENGINES) {
      const e = results[site.name].engines[engine.id];
      const d = e.disk;
      const p = e.pair[0];
      const varied = e.pair.some((m) => m.first.bytes.sent !== p.first.bytes.sent || m.second.bytes.sent !== p.second.bytes.sent);
      const med = (runs, f) => median(runs.map(f));
      const name = `${site.name}: ${engine.label}`;
      bytesRows.push([
        name,
        `${d.all.files} / ${kb(d.all.raw)} / ${kb(d.all.gz)}`,
        d.api ? `${d.api.files} / ${kb(d.api.raw)} / ${kb(d.api.gz)}` : "(same)",
        `${p.first.bytes.requests} / **${kb(p.first.bytes.sent)}** / ${kb(p.first.bytes.unpacked)}${varied ? " (varies)" : ""}`,
        `${p.second.bytes.requests} / **${kb(p.second.bytes.sent)}** / ${kb(p.second.bytes.unpacked)}`,
        `${kb(median(e.each.map((m) => m.first.bytes.sent)))} / ${kb(Math.max(...e.each.map((m) => m.first.bytes.sent)))}`,
        `${kb(median(e.each.map((m) => m.second.bytes.sent)))} / ${kb(Math.max(...e.each.map((m) => m.second.bytes.sent)))}`,
      ]);
      timeRows.push([
        name,
        `**${ms(med(e.pair, (m) => m.first.time.first))}**`,
        ms(med(e.pair, (m) => m.second.time.first ?? m.second.time.done)),
        ms(med(e.slow, (m) => m.first.time.first)),
        ms(med(e.slow, (m) => m.second.time.first ?? m.second.time.done)),
        ms(median(e.each.map((m) => m.first.time.first))),
        ms(median(e.each.map((m) => m.second.time.first ?? m.second.time.done))),
      ]);
    }
  }
  out("### Bytes (KiB = 1,024 bytes)");
  out();
  out(table([
    "site: engine",
    "index on disk: files / KiB / KiB gzip",
    "of which the JS API can fetch",
    `1st query: requests / KiB sent / KiB unpacked`,
    `2nd query: requests / KiB sent / KiB unpacked`,
    `all queries as 1st: KiB sent, median / max`,
    `all as 2nd: median / max`,
  ], bytesRows));
  out();
  out("### Time to first result (ms)");
  out();
  out(table([
    "site: engine",
    `1st query (median of ${args.runs})`,
    "2nd query",
    `slow link: 1st (median of ${Math.min(args.runs, 5)})`,
    "slow link: 2nd",
    "all queries as 1st: median",
    "all as 2nd: median",
  ], timeRows));
  out();
  const top5 = [];
  for (const site of args.sites) {
    for (const engine of ENGINES.filter((e) => e.bundle)) {
      const m = results[site.name].engines[engine.id].top5;
      top5.push([`${site.name}: ${engine.label}`, `${m.first.bytes.requests} / ${kb(m.first.bytes.sent)}`, `${m.second.bytes.requests} / ${kb(m.second.bytes.sent)}`]);
    }
  }
  out("Pagefind fetching data (fragments) for its top 5 results only, as its default UI does at first (bimtek always shows 20):");
  out();
  out(table(["site: engine", "1st query: req / KiB sent", "2nd query: req / KiB sent"], top5));
  out();
  for (const site of args.sites) {
    const o = results[site.name].offline;
    if (o) out(`Not in the table: with service workers allowed, the first visit to ${site.name}'s search page also downloads ${o.requests} files, ${kb(o.sent)} KiB sent, as bimtek's offline worker (sw.js) precaches the site; all measurements above block service workers.`);
  }
  out();
  out(`Slow link: every response waits one round trip, then all bodies share one downlink (${THROTTLE.label}), simulated by the server.`);
  out();

  if (args.quality && results[args.quality]) {
    const r = results[args.quality];
    const perEngine = {};
    for (const engine of ENGINES) {
      const rows = r.engines[engine.id].each.map((m, i) => {
        const slugs = m.first.results.map(slugOf);
        return { slugs, ...score(slugs, queries[i].expected) };
      });
      perEngine[engine.id] = rows;
    }
    out(`## Result quality on ${args.quality} (${queries.length} queries of queries.tsv)`);
    out();
    const avg = (xs) => (xs.reduce((s, x) => s + x, 0) / xs.length).toFixed(3);
    // Sensitivity, not the score: the same, had every schedule result (`jadwal`) been accepted.
    const lenient = (e) => r.engines[e.id].each.map((m, i) => score(m.first.results.map(slugOf), [...queries[i].expected, "jadwal"]));
    out(table(["engine", "hit@1", "hit@3", "MRR@5", "queries with no result", "hit@1 / MRR@5 if any `jadwal` result counted"],
      ENGINES.map((e) => {
        const rs = perEngine[e.id];
        const l = lenient(e);
        return [e.label, avg(rs.map((x) => x.hit1)), avg(rs.map((x) => x.hit3)), avg(rs.map((x) => x.rr5)),
          String(rs.filter((x) => !x.slugs.length).length), `${avg(l.map((x) => x.hit1))} / ${avg(l.map((x) => x.rr5))}`];
      })));
    out();
    out("Top 3 results of each query, by module (first word of the slug; `jadwal`, `peran/…`, `topik/…`, `beranda` for other pages); ✓ = a correct answer.");
    out();
    const cell = (rs, expected) => rs.slugs.slice(0, 3).map((s) => short(s) + (expected.includes(s) ? "✓" : "")).join(", ") || "(none)";
    out(table(["query", "correct", ...ENGINES.map((e) => e.label)],
      queries.map((q, i) => [`\`${q.query}\``, q.expected.map(short).join(", "), ...ENGINES.map((e) => cell(perEngine[e.id][i], q.expected))])));
    out();
  }

  if (args.verbose) {
    out("## What the first query of the headline pair fetched");
    for (const site of args.sites) {
      for (const engine of ENGINES) {
        const m = results[site.name].engines[engine.id].pair[0];
        out();
        out(`${site.name}: ${engine.label}, \`${args.first}\` (every response; [not counted] = not the engine's own files: the page, CSS, icons, offline.js)`);
        out();
        out("```");
        const counted = new Set(m.first.bytes.list);
        for (const x of m.first.all) {
          out(`${String(x.status).padEnd(4)}${String(x.sent).padStart(9)} B sent ${String(x.raw).padStart(9)} B file${x.unpacked !== x.raw ? ` (${x.unpacked} unpacked)` : ""}  ${x.path}${counted.has(x) ? "" : "  [not counted]"}`);
        }
        out("```");
        out();
        out(`second query \`${args.second}\`:`);
        out("```");
        for (const x of results[site.name].engines[engine.id].pair[0].second.bytes.list) {
          out(`${String(x.status).padEnd(4)}${String(x.sent).padStart(9)} B sent ${String(x.raw).padStart(9)} B file  ${x.path}`);
        }
        out("```");
      }
    }
  }
  if (args.out) fs.writeFileSync(args.out, report.join("\n") + "\n");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
