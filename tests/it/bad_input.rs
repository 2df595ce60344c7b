//! Bad input: every problem reported in one run, at its file:line:col, with exit code 1, and the
//! previous output left exactly as it was.

use std::fs;

use crate::harness::{Project, Run, snapshot};

/// Builds once successfully, applies `change`, builds again and checks the failure left the
/// previous site untouched.
fn fails_without_touching_output(change: impl FnOnce(&Project)) -> Run {
    let p = Project::fixture("basic");
    p.build().assert_ok();
    let before = snapshot(&p.out());
    change(&p);
    let run = p.build();
    assert_eq!(run.code, 1, "expected failure, got:\n{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert!(before == snapshot(&p.out()), "the output folder changed after a failed build");
    let leftovers: Vec<_> = fs::read_dir(&p.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("bimtek-"))
        .collect();
    assert!(leftovers.is_empty(), "staging folders left behind: {leftovers:?}");
    run
}

#[test]
fn malformed_yaml_in_front_matter() {
    fails_without_touching_output(|p| {
        p.edit("content/modules/etika.md", "roles: [ppk, kpps]", "roles: [ppk, kpps");
    })
    .assert_error("content/modules/etika.md:4:6", "did not find expected ',' or ']', while parsing a flow sequence");
}

#[test]
fn unknown_and_missing_fields() {
    let run = fails_without_touching_output(|p| {
        p.edit("content/modules/etika.md", "topic: etika", "topik: etika");
        p.edit("content/regencies/beta/regency.yaml", "timezone: WITA\n", "");
    });
    run.assert_error("content/modules/etika.md:4:1", "unknown field `topik`, expected one of");
    run.assert_error("content/regencies/beta/regency.yaml:1:1", "missing field `timezone`");
}

#[test]
fn unknown_role_and_topic() {
    let run = fails_without_touching_output(|p| {
        p.edit("content/modules/etika.md", "roles: [ppk, kpps]", "roles: [ppk, kps]");
        p.edit("content/modules/etika.md", "topic: etika", "topic: etik");
        p.edit("content/schedules/nasional.yaml", "roles: [kpps]", "roles: [pps]");
    });
    run.assert_error("content/modules/etika.md:3:14", "unknown role `kps`");
    run.assert_error("content/modules/etika.md:4:8", "unknown topic `etik`");
    run.assert_error("content/schedules/nasional.yaml:11:13", "unknown role `pps`");
    assert!(run.stderr.contains("hint: roles are defined in bimtek.yaml: `ppk`, `kpps`"), "{}", run.stderr);
}

#[test]
fn duplicate_slugs_in_one_scope() {
    fails_without_touching_output(|p| {
        p.write("content/modules/etika/index.md", p.read("content/modules/etika.md"));
    })
    .assert_error("content/modules/etika.md", "the module `etika` is defined twice here");
}

#[test]
fn link_to_a_module_that_does_not_exist() {
    let run = fails_without_touching_output(|p| {
        p.edit("content/modules/pemungutan.md", "(etika.md#netralitas)", "(etik.md#netralitas)");
    });
    run.assert_error("content/modules/pemungutan.md:11:11", "link to module `etik`, which does not exist");
}

#[test]
fn link_to_a_module_only_some_regencies_have() {
    let p = Project::fixture("basic");
    p.write(
        "content/regencies/alpha/modules/khusus.md",
        "---\ntitle: Khusus\nroles: [kpps]\ntopic: etika\n---\nIsi.\n",
    );
    p.edit("content/modules/etika.md", "Penyelenggara tidak memihak.", "Lihat [khusus](khusus.md).");
    let run = p.build();
    run.assert_error("content/modules/etika.md:8:7", "link to module `khusus`, which regency beta does not have");
}

#[test]
fn event_naming_a_module_that_does_not_exist() {
    fails_without_touching_output(|p| {
        p.edit("content/schedules/nasional.yaml", "module: pemungutan", "module: pemungutan-suara");
    })
    .assert_error(
        "content/schedules/nasional.yaml:12:13",
        "`module:` names module `pemungutan-suara`, which does not exist",
    );
}

#[test]
fn invalid_dates_spans_and_weekdays_all_in_one_run() {
    let run = fails_without_touching_output(|p| {
        p.edit("content/schedules/nasional.yaml", "end: 2024-11-23", "end: 2024-09-20");
        p.edit("content/schedules/nasional.yaml", "date: 2024-11-27", "date: 2024-11-28");
        p.edit("content/regencies/alpha/schedules/lokal.yaml", "date: 2024-11-20", "date: 2024-11-31");
        p.edit("content/modules/pemungutan.md", "updated: 2024-11-01", "updated: 1-11-2024");
    });
    run.assert_error("content/schedules/nasional.yaml:5:10", "`end` (2024-09-20) is before `start` (2024-09-25)");
    run.assert_error("content/schedules/nasional.yaml:9:14", "2024-11-28 is a Kamis, not a Rabu");
    run.assert_error(
        "content/regencies/alpha/schedules/lokal.yaml:4:11",
        "invalid `date`: `2024-11-31` does not exist: November 2024 has 30 days",
    );
    run.assert_error(
        "content/modules/pemungutan.md:7:10",
        "invalid `updated` date: `1-11-2024` is not a date in the form YYYY-MM-DD (e.g. 2024-11-27)",
    );
    assert!(run.stderr.contains("4 errors; nothing was written"), "{}", run.stderr);
}

#[test]
fn unknown_timezone() {
    fails_without_touching_output(|p| {
        p.edit("content/regencies/beta/regency.yaml", "timezone: WITA", "timezone: WITT");
    })
    .assert_error("content/regencies/beta/regency.yaml:3:11", "unknown timezone `WITT`");
}

#[test]
fn a_file_that_is_not_utf8() {
    fails_without_touching_output(|p| {
        p.write(
            "content/modules/etika.md",
            b"---\ntitle: Kode Etik\nroles: [ppk]\ntopic: etika\n---\nPemilu \xe9 jujur\n".as_slice(),
        );
    })
    .assert_error("content/modules/etika.md:6:8", "the file is not UTF-8 text");
}

#[test]
fn bad_config_is_located() {
    let run = fails_without_touching_output(|p| {
        p.edit("bimtek.yaml", "base_url: https://uji.example.id/bimtek", "base_url: uji.example.id\nlanguage: jv");
    });
    run.assert_error("bimtek.yaml:2:11", "`base_url` must be an absolute address, not `uji.example.id`");
    run.assert_error("bimtek.yaml:3:11", "unknown language `jv`");
}

#[test]
fn template_errors_name_the_template_file() {
    fails_without_touching_output(|p| {
        p.write(
            "themes/default/templates/contacts.html",
            "{% extends \"base.html\" %}\n{% block main %}\n{{ regency.name \n{% endblock main %}",
        );
    })
    .assert_error("themes/default/templates/contacts.html:4:1", "template error:");
}

#[test]
fn missing_front_matter_explains_the_fix() {
    let run = fails_without_touching_output(|p| {
        p.write("content/modules/etika.md", "# Kode etik\n\nIsi.\n");
    });
    run.assert_error("content/modules/etika.md:1", "no front matter found");
    assert!(run.stderr.contains("hint: start the file with front matter between two `---` lines"));
}

#[test]
fn an_invalid_slug_is_refused_with_a_suggestion() {
    fails_without_touching_output(|p| {
        p.write("content/modules/Kode Etik.md", p.read("content/modules/etika.md"));
    })
    .assert_error(
        "content/modules/Kode Etik.md",
        "`Kode Etik` is not a valid module name: it becomes part of the web address",
    );
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_content_are_refused() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret.txt"), "rahasia").unwrap();
    fails_without_touching_output(|p| {
        std::os::unix::fs::symlink(outside.path().join("secret.txt"), p.path("content/static/secret.txt")).unwrap();
    })
    .assert_error("content/static/secret.txt", "this symbolic link points outside `content/`; it is not followed");
}

#[test]
fn output_folder_may_not_be_the_project() {
    let p = Project::fixture("basic");
    let run = p.run(&["build", "--out", "."]);
    run.assert_error(".", "refusing to use this output folder: it would replace the project's own files");
    let run = p.run(&["build", "--out", "content/x"]);
    assert_eq!(run.code, 1);
    assert!(p.path("content/modules/etika.md").is_file());
}

#[test]
fn not_a_project() {
    let dir = tempfile::tempdir().unwrap();
    let run = crate::harness::bin().args(["build", "--root"]).arg(dir.path()).output().unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("this is not a bimtek project"));
    assert!(!dir.path().join("output").exists());
}

