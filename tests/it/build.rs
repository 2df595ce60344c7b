//! A good project builds into complete, linked, escaped, deterministic sites.

use std::collections::BTreeSet;
use std::path::Path;

use crate::harness::{Project, bin, sel, snapshot};

#[test]
fn builds_every_page_of_every_regency() {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    for regency in ["alpha", "beta"] {
        for page in [
            "index.html",
            "modul/pemungutan/index.html",
            "modul/etika/index.html",
            "modul/denah/index.html",
            "modul/denah/denah.svg",
            "topik/pemungutan/index.html",
            "topik/etika/index.html",
            "peran/kpps/index.html",
            "peran/ppk/index.html",
            "jadwal/index.html",
            "kontak/index.html",
            "sitemap.xml",
            "assets/style.css",
            "favicon.svg",
        ] {
            assert!(p.out().join(regency).join(page).is_file(), "{regency}/{page} missing");
        }
    }
    for page in ["index.html", "404.html", "robots.txt", "assets/style.css"] {
        assert!(p.out().join(page).is_file(), "{page} missing");
    }
}

#[test]
fn every_internal_link_resolves() {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    assert!(assert_links_resolve(&p.out()) > 100);
}

/// The repository is itself the sample project: it builds, and all its links hold.
#[test]
fn the_sample_project_builds_with_every_link_resolving() {
    let p = Project::sample();
    let run = p.build();
    run.assert_ok();
    assert!(run.stderr.is_empty(), "the sample project has warnings:\n{}", run.stderr);
    for regency in ["kapuas", "landak", "pangkalpinang", "purwakarta", "sanggau"] {
        assert!(p.out().join(regency).join("index.html").is_file());
    }
    assert!(assert_links_resolve(&p.out()) > 1000);
    // Kapuas has its own logistics module, with river transport.
    assert_eq!(
        p.page("kapuas/modul/logistik-pemilihan/index.html").text("h1"),
        "Logistik Pemilihan di Kabupaten Kapuas"
    );
    assert_eq!(p.page("landak/modul/logistik-pemilihan/index.html").text("h1"), "Logistik Pemilihan");
    assert!(p.read("output/kapuas/modul/logistik-pemilihan/index.html").contains("klotok"));
    let dates = p.page("landak/jadwal/index.html").attrs(".event time", "datetime");
    assert!(dates.contains(&"2024-11-27".to_owned()) && dates.contains(&"2023-01-04".to_owned()), "{dates:?}");
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "events out of date order: {dates:?}");
}

/// Every relative `href`/`src` of every page points at a file of the output, and every `#fragment`
/// at an element with that id. Returns how many links were checked.
fn assert_links_resolve(out: &Path) -> usize {
    let files = snapshot(out);
    let mut checked = 0;
    for (rel, bytes) in &files {
        if !rel.ends_with(".html") {
            continue;
        }
        let page = scraper::Html::parse_document(&String::from_utf8_lossy(bytes));
        let dir = Path::new(rel).parent().unwrap();
        for element in page.select(&sel("a[href], link[href], img[src]")) {
            let target = element.value().attr("href").or(element.value().attr("src")).unwrap();
            if target.contains("://") || target.starts_with("mailto:") || target.starts_with("tel:") {
                continue;
            }
            assert!(!target.starts_with('/'), "{rel}: `{target}` is not relative");
            let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
            let resolved = if path.is_empty() { Path::new(rel).to_owned() } else { normalize(&dir.join(path)) };
            let resolved = if path.is_empty() || path.ends_with('/') || resolved.as_os_str().is_empty() {
                if path.is_empty() { resolved } else { resolved.join("index.html") }
            } else {
                resolved
            };
            let key = resolved.to_string_lossy().replace('\\', "/");
            let target_bytes = files.get(&key).unwrap_or_else(|| panic!("{rel}: `{target}` -> `{key}` does not exist"));
            if !fragment.is_empty() {
                let target_page = scraper::Html::parse_document(&String::from_utf8_lossy(target_bytes));
                let ids: BTreeSet<&str> =
                    target_page.select(&sel("[id]")).filter_map(|e| e.value().attr("id")).collect();
                assert!(ids.contains(fragment), "{rel}: `{target}` has no element with id `{fragment}`");
            }
            checked += 1;
        }
    }
    checked
}

