//! The search page of a built sample site, driven in headless Chromium over the DevTools protocol:
//! queries typed key by key, filters chosen, results walked with the keyboard, all under a strict
//! Content-Security-Policy.

use crate::cdp::Browser;
use crate::harness::{Page, Project, sel, serve};

struct Search {
    browser: Browser,
    base: String,
    project: Project,
}

impl Search {
    fn open(query_string: &str) -> Search {
        let project = Project::sample();
        project.build().assert_ok();
        let base = serve(project.out()).url("landak/cari/");
        let mut browser = Browser::launch(390, 844);
        browser.goto(&format!("{base}{query_string}"));
        browser.wait_for("document.getElementById('hasil').getAttribute('aria-busy') !== 'true'");
        Search { browser, base, project }
    }

    /// Replaces the query by `text`, typed one key at a time, and waits for its results.
    fn type_query(&mut self, text: &str) -> Page {
        self.browser.eval("(function (q) { q.focus(); q.select(); })(document.getElementById('q'))");
        if text.is_empty() {
            self.browser.press("Backspace");
        } else {
            self.browser.type_text(text);
        }
        self.settled()
    }

    fn settled(&mut self) -> Page {
        self.browser.wait_for("document.getElementById('hasil').getAttribute('aria-busy') === 'false'");
        self.browser.dom()
    }

    fn select(&mut self, id: &str, value: &str) -> Page {
        self.browser.eval(&format!(
            "(function (s) {{ s.value = {value:?}; s.dispatchEvent(new Event('change')); }})(document.getElementById({id:?}))"
        ));
        self.settled()
    }

    fn location(&mut self) -> String {
        self.browser.eval("location.pathname + location.search").as_str().unwrap().to_owned()
    }
}

fn hrefs(page: &Page) -> Vec<String> {
    page.attrs(".result > a", "href")
}

fn marks(page: &Page) -> Vec<String> {
    page.texts(".result mark").into_iter().map(|m| m.to_lowercase()).collect()
}

#[test]
fn typed_queries_find_affixed_forms_prefixes_and_acronyms() {
    let mut s = Search::open("");
    // An affixed form finds the module about its root, with the words highlighted.
    let page = s.type_query("mencoblos");
    let top = hrefs(&page);
    assert!(top.first().is_some_and(|h| h.starts_with("../modul/pemungutan-suara-di-tps/#")), "{top:?}");
    assert!(marks(&page).iter().any(|m| m.contains("coblos")), "{:?}", marks(&page));
    assert_eq!(page.texts(".result").len().to_string() + " hasil", page.text("#status"));
    // The form of a word does not matter: dicoblos finds the same sections.
    assert_eq!(hrefs(&s.type_query("dicoblos")), top);
    // Each result names the heading of its section.
    let page = s.type_query("penghitungan suara");
    assert!(
        hrefs(&page)[..3].iter().any(|h| h.starts_with("../modul/penghitungan-suara-di-tps/")),
        "{:?}",
        hrefs(&page)
    );
    assert!(!page.texts(".result-heading").is_empty());
    // The word being typed matches as a prefix.
    let page = s.type_query("rekapitul");
    assert!(hrefs(&page).iter().any(|h| h.contains("rekapitulasi-tingkat-kecamatan")), "{:?}", hrefs(&page));
    // Acronyms are found as typed, and only they are highlighted.
    let page = s.type_query("DPTb");
    assert!(hrefs(&page).iter().take(3).any(|h| h.contains("modul/daftar-pemilih/")), "{:?}", hrefs(&page));
    assert!(marks(&page).iter().all(|m| m.contains("dptb")), "{:?}", marks(&page));
    // Pages other than modules are found too: the contacts page by its office, events by title.
    assert!(hrefs(&s.type_query("ngabang")).contains(&"../kontak/".to_owned()));
    let page = s.type_query("hotel grand");
    assert!(hrefs(&page).first().is_some_and(|h| h.starts_with("../jadwal/#acara-")), "{:?}", hrefs(&page));
    s.type_query("DPTb");
    // The query is kept in the address, so it can be shared.
    assert_eq!(s.location(), "/landak/cari/?q=DPTb");
    // A word with no match of its own matches as a prefix ("rekap" for "rekapitulasi").
    let page = s.type_query("rekap kecamatan");
    assert!(hrefs(&page).iter().take(3).any(|h| h.contains("rekapitulasi-tingkat-kecamatan")), "{:?}", hrefs(&page));
    // Nothing found says so; an empty box clears the list and the address.
    let page = s.type_query("xylofonzz");
    assert!(hrefs(&page).is_empty());
    assert_eq!(page.text("#status"), "Tidak ada hasil untuk pencarian ini.");
    let page = s.type_query("");
    assert!(hrefs(&page).is_empty() && page.text("#status").is_empty() || page.texts("#status") == [""]);
    assert_eq!(s.location(), "/landak/cari/");
    assert!(s.browser.errors.is_empty(), "{:?}", s.browser.errors);
}

