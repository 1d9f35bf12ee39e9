//! The source bundle: what `eb deploy` would ship from a directory, by the EB CLI's rules, as a
//! zip on disk, with what the deploy dialog shows about it (files, sizes, warnings, a label).
//!
//! Rules, in the EB CLI's order:
//! - a `.zip`/`.jar`/`.war` file is shipped as it is;
//! - a directory with `.ebignore`: every file except those its patterns match (gitignore
//!   syntax), uncommitted files included, `.ebignore` itself left out; `.gitignore` is not read;
//! - a git work tree: the committed tree of HEAD, as `git archive` makes it;
//! - otherwise the whole directory.
//!
//! Always skipped: `.elasticbeanstalk/`, sockets and other non-regular files, names ending in
//! `~`. Symlinks are stored as symlinks (never followed), as the EB CLI does. A bundle over
//! `MAX_BUNDLE_BYTES` is refused.
//!
//! This module does file and process I/O (it runs on a blocking thread, never in `update`); the
//! types are plain data the app and the UI read.
//!
//! Where things are: `select` (the `.ebignore` and whole-directory walk, and the names always
//! left out), `git` (git as a process: is this a work tree, HEAD's state, `git archive`),
//! `git_tree` (HEAD's tree streamed from `git archive` into the zip), `archive` (a ready archive,
//! listed), `zip_out` (the zip on disk, in order), `compress` (its worker threads), `capped` (the
//! output file, buffered and capped), `label`, `warnings`
//! and `platform` (what the dialog warns about), `errors` (messages that name the fix).

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

mod archive;
mod capped;
mod compress;
mod errors;
mod git;
mod git_tree;
mod label;
mod platform;
mod select;
mod warnings;
mod zip_out;

/// Elastic Beanstalk's limit for a source bundle.
pub const MAX_BUNDLE_BYTES: u64 = 512 * 1024 * 1024;

/// What to bundle and where to put the zip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleRequest {
    /// A directory, or a `.zip`/`.jar`/`.war` file.
    pub path: PathBuf,
    /// Where the zip is written (a file created readable by the owner only).
    pub out_dir: PathBuf,
    /// Local time for the version label (`app-<describe>-<yymmdd_HHMMSS>`), passed in so the
    /// label is testable.
    pub now: chrono::NaiveDateTime,
}

/// Which of the rules chose the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rules {
    /// A ready `.zip`/`.jar`/`.war`, shipped as it is.
    Archive,
    /// `.ebignore` in the directory.
    EbIgnore,
    /// The committed tree of HEAD (`git archive`).
    GitHead,
    /// The whole directory (no `.ebignore`, not a git work tree).
    Whole,
}

/// The git work tree a `GitHead` bundle came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitState {
    /// HEAD's commit, abbreviated.
    pub commit: String,
    /// `git describe --always` of HEAD (the label's middle part).
    pub describe: String,
    /// The branch checked out; `None` on a detached HEAD.
    pub branch: Option<String>,
    /// Changed or untracked files under the directory that the bundle does not include.
    pub uncommitted: usize,
}

/// One file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Path inside the bundle, `/`-separated.
    pub path: String,
    /// Size in bytes before compression (a symlink: the length of its target).
    pub size: u64,
    pub symlink: bool,
}

/// Something the user should look at before shipping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// A file that looks like a secret (`.env`, `*.pem`, `id_rsa`, `credentials`, `*.key`).
    Secret { path: String },
    /// Everything sits in one top-level folder: Elastic Beanstalk looks for the application at
    /// the root and will not find it.
    OneTopFolder { folder: String },
    /// The environment's platform expects one of these files at the root; none is there.
    Missing {
        platform: String,
        expected: Vec<String>,
    },
}

/// A bundle written to disk, and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// The directory or file it was made from.
    pub source: PathBuf,
    pub rules: Rules,
    /// For `Rules::GitHead` (and for the label whenever the directory is in a git work tree).
    pub git: Option<GitState>,
    /// Every file, sorted by path.
    pub entries: Vec<Entry>,
    /// The sum of the entries' sizes.
    pub content_bytes: u64,
    /// The zip to upload.
    pub zip: PathBuf,
    pub zip_bytes: u64,
    /// Whether `zip` was written by `build` (and is to be removed when done with); false for a
    /// user's own archive.
    pub owned: bool,
    /// The suggested version label, as the EB CLI makes it.
    pub label: String,
    /// Warnings that do not depend on the environment (secrets, one top-level folder).
    pub warnings: Vec<Warning>,
}

/// Why a bundle could not be made; the text names the cause and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleError(pub String);

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BundleError {}

/// Make the bundle for `req`: pick the files by the EB CLI's rules, write the zip (or take the
/// archive as it is), list it and say what to look at before shipping.
pub fn build(req: &BundleRequest) -> Result<Bundle, BundleError> {
    build_limited(req, MAX_BUNDLE_BYTES)
}

