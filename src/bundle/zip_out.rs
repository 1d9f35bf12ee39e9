//! The zip on disk, written in order while a few threads compress ahead of the writer.
//!
//! Files are grouped in batches (up to `BATCH_FILES` files or `BATCH_BYTES`); a worker compresses
//! a batch into a small zip in memory and the writer copies its entries into the bundle as they
//! are (`raw_copy_file`: no second compression). Batches rather than single files because a source
//! tree is mostly small files, and a fresh deflate state for each would cost more than the
//! compression itself; a batch reuses one. At most `PENDING_PER_WORKER` batches per worker are in
//! flight and a file over `STREAM_OVER` is compressed by the writer straight from its source, so
//! memory stays bounded whatever the size of the project.
//!
//! The output is capped (`Capped`): the write that would take the file past the limit fails, and
//! from then on every write is swallowed, so the zip crate's own clean-up on drop (which reports a
//! failure on stderr, the terminal the UI draws on) never fails. The file is a `NamedTempFile`:
//! dropped on any error, it is removed, and only a finished bundle is kept.

use std::cell::Cell;
use std::collections::{HashSet, VecDeque};
use std::fs::{self, File, Permissions};
use std::io::{self, Cursor, Read, Write};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use tempfile::NamedTempFile;
use zip::result::ZipError;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::capped::{Capped, Trip};
use super::compress::{Content, Job, Task, start_workers};
use super::errors::{too_big, unreadable, write_failed};
use super::label::file_safe;
use super::{BundleError, Entry};

/// Deflate level, measured on the bench's project (20,000 files, 50 MB, a sixth of it
/// incompressible) on 2 cores: level 1 wrote a 30.1 MB zip in 255 ms, 2: 24.9 MB in 327 ms,
/// 3: 24.5 MB in 375 ms, 6 (zlib's default): 24.3 MB in 427 ms. Level 1 is zlib-rs's quick
/// strategy (static Huffman codes), a fifth bigger; past 2 each level buys under 2% for 15% more
/// time. The bundle is uploaded right after, so 5 MB more upload costs more than 70 ms, and 0.6 MB
/// less is not worth 100 ms of the user's wait: level 2.
const LEVEL: i64 = 2;
/// A batch closes at this many files...
const BATCH_FILES: usize = 256;
/// ... or this many bytes of input.
const BATCH_BYTES: u64 = 1024 * 1024;
/// Batches in flight per worker: enough to keep the workers busy while the writer copies.
const PENDING_PER_WORKER: usize = 3;
/// A file bigger than this is compressed by the writer from its source, never buffered whole.
pub(super) const STREAM_OVER: u64 = 8 * 1024 * 1024;

/// A file's zip metadata.
#[derive(Debug, Clone, Copy)]
pub(super) struct Meta {
    pub mode: u32,
    pub mtime: zip::DateTime,
}

/// What was written.
pub(super) struct Written {
    pub entries: Vec<Entry>,
    pub zip: PathBuf,
    pub zip_bytes: u64,
}

/// Reading a streamed file failed, or writing it did.
pub(super) enum StreamError {
    Read(io::Error),
    Write(BundleError),
}

/// Write a bundle into a new owner-only file in `out_dir`: `fill` hands every file to the sink,
/// in the order they should appear. On any error nothing is left on disk.
pub(super) fn write<F>(
    out_dir: &Path,
    label: &str,
    limit: u64,
    fill: F,
) -> Result<Written, BundleError>
where
    F: FnOnce(&mut Sink<'_>) -> Result<(), BundleError>,
{
    let tmp = create(out_dir, label)?;
    let cancel = AtomicBool::new(false);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8));
    let entries = std::thread::scope(|scope| {
        let jobs = start_workers(scope, workers, &cancel);
        let mut sink = Sink::new(tmp.as_file(), tmp.path(), limit, jobs, workers);
        let filled = fill(&mut sink);
        // Batches still queued are of no use once the bundle has failed.
        cancel.store(filled.is_err(), Ordering::Relaxed);
        // Dropping the sink on an error closes the queue, so the workers end and the scope joins.
        filled.and_then(|()| sink.close())
    })?;
    let zip_bytes = tmp
        .as_file()
        .metadata()
        .map_err(|e| write_failed(tmp.path(), &e))?
        .len();
    let (_, zip) = tmp.keep().map_err(|e| write_failed(out_dir, &e))?;
    Ok(Written {
        entries,
        zip,
        zip_bytes,
    })
}