#[test]
fn a_query_holding_html_stays_text_under_a_strict_policy() {
    let evil = "<img src=x onerror=alert(1)>";
    let mut s = Search::open("?q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E");
    assert_eq!(s.browser.eval("document.getElementById('q').value"), evil);
    let page = s.type_query(&format!("coblos {evil}"));
    assert_eq!(page.html.select(&crate::harness::sel("main img")).count(), 0);
    assert_eq!(s.browser.eval("document.getElementById('q').value"), format!("coblos {evil}"));
    // The page's scripts ran under the policy with no eval, no inline code and Trusted Types on.
    assert!(s.browser.errors.is_empty(), "{:?}", s.browser.errors);
}

#[test]
fn role_and_topic_filters_keep_what_they_name_and_live_in_the_address() {
    let mut s = Search::open("?q=rekapitulasi");
    let all = hrefs(&s.browser.dom());
    assert!(all.iter().any(|h| h.contains("modul/rekapitulasi-tingkat-kecamatan/")), "{all:?}");
    // The recapitulation module is for PPK and PPS; a KPPS member does not see it.
    let page = s.select("peran", "kpps");
    let kpps = hrefs(&page);
    assert!(!kpps.is_empty() && kpps.len() < all.len(), "{kpps:?}");
    assert!(!kpps.iter().any(|h| h.contains("rekapitulasi-tingkat-kecamatan")), "{kpps:?}");
    assert_eq!(s.location(), "/landak/cari/?q=rekapitulasi&peran=kpps");
    // A topic narrows further; a shared address restores both filters.
    s.select("peran", "");
    let page = s.type_query("surat suara");
    assert!(hrefs(&page).iter().any(|h| !h.contains("logistik-pemilihan")));
    let page = s.select("topik", "logistik");
    assert!(hrefs(&page).iter().all(|h| h.starts_with("../modul/logistik-pemilihan/")), "{:?}", hrefs(&page));
    let shared = format!("{}?q=surat+suara&topik=logistik", s.base);
    s.browser.goto(&shared);
    let page = s.settled();
    assert_eq!(page.attrs("#topik option[selected]", "value").len(), 0, "chosen by script, not markup");
    assert_eq!(s.browser.eval("document.getElementById('topik').value"), "logistik");
    assert_eq!(hrefs(&page), hrefs(&s.browser.dom()));
}

#[test]
fn the_keyboard_walks_the_results_and_enter_lands_on_the_section() {
    let mut s = Search::open("");
    let page = s.type_query("netralitas");
    let results = hrefs(&page);
    assert!(results.len() >= 2 && results[0].starts_with("../modul/"), "{results:?}");
    let focused = "document.activeElement.getAttribute('href') || document.activeElement.id";
    s.browser.press("ArrowDown");
    assert_eq!(s.browser.eval(focused), results[0].as_str());
    s.browser.press("ArrowDown");
    assert_eq!(s.browser.eval(focused), results[1].as_str());
    s.browser.press("ArrowUp");
    s.browser.press("ArrowUp");
    assert_eq!(s.browser.eval(focused), "q");
    s.browser.press("ArrowDown");
    s.browser.press("Escape");
    assert_eq!(s.browser.eval(focused), "q");
    // Enter on a result follows it to the section it names.
    s.browser.press("ArrowDown");
    s.browser.press("Enter");
    s.browser.wait_for("location.pathname.indexOf('/modul/') > 0 && document.readyState === 'complete'");
    let (path, fragment) = results[0].trim_start_matches("../").split_once('#').unwrap();
    assert_eq!(s.browser.eval("location.pathname"), format!("/landak/{path}").as_str());
    assert_eq!(s.browser.eval("location.hash.slice(1)"), fragment);
    assert_eq!(s.browser.eval("!!document.getElementById(location.hash.slice(1))"), true);
}

