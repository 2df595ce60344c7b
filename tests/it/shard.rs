//! Sharded builds: `bimtek sites --json` plans the split, each `build --shard i/K` builds a part,
//! and the parts copied together are the very site a single build makes.

use std::fs;
use std::path::Path;

use crate::harness::{Project, copy_tree, snapshot};

fn plan(p: &Project, k: usize) -> serde_json::Value {
    let run = p.run(&["sites", "--json", "--shards", &k.to_string()]);
    run.assert_ok();
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

#[test]
fn shards_merged_by_plain_copy_equal_a_single_build() {
    let p = Project::sample();
    p.build().assert_ok();
    let single = snapshot(&p.out());
    let work = tempfile::tempdir().unwrap();
    for k in [2, 3, 7] {
        let plan = plan(&p, k);
        let shards = plan["shards"].as_array().unwrap();
        assert_eq!(shards.len(), k);
        let merged = work.path().join(format!("merged-{k}"));
        for part in shards {
            let shard = part["shard"].as_str().unwrap();
            let out = work.path().join(format!("shard-{}", shard.replace('/', "-of-")));
            p.run(&["build", "--shard", shard, "--out", out.to_str().unwrap()]).assert_ok();
            // Each shard holds its own regencies and no other.
            for regency in plan["regencies"].as_array().unwrap() {
                let slug = regency["slug"].as_str().unwrap();
                let mine = part["regencies"].as_array().unwrap().iter().any(|r| r == slug);
                assert_eq!(out.join(slug).exists(), mine, "shard {shard}, regency {slug}");
            }
            copy_tree(&out, &merged);
        }
        let got = snapshot(&merged);
        assert_eq!(got.keys().collect::<Vec<_>>(), single.keys().collect::<Vec<_>>(), "{k} shards");
        for (path, bytes) in &single {
            assert!(got[path] == *bytes, "{k} shards: {path} differs from the single build");
        }
    }
}

#[test]
fn the_plan_lists_every_regency_once_with_its_size() {
    let p = Project::fixture("basic");
    let plan = plan(&p, 2);
    let sizes: Vec<(String, u64)> = plan["regencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["slug"].as_str().unwrap().to_owned(), r["modules"].as_u64().unwrap()))
        .collect();
    // Four national module files (a draft among them: the plan reads no front matter); alpha's
    // own etika overrides the national one, so it adds no page.
    assert_eq!(sizes, [("alpha".to_owned(), 4), ("beta".to_owned(), 4)]);
    p.write("content/regencies/beta/modules/lokal.md", "---\ntitle: L\nroles: [ppk]\ntopic: etika\n---\nIsi.\n");
    let plan = crate::shard::plan(&p, 2);
    assert_eq!(plan["regencies"][1]["modules"], 5, "beta's own module is not counted");
    let mut all: Vec<&str> = plan["shards"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["regencies"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()))
        .collect();
    all.sort();
    assert_eq!(all, ["alpha", "beta"]);
}

#[test]
fn bad_shards_are_usage_errors() {
    let p = Project::fixture("basic");
    for bad in ["0/2", "3/2", "x"] {
        let run = p.run(&["build", "--shard", bad]);
        assert_eq!(run.code, 2, "{bad}: {}", run.stderr);
        assert!(run.stderr.contains("i/K") || run.stderr.contains("between 1 and K"), "{}", run.stderr);
    }
    let run = p.run(&["build", "--shard", "1/2", "--site", "alpha"]);
    assert_eq!(run.code, 2, "--shard with --site: {}", run.stderr);
    assert!(!p.out().exists(), "a refused command wrote the site");
}

/// The `run:`/`script:` lines of the shipped CI files, run here as the CI would run them: the
/// GitLab pipeline job by job (4 parallel build jobs), the GitHub workflow step by step with its
/// matrix expanded from the plan step's output. Both must publish the single build's files.
mod workflows {
    use super::*;
    use std::process::Command;

    fn workflow(name: &str) -> serde_yaml::Value {
        let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ci").join(name)).unwrap();
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("ci/{name}: {e}"))
    }

    fn sh(dir: &Path, script: &str, env: &[(&str, String)]) {
        assert!(!script.contains("${{"), "unexpanded expression in: {script}");
        let out =
            Command::new("sh").arg("-ec").arg(script).current_dir(dir).envs(env.iter().cloned()).output().unwrap();
        assert!(out.status.success(), "`{script}` failed:\n{}", String::from_utf8_lossy(&out.stderr));
    }

    /// A project with the built binary where the pipelines put it, and the single build to match.
    fn project() -> (Project, std::collections::BTreeMap<String, Vec<u8>>) {
        let p = Project::sample();
        p.build().assert_ok();
        let single = snapshot(&p.out());
        fs::remove_dir_all(p.out()).unwrap();
        fs::create_dir_all(p.path("tool/bin")).unwrap();
        fs::copy(env!("CARGO_BIN_EXE_bimtek"), p.path("tool/bin/bimtek")).unwrap();
        (p, single)
    }

    fn assert_same(dir: &Path, single: &std::collections::BTreeMap<String, Vec<u8>>, what: &str) {
        let got = snapshot(dir);
        assert_eq!(got.keys().collect::<Vec<_>>(), single.keys().collect::<Vec<_>>(), "{what}");
        assert!(got == *single, "{what}: some file differs from the single build");
    }

    fn lines(job: &serde_yaml::Value) -> Vec<String> {
        job["script"].as_sequence().unwrap().iter().map(|l| l.as_str().unwrap().to_owned()).collect()
    }

    #[test]
    fn the_gitlab_pipeline_publishes_the_single_build() {
        let ci = workflow("gitlab-pages.yml");
        let (p, single) = project();
        let git = ("BIMTEK_GIT", ci["variables"]["BIMTEK_GIT"].as_str().unwrap().to_owned());
        for line in lines(&ci["tool"]) {
            sh(&p.root, &line, std::slice::from_ref(&git));
        }
        let total = ci["build"]["parallel"].as_u64().unwrap();
        assert!(total > 1);
        let cached: Vec<&str> =
            ci["build"]["cache"]["paths"].as_sequence().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
        for index in 1..=total {
            for line in lines(&ci["build"]) {
                sh(&p.root, &line, &[("CI_NODE_INDEX", index.to_string()), ("CI_NODE_TOTAL", total.to_string())]);
            }
            // The build caches kept between pipelines are where the build leaves them.
            for path in &cached {
                let path = path.replace("$CI_NODE_INDEX", &index.to_string());
                assert!(p.path(&path).is_file(), "the cached path {path} is not there after the build");
            }
        }
        for line in lines(&ci["pages"]) {
            sh(&p.root, &line, &[]);
        }
        assert_same(&p.path("public"), &single, "GitLab Pages");
    }

    #[test]
    fn the_github_workflow_publishes_the_single_build() {
        let ci = workflow("github-pages.yml");
        let (p, single) = project();
        let env: Vec<(&str, String)> =
            ["BIMTEK_GIT", "SHARDS"].into_iter().map(|k| (k, ci["env"][k].as_str().unwrap().to_owned())).collect();
        let steps = |job: &str| ci["jobs"][job]["steps"].as_sequence().unwrap().clone();
        let outputs = p.path("github-output");
        let mut env_plan = env.clone();
        env_plan.push(("GITHUB_OUTPUT", outputs.to_string_lossy().into_owned()));
        for step in steps("plan") {
            // The install step runs only without a cached tool, and the tool is there.
            if let (Some(run), None) = (step["run"].as_str(), step["if"].as_str()) {
                sh(&p.root, run, &env_plan);
            }
        }
        let written = fs::read_to_string(&outputs).unwrap();
        let plan: serde_json::Value =
            serde_json::from_str(written.trim().strip_prefix("plan=").expect("plan= output")).unwrap();
        let parts = plan["shards"].as_array().unwrap();
        assert_eq!(parts.len().to_string(), env[1].1);
        for (index, part) in parts.iter().enumerate() {
            for step in steps("build") {
                if let Some(run) = step["run"].as_str() {
                    sh(&p.root, &run.replace("${{ matrix.part.shard }}", part["shard"].as_str().unwrap()), &env);
                }
            }
            // The build caches kept between runs are where the build leaves them.
            for step in steps("build").iter().filter(|s| s["uses"].as_str() == Some("actions/cache@v4")) {
                for path in step["with"]["path"].as_str().unwrap().lines() {
                    assert!(p.path(path).is_file(), "the cached path {path} is not there after the build");
                }
            }
            // What upload-artifact/download-artifact do: part/ ends up as parts/part-<index>/.
            fs::create_dir_all(p.path("parts")).unwrap();
            fs::rename(p.path("part"), p.path(&format!("parts/part-{index}"))).unwrap();
        }
        for step in steps("deploy") {
            if let Some(run) = step["run"].as_str() {
                sh(&p.root, run, &env);
            }
        }
        assert_same(&p.path("site"), &single, "GitHub Pages");
    }
}