/// `ebtui-bundle-<label>-<random>.zip` in `out_dir` (created owner-only if missing), 0600.
fn create(out_dir: &Path, label: &str) -> Result<NamedTempFile, BundleError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(out_dir)
        .map_err(|e| write_failed(out_dir, &e))?;
    tempfile::Builder::new()
        .prefix(&format!("ebtui-bundle-{}-", file_safe(label)))
        .suffix(".zip")
        .permissions(Permissions::from_mode(0o600))
        .tempfile_in(out_dir)
        .map_err(|e| write_failed(out_dir, &e))
}

/// Where the bundle's files go, in order.
pub(super) struct Sink<'f> {
    /// `None` once closed.
    zip: Option<ZipWriter<Capped<'f>>>,
    trip: Rc<Cell<Trip>>,
    path: &'f Path,
    limit: u64,
    jobs: mpsc::Sender<Task>,
    pending: VecDeque<mpsc::Receiver<Result<Vec<u8>, BundleError>>>,
    max_pending: usize,
    batch: Vec<Job>,
    batch_bytes: u64,
    /// Directory entries written so far (`a/`, `a/b/`).
    dirs: HashSet<String>,
    entries: Vec<Entry>,
}

impl<'f> Sink<'f> {
    fn new(
        file: &'f File,
        path: &'f Path,
        limit: u64,
        jobs: mpsc::Sender<Task>,
        workers: usize,
    ) -> Self {
        let trip = Rc::new(Cell::new(Trip::Open));
        let capped = Capped::new(file, limit, Rc::clone(&trip));
        Sink {
            zip: Some(ZipWriter::new(capped)),
            trip,
            path,
            limit,
            jobs,
            pending: VecDeque::new(),
            max_pending: workers * PENDING_PER_WORKER,
            batch: Vec::new(),
            batch_bytes: 0,
            dirs: HashSet::new(),
            entries: Vec::new(),
        }
    }

    /// A regular file on disk, read when it is compressed (`size` as the walk saw it).
    pub(super) fn disk_file(
        &mut self,
        name: String,
        path: PathBuf,
        size: u64,
        meta: Meta,
    ) -> Result<(), BundleError> {
        if size > STREAM_OVER {
            let mut file = File::open(&path).map_err(|e| unreadable(&path, &e))?;
            return self
                .stream_file(name, &mut file, size, meta)
                .map_err(|e| match e {
                    StreamError::Read(e) => unreadable(&path, &e),
                    StreamError::Write(e) => e,
                });
        }
        let content = Content::Disk(path);
        self.add(
            Job::File {
                name,
                content,
                meta,
            },
            size,
        )
    }

    /// A file already read into memory.
    pub(super) fn bytes_file(
        &mut self,
        name: String,
        bytes: Vec<u8>,
        meta: Meta,
    ) -> Result<(), BundleError> {
        let size = bytes.len() as u64;
        let content = Content::Bytes(bytes);
        self.add(
            Job::File {
                name,
                content,
                meta,
            },
            size,
        )
    }

    /// A symlink, stored as one (its target as content), never followed.
    pub(super) fn symlink(&mut self, name: String, target: String) -> Result<(), BundleError> {
        self.add(Job::Symlink { name, target }, 0)
    }

