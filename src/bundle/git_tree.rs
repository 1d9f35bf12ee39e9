//! The committed tree of HEAD, streamed from `git archive` into the bundle.
//!
//! git writes its tar into a FIFO in a private temporary folder and this thread reads it as it
//! comes: git runs under `Command::output()` (see `git.rs`), whose captured stdout would hold the
//! whole tree in memory, so the tree takes another way out. The FIFO is opened so no side can
//! block on the other: the read end first, non-blocking (which needs no writer), then a write end
//! `keeper` that the git thread holds until git has exited, then the read end is made blocking.
//! So the reader sees end-of-file only once git is done (or failed before it opened the FIFO),
//! and if the reader stops early (the size limit), git's writes fail and git exits.

use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::sys::stat::Mode;
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

/// Bundle HEAD's tree under `dir`; the FIFO lives in a private folder made in `scratch`.
pub(super) fn stream(dir: &Path, scratch: &Path, sink: &mut Sink<'_>) -> Result<(), BundleError> {
    let fifo_dir = tempfile::Builder::new()
        .prefix("ebtui-git-")
        .tempdir_in(scratch)
        .map_err(|e| fifo_failed(scratch, &e))?;
    let fifo = fifo_dir.path().join("head.tar");
    let (reader, keeper) = open_fifo(&fifo).map_err(|e| fifo_failed(&fifo, &e))?;
    std::thread::scope(|scope| {
        let git = scope.spawn(|| {
            let done = git::archive(dir, &fifo);
            drop(keeper);
            done
        });
        // `read` owns the read end and closes it when it returns, before git is waited for: git
        // blocked on a full FIFO must see the reader gone, or neither would ever finish.
        let read = read(reader, sink);
        let archived = git
            .join()
            .unwrap_or_else(|_| Err(BundleError("the git thread stopped".into())));
        match (read, archived) {
            (Err(ReadError::Sink(e)), _) => Err(e),
            (_, Err(e)) => Err(e),
            (Err(ReadError::Tar(e)), Ok(())) => Err(BundleError(format!(
                "cannot read the tree from `git archive HEAD` in {}: {e}",
                dir.display()
            ))),
            (Ok(()), Ok(())) => Ok(()),
        }
    })
}

fn fifo_failed(path: &Path, e: &dyn std::fmt::Display) -> BundleError {
    BundleError(format!("cannot set up {} for git: {e}", path.display()))
}

/// Make the FIFO and open both ends without blocking: (read end, write end).
fn open_fifo(path: &Path) -> io::Result<(File, File)> {
    nix::unistd::mkfifo(path, Mode::S_IRUSR | Mode::S_IWUSR)?;
    let reader = OpenOptions::new()
        .read(true)
        .custom_flags(OFlag::O_NONBLOCK.bits())
        .open(path)?;
    // A reader is there, so this open does not wait.
    let keeper = OpenOptions::new().write(true).open(path)?;
    let flags = OFlag::from_bits_truncate(fcntl(&reader, FcntlArg::F_GETFL)?);
    fcntl(&reader, FcntlArg::F_SETFL(flags - OFlag::O_NONBLOCK))?;
    Ok((reader, keeper))
}

/// Hand each entry of the tar to the sink, then read to the end: git pads the archive past the
/// tar's end marker, and a reader gone before git has written it would make git fail.
fn read(reader: File, sink: &mut Sink<'_>) -> Result<(), ReadError> {
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
