//! A ready `.zip`/`.jar`/`.war`, shipped as it is: only listed, never rewritten.

use std::fs::File;
use std::path::Path;

use zip::ZipArchive;

use super::errors::{too_big, unreadable};
use super::{BundleError, Entry};

const ARCHIVES: &[&str] = &["zip", "jar", "war"];

/// Whether `path` names an archive that ships as it is.
pub(super) fn is_archive(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ARCHIVES.iter().any(|a| e.eq_ignore_ascii_case(a)))
}

/// The file a user picked that is neither a directory nor an archive.
pub(super) fn not_an_archive(path: &Path) -> BundleError {
    BundleError(format!(
        "{} is a file, not a directory or a .zip/.jar/.war archive: pick the application's \
         directory or a ready archive",
        path.display()
    ))
}

/// The archive's files (sorted by path) and its size, refused over `limit` as Elastic Beanstalk
/// would.
pub(super) fn list(path: &Path, limit: u64) -> Result<(Vec<Entry>, u64), BundleError> {
    let file = File::open(path).map_err(|e| unreadable(path, &e))?;
    let bytes = file.metadata().map_err(|e| unreadable(path, &e))?.len();
    if bytes > limit {
        return Err(too_big(limit));
    }
    let bad = |e: zip::result::ZipError| {
        BundleError(format!(
            "{} is not a zip archive that can be read ({e}): rebuild it",
            path.display()
        ))
    };
    let mut archive = ZipArchive::new(file).map_err(bad)?;
    let mut entries = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(bad)?;
        if entry.is_dir() {
            continue;
        }
        entries.push(Entry {
            path: entry.name().map_err(bad)?.into_owned(),
            size: entry.size(),
            symlink: entry.is_symlink(),
        });
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((entries, bytes))
}