#[test]
fn output_pointing_at_a_file_or_a_foreign_folder_is_refused_and_left_alone() {
    let p = Project::fixture("basic");
    p.write("catatan.txt", "penting");
    let run = p.run(&["build", "--out", "catatan.txt"]);
    run.assert_error("catatan.txt", "refusing to use this output folder: it exists and is not a folder");
    assert_eq!(p.read("catatan.txt"), "penting");
    let run = p.run(&["build", "--out", "bimtek.yaml"]);
    assert_eq!(run.code, 1);
    assert!(p.read("bimtek.yaml").starts_with("title: Bimtek Uji"));
    p.write("pages/.git/HEAD", "ref: refs/heads/gh-pages");
    p.write("pages/index.html", "lama");
    p.write("pages/robots.txt", "");
    p.run(&["build", "--out", "pages"]).assert_error("pages", "refusing to use this output folder: it holds files that are not a bimtek site, and the build replaces the folder whole");
    assert!(p.path("pages/.git/HEAD").is_file());
    let leftovers: Vec<_> = fs::read_dir(&p.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("bimtek-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // A previous site is replaced as usual.
    p.build().assert_ok();
    p.build().assert_ok();
}

#[cfg(unix)]
#[test]
fn symlinked_content_folders_are_refused() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(
        outside.path().join("bocor.md"),
        "---\ntitle: Bocor\nroles: [kpps]\ntopic: etika\n---\nDari luar proyek.\n",
    )
    .unwrap();
    fails_without_touching_output(|p| {
        std::os::unix::fs::symlink(outside.path(), p.path("content/regencies/beta/modules")).unwrap();
    })
    .assert_error("content/regencies/beta/modules", "this symbolic link points outside `content/`; it is not followed");
}

#[test]
fn event_notes_are_escaped_like_every_yaml_value() {
    let p = Project::fixture("basic");
    p.edit(
        "content/schedules/nasional.yaml",
        "note: \"Lihat [kode etik](etika.md).\"",
        "note: \"<script>alert(1)</script>\\n\\nLihat <img src=x onerror=alert(2)> [x](javascript:alert(3)) [kode etik](etika.md).\"",
    );
    p.build().assert_ok();
    for page in [
        "alpha/index.html",
        "alpha/jadwal/index.html",
        "alpha/peran/kpps/index.html",
        "alpha/modul/pemungutan/index.html",
    ] {
        let page = p.page(page);
        assert_eq!(page.html.select(&crate::harness::sel(".event-note script, .event-note img")).count(), 0);
        let theirs =
            |s: &String| ["timeline", "offline", "checklist"].iter().any(|t| s.ends_with(&format!("assets/{t}.js")));
        assert!(page.attrs("script", "src").iter().all(theirs));
        assert_eq!(page.html.select(&crate::harness::sel("script:not([src])")).count(), 0);
        assert!(page.text(".event-note").contains("<script>alert(1)</script>"));
        let hrefs = page.attrs(".event-note a", "href");
        assert!(hrefs.iter().all(|h| !h.to_lowercase().starts_with("javascript")), "{hrefs:?}");
        assert!(hrefs.iter().any(|h| h.ends_with("modul/etika/")), "{hrefs:?}");
    }
}

#[test]
fn md_links_that_name_no_module_are_errors() {
    let run = fails_without_touching_output(|p| {
        p.edit("content/modules/etika.md", "Penyelenggara tidak memihak.", "Lihat [daftar](index.md) dan [x](.md).");
    });
    run.assert_error("content/modules/etika.md:8:7", "broken link: `index.md` does not name a module");
    run.assert_error("content/modules/etika.md:8:30", "broken link: `.md` does not name a module");
}

#[test]
fn a_static_file_clashing_with_a_page_is_reported_before_anything_is_written() {
    let run = fails_without_touching_output(|p| {
        p.write("content/static/jadwal", "bukan folder");
        p.write("content/static/modul/etika/index.html", "<p>tiruan</p>");
    });
    run.assert_error("content/static/jadwal", "the site already has `alpha/jadwal`, from ");
    run.assert_error(
        "content/static/modul/etika/index.html",
        "the site already has `alpha/modul/etika/index.html`, from a generated page",
    );
}

#[test]
fn an_unknown_site_is_reported_with_the_content_errors() {
    let p = Project::fixture("basic");
    p.edit("content/modules/etika.md", "topic: etika", "topic: etik");
    let run = p.run(&["build", "--site", "gamma"]);
    run.assert_error("content/modules/etika.md:4:8", "unknown topic `etik`");
    run.assert_error("content/regencies", "there is no regency `gamma`");
}

#[test]
fn a_regency_cannot_be_called_assets() {
    fails_without_touching_output(|p| {
        p.write("content/regencies/assets/regency.yaml", "name: A\nprovince: B\ntimezone: WIB\n");
    })
    .assert_error("content/regencies/assets", "`assets` cannot be a regency: the site index keeps its styles there");
}

#[test]
fn yaml_that_is_a_list_or_has_tabs_is_explained() {
    let run = fails_without_touching_output(|p| {
        p.write("content/regencies/beta/regency.yaml", "- name: Kota Beta\n");
        p.write("content/schedules/nasional.yaml", "title: T\nevents:\n\t- title: x\n");
    });
    run.assert_error(
        "content/regencies/beta/regency.yaml:1:1",
        "invalid type: sequence, expected `field: value` lines",
    );
    assert!(run.stderr.contains("indent with spaces"), "{}", run.stderr);
}

#[test]
fn malformed_time_and_an_event_without_a_date() {
    let run = fails_without_touching_output(|p| {
        p.edit("content/regencies/alpha/schedules/lokal.yaml", "time: \"08:00\"", "time: \"8 pagi\"");
        p.edit("content/schedules/nasional.yaml", "    start: 2024-09-25\n    end: 2024-11-23\n", "");
        p.edit("content/schedules/nasional.yaml", "time: \"07:00-13:00\"", "time: \"13:00-07:00\"");
    });
    run.assert_error(
        "content/regencies/alpha/schedules/lokal.yaml:6:11",
        "invalid `time`: `8 pagi` is not a time like \"07:00\" or a range like \"07:00-13:00\"",
    );
    run.assert_error("content/schedules/nasional.yaml:3:12", "the event `Masa kampanye` has no date");
    run.assert_error("content/schedules/nasional.yaml:8:11", "invalid `time`: `13:00-07:00` ends before it starts");
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_reported_not_followed() {
    let run = fails_without_touching_output(|p| {
        std::os::unix::fs::symlink("b.md", p.path("content/modules/a.md")).unwrap();
        std::os::unix::fs::symlink("a.md", p.path("content/modules/b.md")).unwrap();
        // A folder linking to its own parent would make the walk endless, were it followed.
        std::os::unix::fs::symlink("..", p.path("content/modules/denah/atas")).unwrap();
    });
    run.assert_error("content/modules/a.md", "this symbolic link is broken or loops");
    run.assert_error("content/modules/b.md", "this symbolic link is broken or loops");
    run.assert_error("content/modules/denah/atas", "symbolic links to folders are not followed");
}
