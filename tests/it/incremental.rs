//! Incremental builds: after every kind of change, a build into the previous output folder gives
//! exactly the files of a clean build, and writes only what the change touched.

use std::fs;
use std::path::Path;

use crate::harness::{Project, snapshot};

/// Builds into `output/` (incrementally) and into a fresh folder, and requires the same files.
/// Returns how many files the incremental build wrote, from its summary line.
fn build_matches_clean(project: &Project, step: &str) -> Option<usize> {
    let incremental = project.build();
    incremental.assert_ok();
    let clean_dir = tempfile::tempdir().unwrap();
    let clean_out = clean_dir.path().join("clean");
    project.run(&["build", "--out", clean_out.to_str().unwrap()]).assert_ok();
    let (got, want) = (snapshot(&project.out()), snapshot(&clean_out));
    let names = |s: &std::collections::BTreeMap<String, Vec<u8>>| s.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&got), names(&want), "after {step}: not the same files as a clean build");
    for (path, bytes) in &want {
        assert!(got[path] == *bytes, "after {step}: {path} differs from a clean build");
    }
    written(&incremental.stdout)
}

/// The count in `(N written, ...)`; `None` when the build wrote a whole new tree.
fn written(summary: &str) -> Option<usize> {
    let (_, rest) = summary.split_once(" (")?;
    rest.split_once(" written")?.0.parse().ok()
}

fn modified(dir: &Path, rel: &str) -> std::time::SystemTime {
    fs::metadata(dir.join(rel)).unwrap().modified().unwrap()
}

/// Files changed in the last 2 s are always read (a later change could hide in the same clock
/// tick); older ones are taken from the build cache when their stamp is unchanged. Waiting past
/// that makes the tests below exercise the cache, not only the reading.
fn settle() {
    std::thread::sleep(std::time::Duration::from_millis(2100));
}

#[test]
fn every_kind_of_change_builds_like_a_clean_build() {
    let p = Project::fixture("basic");
    settle();
    assert_eq!(build_matches_clean(&p, "the first build"), None);
    // The second build writes the spare tree whole; from the third on, builds are incremental.
    assert_eq!(build_matches_clean(&p, "a build with no change"), None);
    assert_eq!(build_matches_clean(&p, "another build with no change"), Some(0));

    p.edit("content/modules/pemungutan.md", "\n## ", "\nKalimat baru tentang kerahasiaan.\n\n## ");
    let n = build_matches_clean(&p, "editing a national module's body").unwrap();
    assert!(n > 0, "nothing was written");

    p.edit("content/regencies/alpha/modules/etika.md", "title: ", "title: Diubah ");
    let n = build_matches_clean(&p, "retitling a regency's module").unwrap();
    assert!(n > 0);

    p.write(
        "content/modules/baru.md",
        "---\ntitle: Modul Baru\nroles: [ppk]\ntopic: etika\n---\n## Isi\n\nTeks modul baru tentang pelaporan.\n",
    );
    build_matches_clean(&p, "adding a module");

    fs::rename(p.path("content/modules/baru.md"), p.path("content/modules/lebih-baru.md")).unwrap();
    build_matches_clean(&p, "renaming a module");

    fs::remove_file(p.path("content/modules/lebih-baru.md")).unwrap();
    build_matches_clean(&p, "deleting a module");

    p.edit("content/schedules/nasional.yaml", "title: Masa kampanye", "title: Masa kampanye terbuka");
    build_matches_clean(&p, "editing the national schedule");

    p.edit(
        "content/regencies/alpha/schedules/lokal.yaml",
        "events:\n",
        "events:\n  - title: Gladi bersih\n    date: 2024-11-25\n    roles: [kpps]\n",
    );
    build_matches_clean(&p, "adding an event to a regency's schedule");

    let base =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/base.html")).unwrap();
    p.write("themes/default/templates/base.html", base.replace("</footer>", "<p>Cetakan uji</p></footer>"));
    build_matches_clean(&p, "overriding a template");
    assert!(p.read("output/alpha/index.html").contains("Cetakan uji"));

    p.edit("bimtek.yaml", "title: Bimtek Uji", "title: Bimtek Uji Ulang");
    build_matches_clean(&p, "editing bimtek.yaml");

    fs::remove_dir_all(p.path("themes")).unwrap();
    build_matches_clean(&p, "removing the template override");

    // Failed builds in between: one stopped by content before any page, one by a template after
    // other pages were already written into the spare tree. The next builds are still right,
    // and still incremental.
    p.edit("content/modules/etika.md", "roles: [ppk, kpps]", "roles: [ppk, kppx]");
    assert_eq!(p.build().code, 1);
    p.edit("content/modules/etika.md", "roles: [ppk, kppx]", "roles: [ppk, kpps]");
    p.write("themes/default/templates/module.html", "{{ nothing_here.at_all }}");
    assert_eq!(p.build().code, 1);
    fs::remove_dir_all(p.path("themes")).unwrap();
    assert!(
        build_matches_clean(&p, "fixing a failed build").is_some(),
        "the build after a failure was not incremental"
    );
    build_matches_clean(&p, "the build after that");
}

