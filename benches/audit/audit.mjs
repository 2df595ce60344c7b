// The audit driver (see README.md): serves a bimtek build like a real host (server.mjs), then runs
// Lighthouse, axe-core and the Nu HTML Checker over one regency site and prints what they found.
// run.sh builds the site and calls this; by hand:
//
//   node audit.mjs --site OUTPUT_FOLDER [--reports DIR] [--regency landak] [--runs N]
//                  [--date YYYY-MM-DD] [--no-lighthouse] [--no-axe] [--no-vnu] [--no-results-file] [PAGE...]
//
// PAGE is one of home, module, timeline, search, or a path inside the regency site
// ("kontak/", "cari/?q=tps"). --runs N runs Lighthouse N times a page and keeps the run of median
// performance score (Lighthouse's own advice against run-to-run noise). --date fixes the browser's
// clock for axe (09:00 WIB that day), so the timeline's past/today/next states of that day are
// checked; Lighthouse always runs on the real clock. Exit code: 0 clean, 1 when axe found a violation or vnu an error,
// 2 when a tool could not run. Lighthouse scores never change the exit code.
import { spawn, spawnSync, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { serve } from "./server.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const CHROME = process.env.CHROME_PATH || "/usr/bin/chromium";
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];
const SHORT = { performance: "perf", accessibility: "a11y", "best-practices": "bp", seo: "seo" };
const NAMED_PAGES = {
  home: "",
  module: "modul/pemungutan-suara-di-tps/",
  timeline: "jadwal/",
  search: "cari/?q=coblos",
};
// Lighthouse's mobile profile (Moto G Power), so axe sees the layout Lighthouse scores.
const MOBILE = {
  viewport: { width: 412, height: 823 },
  deviceScaleFactor: 1.75,
  isMobile: true,
  hasTouch: true,
};

// ---------------------------------------------------------------------------------------------
// Command line

