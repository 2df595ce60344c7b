//! Which file changes start a rebuild: anything under `content/` or `themes/`, and `bimtek.yaml`,
//! but not the temporary files editors write beside the one being saved. Folders deleted and
//! created again (a renamed or restored `content/`) are watched again.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

const WATCHED: [&str; 2] = ["content", "themes"];

/// Watches a project; dropping it stops.
pub struct ProjectWatcher {
    watcher: RecommendedWatcher,
    root: PathBuf,
}

/// Sends the relevant paths of each change to `changes`; the receiver gathers a burst into one
/// build. Reads are not changes: the build itself opens every file.
pub fn start(root: &Path, changes: Sender<BTreeSet<PathBuf>>) -> notify::Result<ProjectWatcher> {
    // Events name absolute paths.
    let root = &root.canonicalize()?;
    let handler_root = root.to_owned();
    let watcher = notify::recommended_watcher(move |result: notify::Result<notify::Event>| {
        let Ok(event) = result else { return };
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        let paths: BTreeSet<PathBuf> = event.paths.into_iter().filter(|p| relevant(&handler_root, p)).collect();
        if !paths.is_empty() {
            let _ = changes.send(paths);
        }
    })?;
    let mut watcher = ProjectWatcher { watcher, root: root.to_owned() };
    // The root itself, not recursively: it sees bimtek.yaml and the folders come and go, without
    // watching output/, target/ or .git.
    watcher.watcher.watch(root, RecursiveMode::NonRecursive)?;
    watcher.rewatch(&BTreeSet::new());
    Ok(watcher)
}

impl ProjectWatcher {
    /// Watches `content/` and `themes/` again when a batch shows one of them come back.
    pub fn rewatch(&mut self, changed: &BTreeSet<PathBuf>) {
        let first = changed.is_empty();
        for folder in WATCHED {
            let path = self.root.join(folder);
            if (first || changed.contains(&path)) && path.is_dir() {
                let _ = self.watcher.watch(&path, RecursiveMode::Recursive);
            }
        }
    }
}

/// Whether a change at `path` can change the site.
pub fn relevant(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else { return false };
    let Some(name) = rel.file_name().and_then(|n| n.to_str()) else { return false };
    let in_sources = rel.components().next().is_some_and(|c| WATCHED.iter().any(|w| c.as_os_str() == *w));
    (in_sources || rel == Path::new(crate::config::CONFIG_FILE)) && !is_editor_temp(name)
}

/// Swap, backup and lock files of vim, emacs, JetBrains, VS Code, gedit and LibreOffice, and
/// the temporary names of atomic saves; the save's final rename is seen as a change of the file.
fn is_editor_temp(name: &str) -> bool {
    name.starts_with(".#")
        || name.starts_with(".~lock.")
        || (name.starts_with('#') && name.ends_with('#'))
        || name.ends_with('~')
        || [".swp", ".swo", ".swx", ".tmp", ".bak", "___jb_tmp___", "___jb_old___", ".crswap"]
            .iter()
            .any(|s| name.ends_with(s))
        || name == "4913"
        || name.starts_with(".goutputstream-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sources_count_and_editor_temporaries_do_not() {
        let root = Path::new("/p");
        for yes in ["/p/content/modules/a.md", "/p/themes/default/static/style.css", "/p/bimtek.yaml", "/p/content"] {
            assert!(relevant(root, Path::new(yes)), "{yes}");
        }
        for no in [
            "/p/output/index.html",
            "/p/target/x",
            "/p/.git/index",
            "/p/content/modules/.a.md.swp",
            "/p/content/modules/a.md~",
            "/p/content/modules/.#a.md",
            "/p/content/modules/#a.md#",
            "/p/content/modules/4913",
            "/p/content/modules/a.md___jb_tmp___",
            "/p/content/modules/.goutputstream-X1",
            "/p/README.md",
            "/elsewhere/content/a.md",
        ] {
            assert!(!relevant(root, Path::new(no)), "{no}");
        }
    }
}
