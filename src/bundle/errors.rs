//! The bundle's error messages, in one place so each names the file and the fix the same way.

use std::io;
use std::path::Path;

use super::BundleError;

/// A file or directory that could not be read while bundling.
pub(super) fn unreadable(path: &Path, e: &io::Error) -> BundleError {
    if e.kind() == io::ErrorKind::PermissionDenied {
        BundleError(format!(
            "cannot read {}: permission denied: make it readable or add it to .ebignore",
            path.display()
        ))
    } else {
        BundleError(format!("cannot read {}: {e}", path.display()))
    }
}

/// The zip could not be written (disk full, out directory gone, ...).
pub(super) fn write_failed(zip: &Path, e: &dyn std::fmt::Display) -> BundleError {
    BundleError(format!("cannot write the bundle {}: {e}", zip.display()))
}

/// The bundle grew past the size limit.
pub(super) fn too_big(limit: u64) -> BundleError {
    BundleError(format!(
        "the bundle is over Elastic Beanstalk's size limit of {}: leave out what the \
         application does not need at run time (build output, dependencies, data, logs) \
         with an .ebignore",
        size(limit)
    ))
}

/// A name that a zip entry cannot carry.
pub(super) fn not_utf8(path: &Path) -> BundleError {
    BundleError(format!(
        "{} has a name that is not UTF-8, which a zip cannot carry: rename it or add it to \
         .ebignore",
        path.display()
    ))
}

/// `512 MB` for the real limit (Elastic Beanstalk counts in MiB and says MB); tests use small
/// limits that are not whole megabytes.
fn size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_real_limit_reads_512_mb() {
        assert!(too_big(super::super::MAX_BUNDLE_BYTES).0.contains("512 MB"));
        assert!(too_big(1000).0.contains("1000 bytes"));
    }

    #[test]
    fn permission_denied_names_the_fix() {
        let e = io::Error::from(io::ErrorKind::PermissionDenied);
        let msg = unreadable(Path::new("app/secret.txt"), &e).0;
        assert!(msg.contains("app/secret.txt"), "{msg}");
        assert!(
            msg.contains("make it readable or add it to .ebignore"),
            "{msg}"
        );
    }
}
