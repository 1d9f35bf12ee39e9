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

use std::fmt;
use std::path::PathBuf;

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
