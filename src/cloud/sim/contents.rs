//! What a source bundle holds, as far as the simulated Elastic Beanstalk cares: the names of its
//! files (never their bytes), and what processing and a deployment make of them.
//!
//! The judgement is platform-blind on purpose: a bundle with any platform's entry point at its
//! root (a `Procfile`, `package.json`, `application.py`, a `Dockerfile`, a `.jar` ...) counts as an
//! application, so the demo's Python sample deploys to the account's Node.js environments. What
//! the simulator does model is the mistake people make: zipping the folder rather than its
//! contents, so that everything sits one level down.

use std::fs::File;
use std::io;
use std::path::Path;

/// Files at the root of a source bundle that make it an application for one platform or another
/// (Elastic Beanstalk's platform guides: Procfile for every platform; Node.js `package.json`,
/// `server.js`, `app.js`; Python `application.py`, `requirements.txt`, `Pipfile`; Docker
/// `Dockerfile`, `Dockerrun.aws.json`, `docker-compose.yml`; Ruby `Gemfile`, `config.ru`; Go
/// `application.go`, `go.mod`; PHP `index.php`, `composer.json`).
const ENTRY_POINTS: [&str; 17] = [
    "Procfile",
    "package.json",
    "server.js",
    "app.js",
    "application.py",
    "requirements.txt",
    "Pipfile",
    "Dockerfile",
    "Dockerrun.aws.json",
    "docker-compose.yml",
    "Gemfile",
    "config.ru",
    "application.go",
    "go.mod",
    "index.php",
    "composer.json",
    "pyproject.toml",
];
/// Java applications are archives at the root.
const ARCHIVES: [&str; 2] = [".jar", ".war"];
/// The folder macOS's Finder adds to the zips it makes; it says nothing about the layout.
const MAC_METADATA: &str = "__MACOSX/";

/// The file names of a source bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Contents {
    /// Files (directories left out), `/`-separated, sorted.
    pub files: Vec<String>,
    /// The upload was a `.jar` or `.war`: the archive is the application itself.
    pub archive: bool,
    /// The file is not a zip Elastic Beanstalk could open.
    pub unreadable: bool,
}

/// What Elastic Beanstalk makes of a bundle's layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Layout {
    /// An application at the root: processes and deploys.
    Application,
    /// Everything sits in one top-level folder: processing (which reads only configuration
    /// files) passes, but no instance finds an application to run.
    OneTopFolder { folder: String },
    /// Processing fails, for the reason given.
    Rejected(String),
}

impl Contents {
    /// Contents from a list of names (a zip's entries; directories end in `/`).
    pub(crate) fn from_names(names: impl IntoIterator<Item = String>, archive: bool) -> Contents {
        let mut files: Vec<String> = names
            .into_iter()
            .map(|n| n.trim_start_matches("./").to_string())
            .filter(|n| !n.is_empty() && !n.ends_with('/'))
            .collect();
        files.sort();
        files.dedup();
        Contents {
            files,
            archive,
            unreadable: false,
        }
    }

    pub(crate) fn has(&self, path: &str) -> bool {
        self.files
            .binary_search_by(|f| f.as_str().cmp(path))
            .is_ok()
    }

    /// The files of `dir` (e.g. `.platform/hooks/prebuild/`), names only, in the order Elastic
    /// Beanstalk runs hooks (lexicographic).
    pub(crate) fn in_dir(&self, dir: &str) -> Vec<String> {
        self.files
            .iter()
            .filter_map(|f| f.strip_prefix(dir))
            .filter(|rest| !rest.contains('/'))
            .map(str::to_string)
            .collect()
    }

    pub(crate) fn layout(&self) -> Layout {
        if self.unreadable {
            return Layout::Rejected("The source bundle is not a valid zip file.".into());
        }
        if self.archive {
            return Layout::Application;
        }
        let files: Vec<&str> = self
            .files
            .iter()
            .map(String::as_str)
            .filter(|f| !f.starts_with(MAC_METADATA))
            .collect();
        let Some(first) = files.first() else {
            return Layout::Rejected("The source bundle is empty.".into());
        };
        if let Some((folder, _)) = first.split_once('/')
            && files
                .iter()
                .all(|f| f.split_once('/').map(|(d, _)| d) == Some(folder))
        {
            return Layout::OneTopFolder {
                folder: folder.to_string(),
            };
        }
        let at_root = |f: &&str| {
            ENTRY_POINTS.contains(f)
                || (!f.contains('/') && ARCHIVES.iter().any(|a| f.ends_with(a)))
        };
        if files.iter().any(at_root) {
            Layout::Application
        } else {
            Layout::Rejected(format!(
                "The source bundle has no application at its root: none of {}, or a .jar or .war file.",
                ENTRY_POINTS[..8].join(", ")
            ))
        }
    }
}

/// The size of the bundle at `path` and its contents (the zip's directory only, not its data).
/// A file that is not a zip is still uploaded, as S3 takes any bytes; processing rejects it.
pub(crate) fn read(path: &Path) -> io::Result<(u64, Contents)> {
    let file = File::open(path)?;
    let size = file.metadata()?.len();
    let archive = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("jar") || e.eq_ignore_ascii_case("war"));
    let contents = match zip::ZipArchive::new(file) {
        Ok(zip) => Contents::from_names(
            zip.file_names()
                .filter_map(|n| n.ok())
                .map(|n| n.into_owned()),
            archive,
        ),
        Err(_) => Contents {
            files: Vec::new(),
            archive,
            unreadable: true,
        },
    };
    Ok((size, contents))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(names: &[&str]) -> Layout {
        Contents::from_names(names.iter().map(|n| n.to_string()), false).layout()
    }

    #[test]
    fn an_entry_point_at_the_root_is_an_application() {
        assert_eq!(of(&["Procfile", "main.py"]), Layout::Application);
        assert_eq!(of(&["./package.json", "src/index.js"]), Layout::Application);
        assert_eq!(of(&["target/app.jar", "app.war"]), Layout::Application);
    }

    #[test]
    fn one_folder_is_found_whatever_finder_adds() {
        assert_eq!(
            of(&[
                "site/",
                "site/Procfile",
                "site/app.py",
                "__MACOSX/site/._app.py"
            ]),
            Layout::OneTopFolder {
                folder: "site".into()
            }
        );
    }

    #[test]
    fn nothing_to_run_or_nothing_at_all_is_rejected() {
        assert!(matches!(of(&[]), Layout::Rejected(r) if r.contains("empty")));
        assert!(
            matches!(of(&["docs/", "README.md", "notes/a.txt"]), Layout::Rejected(r) if r.contains("no application"))
        );
        let jar = Contents::from_names(["META-INF/MANIFEST.MF".to_string()], true);
        assert_eq!(
            jar.layout(),
            Layout::Application,
            "a jar is the application"
        );
    }

    #[test]
    fn hooks_are_the_files_directly_in_their_folder() {
        let c = Contents::from_names(
            [
                ".platform/hooks/prebuild/02_b.sh",
                ".platform/hooks/prebuild/01_a.sh",
                ".platform/hooks/prebuild/lib/x.sh",
            ]
            .map(String::from),
            false,
        );
        assert_eq!(
            c.in_dir(".platform/hooks/prebuild/"),
            ["01_a.sh", "02_b.sh"]
        );
        assert!(c.has(".platform/hooks/prebuild/01_a.sh"));
    }
}
