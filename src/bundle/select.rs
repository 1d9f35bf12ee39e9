//! Which files of a directory ship: the `.ebignore` rules and the whole directory, walked in name
//! order, and the names always left out.
//!
//! What the EB CLI does (`ebcli/core/fileoperations.py`, `_zipdir` and `get_ebignore_list`):
//! - it walks the whole project and leaves out what `.ebignore` matches (gitignore syntax, through
//!   `pathspec`) plus `.ebignore` itself; nothing else is special, so `.git/` ships unless
//!   `.ebignore` lists it, and `.gitignore` is neither read nor left out;
//! - without `.ebignore` and without git it leaves out the root `.gitignore` (its default ignore
//!   list is `{'.gitignore'}`);
//! - it skips any folder whose path holds `.elasticbeanstalk`, files ending in `~`, and sockets
//!   (here every file that is not regular: a FIFO would block the read forever);
//! - it stores symlinks as symlinks, never following them.
//!
//! One difference: `pathspec` matches every file on its own, so `build/` followed by
//! `!build/keep.txt` ships `build/keep.txt` with the EB CLI; here, as in git (the syntax the user
//! wrote), an ignored folder is not entered, and nothing under it ships.

use std::fs::{self, Metadata};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::{Datelike, Local, Timelike};
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::BundleError;
use super::errors::{not_utf8, unreadable};
use super::zip_out::{Meta, Sink};

/// The EB CLI's configuration folder, never shipped.
const EB_DIR: &str = ".elasticbeanstalk";
pub(super) const EBIGNORE: &str = ".ebignore";

/// Whether a bundle path (`/`-separated) is always left out: inside `.elasticbeanstalk/`, or a
/// name ending in `~` (editor backups).
pub(super) fn skipped(path: &str) -> bool {
    path.ends_with('~') || path.split('/').any(|part| part == EB_DIR)
}

/// The matcher for `dir/.ebignore`; an invalid line is an error naming it and the fix.
pub(super) fn ebignore(dir: &Path) -> Result<Gitignore, BundleError> {
    let file = dir.join(EBIGNORE);
    let bytes = fs::read(&file).map_err(|e| unreadable(&file, &e))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        BundleError(format!(
            "{} is not UTF-8 text: save it as UTF-8",
            file.display()
        ))
    })?;
    let mut builder = GitignoreBuilder::new(dir);
    for (n, line) in text.lines().enumerate() {
        if let Err(e) = builder.add_line(Some(file.clone()), line) {
            return Err(BundleError(format!(
                "{} line {}: `{}` is not a valid pattern ({e}): fix it (gitignore syntax) or \
                 remove the line",
                file.display(),
                n + 1,
                line.trim()
            )));
        }
    }
    builder
        .build()
        .map_err(|e| BundleError(format!("{}: {e}", file.display())))
}

/// Which rule picks the files of a walk.
pub(super) enum Pick<'a> {
    /// Everything `.ebignore` does not match; `.ebignore` itself left out.
    EbIgnore(&'a Gitignore),
    /// Everything but the root `.gitignore`, as the EB CLI does.
    Whole,
}

impl Pick<'_> {
    /// Whether the entry at `rel` (`is_dir` without following links) is left out.
    fn leaves_out(&self, path: &Path, rel: &str, is_dir: bool) -> bool {
        match self {
            Pick::EbIgnore(gi) => rel == EBIGNORE || gi.matched(path, is_dir).is_ignore(),
            Pick::Whole => rel == ".gitignore",
        }
    }
}

/// Walk `root` in name order and hand every file that ships to the sink. `out_dir`, where the
/// zip is being written, is left out when it lies inside `root`: the bundle must not hold itself.
pub(super) fn walk(
    root: &Path,
    out_dir: &Path,
    pick: &Pick<'_>,
    sink: &mut Sink<'_>,
) -> Result<(), BundleError> {
    let own = inside(root, out_dir);
    // Folders still to read, deepest last: (path on disk, path in the bundle with its `/`).
    let mut stack: Vec<(PathBuf, String)> = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let mut children = list(&dir)?;
        children.sort();
        // Files first in name order, then the folders: pushed in reverse so the first pops first.
        let mut folders = Vec::new();
        for (name, path) in children {
            let rel = format!("{prefix}{name}");
            let meta = path.symlink_metadata().map_err(|e| unreadable(&path, &e))?;
            let kind = meta.file_type();
            if kind.is_dir() {
                let is_out = own.as_deref() == Some(rel.as_str());
                if name != EB_DIR && !is_out && !pick.leaves_out(&path, &rel, true) {
                    folders.push((path, format!("{rel}/")));
                }
                continue;
            }
            if skipped(&rel) || pick.leaves_out(&path, &rel, false) {
                continue;
            }
            if kind.is_symlink() {
                let target = fs::read_link(&path).map_err(|e| unreadable(&path, &e))?;
                sink.symlink(rel, target.to_string_lossy().into_owned())?;
            } else if kind.is_file() {
                sink.disk_file(rel, path, meta.len(), file_meta(&meta))?;
            }
            // Sockets, FIFOs and devices: not files that can ship.
        }
        stack.extend(folders.into_iter().rev());
    }
    Ok(())
}

/// `dir` as a bundle path (`a/b`), when it lies inside `root`.
fn inside(root: &Path, dir: &Path) -> Option<String> {
    let root = root.canonicalize().ok()?;
    let dir = dir.canonicalize().ok()?;
    let rel = dir.strip_prefix(&root).ok()?.to_str()?;
    (!rel.is_empty()).then(|| rel.to_string())
}

/// The entries of one folder: (name, path), names as UTF-8.
fn list(dir: &Path) -> Result<Vec<(String, PathBuf)>, BundleError> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| unreadable(dir, &e))? {
        let entry = entry.map_err(|e| unreadable(dir, &e))?;
        let path = entry.path();
        let name = entry
            .file_name()
            .into_string()
            .map_err(|_| not_utf8(&path))?;
        out.push((name, path));
    }
    Ok(out)
}

fn file_meta(meta: &Metadata) -> Meta {
    Meta {
        mode: meta.permissions().mode() & 0o777,
        mtime: meta
            .modified()
            .map_or_else(|_| zip::DateTime::default(), zip_time),
    }
}

/// A zip timestamp (local time, as zip tools read it); before 1980 or unreadable: 1980-01-01.
fn zip_time(t: SystemTime) -> zip::DateTime {
    let local: chrono::DateTime<Local> = t.into();
    let convert = || {
        zip::DateTime::from_date_and_time(
            u16::try_from(local.year()).ok()?,
            u8::try_from(local.month()).ok()?,
            u8::try_from(local.day()).ok()?,
            u8::try_from(local.hour()).ok()?,
            u8::try_from(local.minute()).ok()?,
            u8::try_from(local.second()).ok()?,
        )
        .ok()
    };
    convert().unwrap_or_default()
}

/// `zip_time` of seconds since the epoch (a tar header's mtime).
pub(super) fn zip_time_secs(secs: u64) -> zip::DateTime {
    zip_time(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_and_the_eb_folder_are_always_skipped() {
        assert!(skipped("notes.txt~"));
        assert!(skipped(".elasticbeanstalk/config.yml"));
        assert!(skipped("sub/.elasticbeanstalk/x"));
        assert!(!skipped("app.py"));
        assert!(!skipped(".elasticbeanstalkish/x"));
    }

    #[test]
    fn times_before_1980_fall_back() {
        assert_eq!(zip_time_secs(0), zip::DateTime::default());
        let t = zip_time_secs(1_700_000_000);
        assert_eq!(t.year(), 2023);
    }
}