/// Listing pages and the parts every page of a regency shares are fingerprinted by what they are
/// made from, not by their values: each such input, changed, must still reach every page.
#[test]
fn what_listings_and_all_pages_show_is_rebuilt_when_its_source_changes() {
    let p = Project::fixture("basic");
    for _ in 0..3 {
        p.build().assert_ok();
    }
    settle();
    let module = "content/modules/pemungutan.md";
    let regency = "content/regencies/alpha/regency.yaml";
    for (file, from, to, step) in [
        (module, "summary: Langkah KPPS", "summary: Urutan kerja KPPS", "editing a module's summary"),
        (module, "updated: 2024-11-01", "updated: 2024-11-20", "changing a module's date"),
        (module, "roles: [kpps]", "roles: [kpps, ppk]", "giving a module another role"),
        (module, "topic: pemungutan", "topic: etika", "moving a module to another topic"),
        (regency, "name: Kabupaten Alpha", "name: Kabupaten Alpha Raya", "renaming a regency"),
        (regency, "phone: \"0800-000\"", "phone: \"0800-111\"", "changing a contact's phone"),
        ("bimtek.yaml", "name: PPK", "name: Panitia Kecamatan", "renaming a role"),
        ("bimtek.yaml", "description: Panitia Pemilihan Kecamatan", "description: PPK", "describing a role anew"),
    ] {
        p.edit(file, from, to);
        assert!(build_matches_clean(&p, step).is_some_and(|n| n > 0), "after {step}: nothing was written");
    }
    assert!(p.read("output/alpha/peran/ppk/index.html").contains("Urutan kerja KPPS"));
    assert!(p.read("output/alpha/modul/etika/index.html").contains("Panitia Kecamatan"));
    assert!(p.read("output/alpha/topik/etika/index.html").contains("Alpha Raya"));
}

/// Each regency's search index keeps its postings beside the output for the next build; a
/// regency taken out of the project takes its state with it.
#[test]
fn the_index_state_of_a_regency_taken_away_goes_too() {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    let states = p.path(".output.bimtek/index");
    assert!(states.join("alpha.bin").is_file() && states.join("beta.bin").is_file());
    fs::remove_dir_all(p.path("content/regencies/beta")).unwrap();
    build_matches_clean(&p, "taking a regency away");
    assert!(states.join("alpha.bin").is_file());
    assert!(!states.join("beta.bin").exists(), "beta's index state was left behind");
}

#[test]
fn an_edit_in_one_regency_leaves_the_other_regencies_files_alone() {
    let p = Project::fixture("basic");
    for _ in 0..3 {
        p.build().assert_ok();
    }
    let untouched = snapshot(&p.out().join("beta"));
    let started = std::time::SystemTime::now();
    p.edit("content/regencies/alpha/modules/etika.md", "Versi daerah Alpha.", "Versi daerah Alpha. Satu kalimat lagi.");
    let n = build_matches_clean(&p, "editing alpha's own module").unwrap();
    // The page itself, its search index parts and the offline worker; nothing of beta.
    assert!((1..60).contains(&n), "{n} files written for one module");
    assert_eq!(snapshot(&p.out().join("beta")), untouched);
    for rel in untouched.keys() {
        assert!(modified(&p.out(), &format!("beta/{rel}")) < started, "beta/{rel} was rewritten");
    }
    assert!(p.read("output/alpha/modul/etika/index.html").contains("Satu kalimat lagi."));
}

#[test]
fn a_published_file_changed_by_hand_is_not_spread_into_the_next_site() {
    let p = Project::fixture("basic");
    for _ in 0..3 {
        p.build().assert_ok();
    }
    // Someone edits the live site; the next build must not copy that into the new one.
    fs::write(p.out().join("alpha/kontak/index.html"), "diubah tangan").unwrap();
    p.edit("content/modules/pemungutan.md", "\n## ", "\nTambahan.\n\n## ");
    build_matches_clean(&p, "a hand edit in the published site");
}

#[test]
fn an_edit_that_keeps_the_size_and_modification_time_is_still_seen() {
    let p = Project::fixture("basic");
    settle();
    for _ in 0..3 {
        p.build().assert_ok();
    }
    let rel = "content/modules/pemungutan.md";
    let modified = modified(&p.path(""), rel);
    let text = p.read(rel);
    let (from, to) = ("Pembukaan", "Penutupan");
    assert!(text.contains(from) && from.len() == to.len());
    p.write(rel, text.replacen(from, to, 1));
    // As `cp -p`, `rsync -t` or a checkout that restores times would leave it.
    fs::File::options().write(true).open(p.path(rel)).unwrap().set_modified(modified).unwrap();
    settle();
    build_matches_clean(&p, "a same-size edit with the old modification time");
    assert!(p.read("output/alpha/modul/pemungutan/index.html").contains(to));
}

#[test]
fn a_damaged_or_missing_build_cache_only_costs_time() {
    let p = Project::fixture("basic");
    settle();
    for _ in 0..3 {
        p.build().assert_ok();
    }
    let work = p.path(".output.bimtek");
    for (name, damage) in [("modules.bin", 7), ("search.bin", 5)] {
        let bytes = fs::read(work.join(name)).unwrap();
        assert!(bytes.len() > 100, "{name} was not kept");
        fs::write(work.join(name), &bytes[..bytes.len() - damage]).unwrap();
    }
    p.edit("content/modules/pemungutan.md", "\n## ", "\nKalimat sesudah kerusakan.\n\n## ");
    build_matches_clean(&p, "a build with its cache cut short");
    fs::write(work.join("modules.bin"), "not a cache").unwrap();
    fs::remove_file(work.join("search.bin")).unwrap();
    p.edit("content/modules/pemungutan.md", "Kalimat sesudah kerusakan.", "Kalimat lain.");
    build_matches_clean(&p, "a build with its cache replaced and removed");
    build_matches_clean(&p, "the build after that");
    // Replaced by a whole new cache, not appended to what was not one.
    assert!(fs::read(work.join("modules.bin")).unwrap().starts_with(b"bimtek module cache"));
    assert!(fs::read(work.join("search.bin")).unwrap().starts_with(b"bimtek search cache"));
}
