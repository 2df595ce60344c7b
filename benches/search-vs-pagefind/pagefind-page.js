// The Pagefind side of the benchmark: bimtek's own search page (same HTML, same CSS, same form),
// with bimtek's scripts replaced by this one, which uses Pagefind's standard JS API:
// `await import("<bundle>/pagefind.js")`, `pagefind.search(q)`, then `await r.data()` for the top
// results. Like bimtek's search.js it reads ?q= at load, searches again on every `input` event,
// renders <ol id="hasil"><li class="result"><a href=URL>Title</a><p class="result-snippet">…,
// marks the list aria-busy while it works, and exposes `window.pfSearchDone` (a Promise resolved
// once the results of the URL's query are in the page). `?n=` sets how many results get their
// data (fragments) fetched and shown; the default, 20, is what bimtek shows.
// The benchmark writes it to <site>/pf-cari/ with __BUNDLE__ replaced by the bundle's path.
const BUNDLE = "__BUNDLE__";
const form = document.querySelector(".search-form");
const input = form.querySelector("#q");
const list = document.getElementById("hasil");
const status = document.getElementById("status");
const fallback = document.getElementById("tanpa-js");
if (fallback) fallback.hidden = true;
const params = new URLSearchParams(location.search);
const shown = Number(params.get("n") || 20);

let pagefind = null;
async function engine() {
  if (!pagefind) {
    pagefind = await import(`${BUNDLE}/pagefind.js`);
    await pagefind.options({ excerptLength: 30 });
  }
  return pagefind;
}

let latest = 0;
async function run(query) {
  const ticket = ++latest;
  list.setAttribute("aria-busy", "true");
  try {
    const pf = await engine();
    const search = query.trim() ? await pf.search(query) : { results: [] };
    const data = await Promise.all(search.results.slice(0, shown).map((r) => r.data()));
    if (ticket !== latest) return;
    list.textContent = "";
    for (const d of data) {
      const li = document.createElement("li");
      li.className = "result";
      const a = document.createElement("a");
      a.href = d.url;
      a.textContent = (d.meta && d.meta.title) || d.url;
      li.appendChild(a);
      const p = document.createElement("p");
      p.className = "result-snippet";
      p.innerHTML = d.excerpt; // Pagefind's excerpt: escaped text with <mark> around the hits
      li.appendChild(p);
      list.appendChild(li);
    }
    status.textContent = data.length
      ? `${search.results.length} ${status.getAttribute("data-results")}`
      : query.trim()
        ? status.getAttribute("data-no-results")
        : "";
  } catch (e) {
    if (ticket === latest) status.textContent = String(e);
  } finally {
    if (ticket === latest) list.setAttribute("aria-busy", "false");
  }
}

input.value = params.get("q") || "";
form.addEventListener("submit", (e) => {
  e.preventDefault();
  run(input.value);
});
input.addEventListener("input", () => run(input.value));
window.pfSearchDone = input.value ? run(input.value) : Promise.resolve();