function parseArgs(argv) {
  const opts = { site: null, reports: null, regency: "landak", runs: 1, date: null, lighthouse: true, axe: true, vnu: true, resultsFile: true, pages: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) die(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--site") opts.site = value();
    else if (a === "--reports") opts.reports = value();
    else if (a === "--regency") opts.regency = value();
    else if (a === "--date") {
      const v = value();
      opts.date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T09:00:00+07:00` : v);
      if (Number.isNaN(opts.date.getTime())) die(`--date: not a date: ${v}`);
    } else if (a === "--runs") {
      opts.runs = Number(value());
      if (!Number.isInteger(opts.runs) || opts.runs < 1 || opts.runs > 9) die("--runs takes 1 to 9");
    }
    else if (a === "--no-lighthouse") opts.lighthouse = false;
    else if (a === "--no-axe") opts.axe = false;
    else if (a === "--no-vnu") opts.vnu = false;
    else if (a === "--no-results-file") opts.resultsFile = false;
    else if (a === "-h" || a === "--help") {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith("//"))).map((l) => l.replace(/^\/\/ ?/, "")).join("\n"));
      process.exit(0);
    } else if (a.startsWith("--")) die(`unknown option ${a}`);
    else opts.pages.push(a);
  }
  if (!opts.site) die("--site OUTPUT_FOLDER is required (run.sh builds one)");
  if (!opts.pages.length) opts.pages = Object.keys(NAMED_PAGES);
  opts.pages = opts.pages.map((p) => {
    if (p in NAMED_PAGES) return { name: p, path: NAMED_PAGES[p] };
    const clean = p.replace(/^\/+/, "");
    return { name: clean || "home", path: clean };
  });
  // Every selected page must exist in the build (query strings aside).
  for (const p of opts.pages) {
    const file = path.join(opts.site, opts.regency, p.path.split("?")[0], p.path.split("?")[0].endsWith(".html") ? "" : "index.html");
    if (!fs.existsSync(file)) die(`page ${p.name}: no ${path.relative(opts.site, file)} in the build`);
  }
  opts.reports = opts.reports || fs.mkdtempSync(path.join(os.tmpdir(), "bimtek-audit-reports-"));
  fs.mkdirSync(opts.reports, { recursive: true });
  return opts;
}

function die(message) {
  console.error(`audit: ${message}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const clip = (s, n = 160) => {
  s = String(s ?? "").replace(/\s+/g, " ").trim();
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
};
const pad = (s, n) => String(s).padEnd(n);
function heading(text) {
  console.log("\n" + "=".repeat(100) + "\n" + text + "\n" + "=".repeat(100));
}
function runProcess(cmd, args, { env, quiet } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: env || process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => { stdout += d; });
    child.stderr.on("data", (d) => { stderr += d; if (!quiet) process.stderr.write(d); });
    child.on("error", (error) => resolve({ code: -1, stdout, stderr: stderr + String(error) }));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
function versionOf(pkg) {
  try {
    return require(`${pkg}/package.json`).version;
  } catch {
    return JSON.parse(fs.readFileSync(path.join(HERE, "node_modules", pkg, "package.json"), "utf8")).version;
  }
}
function commandVersion(cmd, args) {
  // `java -version` writes to stderr.
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return ((r.stdout || "") + (r.stderr || "")).trim().split("\n")[0] || `${cmd}: unknown version`;
}

// ---------------------------------------------------------------------------------------------
// Lighthouse

/** Short text for the first few items of an audit's details. */
function detailItems(audit, max = 6) {
  const d = audit.details;
  if (!d) return [];
  let items = [];
  if (d.type === "list") items = (d.items || []).flatMap((x) => x.items || [x]);
  else items = d.items || [];
  const lines = [];
  for (const item of items) {
    const parts = [];
    const node = item.node && item.node.type === "node" ? item.node : item.type === "node" ? item : null;
    if (node) {
      if (node.selector) parts.push(node.selector);
      if (node.snippet) parts.push(clip(node.snippet, 110));
      if (node.explanation) parts.push(clip(node.explanation.replace(/^Fix (any|all) of the following:\s*/i, ""), 200));
    }
    for (const key of ["source", "description", "directive", "severity", "label", "url", "issueType", "statistic"]) {
      const v = item[key];
      if (typeof v === "string" && v) parts.push(key === "description" ? clip(v, 200) : clip(v, 120));
      else if (v && typeof v === "object" && v.type === "source-location") parts.push(`${v.url}:${v.line + 1}:${v.column + 1}`);
      else if (v && typeof v === "object" && (v.type === "code" || v.type === "text") && v.value) parts.push(clip(v.value, 120));
    }
    if (item.sourceLocation && item.sourceLocation.url) parts.push(`${item.sourceLocation.url}:${item.sourceLocation.line + 1}`);
    if (typeof item.wastedBytes === "number") parts.push(`${Math.round(item.wastedBytes / 102.4) / 10} KiB wasted`);
    if (typeof item.wastedMs === "number") parts.push(`${Math.round(item.wastedMs)} ms wasted`);
    if (item.subItems && item.subItems.items) {
      for (const sub of item.subItems.items.slice(0, 3)) {
        const s = [sub.url, sub.text, sub.signal, sub.reason, sub.failureReason, sub.type, sub.violatedDirective, sub.blockedURL]
          .filter((v) => typeof v === "string" && v).join(" ");
        if (s) parts.push("[" + clip(s, 120) + "]");
      }
    }
    if (parts.length) lines.push(parts.join(" | "));
    if (lines.length >= max) break;
  }
  if (items.length > lines.length && lines.length) lines.push(`… ${items.length} items in all`);
  return lines;
}

/** Audits of the four categories that did not reach a score of 1, with their category and weight. */
function notPassed(lhr) {
  const out = [];
  const seen = new Set();
  for (const cat of CATEGORIES) {
    const category = lhr.categories[cat];
    if (!category) continue;
    for (const ref of category.auditRefs) {
      const a = lhr.audits[ref.id];
      if (!a || seen.has(a.id)) continue;
      const mode = a.scoreDisplayMode;
      let state = null;
      if (mode === "error") state = "ERROR";
      else if (["binary", "numeric", "metricSavings"].includes(mode) && a.score !== null && a.score < 1) {
        state = a.score < 0.9 ? "FAIL" : "below 1";
      }
      if (!state) continue;
      seen.add(a.id);
      out.push({ category: cat, weight: ref.weight, group: ref.group, state, id: a.id, title: a.title, score: a.score, audit: a });
    }
  }
  return out;
}

/** Informative best-practices audits that have something to say (not scored, shown for context). */
function informative(lhr) {
  const cat = lhr.categories["best-practices"];
  if (!cat) return [];
  return cat.auditRefs
    .map((r) => lhr.audits[r.id])
    .filter((a) => a && a.scoreDisplayMode === "informative" && a.details && (a.details.items || []).length);
}

async function runLighthouse(url, name, reports, run = 0) {
  const out = path.join(reports, `lighthouse-${name.replace(/[^a-z0-9-]+/gi, "_")}${run ? "-run" + run : ""}.json`);
  const cli = path.join(HERE, "node_modules", "lighthouse", "cli", "index.js");
  const args = [
    cli, url,
    "--output=json", `--output-path=${out}`,
    `--only-categories=${CATEGORIES.join(",")}`,
    "--chrome-flags=--headless --no-sandbox",
    "--quiet",
  ];
  const started = Date.now();
  const r = await runProcess(process.execPath, args, { env: { ...process.env, CHROME_PATH: CHROME } });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (!fs.existsSync(out)) return { error: `lighthouse exited ${r.code} and wrote no report: ${clip(r.stderr, 600)}`, file: out, seconds };
  let lhr;
  try {
    lhr = JSON.parse(fs.readFileSync(out, "utf8"));
  } catch (e) {
    return { error: `unreadable report ${out}: ${e.message}`, file: out, seconds };
  }
  const scores = {};
  for (const cat of CATEGORIES) {
    const s = lhr.categories[cat] && lhr.categories[cat].score;
    scores[cat] = s === null || s === undefined ? null : Math.round(s * 100);
  }
  return {
    file: out, seconds, lhr, scores,
    runtimeError: lhr.runtimeError ? `${lhr.runtimeError.code}: ${lhr.runtimeError.message}` : null,
    warnings: lhr.runWarnings || [],
    failing: notPassed(lhr),
    info: informative(lhr),
    version: lhr.lighthouseVersion,
    benchmarkIndex: lhr.environment && lhr.environment.benchmarkIndex,
  };
}

/** Runs Lighthouse `runs` times and keeps the run of median performance score. */
async function runLighthouseMedian(url, name, reports, runs) {
  if (runs === 1) return runLighthouse(url, name, reports);
  const all = [];
  for (let i = 1; i <= runs; i++) all.push(await runLighthouse(url, name, reports, i));
  const ok = all.filter((r) => !r.error && !r.runtimeError);
  if (!ok.length) return all[0];
  ok.sort((a, b) => (a.scores.performance ?? -1) - (b.scores.performance ?? -1));
  const median = ok[Math.floor((ok.length - 1) / 2)];
  median.allRuns = all.map((r) => (r.error || r.runtimeError ? "ERR" : r.scores.performance));
  return median;
}

function printLighthouse(page, r) {
  console.log(`\n--- Lighthouse: ${page.name} (${page.url}) — ${r.seconds} s, report ${r.file}`);
  if (r.error) {
    console.log(`  COULD NOT RUN: ${r.error}`);
    return;
  }
  if (r.runtimeError) console.log(`  RUNTIME ERROR: ${r.runtimeError}`);
  if (r.allRuns) console.log(`  performance of the ${r.allRuns.length} runs: ${r.allRuns.join(", ")}; this is the median run (${path.basename(r.file)})`);
  if (r.benchmarkIndex) console.log(`  Lighthouse's CPU benchmark index of this machine during the run: ${Math.round(r.benchmarkIndex)}`);
  for (const w of r.warnings) console.log(`  run warning: ${clip(w, 300)}`);
  console.log("  scores: " + CATEGORIES.map((c) => `${c} ${r.scores[c] ?? "n/a"}`).join(" · "));
  if (!r.failing.length) console.log("  every scored audit passed with score 1");
  for (const f of r.failing) {
    const a = f.audit;
    const score = a.score === null ? "n/a" : a.score.toFixed(2);
    console.log(`  ${pad(f.state, 7)} ${SHORT[f.category]} w=${f.weight} ${f.id} — ${a.title} (score ${score}${a.displayValue ? ", " + clip(a.displayValue, 60) : ""})`);
    if (a.explanation) console.log(`            ${clip(a.explanation, 300)}`);
    if (a.errorMessage) console.log(`            error: ${clip(a.errorMessage, 300)}`);
    for (const w of a.warnings || []) console.log(`            warning: ${clip(w, 200)}`);
    for (const line of detailItems(a)) console.log(`            · ${line}`);
  }
  if (r.info.length) {
    console.log("  informative best-practices audits (not scored):");
    for (const a of r.info) {
      console.log(`    info ${a.id} — ${a.title}`);
      for (const line of detailItems(a, 4)) console.log(`            · ${line}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// axe-core

async function runAxe(pages, origin, regency, reports, date) {
  const { chromium } = require("playwright-core");
  const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  const browser = await chromium.launch({ executablePath: CHROME, headless: true, args: ["--no-sandbox"] });
  const results = [];
  try {
    for (const page of pages) {
      for (const scheme of ["light", "dark"]) {
        const context = await browser.newContext({ ...MOBILE, colorScheme: scheme });
        if (date) await context.clock.setFixedTime(date);
        const tab = await context.newPage();
        const notes = [];
        tab.on("pageerror", (e) => notes.push(`page error: ${clip(e.message, 200)}`));
        tab.on("console", (m) => { if (m.type() === "error") notes.push(`console error: ${clip(m.text(), 200)}`); });
        const url = `${origin}/${regency}/${page.path}`;
        const entry = { page: page.name, url, scheme, violations: [], incomplete: [], notes, error: null };
        try {
          const response = await tab.goto(url, { waitUntil: "load" });
          if (!response || response.status() !== 200) notes.push(`HTTP ${response ? response.status() : "no response"}`);
          // The page's own deferred scripts have run at "load"; the search page fetches its index
          // afterwards, so wait for its results (search.js exposes the promise of the first search).
          if (page.path.startsWith("cari/")) {
            await tab.evaluate(() => window.bimtekSearchDone).catch(() => {});
            const state = await tab.evaluate(() => ({
              results: document.querySelectorAll("#hasil > li").length,
              status: (document.getElementById("status") || {}).textContent || "",
            }));
            entry.searchResults = state.results;
            if (!state.results && /[?&]q=/.test(page.path)) notes.push(`search showed no results (status: "${state.status}")`);
          }
          await tab.waitForTimeout(300);
          // Evaluated through DevTools, so the page's CSP (script-src 'self') does not block it, and
          // the page keeps running under its real policy.
          await tab.evaluate(axeSource);
          const r = await tab.evaluate(async () => {
            // eslint-disable-next-line no-undef
            const res = await axe.run(document, { resultTypes: ["violations", "incomplete"] });
            const slim = (list) => list.map((v) => ({
              id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, tags: v.tags,
              nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary, impact: n.impact,
                data: (n.any.concat(n.all, n.none).find((c) => c.data) || {}).data || null })),
            }));
            return { violations: slim(res.violations), incomplete: slim(res.incomplete), engine: res.testEngine.version };
          });
          entry.violations = r.violations;
          entry.incomplete = r.incomplete;
          entry.engine = r.engine;
        } catch (e) {
          entry.error = clip(e.message, 400);
        }
        results.push(entry);
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
  fs.writeFileSync(path.join(reports, "axe.json"), JSON.stringify(results, null, 2));
  return results;
}

function targetText(target) {
  return (target || []).map((t) => (Array.isArray(t) ? t.join(" >>> ") : t)).join(" ");
}

function printAxe(results) {
  for (const r of results) {
    console.log(`\n--- axe-core: ${r.page}, ${r.scheme} (${r.url})${r.searchResults !== undefined ? ` — ${r.searchResults} search results shown` : ""}`);
    if (r.error) console.log(`  COULD NOT RUN: ${r.error}`);
    for (const n of r.notes) console.log(`  note: ${n}`);
    if (!r.error && !r.violations.length) console.log("  no violations");
    for (const v of r.violations) {
      console.log(`  VIOLATION ${v.id} (${v.impact}) — ${v.help} — ${v.nodes.length} node(s)`);
      for (const n of v.nodes.slice(0, 8)) {
        const summary = clip((n.failureSummary || "").replace(/^Fix (any|all) of the following:\s*/i, ""), 240);
        console.log(`      ${targetText(n.target)} — ${summary}`);
      }
      if (v.nodes.length > 8) console.log(`      … ${v.nodes.length - 8} more`);
    }
    if (r.incomplete.length) {
      console.log(`  needs review (axe "incomplete", not a violation): ` +
        r.incomplete.map((v) => `${v.id} ×${v.nodes.length}`).join(", "));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Nu HTML Checker

function htmlFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...htmlFiles(p));
    else if (entry.name.endsWith(".html")) out.push(p);
  }
  return out.sort();
}

async function runVnu(site, regency, reports) {
  const jar = path.join(HERE, "node_modules", "vnu-jar", "build", "dist", "vnu.jar");
  const files = [path.join(site, "index.html"), path.join(site, "404.html"), ...htmlFiles(path.join(site, regency))]
    .filter((f) => fs.existsSync(f));
  const r = await runProcess("java", ["-jar", jar, "--errors-only", "--format", "json", ...files], { quiet: true });
  let messages;
  try {
    messages = JSON.parse(r.stderr || r.stdout).messages;
  } catch {
    return { error: `vnu exited ${r.code}: ${clip(r.stderr || r.stdout, 600)}`, files };
  }
  fs.writeFileSync(path.join(reports, "vnu.json"), JSON.stringify(messages, null, 2));
  const errors = messages
    .filter((m) => m.type === "error" || (m.type === "non-document-error"))
    .map((m) => ({
      file: m.url ? path.relative(site, fileURLToPath(m.url.replace(/^file:(?!\/\/)/, "file://"))) : "?",
      line: m.lastLine, column: m.firstColumn ?? m.lastColumn, message: m.message, extract: m.extract, type: m.type,
    }));
  return { errors, files };
}

function printVnu(v, site) {
  console.log(`\n--- Nu HTML Checker over ${v.files.length} files (${v.files.map((f) => path.relative(site, f)).slice(0, 3).join(", ")}, …)`);
  if (v.error) {
    console.log(`  COULD NOT RUN: ${v.error}`);
    return;
  }
  if (!v.errors.length) {
    console.log("  no errors");
    return;
  }
  const byMessage = new Map();
  for (const e of v.errors) {
    if (!byMessage.has(e.message)) byMessage.set(e.message, []);
    byMessage.get(e.message).push(e);
  }
  for (const [message, list] of byMessage) {
    console.log(`  ERROR ×${list.length}: ${message}`);
    for (const e of list.slice(0, 12)) {
      console.log(`      ${e.file}:${e.line}:${e.column}  ${clip(e.extract, 110)}`);
    }
    if (list.length > 12) console.log(`      … ${list.length - 12} more`);
  }
}

// ---------------------------------------------------------------------------------------------
// Summary

function pageFile(page) {
  const p = page.path.split("?")[0];
  return path.join(p, p.endsWith(".html") ? "" : "index.html");
}

function summaryTable(opts, pages, lh, axe, vnu) {
  const rows = [];
  rows.push(["page", "perf", "a11y", "bp", "seo", "LH audits < 1 (those that cost points)", "axe light", "axe dark", "vnu errors"]);
  for (const page of pages) {
    const l = lh && lh.get(page.name);
    const score = (c) => (!l ? "–" : l.error ? "ERR" : l.scores[c] ?? "n/a");
    const weighted = l && !l.error ? l.failing.filter((f) => f.weight > 0).map((f) => f.id) : [];
    const failing = !l ? "–" : l.error ? "ERR" : `${l.failing.length}` + (weighted.length ? ` (${weighted.join(", ")})` : "");
    const axeCell = (scheme) => {
      if (!axe) return "–";
      const r = axe.find((x) => x.page === page.name && x.scheme === scheme);
      if (!r) return "–";
      if (r.error) return "ERR";
      return r.violations.length ? r.violations.map((v) => `${v.id}×${v.nodes.length}`).join(", ") : "0";
    };
    const file = path.join(opts.regency, pageFile(page));
    const vnuCell = !vnu ? "–" : vnu.error ? "ERR" : String(vnu.errors.filter((e) => e.file === file).length);
    rows.push([`${page.name} (${page.path || "/"})`, score("performance"), score("accessibility"), score("best-practices"), score("seo"), failing, axeCell("light"), axeCell("dark"), vnuCell]);
  }
  if (vnu && !vnu.error) {
    const files = new Set(vnu.errors.map((e) => e.file)).size;
    rows.push([`all ${vnu.files.length} HTML files`, "", "", "", "", "", "", "", `${vnu.errors.length} in ${files} file(s)`]);
  }
  return rows;
}

function markdownTable(rows) {
  const esc = (c) => String(c).replace(/\|/g, "\\|");
  return [
    "| " + rows[0].map(esc).join(" | ") + " |",
    "| " + rows[0].map(() => "---").join(" | ") + " |",
    ...rows.slice(1).map((r) => "| " + r.map(esc).join(" | ") + " |"),
  ].join("\n");
}

function textTable(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join("  ");
  return [line(rows[0]), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const loadAtStart = os.loadavg()[0];
  const server = await serve(opts.site);
  console.log(`serving ${opts.site} at ${server.origin}/ with ${server.rules.length} _headers rules; reports in ${opts.reports}`);
  const pages = opts.pages.map((p) => ({ ...p, url: `${server.origin}/${opts.regency}/${p.path}` }));
  let toolFailed = false;

  let lh = null;
  if (opts.lighthouse) {
    heading(`Lighthouse ${versionOf("lighthouse")} — mobile, ${CATEGORIES.join(", ")}${opts.runs > 1 ? `, median of ${opts.runs} runs` : ""}`);
    const [load] = os.loadavg();
    const cores = os.cpus().length;
    console.log(`load average ${load.toFixed(2)} on ${cores} cores` + (load > cores * 0.75
      ? " — WARNING: the machine is busy; performance scores (TBT, CLS, speed index) will be noisy, re-run on an idle machine"
      : ""));
    lh = new Map();
    for (const page of pages) {
      const r = await runLighthouseMedian(page.url, page.name, opts.reports, opts.runs);
      lh.set(page.name, r);
      if (r.error || r.runtimeError) toolFailed = true;
      printLighthouse(page, r);
    }
  }

  let axe = null;
  if (opts.axe) {
    heading(`axe-core ${versionOf("axe-core")} in Chromium (playwright-core ${versionOf("playwright-core")}), mobile viewport, light and dark`);
    try {
      if (opts.date) console.log(`browser clock fixed at ${opts.date.toISOString()} (--date)`);
      axe = await runAxe(pages, server.origin, opts.regency, opts.reports, opts.date);
      printAxe(axe);
      if (axe.some((r) => r.error)) toolFailed = true;
    } catch (e) {
      console.log(`  COULD NOT RUN axe: ${e.message}`);
      axe = null;
      toolFailed = true;
    }
  }

  let vnu = null;
  if (opts.vnu) {
    heading(`Nu HTML Checker ${versionOf("vnu-jar")} (--errors-only)`);
    vnu = await runVnu(opts.site, opts.regency, opts.reports);
    if (vnu.error) toolFailed = true;
    printVnu(vnu, opts.site);
  }
  await server.close();

  const axeViolations = axe ? axe.reduce((n, r) => n + r.violations.length, 0) : 0;
  const vnuErrors = vnu && vnu.errors ? vnu.errors.length : 0;
  const rows = summaryTable(opts, pages, lh, axe, vnu);
  const vnuLine = vnu
    ? vnu.error ? "vnu: could not run" : `vnu: ${vnuErrors} error(s) in ${new Set(vnu.errors.map((e) => e.file)).size} of ${vnu.files.length} files checked`
    : "vnu: not run";
  const axeLine = axe ? `axe: ${axeViolations} violation(s) (rule × page × colour scheme)` : "axe: not run";

  heading("Summary");
  console.log(textTable(rows));
  console.log(`\n${axeLine}; ${vnuLine}`);
  console.log(`reports: ${opts.reports}`);

  if (opts.resultsFile) {
    const chromium = commandVersion(CHROME, ["--version"]).replace(/\s+built on.*$/, "");
    const java = commandVersion("java", ["-version"]);
    let commit = "unknown";
    try {
      commit = execFileSync("git", ["-C", HERE, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
      const dirty = execFileSync("git", ["-C", HERE, "status", "--porcelain", "--", "../../src", "../../themes", "../../content"], { encoding: "utf8" }).trim();
      if (dirty) commit += " + uncommitted changes to src/, themes/ or content/";
    } catch { /* not a git checkout */ }
    const lines = [
      "# Audit results",
      "",
      "Written by `benches/audit/run.sh` (see README.md); a benchmark, not a test. Re-run to refresh.",
      "",
      `- Date: ${new Date().toISOString().replace(/\.\d+Z$/, "Z")}`,
      `- bimtek: ${commit}; regency ${opts.regency}; pages ${pages.map((p) => p.path || "/").join(", ")}`,
      `- Lighthouse ${versionOf("lighthouse")} (mobile, simulated throttling), axe-core ${versionOf("axe-core")} via playwright-core ${versionOf("playwright-core")}, vnu ${versionOf("vnu-jar")}`,
      `- ${chromium}; Node ${process.version}; ${java}`,
      `- Lighthouse runs per page: ${opts.runs}${opts.runs > 1 ? " (median performance kept)" : ""}; load average at start ${loadAtStart.toFixed(2)} on ${os.cpus().length} cores` +
        (loadAtStart > os.cpus().length * 0.75 ? " (busy: performance scores are noisy)" : ""),
      opts.date
        ? `- axe ran with the browser clock fixed at ${opts.date.toISOString()} (\`--date\`): the timeline's past/today/next states are those of that moment.`
        : "- The timeline marks events past, today or next by the machine's clock (the date above), so colour contrast of those states depends on the day of the run (`--date` fixes it for axe).",
      "",
      markdownTable(rows),
      "",
      `${axeLine}; ${vnuLine}.`,
      "",
    ];
    if (lh) {
      lines.push("## Lighthouse audits below 1", "");
      for (const page of pages) {
        const r = lh.get(page.name);
        if (!r || r.error) { lines.push(`- ${page.name}: could not run`); continue; }
        lines.push(`- ${page.name}: ` + (r.failing.length
          ? r.failing.map((f) => `\`${f.id}\` (${SHORT[f.category]}, ${f.audit.score === null ? "error" : f.audit.score.toFixed(2)})`).join(", ")
          : "none"));
      }
      lines.push("");
    }
    if (axe) {
      lines.push("## axe-core violations", "");
      const any = axe.filter((r) => r.violations.length || r.error);
      if (!any.length) lines.push("None.");
      for (const r of any) {
        lines.push(`- ${r.page}, ${r.scheme}: ` + (r.error ? "could not run" : r.violations.map((v) => `\`${v.id}\` (${v.impact}) ×${v.nodes.length}: ${v.nodes.map((n) => "`" + targetText(n.target) + "`").slice(0, 2).join(" ")}${v.nodes.length > 2 ? " …" : ""}`).join("; ")));
      }
      lines.push("");
    }
    if (vnu) {
      lines.push("## Nu HTML Checker errors", "");
      if (vnu.error) lines.push("Could not run.");
      else if (!vnu.errors.length) lines.push("None.");
      else {
        const byMessage = new Map();
        for (const e of vnu.errors) byMessage.set(e.message, (byMessage.get(e.message) || new Set()).add(e.file));
        for (const [message, files] of byMessage) lines.push(`- ${message} — ${[...files].slice(0, 5).join(", ")}${files.size > 5 ? `, … (${files.size} files)` : ""}`);
      }
      lines.push("");
    }
    fs.writeFileSync(path.join(HERE, "RESULTS.md"), lines.join("\n"));
    console.log(`written: ${path.relative(process.cwd(), path.join(HERE, "RESULTS.md")) || "RESULTS.md"}`);
  }

  if (toolFailed) {
    console.log("\nexit 2: a tool could not run (see above)");
    process.exit(2);
  }
  if (axeViolations || vnuErrors) {
    console.log(`\nexit 1: ${axeViolations} axe violation(s), ${vnuErrors} vnu error(s)`);
    process.exit(1);
  }
  console.log("\nexit 0: no axe violation, no vnu error");
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(2);
});
