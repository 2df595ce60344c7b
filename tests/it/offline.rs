//! The regency site as a phone keeps it: after one visit it works with no network, search
//! included, and a new build replaces the offline copy whole, never mixed with the old.

use crate::cdp::Browser;
use crate::harness::{Project, Server, serve};

/// The fixture built and served, with its beta site visited once at a phone's size and kept: the
/// service worker controls the page once it has stored every file.
fn visited_once() -> (Project, Server, Browser) {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    let server = serve(p.out());
    let mut browser = Browser::launch(390, 844);
    browser.goto(&server.url("beta/"));
    browser.wait_for("navigator.serviceWorker.controller !== null");
    (p, server, browser)
}

#[test]
fn after_one_visit_the_site_and_its_search_work_without_a_network() {
    let (_p, server, mut browser) = visited_once();
    browser.screenshot("home-390x844");

    server.cut();
    browser.offline(true);
    // A page never opened before comes from the offline copy.
    browser.goto(&server.url("beta/modul/etika/"));
    assert_eq!(browser.dom().text("h1"), "Kode Etik Nasional");
    browser.screenshot("module-390x844");
    // So does the search, index and all.
    browser.goto(&server.url("beta/cari/?q=netral"));
    browser.wait_for("document.getElementById('hasil').getAttribute('aria-busy') === 'false'");
    let results = browser.dom().attrs(".result > a", "href");
    assert!(results.iter().any(|h| h.starts_with("../modul/etika/")), "{results:?}");
    // An address the site does not have still shows something useful: the home page.
    browser.goto(&server.url("beta/tidak-ada/"));
    assert_eq!(browser.dom().text("h1"), "Kota Beta");
    assert!(browser.errors.iter().all(|e| e.contains("tidak-ada")), "{:?}", browser.errors);
}

#[test]
fn a_new_build_is_picked_up_on_the_next_visit_whole() {
    let (p, server, mut browser) = visited_once();
    let first_cache = browser.eval("caches.keys()");

    p.edit("content/modules/etika.md", "title: Kode Etik Nasional", "title: Kode Etik Terbaru");
    p.edit("content/modules/etika.md", "## Netralitas", "## Netralitas\n\nKata baru: zebrakuda.\n\n## Lama");
    p.build().assert_ok();
    // The visit that finds the new build shows the old one, complete, while the new one
    // downloads; once it has every file, the page reloads into it.
    browser.goto(&server.url("beta/modul/etika/"));
    browser.wait_for("document.querySelector('h1').textContent === 'Kode Etik Terbaru'");
    // Its search index came along with it, into the offline copy.
    server.cut();
    browser.offline(true);
    browser.goto(&server.url("beta/cari/?q=zebrakuda"));
    browser.wait_for("document.getElementById('hasil').getAttribute('aria-busy') === 'false'");
    assert_eq!(browser.dom().attrs(".result > a", "href").len(), 1);
    let caches = browser.eval("caches.keys()");
    assert_eq!(caches.as_array().unwrap().len(), 1, "{caches}");
    assert_ne!(caches, first_cache);
}
