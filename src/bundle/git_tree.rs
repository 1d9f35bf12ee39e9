//! The committed tree of HEAD, streamed from `git archive` into the bundle.
//!
//! git writes its tar to a pipe and this thread reads it as it comes, so the tree is never held
//! whole in memory. git's stderr is read on its own thread (a full stderr pipe would stall git).
//! If the reader stops early (the size limit), git is killed rather than left blocked on a pipe
//! no one reads.

use std::io::{self, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use tar::EntryType;

use super::errors::not_utf8;
use super::select::skipped;
use super::zip_out::{Meta, STREAM_OVER, Sink, StreamError};
use super::{BundleError, git};

/// Why reading the tree stopped.
enum ReadError {
    /// The sink refused (size limit, disk): ours, and the one to report.
    Sink(BundleError),
    /// The tar stream broke: most likely git failed, whose own message is the one to report.
    Tar(io::Error),
}

/// Bundle HEAD's tree under `dir`.
pub(super) fn stream(dir: &Path, sink: &mut Sink<'_>) -> Result<(), BundleError> {
    let mut child = spawn(dir)?;
    let (Some(out), Some(mut err)) = (child.stdout.take(), child.stderr.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(BundleError("git's pipes could not be opened".into()));
    };
    std::thread::scope(|scope| {
        let complaint = scope.spawn(move || {
            let mut text = String::new();
            let _ = err.read_to_string(&mut text);
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        });
        let read = read(out, sink);
        if read.is_err() {
            // git may be blocked writing a tree no one reads any more.
            let _ = child.kill();
        }
        let status = child.wait();
        let complaint = complaint.join().unwrap_or_default();
        match (read, status) {
            (Err(ReadError::Sink(e)), _) => Err(e),
            (_, Ok(st)) if !st.success() => Err(BundleError(format!(
                "`git archive HEAD` failed in {}: {}",
                dir.display(),
                if complaint.is_empty() {
                    format!("git exited with {st}")
                } else {
                    complaint
                }
            ))),
            (_, Err(e)) => Err(BundleError(format!(
                "`git archive HEAD` in {}: {e}",
                dir.display()
            ))),
            (Err(ReadError::Tar(e)), Ok(_)) => Err(BundleError(format!(
                "cannot read the tree from `git archive HEAD` in {}: {e}",
                dir.display()
            ))),
            (Ok(()), Ok(_)) => Ok(()),
        }
    })
}

fn spawn(dir: &Path) -> Result<Child, BundleError> {
    Command::new("git")
        .args(["archive", "--format=tar", "HEAD"])
        .current_dir(dir)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| git::spawn_failed(dir, &e))
}

/// Hand each entry of the tar to the sink, then read to the end: git pads the archive past the
/// tar's end marker, and a reader gone before git has written it would make git fail.
fn read(reader: impl Read, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    let mut archive = tar::Archive::new(BufReader::with_capacity(256 * 1024, reader));
    for entry in archive.entries().map_err(ReadError::Tar)? {
        let mut entry = entry.map_err(ReadError::Tar)?;
        add(&mut entry, sink)?;
    }
    io::copy(&mut archive.into_inner(), &mut io::sink()).map_err(ReadError::Tar)?;
    Ok(())
}

fn add<R: Read>(entry: &mut tar::Entry<'_, R>, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    let kind = entry.header().entry_type();
    if !matches!(
        kind,
        EntryType::Regular | EntryType::Continuous | EntryType::Symlink
    ) {
        // Directories are written as the files under them need them; git's pax header and
        // submodules (empty directories in `git archive`) are not files.
        return Ok(());
    }
    let path = entry.path().map_err(ReadError::Tar)?.into_owned();
    let Some(name) = path.to_str().map(str::to_string) else {
        return Err(ReadError::Sink(not_utf8(&path)));
    };
    if skipped(&name) {
        return Ok(());
    }
    if kind == EntryType::Symlink {
        let target = entry
            .link_name()
            .map_err(ReadError::Tar)?
            .map(|t| t.to_string_lossy().into_owned())
            .unwrap_or_default();
        return sink.symlink(name, target).map_err(ReadError::Sink);
    }
    let header = entry.header();
    let mode = header.mode().map_err(ReadError::Tar)?;
    let meta = Meta {
        // As git's own zip format stores them: executable or not, nothing else.
        mode: if mode & 0o111 != 0 { 0o755 } else { 0o644 },
        mtime: super::select::zip_time_secs(header.mtime().map_err(ReadError::Tar)?),
    };
    let size = entry.size();
    if size > STREAM_OVER {
        return sink
            .stream_file(name, entry, size, meta)
            .map_err(|e| match e {
                StreamError::Read(e) => ReadError::Tar(e),
                StreamError::Write(e) => ReadError::Sink(e),
            });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    entry.read_to_end(&mut bytes).map_err(ReadError::Tar)?;
    sink.bytes_file(name, bytes, meta).map_err(ReadError::Sink)
}
