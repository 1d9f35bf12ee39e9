//! The sample project the demo offers to deploy (`assets/sample-app/`): a tiny FastAPI service
//! with a `Procfile`, its requirements and an `.ebignore` that leaves its tests out, so the
//! deploy dialog shows the bundler's rules at work. The files are compiled in, so the demo binary
//! can write them to a temporary directory for the user to deploy.

macro_rules! sample {
    ($($path:literal),* $(,)?) => {
        [$(($path, include_bytes!(concat!("../../../assets/sample-app/", $path)) as &[u8])),*]
    };
}

static FILES: [(&str, &[u8]); 6] = sample![
    ".ebignore",
    "Procfile",
    "README.md",
    "application.py",
    "requirements.txt",
    "tests/test_app.py",
];

/// The sample project's files: (path relative to the project, `/`-separated; contents).
pub fn sample_app_files() -> &'static [(&'static str, &'static [u8])] {
    &FILES
}

/// Write the sample project into `dir` (created; it must not exist yet), for the demo to bundle
/// and deploy like any directory.
pub fn write_sample_app(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (path, bytes) in sample_app_files() {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(target, bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::cloud::sim::contents::{Contents, Layout};

    /// What running the sample locally leaves behind; `.ebignore` leaves it out of bundles too.
    fn local_artefact(name: &str) -> bool {
        ["__pycache__", ".pytest_cache", ".venv", "venv"].contains(&name) || name.ends_with(".pyc")
    }

    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read the sample's directory") {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if local_artefact(name) {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("under the root");
                let parts: Vec<&str> = rel.iter().filter_map(|p| p.to_str()).collect();
                out.push(parts.join("/"));
            }
        }
    }

    #[test]
    fn the_list_is_the_directory() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample-app");
        let mut on_disk = Vec::new();
        walk(&root, &root, &mut on_disk);
        on_disk.sort();
        let listed: Vec<&str> = sample_app_files().iter().map(|(p, _)| *p).collect();
        assert_eq!(
            listed, on_disk,
            "sample.rs lists every file of the directory, sorted"
        );
        for (path, bytes) in sample_app_files() {
            let disk = std::fs::read(root.join(path)).expect("read");
            assert_eq!(*bytes, disk.as_slice(), "{path}");
        }
    }

    #[test]
    fn the_sample_is_an_application_to_the_simulator() {
        let names = sample_app_files().iter().map(|(p, _)| p.to_string());
        let contents = Contents::from_names(names, false);
        assert_eq!(contents.layout(), Layout::Application);
    }
}
