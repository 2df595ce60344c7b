//! `bimtek init` and `bimtek new`: what they write builds and checks clean at once, and they never
//! overwrite a file.

use crate::harness::{Run, bin};

fn run_in(dir: &std::path::Path, args: &[&str]) -> Run {
    Run::from(bin().args(args).current_dir(dir).output().unwrap())
}

#[test]
fn init_makes_a_project_that_checks_clean_and_builds() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("bimtek-kabupaten");
    run_in(dir.path(), &["init", "bimtek-kabupaten"]).assert_ok();
    let check = run_in(&project, &["check", "--deny-warnings"]);
    check.assert_ok();
    assert_eq!(check.stdout, "");
    let sources: Vec<_> = std::fs::read_dir(&project).unwrap().map(|e| e.unwrap().file_name()).collect();
    run_in(&project, &["build"]).assert_ok();
    run_in(&project, &["build"]).assert_ok();
    let module = std::fs::read_to_string(project.join("output/contoh/modul/persiapan-tps/index.html")).unwrap();
    assert!(module.contains("Persiapan TPS"));
    // Git ignores everything builds add beside the sources: the site and the incremental state.
    let ignored = std::fs::read_to_string(project.join(".gitignore")).unwrap();
    for entry in std::fs::read_dir(&project).unwrap().map(|e| e.unwrap().file_name()) {
        if !sources.contains(&entry) {
            let line = format!("/{}", entry.to_string_lossy());
            assert!(ignored.lines().any(|l| l == line), "{line} is not in .gitignore:\n{ignored}");
        }
    }
    // A second init changes nothing and says why.
    let before = crate::harness::snapshot(&project);
    let again = run_in(dir.path(), &["init", "bimtek-kabupaten"]);
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("already exists: bimtek.yaml"), "{}", again.stderr);
    assert!(again.stderr.contains("nothing was written"), "{}", again.stderr);
    assert_eq!(crate::harness::snapshot(&project), before);
}

#[test]
fn new_modules_and_regencies_use_the_projects_roles_and_topics_and_never_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    run_in(p, &["init", "."]).assert_ok();
    run_in(p, &["new", "module", "pemilih-disabilitas", "--topic", "pemungutan", "--role", "kpps"]).assert_ok();
    run_in(p, &["new", "regency", "landak"]).assert_ok();
    run_in(p, &["new", "module", "persiapan-tps", "--regency", "landak"]).assert_ok();
    run_in(p, &["check", "--deny-warnings"]).assert_ok();
    run_in(p, &["build"]).assert_ok();
    let role_page = std::fs::read_to_string(p.join("output/landak/peran/kpps/index.html")).unwrap();
    assert!(role_page.contains("Pemilih Disabilitas"), "the new module is for KPPS");
    let pps_page = std::fs::read_to_string(p.join("output/landak/peran/pps/index.html")).unwrap();
    assert!(!pps_page.contains("Pemilih Disabilitas"), "and only for KPPS");
    // Landak's own version of a national module replaces it there, not in the other regency.
    let landak = std::fs::read_to_string(p.join("output/landak/modul/persiapan-tps/index.html")).unwrap();
    assert!(landak.contains("Persiapan Tps"));
    let contoh = std::fs::read_to_string(p.join("output/contoh/modul/persiapan-tps/index.html")).unwrap();
    assert!(contoh.contains("Persiapan TPS"));

    let module = p.join("content/modules/pemilih-disabilitas.md");
    let before = std::fs::read(&module).unwrap();
    let again = run_in(p, &["new", "module", "pemilih-disabilitas"]);
    assert_eq!(again.code, 1);
    assert_eq!(std::fs::read(&module).unwrap(), before);
    for (args, message) in [
        (vec!["new", "module", "x", "--topic", "logistik"], "there is no topic `logistik`"),
        (vec!["new", "module", "x", "--role", "kppx"], "there is no role `kppx`"),
        (vec!["new", "module", "x", "--regency", "sanggau"], "there is no regency `sanggau`"),
        (vec!["new", "module", "Bukan Slug"], "`Bukan Slug` cannot name a module"),
        (vec!["new", "regency", "../luar"], "`../luar` cannot name a regency"),
    ] {
        let run = run_in(p, &args);
        assert_eq!(run.code, 1, "{args:?}");
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
    }
    assert!(!p.join("content/modules/x.md").exists());
    // Outside a project, new says how to start one.
    let elsewhere = tempfile::tempdir().unwrap();
    let run = run_in(elsewhere.path(), &["new", "module", "x"]);
    assert!(run.stderr.contains("bimtek init"), "{}", run.stderr);
}