fn normalize(path: &Path) -> std::path::PathBuf {
    let mut out = std::path::PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => assert!(out.pop(), "`{}` leaves the output folder", path.display()),
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[test]
fn a_regency_module_overrides_the_national_one_with_the_same_slug() {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    assert_eq!(p.page("alpha/modul/etika/index.html").text("h1"), "Kode Etik Alpha");
    assert_eq!(p.page("beta/modul/etika/index.html").text("h1"), "Kode Etik Nasional");
    // Links from national modules follow the override in its regency.
    let alpha = p.page("alpha/modul/pemungutan/index.html");
    assert!(alpha.attrs(".prose a", "href").contains(&"../etika/#netralitas".to_owned()));
    let topic = p.page("alpha/topik/etika/index.html");
    assert_eq!(topic.texts(".module-list a"), ["Kode Etik Alpha"]);
}

#[test]
fn drafts_are_skipped_unless_asked_for() {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    assert!(!p.out().join("alpha/modul/rahasia").exists());
    assert!(!p.read("output/alpha/sitemap.xml").contains("rahasia"));
    p.run(&["build", "--drafts"]).assert_ok();
    assert_eq!(p.page("alpha/modul/rahasia/index.html").text("h1"), "Materi Draf");
}

#[test]
fn yaml_values_are_escaped_in_html() {
    let p = Project::fixture("basic");
    let evil = "<script>alert(1)</script> & \"kutip\"";
    p.edit("content/modules/etika.md", "title: Kode Etik Nasional", &format!("title: '{evil}'"));
    p.edit("content/regencies/beta/regency.yaml", "name: Kota Beta", &format!("name: '{evil}'"));
    p.edit("content/schedules/nasional.yaml", "title: Masa kampanye", &format!("title: '{evil}'"));
    p.build().assert_ok();
    let module = p.page("beta/modul/etika/index.html");
    assert_eq!(module.text("h1"), evil);
    assert_eq!(module.html.select(&sel("script:not([src])")).count(), 0);
    let home = p.page("beta/index.html");
    assert_eq!(home.text("h1"), evil);
    assert!(home.texts(".event-title").contains(&evil.to_owned()));
    assert_eq!(home.html.select(&sel("script:not([src])")).count(), 0);
    assert!(p.page("index.html").texts(".card a").contains(&evil.to_owned()));
}

#[test]
fn two_builds_are_byte_identical_whatever_the_thread_count() {
    let p = Project::fixture("basic");
    let run = |threads: &str, out: &str| {
        let status = bin()
            .args(["build", "--out", out])
            .env("RAYON_NUM_THREADS", threads)
            .current_dir(&p.root)
            .status()
            .unwrap();
        assert!(status.success());
        snapshot(&p.path(out))
    };
    let one = run("1", "out-one");
    let two = run("2", "out-two");
    assert!(one.len() > 20);
    assert_eq!(one.keys().collect::<Vec<_>>(), two.keys().collect::<Vec<_>>());
    for (path, bytes) in &one {
        assert!(bytes == &two[path], "{path} differs between builds");
    }
}

#[test]
fn bodies_parsed_again_for_their_pages_make_the_same_site_as_bodies_held() {
    // A build holds the first bodies it parses and parses the others again for their pages; a
    // project this small fits the budget whole, unless the budget is none. Two new output
    // folders: a build into the same one would take its pages from the first.
    let p = Project::sample();
    let build = |out: &str, budget: Option<&str>| {
        let mut command = bin();
        command.args(["build", "--out", out]).current_dir(&p.root);
        if let Some(budget) = budget {
            command.env("BIMTEK_BODY_BUDGET", budget);
        }
        assert!(command.status().unwrap().success());
        snapshot(&p.path(out))
    };
    let held = build("held", None);
    let parsed_again = build("parsed-again", Some("0"));
    assert!(held.len() > 100);
    assert_eq!(held.keys().collect::<Vec<_>>(), parsed_again.keys().collect::<Vec<_>>());
    for (path, bytes) in &held {
        assert!(bytes == &parsed_again[path], "{path} differs when bodies are parsed again");
    }
}

#[test]
fn html_is_minified_unless_turned_off() {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    let minified = p.read("output/alpha/modul/pemungutan/index.html");
    p.run(&["build", "--no-minify"]).assert_ok();
    let plain = p.read("output/alpha/modul/pemungutan/index.html");
    // The theme's markup is minified; the module's body, which pulldown-cmark writes without
    // indentation, only loses its line breaks between blocks (its attributes keep their quotes).
    assert!(minified.len() < plain.len() * 23 / 25, "{} vs {}", minified.len(), plain.len());
    assert!(!minified.contains("\n\n") && !minified.contains("\n "));
    assert!(!minified.contains("</p>\n<"));
    // Same document either way.
    let blocks = |html: &str| {
        crate::harness::Page { html: scraper::Html::parse_document(html) }
            .texts("main h1, main h2, main p, main td, main a, main dt, main dd, .prose li")
    };
    assert_eq!(blocks(&minified), blocks(&plain));
}

#[test]
fn module_page_shows_its_content_and_context() {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    let page = p.page("alpha/modul/pemungutan/index.html");
    assert_eq!(page.attrs("html", "lang"), ["id"]);
    assert_eq!(page.texts(".prose h2"), ["Persiapan", "Persiapan"]);
    assert_eq!(page.attrs(".prose h2", "id"), ["persiapan", "persiapan-1"]);
    assert_eq!(page.text(".callout-warning .callout-title"), "Peringatan");
    assert_eq!(page.html.select(&sel(".table-wrap table")).count(), 1);
    // A wide table scrolls in its own box, which the keyboard can reach and a screen reader names.
    assert_eq!(page.attrs(".table-wrap[role=region][tabindex='0']", "aria-label"), ["Tabel 1"]);
    assert_eq!(page.html.select(&sel("input[type=checkbox]")).count(), 2);
    assert_eq!(page.html.select(&sel(".prose del, .footnote-definition")).count(), 1);
    assert_eq!(page.texts(".meta .tag"), ["KPPS"]);
    assert_eq!(page.attrs("time", "datetime")[0], "2024-11-01");
    // The event that names this module is listed on it, with the regency's time zone.
    assert_eq!(page.texts(".related-events .event-date"), ["Rabu, 27 November 2024 · 07.00–13.00 WIB"]);
    assert_eq!(page.attrs(".pager a[rel=next]", "href"), ["../../modul/denah/"]);
}

#[test]
fn role_page_lists_its_modules_and_events() {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    let page = p.page("alpha/peran/kpps/index.html");
    assert_eq!(page.text("h1"), "Materi untuk KPPS");
    assert_eq!(page.texts(".module-list > li > a"), ["Pemungutan Suara di TPS", "Denah TPS", "Kode Etik Alpha"]);
    // Events for kpps and events for everyone, in date order.
    assert_eq!(page.texts(".event-title"), ["Masa kampanye", "Bimtek KPPS Alpha", "Pemungutan suara"]);
    let ppk = p.page("alpha/peran/ppk/index.html");
    assert_eq!(ppk.texts(".event-title"), ["Masa kampanye"]);
}

#[test]
fn schedule_and_home_list_events_in_date_order_in_the_regency_zone() {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    let alpha = p.page("alpha/jadwal/index.html");
    assert_eq!(alpha.texts(".event-title"), ["Masa kampanye", "Bimtek KPPS Alpha", "Pemungutan suara"]);
    assert_eq!(alpha.texts(".event-date")[0], "25 September – 23 November 2024");
    assert_eq!(alpha.texts(".event-date")[1], "Rabu, 20 November 2024 · 08.00 WIB");
    let beta = p.page("beta/jadwal/index.html");
    assert_eq!(beta.texts(".event-title"), ["Masa kampanye", "Pemungutan suara"]);
    assert_eq!(beta.texts(".event-date")[1], "Rabu, 27 November 2024 · 07.00–13.00 WITA");
    assert_eq!(p.page("alpha/index.html").texts(".event-title").len(), 3);
}

#[test]
fn root_index_lists_regencies_by_province() {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    let index = p.page("index.html");
    assert_eq!(index.texts(".province h3"), ["Bangka Belitung", "Kalimantan Barat"]);
    assert_eq!(index.attrs(".province a", "href"), ["beta/", "alpha/"]);
}

#[test]
fn sitemap_and_robots_use_absolute_urls() {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    let sitemap = p.read("output/alpha/sitemap.xml");
    assert!(
        sitemap
            .contains("<loc>https://uji.example.id/bimtek/alpha/modul/pemungutan/</loc><lastmod>2024-11-01</lastmod>")
    );
    // Home, schedule, contacts, 3 modules, 2 topics, 2 roles, 2 role timelines.
    assert_eq!(sitemap.matches("<url>").count(), 12);
    assert!(p.read("output/robots.txt").contains("Sitemap: https://uji.example.id/bimtek/beta/sitemap.xml"));
}

#[test]
fn site_option_builds_only_the_named_regencies() {
    let p = Project::fixture("basic");
    p.run(&["build", "--site", "beta"]).assert_ok();
    assert!(p.out().join("beta/index.html").is_file());
    assert!(!p.out().join("alpha").exists());
    assert_eq!(p.page("index.html").attrs(".province a", "href"), ["beta/"]);
    let run = p.run(&["build", "--site", "gamma"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("there is no regency `gamma`") && run.stderr.contains("alpha, beta"), "{}", run.stderr);
}

#[test]
fn check_validates_and_writes_nothing() {
    let p = Project::fixture("basic");
    let run = p.run(&["check"]);
    run.assert_ok();
    assert!(!p.out().exists());
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "checked: 0 errors, 0 warnings\n");
}

#[test]
fn a_project_theme_replaces_built_in_files_one_at_a_time() {
    let p = Project::fixture("basic");
    p.write(
        "themes/default/templates/contacts.html",
        "{% extends \"base.html\" %}{% block main %}<h1 class=\"custom\">{{ regency.name }}</h1>{% endblock main %}",
    );
    p.write("themes/default/static/style.css", "body{color:red}");
    p.build().assert_ok();
    assert_eq!(p.page("alpha/kontak/index.html").text("h1.custom"), "Kabupaten Alpha");
    assert_eq!(p.read("output/alpha/assets/style.css"), "body{color:red}");
    // Templates it does not provide still come from the built-in theme.
    assert_eq!(p.page("alpha/jadwal/index.html").text("h1"), "Jadwal dan tahapan");
}

#[test]
fn a_theme_that_tests_or_filters_the_module_html_gets_the_html_itself() {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    let built_in = p.page("alpha/modul/pemungutan/index.html").texts(".prose h2");
    assert!(!built_in.is_empty());
    // The built-in theme's body is spliced into the minified page; this theme needs the HTML in
    // its context, to test it and to count it.
    p.write(
        "themes/default/templates/module.html",
        "{% extends \"base.html\" %}{% block main %}{% if module.html %}<div class=\"prose\">\
         {{ module.html | safe }}</div>{% endif %}<p class=\"size\">{{ module.html | length }}</p>{% endblock main %}",
    );
    p.build().assert_ok();
    let page = p.page("alpha/modul/pemungutan/index.html");
    assert_eq!(page.texts(".prose h2"), built_in);
    let size: usize = page.text(".size").parse().unwrap();
    assert!(size > 500, "{size}");
    assert!(!p.read("output/alpha/modul/pemungutan/index.html").contains("bimtek-body"));
}

#[test]
fn english_ui_when_configured() {
    let p = Project::fixture("basic");
    p.edit("bimtek.yaml", "base_url:", "language: en\nbase_url:");
    p.build().assert_ok();
    let page = p.page("alpha/modul/pemungutan/index.html");
    assert_eq!(page.attrs("html", "lang"), ["en"]);
    assert_eq!(page.text(".callout-title"), "Warning");
    assert_eq!(page.texts(".related-events .event-date"), ["Wednesday, 27 November 2024 · 07.00–13.00 WIB"]);
    assert_eq!(p.page("alpha/peran/kpps/index.html").text("h1"), "Modules for KPPS");
}

#[test]
fn crlf_and_bom_files_just_work() {
    let p = Project::fixture("basic");
    let text = p.read("content/modules/etika.md").replace('\n', "\r\n");
    p.write("content/modules/etika.md", format!("\u{feff}{text}"));
    p.build().assert_ok();
    assert_eq!(p.page("beta/modul/etika/index.html").text("h1"), "Kode Etik Nasional");
}

#[test]
fn version_and_help() {
    let version = bin().arg("--version").output().unwrap();
    assert!(version.status.success());
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("bimtek "));
    let help = bin().args(["build", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for flag in ["--root", "--out", "--site", "--drafts", "--no-minify"] {
        assert!(help.contains(flag), "{flag} missing from help");
    }
}

#[test]
fn deeply_nested_markdown_and_html_do_not_crash() {
    let p = Project::fixture("basic");
    let body = format!("{}\n\n{} x\n", "<div>".repeat(20_000), ">".repeat(20_000));
    p.write("content/modules/dalam.md", format!("---\ntitle: Dalam\nroles: [kpps]\ntopic: etika\n---\n{body}"));
    p.build().assert_ok();
    assert!(p.out().join("alpha/modul/dalam/index.html").is_file());
}

#[test]
fn the_404_page_uses_absolute_links_so_it_works_at_any_depth() {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    let page = p.page("404.html");
    assert_eq!(page.attrs("link[rel=stylesheet]", "href"), ["https://uji.example.id/bimtek/assets/style.css"]);
    assert!(page.attrs("main a", "href").iter().all(|h| h == "https://uji.example.id/bimtek/"));
}

#[test]
fn module_folder_files_and_module_references_in_any_link_form() {
    let p = Project::fixture("basic");
    p.edit("content/schedules/nasional.yaml", "module: pemungutan", "module: denah/index.md");
    p.write("content/modules/denah/foto tps.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
    p.build().assert_ok();
    assert!(p.out().join("alpha/modul/denah/foto tps.svg").is_file());
    assert_eq!(p.page("alpha/modul/denah/index.html").texts(".related-events .event-title"), ["Pemungutan suara"]);
}

#[test]
fn each_regency_gets_an_offline_copy_of_every_one_of_its_files() {
    let p = Project::fixture("basic");
    let run = p.build();
    run.assert_ok();
    let files = snapshot(&p.out());
    for regency in ["alpha", "beta"] {
        let worker = String::from_utf8(files[&format!("{regency}/sw.js")].clone()).unwrap();
        let listed = worker.lines().find_map(|l| l.strip_prefix("const FILES = ")).unwrap().trim_end_matches(';');
        let listed: BTreeSet<String> = serde_json::from_str(listed).unwrap();
        let expected: BTreeSet<String> = files
            .keys()
            .filter_map(|f| f.strip_prefix(&format!("{regency}/")))
            .filter(|f| *f != "sw.js")
            .map(|f| if f == "index.html" { "./".to_owned() } else { f.trim_end_matches("index.html").to_owned() })
            .collect();
        assert_eq!(listed, expected);
        // The build says how much a phone keeps.
        assert!(run.stdout.contains(&format!("  {regency}: {} files, ", expected.len() + 1)), "{}", run.stdout);
        // The manifest names the regency and points at icons that exist.
        let manifest: serde_json::Value =
            serde_json::from_slice(&files[&format!("{regency}/manifest.webmanifest")]).unwrap();
        assert!(manifest["name"].as_str().unwrap().ends_with(&p.page(&format!("{regency}/index.html")).text("h1")));
        for icon in manifest["icons"].as_array().unwrap() {
            let icon = format!("{regency}/{}", icon["src"].as_str().unwrap());
            assert!(files[&icon].starts_with(b"\x89PNG"), "{icon}");
        }
    }
    // Every page links the manifest and registers the worker from a file, never inline.
    let page = p.page("alpha/modul/etika/index.html");
    assert_eq!(page.attrs("link[rel=manifest]", "href"), ["../../manifest.webmanifest"]);
    assert_eq!(page.attrs("script[data-worker]", "data-worker"), ["../../sw.js"]);
    // Hosts that read `_headers` get the policy the pages are tested under.
    let headers = String::from_utf8(files["_headers"].clone()).unwrap();
    assert!(headers.contains(&format!("Content-Security-Policy: {}\n", bimtek::render::CONTENT_SECURITY_POLICY)));
    assert!(headers.contains("/:regency/sw.js\n  Cache-Control: no-cache\n"));
}

#[test]
fn a_new_build_gives_a_new_offline_version_and_the_same_build_the_same_one() {
    let p = Project::fixture("basic");
    let version = |p: &Project| p.read("output/beta/sw.js").lines().next().unwrap().to_owned();
    p.build().assert_ok();
    let first = version(&p);
    p.build().assert_ok();
    assert_eq!(version(&p), first);
    p.edit("content/modules/etika.md", "## Netralitas", "## Netralitas\n\nSatu kalimat baru.");
    p.build().assert_ok();
    assert_ne!(version(&p), first);
}

#[test]
fn no_page_needs_inline_code_and_only_one_small_stylesheet_blocks_rendering() {
    let p = Project::sample();
    p.build().assert_ok();
    let files = snapshot(&p.out());
    let pages: Vec<&String> = files.keys().filter(|f| f.ends_with(".html")).collect();
    assert!(pages.len() > 100);
    for page in pages {
        let html = p.page(page);
        let blocking = html.attrs("head link[rel=stylesheet]", "href");
        assert_eq!(blocking.len(), 1, "{page}: {blocking:?}");
        let scripts = html.html.select(&sel("script")).collect::<Vec<_>>();
        for script in scripts {
            assert!(script.value().attr("src").is_some(), "{page}: inline script");
            assert!(script.value().attr("defer").is_some(), "{page}: a script without defer blocks rendering");
        }
        // What the Content-Security-Policy forbids: inline styles and event handlers.
        assert_eq!(html.html.select(&sel("style, [style], [onclick], [onload], [onerror]")).count(), 0, "{page}");
    }
    let css = &files["landak/assets/style.css"];
    assert!(css.len() < 12 * 1024, "style.css is {} bytes", css.len());
}