    /// A big file, compressed by this thread from `reader` after everything queued before it.
    pub(super) fn stream_file(
        &mut self,
        name: String,
        reader: &mut dyn Read,
        size: u64,
        meta: Meta,
    ) -> Result<(), StreamError> {
        self.add_dirs(&name);
        self.flush_batch().map_err(StreamError::Write)?;
        self.drain().map_err(StreamError::Write)?;
        let (trip, path, limit) = (&self.trip, self.path, self.limit);
        let fail = |e: &dyn std::fmt::Display| zip_failed(trip, path, limit, e);
        let zip = self.zip.as_mut().expect("the sink is open until closed");
        let options = options(meta).large_file(size >= u64::from(u32::MAX));
        zip.start_file(name.as_str(), options)
            .map_err(|e| StreamError::Write(fail(&e)))?;
        let mut buf = vec![0; 256 * 1024];
        let mut total = 0u64;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(StreamError::Read(e)),
            };
            zip.write_all(&buf[..n])
                .map_err(|e| StreamError::Write(fail(&e)))?;
            total += n as u64;
        }
        self.entries.push(Entry {
            path: name,
            size: total,
            symlink: false,
        });
        Ok(())
    }

    fn add(&mut self, job: Job, bytes: u64) -> Result<(), BundleError> {
        self.add_dirs(job.name());
        self.batch.push(job);
        self.batch_bytes += bytes;
        if self.batch.len() >= BATCH_FILES || self.batch_bytes >= BATCH_BYTES {
            self.flush_batch()?;
        }
        Ok(())
    }

    /// A directory entry for each folder above `name` not written yet: the EB CLI indexes the
    /// folders of the files it ships ("Windows requires us to index the folders"), and so does
    /// `git archive`.
    fn add_dirs(&mut self, name: &str) {
        for (i, _) in name.match_indices('/') {
            let dir = &name[..=i];
            if !self.dirs.contains(dir) {
                self.dirs.insert(dir.to_string());
                self.batch.push(Job::Dir(dir.to_string()));
            }
        }
    }

    /// Hand the open batch to the workers, first writing what is done if too much is in flight.
    fn flush_batch(&mut self) -> Result<(), BundleError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        while self.pending.len() >= self.max_pending {
            self.write_next()?;
        }
        let (reply, done) = mpsc::sync_channel(1);
        let jobs = std::mem::take(&mut self.batch);
        self.batch_bytes = 0;
        self.jobs
            .send(Task { jobs, reply })
            .map_err(|_| workers_gone())?;
        self.pending.push_back(done);
        Ok(())
    }

    fn drain(&mut self) -> Result<(), BundleError> {
        while !self.pending.is_empty() {
            self.write_next()?;
        }
        Ok(())
    }

    /// Wait for the oldest batch and copy its compressed entries into the bundle.
    fn write_next(&mut self) -> Result<(), BundleError> {
        let Some(done) = self.pending.pop_front() else {
            return Ok(());
        };
        let bytes = done.recv().map_err(|_| workers_gone())??;
        let mut batch = ZipArchive::new(Cursor::new(bytes)).map_err(|e| internal(&e))?;
        let (trip, path, limit) = (&self.trip, self.path, self.limit);
        let zip = self.zip.as_mut().expect("the sink is open until closed");
        for i in 0..batch.len() {
            let file = batch.by_index_raw(i).map_err(|e| internal(&e))?;
            if !file.is_dir() {
                self.entries.push(Entry {
                    path: file.name().map_err(|e| internal(&e))?.into_owned(),
                    size: file.size(),
                    symlink: file.is_symlink(),
                });
            }
            zip.raw_copy_file(file)
                .map_err(|e| zip_failed(trip, path, limit, &e))?;
        }
        Ok(())
    }

    /// Write what is still queued and the zip's central directory.
    fn close(mut self) -> Result<Vec<Entry>, BundleError> {
        self.flush_batch()?;
        self.drain()?;
        let zip = self.zip.take().expect("closed once");
        let fail = |e: &dyn std::fmt::Display| zip_failed(&self.trip, self.path, self.limit, e);
        let mut capped = zip.finish().map_err(|e| fail(&e))?;
        capped.flush().map_err(|e| fail(&e))?;
        Ok(std::mem::take(&mut self.entries))
    }
}

impl Drop for Sink<'_> {
    /// Not closed: the bundle failed, and the file is about to be removed. Nothing more reaches
    /// it, so the zip crate's finalizing on drop cannot fail (and print).
    fn drop(&mut self) {
        if let Some(zip) = self.zip.take() {
            self.trip.set(Trip::Discard);
            drop(zip);
        }
    }
}

/// The error for a failed write into the bundle: over the limit, or the disk's own.
fn zip_failed(
    trip: &Cell<Trip>,
    path: &Path,
    limit: u64,
    e: &dyn std::fmt::Display,
) -> BundleError {
    match trip.get() {
        Trip::Limit => too_big(limit),
        _ => write_failed(path, e),
    }
}

pub(super) fn internal(e: &ZipError) -> BundleError {
    BundleError(format!("cannot compress the bundle: {e}"))
}

fn workers_gone() -> BundleError {
    BundleError("cannot compress the bundle: a compression thread stopped".into())
}

pub(super) fn options(meta: Meta) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(LEVEL))
        .unix_permissions(meta.mode)
        .last_modified_time(meta.mtime)
}