/// `build` with another size limit than Elastic Beanstalk's, so the limit can be tested without
/// writing 512 MB. Not for the app: it always uses `build`.
#[doc(hidden)]
pub fn build_limited(req: &BundleRequest, limit: u64) -> Result<Bundle, BundleError> {
    let meta = std::fs::metadata(&req.path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => BundleError(format!(
            "{} does not exist: pick the application's directory or a .zip/.jar/.war archive",
            req.path.display()
        )),
        _ => errors::unreadable(&req.path, &e),
    })?;
    if meta.is_dir() {
        from_directory(req, limit)
    } else if meta.is_file() && archive::is_archive(&req.path) {
        from_archive(req, limit)
    } else {
        Err(archive::not_an_archive(&req.path))
    }
}

fn from_archive(req: &BundleRequest, limit: u64) -> Result<Bundle, BundleError> {
    let (entries, zip_bytes) = archive::list(&req.path, limit)?;
    // The EB CLI labels an artifact from the project's git, as any other bundle.
    let git = req.path.parent().and_then(label_git);
    let label = label::label(git.as_ref().map(|g| g.describe.as_str()), req.now);
    Ok(bundle(
        req,
        Rules::Archive,
        git,
        entries,
        label,
        (req.path.clone(), zip_bytes, false),
    ))
}

/// HEAD's state for the label, where `dir` is in a work tree with a commit. Best effort: with
/// `.ebignore` git is not needed, and trouble with it only leaves the label without `describe`.
fn label_git(dir: &Path) -> Option<GitState> {
    match git::probe(dir) {
        Ok(git::Tree::WorkTree) => git::state(dir).ok().flatten(),
        _ => None,
    }
}

fn from_directory(req: &BundleRequest, limit: u64) -> Result<Bundle, BundleError> {
    let dir = req.path.as_path();
    let (rules, git, ignore) = if dir.join(select::EBIGNORE).is_file() {
        (
            Rules::EbIgnore,
            label_git(dir),
            Some(select::ebignore(dir)?),
        )
    } else {
        match git::probe(dir)? {
            git::Tree::WorkTree => {
                let state = git::state(dir)?.ok_or_else(|| no_commit(dir))?;
                (Rules::GitHead, Some(state), None)
            }
            git::Tree::NotGit => (Rules::Whole, None, None),
        }
    };
    let label = label::label(git.as_ref().map(|g| g.describe.as_str()), req.now);
    let written = zip_out::write(&req.out_dir, &label, limit, |sink| match (rules, &ignore) {
        (Rules::GitHead, _) => git_tree::stream(dir, sink),
        (_, Some(gi)) => select::walk(dir, &req.out_dir, &select::Pick::EbIgnore(gi), sink),
        (_, None) => select::walk(dir, &req.out_dir, &select::Pick::Whole, sink),
    })?;
    if written.entries.is_empty() {
        // Nothing to deploy: Elastic Beanstalk would take the empty zip and fail later.
        let _ = std::fs::remove_file(&written.zip);
        return Err(nothing_to_ship(dir, rules));
    }
    let zip = (written.zip, written.zip_bytes, true);
    Ok(bundle(req, rules, git, written.entries, label, zip))
}

fn no_commit(dir: &Path) -> BundleError {
    BundleError(format!(
        "{} is in a git work tree that has no commit yet: commit, or add an .ebignore to ship \
         the working tree",
        dir.display()
    ))
}

fn nothing_to_ship(dir: &Path, rules: Rules) -> BundleError {
    let d = dir.display();
    BundleError(match rules {
        Rules::GitHead => format!(
            "HEAD has no committed files under {d}: commit them, or add an .ebignore to ship \
             the working tree"
        ),
        Rules::EbIgnore => format!("{d}/.ebignore leaves no file to ship: loosen its patterns"),
        _ => format!("{d} holds no file to ship"),
    })
}

/// The bundle, entries sorted; `zip` is (path, size, owned).
fn bundle(
    req: &BundleRequest,
    rules: Rules,
    git: Option<GitState>,
    mut entries: Vec<Entry>,
    label: String,
    zip: (PathBuf, u64, bool),
) -> Bundle {
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    let (zip, zip_bytes, owned) = zip;
    Bundle {
        source: req.path.clone(),
        rules,
        git,
        content_bytes: entries.iter().map(|e| e.size).sum(),
        warnings: warnings::general(&entries),
        entries,
        zip,
        zip_bytes,
        owned,
        label,
    }
}

impl Bundle {
    /// The `n` biggest files, biggest first (ties by path).
    pub fn largest(&self, n: usize) -> Vec<&Entry> {
        let mut all: Vec<&Entry> = self.entries.iter().collect();
        all.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.path.cmp(&b.path)));
        all.truncate(n);
        all
    }
}
