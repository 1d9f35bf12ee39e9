//! The workers: each takes a batch of files and compresses it into a small zip in memory, which
//! the writer then copies into the bundle as it is.

use std::fs::File;
use std::io::{self, Cursor, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::thread::Scope;

use zip::ZipWriter;
use zip::result::ZipError;
use zip::write::SimpleFileOptions;

use super::BundleError;
use super::errors::unreadable;
use super::zip_out::{Meta, internal, options};

/// The EB CLI stores symlinks with external attributes 0xA1ED0000: mode 0o120755.
const SYMLINK_PERMISSIONS: u32 = 0o755;
const DIR_PERMISSIONS: u32 = 0o755;

pub(super) enum Content {
    Disk(PathBuf),
    Bytes(Vec<u8>),
}

pub(super) enum Job {
    Dir(String),
    Symlink {
        name: String,
        target: String,
    },
    File {
        name: String,
        content: Content,
        meta: Meta,
    },
}

impl Job {
    pub(super) fn name(&self) -> &str {
        match self {
            Job::Dir(name) | Job::Symlink { name, .. } | Job::File { name, .. } => name,
        }
    }
}

pub(super) struct Task {
    pub jobs: Vec<Job>,
    pub reply: mpsc::SyncSender<Result<Vec<u8>, BundleError>>,
}

pub(super) fn start_workers<'scope, 'env>(
    scope: &'scope Scope<'scope, 'env>,
    n: usize,
    cancel: &'env AtomicBool,
) -> mpsc::Sender<Task> {
    let (jobs, queue) = mpsc::channel::<Task>();
    let queue = Arc::new(Mutex::new(queue));
    for _ in 0..n {
        let queue = Arc::clone(&queue);
        scope.spawn(move || {
            loop {
                let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
                let Ok(task) = next else { return };
                if cancel.load(Ordering::Relaxed) {
                    continue;
                }
                // The writer may have stopped waiting (an error elsewhere): nothing to do then.
                let _ = task.reply.send(compress(task.jobs));
            }
        });
    }
    jobs
}

/// One batch, compressed into a small zip in memory.
fn compress(jobs: Vec<Job>) -> Result<Vec<u8>, BundleError> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for job in jobs {
        add_job(&mut zip, job)?;
    }
    zip.finish()
        .map(Cursor::into_inner)
        .map_err(|e| internal(&e))
}

fn add_job(zip: &mut ZipWriter<Cursor<Vec<u8>>>, job: Job) -> Result<(), BundleError> {
    let plain = SimpleFileOptions::default();
    match job {
        Job::Dir(name) => zip
            .add_directory(name, plain.unix_permissions(DIR_PERMISSIONS))
            .map_err(|e| internal(&e)),
        Job::Symlink { name, target } => zip
            .add_symlink(name, target, plain.unix_permissions(SYMLINK_PERMISSIONS))
            .map_err(|e| internal(&e)),
        Job::File {
            name,
            content,
            meta,
        } => {
            zip.start_file(name, options(meta))
                .map_err(|e| internal(&e))?;
            match content {
                Content::Bytes(bytes) => zip
                    .write_all(&bytes)
                    .map_err(|e| internal(&ZipError::Io(e))),
                Content::Disk(path) => {
                    let mut file = File::open(&path).map_err(|e| unreadable(&path, &e))?;
                    // Writing into memory does not fail: an error here is the read's.
                    io::copy(&mut file, zip).map_err(|e| unreadable(&path, &e))?;
                    Ok(())
                }
            }
        }
    }
}
