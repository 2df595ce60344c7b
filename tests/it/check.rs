//! `bimtek check`: one line per problem with its place and a hint, GitHub annotations, exit codes
//! that tell errors from warnings, and the findings a build lets through.

use crate::harness::Project;

#[test]
fn the_sample_project_checks_clean() {
    let run = Project::sample().run(&["check", "--deny-warnings"]);
    run.assert_ok();
    assert_eq!(run.stdout, "");
}

#[test]
fn a_link_to_a_missing_heading_is_found_with_the_headings_there_are() {
    let p = Project::fixture("basic");
    p.edit("content/modules/pemungutan.md", "etika.md#netralitas", "etika.md#tidak-ada");
    // The build publishes it (the link still reaches the module) ...
    p.build().assert_ok();
    // ... the check does not let it pass. Alpha overrides `etika`, beta has the national one:
    // both lack the heading, and the line is reported once.
    let run = p.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "content/modules/pemungutan.md:11:11: error: link to heading `#tidak-ada`, which module `etika` does not have \
         (hint: the headings of `content/modules/etika.md` are: #netralitas)\n"
            .replace("content/modules/etika.md", &etika_source(&run.stdout))
    );
    assert_eq!(run.stderr, "checked: 1 error, 0 warnings\n");
}

/// Which of the two `etika` modules the line names (the first regency's, alpha's override).
fn etika_source(stdout: &str) -> String {
    stdout.split('`').find(|s| s.ends_with("etika.md") && s.contains('/')).unwrap_or_default().to_owned()
}

#[test]
fn missing_images_and_attachments_and_anchors_on_the_page_are_found() {
    let p = Project::fixture("basic");
    p.edit(
        "content/modules/etika.md",
        "Penyelenggara tidak memihak.",
        "Penyelenggara tidak memihak.\n\n![Denah](denah-tps.png) [Formulir](formulir%20c.pdf) [Atas](#netralitas) [Bawah](#bawah)\n\n[Ikon](../../assets/icon.svg)",
    );
    let run = p.run(&["check"]);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(lines[0].starts_with("content/modules/etika.md:10:1: error: `denah-tps.png` is missing: the site has no `beta/modul/etika/denah-tps.png` (hint: put the file beside the module"), "{}", lines[0]);
    assert!(lines[1].starts_with("content/modules/etika.md:10:25: error: `formulir%20c.pdf` is missing: the site has no `beta/modul/etika/formulir c.pdf`"), "{}", lines[1]);
    assert!(
        lines[2].starts_with(
            "content/modules/etika.md:10:74: error: link to heading `#bawah`, which module `etika` does not have"
        ),
        "{}",
        lines[2]
    );
    // The file put in place, only the anchor is left.
    std::fs::create_dir_all(p.path("content/modules/etika")).unwrap();
    std::fs::rename(p.path("content/modules/etika.md"), p.path("content/modules/etika/index.md")).unwrap();
    p.write("content/modules/etika/denah-tps.png", b"\x89PNG");
    p.write("content/modules/etika/formulir c.pdf", b"%PDF");
    let run = p.run(&["check"]);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(run.stdout.contains("`#bawah`"));
}

#[test]
fn github_format_annotates_the_line_and_warnings_fail_only_when_denied() {
    let p = Project::fixture("basic");
    p.edit("content/schedules/nasional.yaml", "date: 2024-11-27", "date: 2042-11-27");
    p.edit("content/schedules/nasional.yaml", "weekday: Rabu", "weekday: Kamis");
    let run = p.run(&["check", "--format", "github"]);
    assert_eq!(run.code, 0, "warnings alone pass: {}", run.stdout);
    assert!(
        run.stdout.starts_with("::warning file=content/schedules/nasional.yaml,line=8,col=11,title=bimtek warning::2042-11-27 is far from the other events"),
        "{}",
        run.stdout
    );
    assert_eq!(p.run(&["check", "--deny-warnings"]).code, 3);
    // An error wins over warnings: exit 1.
    p.edit("content/schedules/nasional.yaml", "roles: [kpps]", "roles: [kppx]");
    let run = p.run(&["check", "--deny-warnings", "--format", "github"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.lines().any(|l| l.starts_with("::error file=content/schedules/nasional.yaml,line=11,")),
        "{}",
        run.stdout
    );
}
