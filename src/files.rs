//! Files ebtui writes for its user (the diagnostic log, saved log lines): readable by the owner
//! only, and never written over.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Owner read and write, nobody else.
pub const PRIVATE: u32 = 0o600;

/// Numbered names tried after the one asked for, before giving up.
const MAX_NUMBER: u32 = 9999;

/// Open `path` to append, creating it (and its directory, owner-only) when missing. A file that
/// exists with wider permissions is tightened to 0600 first.
pub fn open_private_append(path: &Path) -> io::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(PRIVATE)
        .open(path)?;
    let perms = file.metadata()?.permissions();
    if perms.mode() & 0o077 != 0 {
        file.set_permissions(std::fs::Permissions::from_mode(PRIVATE))?;
    }
    Ok(file)
}

/// Write `contents` to a new file at `path`, or at `name-1.ext`, `name-2.ext`, ... when that
/// exists, created 0600; never over an existing file. Returns the path written.
pub fn create_private_new(path: &Path, contents: &[u8]) -> io::Result<PathBuf> {
    for n in 0..=MAX_NUMBER {
        let candidate = if n == 0 {
            path.to_path_buf()
        } else {
            numbered(path, n)
        };
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(PRIVATE)
            .open(&candidate)
        {
            Ok(mut f) => {
                f.write_all(contents)?;
                f.sync_all()?;
                return Ok(candidate);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("{} and {MAX_NUMBER} numbered names exist", path.display()),
    ))
}

/// `dir/name.ext` -> `dir/name-n.ext` (`dir/name` -> `dir/name-n`).
fn numbered(path: &Path, n: u32) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{n}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{n}"),
    };
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).expect("exists").permissions().mode() & 0o777
    }

    #[test]
    fn saves_are_private_and_numbered_never_overwritten() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("ebtui-web-1700000000.log");
        let first = create_private_new(&p, b"one\n").expect("first");
        assert_eq!(first, p);
        let second = create_private_new(&p, b"two\n").expect("second");
        assert_eq!(second, dir.path().join("ebtui-web-1700000000-1.log"));
        let third = create_private_new(&p, b"three\n").expect("third");
        assert_eq!(third, dir.path().join("ebtui-web-1700000000-2.log"));
        assert_eq!(std::fs::read_to_string(&p).expect("read"), "one\n");
        assert_eq!(std::fs::read_to_string(&second).expect("read"), "two\n");
        for f in [&first, &second, &third] {
            assert_eq!(mode(f), 0o600, "{}", f.display());
        }
        assert_eq!(numbered(Path::new("x"), 3), PathBuf::from("x-3"));
    }

    #[test]
    fn a_log_file_is_created_private_and_a_wide_one_tightened() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("state/ebtui/ebtui.log");
        let mut f = open_private_append(&p).expect("create");
        writeln!(f, "a").expect("write");
        assert_eq!(mode(&p), 0o600);
        assert_eq!(mode(p.parent().expect("dir")), 0o700);

        let wide = dir.path().join("wide.log");
        std::fs::write(&wide, "old\n").expect("write");
        std::fs::set_permissions(&wide, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let mut f = open_private_append(&wide).expect("open");
        writeln!(f, "new").expect("append");
        assert_eq!(mode(&wide), 0o600);
        assert_eq!(std::fs::read_to_string(&wide).expect("read"), "old\nnew\n");
    }
}