/// The text of the element `id` of a built page, or of what follows it up to the next section
/// heading when it is one, with no white space at all: spacing is the page's, not the index's.
fn text_at(page: &Page, id: &str) -> String {
    let target = page.html.select(&sel(&format!("[id='{id}']"))).next().expect("the anchor is on its page");
    let is_heading = |name: &str| name == "h2" || name == "h3";
    let mut text = String::new();
    if !is_heading(target.value().name()) {
        text.extend(target.text());
    } else {
        for node in target.next_siblings() {
            match scraper::ElementRef::wrap(node) {
                Some(e) if is_heading(e.value().name()) => break,
                Some(e) => text.extend(e.text()),
                None => text.extend(node.value().as_text().map(|t| t.to_string())),
            }
        }
    }
    text.split_whitespace().collect()
}

#[test]
fn results_show_while_their_pages_are_still_coming_and_snippets_follow() {
    let mut s = Search::open("");
    // Module pages are held back (paused by the browser), as on a slow link: the results must
    // not wait for them, only their snippets may.
    s.browser.call("Fetch.enable", serde_json::json!({"patterns": [{"urlPattern": "*/modul/*"}]}));
    s.browser.eval("(function (q) { q.focus(); q.select(); })(document.getElementById('q'))");
    s.browser.type_text("mencoblos");
    s.browser.wait_for("document.querySelectorAll('#hasil .result > a[href*=\"modul/\"]').length > 0");
    let waiting = s.browser.dom();
    let modules: Vec<_> = waiting
        .html
        .select(&sel(".result"))
        .filter(|r| r.select(&sel("a")).any(|a| a.value().attr("href").is_some_and(|h| h.contains("modul/"))))
        .collect();
    assert!(!modules.is_empty());
    for result in &modules {
        assert!(result.select(&sel(".result-snippet")).next().is_none(), "a snippet without its page");
    }
    assert_eq!(waiting.attrs("#hasil", "aria-busy"), ["true"], "the list is still filling");
    s.browser.call("Fetch.disable", serde_json::json!({}));
    let done = s.settled();
    let with_snippets = done.html.select(&sel(".result .result-snippet")).count();
    assert_eq!(with_snippets, done.html.select(&sel(".result")).count(), "every result has its snippet");
}

#[test]
fn each_result_shows_words_of_its_own_section_taken_from_its_page() {
    let mut s = Search::open("");
    for query in ["mencoblos", "surat suara rusak", "hotel grand", "DPTb"] {
        let page = s.type_query(query);
        let results: Vec<_> = page.html.select(&sel(".result")).collect();
        assert!(!results.is_empty(), "{query}: no results");
        for result in results {
            let href = result.select(&sel("a")).next().and_then(|a| a.value().attr("href")).unwrap();
            let snippet: String = result.select(&sel(".result-snippet")).flat_map(|p| p.text()).collect();
            let words: String = snippet.replace('…', "").split_whitespace().collect();
            assert!(words.len() > 20, "{query}: {href} has no snippet: {snippet:?}");
            let Some((path, id)) = href.strip_prefix("../").and_then(|h| h.split_once('#')) else { continue };
            let own = text_at(&s.project.page(&format!("landak/{path}index.html")), id);
            assert!(own.contains(&words), "{query}: the snippet of {href} is not from its section:\n{snippet}");
        }
    }
}
