//! The account's Elastic Beanstalk storage bucket and uploading a source bundle into it.
//!
//! The bucket is named as CreateStorageLocation names it (`elasticbeanstalk-<region>-<account>`)
//! and keeps, per key, what the simulator needs of an object: its size and the names of the
//! files in the zip, never the bytes.
//!
//! An upload moves at a simulated rate (`RATE` bytes a simulated second, after `LATENCY`), so
//! what it has sent is a function of the sim's clock like everything else: the loop reads the
//! clock, reports progress, and sleeps `PAUSE` of real time in between. On a manual clock an
//! upload therefore finishes only as the clock is advanced (a test advances it from another
//! task, as `sim/tests/ship.rs` does); while nobody moves the clock, it sleeps rather than
//! spins, and `cancel` still stops it.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::cloud::{
    BundleUpload, Cloud, CloudError, CloudResult, MULTIPART_FROM, PART_SIZE, PARTS_IN_FLIGHT,
    S3Location, UploadProgress, Uploaded,
};
use crate::domain::Millis;

use super::SimCloud;
use super::contents::{self, Contents};
use super::model::{ACCOUNT, REGION, SEC};

/// Bytes a simulated second: a 4 MB/s uplink.
const RATE: u64 = 4_000_000;
/// Time before the first byte counts: the connection and the request's round trip.
const LATENCY: Millis = 300;
/// Real time between two looks at the clock while uploading.
const PAUSE: Duration = Duration::from_millis(50);

/// What the bucket keeps of an object.
#[derive(Debug, Clone)]
pub(crate) struct Object {
    pub size: u64,
    pub contents: Arc<Contents>,
}

#[derive(Debug, Default)]
pub(crate) struct Bucket {
    objects: BTreeMap<String, Object>,
}

impl Bucket {
    pub(crate) fn get(&self, key: &str) -> Option<&Object> {
        self.objects.get(key)
    }

    pub(crate) fn store(&mut self, key: String, object: Object) {
        self.objects.insert(key, object);
    }
}

/// The account's storage bucket, as CreateStorageLocation answers.
pub(crate) fn bucket_name() -> String {
    format!("elasticbeanstalk-{REGION}-{ACCOUNT}")
}

/// Where the bundle of `label` goes, as the EB CLI puts it: `<app>/<label>.zip`.
pub(crate) fn location(app: &str, label: &str) -> S3Location {
    S3Location {
        bucket: bucket_name(),
        key: format!("{app}/{label}.zip"),
    }
}

/// Bytes of `size` acknowledged `elapsed` ms into the upload. A single PutObject counts bytes
/// as they go; a multipart upload's parts go `PARTS_IN_FLIGHT` at a time over the same link,
/// so they are acknowledged a round of parts at a time.
fn acknowledged(size: u64, elapsed: Millis) -> u64 {
    let moving = u64::try_from(elapsed - LATENCY).unwrap_or(0);
    let raw = moving.saturating_mul(RATE) / SEC as u64;
    if raw >= size {
        return size;
    }
    if size < MULTIPART_FROM {
        return raw;
    }
    let round = PART_SIZE * PARTS_IN_FLIGHT as u64;
    raw / round * round
}

/// Parts of a multipart upload of `size` whose acknowledgement has come when `sent` are.
fn parts_done(size: u64, sent: u64) -> u64 {
    if sent >= size {
        size.div_ceil(PART_SIZE)
    } else {
        sent / PART_SIZE
    }
}

/// The bundle's size and contents, read off the request's thread.
async fn read_bundle(path: &Path) -> CloudResult<(u64, Contents)> {
    let owned = path.to_path_buf();
    let read = tokio::task::spawn_blocking(move || contents::read(&owned)).await;
    let why = match read {
        Ok(Ok(found)) => return Ok(found),
        Ok(Err(e)) => e.to_string(),
        Err(e) => e.to_string(),
    };
    Err(CloudError::Other(format!(
        "Cannot read the bundle {}: {why}",
        path.display()
    )))
}

/// Sleep `PAUSE`, or less if `cancel` changes; once its sender is gone it cannot change, so it
/// is no longer watched (a closed channel would wake the loop at once, forever).
async fn pause(cancel: &mut watch::Receiver<bool>, watching: &mut bool) {
    if !*watching {
        tokio::time::sleep(PAUSE).await;
        return;
    }
    tokio::select! {
        _ = tokio::time::sleep(PAUSE) => {}
        changed = cancel.changed() => *watching = changed.is_ok(),
    }
}

impl SimCloud {
    /// `Cloud::upload_bundle`: CreateStorageLocation, HeadObject, then PutObject or a multipart
    /// upload (CreateMultipartUpload, UploadPart per part, CompleteMultipartUpload, or
    /// AbortMultipartUpload when cancelled), each counted as a call when it is made.
    pub(super) async fn upload(
        &self,
        upload: &BundleUpload,
        progress: mpsc::Sender<UploadProgress>,
        cancel: watch::Receiver<bool>,
    ) -> CloudResult<Uploaded> {
        self.call();
        let location = location(&upload.app, &upload.label);
        let (size, contents) = read_bundle(&upload.file).await?;
        self.call();
        {
            let (w, _) = self.world();
            if w.bucket.get(&location.key).is_some_and(|o| o.size == size) {
                return Ok(Uploaded {
                    location,
                    existed: true,
                });
            }
        }
        self.transfer(size, &progress, cancel).await?;
        {
            let (mut w, _) = self.world();
            let object = Object {
                size,
                contents: Arc::new(contents),
            };
            w.bucket.store(location.key.clone(), object);
        }
        // The last report is the one a progress bar must not miss.
        let _ = progress
            .send(UploadProgress {
                sent: size,
                total: size,
            })
            .await;
        Ok(Uploaded {
            location,
            existed: false,
        })
    }

    /// Send `size` bytes at the simulated rate, reporting what is acknowledged to `progress`,
    /// until all are sent or `cancel` turns true.
    async fn transfer(
        &self,
        size: u64,
        progress: &mpsc::Sender<UploadProgress>,
        mut cancel: watch::Receiver<bool>,
    ) -> CloudResult<()> {
        let multipart = size >= MULTIPART_FROM;
        self.call();
        let start = self.now();
        let (mut told, mut parts) = (0, 0);
        let mut watching = true;
        loop {
            if *cancel.borrow() {
                if multipart {
                    self.call();
                }
                return Err(CloudError::Cancelled(
                    "upload cancelled; nothing was left in S3".into(),
                ));
            }
            let sent = acknowledged(size, self.now() - start);
            if multipart {
                for _ in parts..parts_done(size, sent) {
                    self.call();
                }
                parts = parts_done(size, sent);
            }
            if sent == size {
                if multipart {
                    self.call();
                }
                return Ok(());
            }
            if sent > told {
                told = sent;
                // A slow listener misses an update rather than holding the upload back.
                let _ = progress.try_send(UploadProgress { sent, total: size });
            }
            pause(&mut cancel, &mut watching).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_bundle_counts_bytes_as_they_go() {
        assert_eq!(acknowledged(1_000_000, 0), 0);
        assert_eq!(acknowledged(1_000_000, LATENCY), 0);
        assert_eq!(acknowledged(1_000_000, LATENCY + 100), 400_000);
        assert_eq!(acknowledged(1_000_000, LATENCY + 250), 1_000_000);
        assert_eq!(acknowledged(1_000_000, 60_000), 1_000_000);
    }

    #[test]
    fn a_multipart_upload_is_acknowledged_a_round_of_parts_at_a_time() {
        let size = 40 * 1024 * 1024;
        let round = PART_SIZE * PARTS_IN_FLIGHT as u64;
        let one_round = LATENCY + (round * SEC as u64 / RATE) as Millis + 1;
        assert_eq!(acknowledged(size, one_round - 2), 0);
        assert_eq!(acknowledged(size, one_round), round);
        assert_eq!(parts_done(size, round), PARTS_IN_FLIGHT as u64);
        assert_eq!(parts_done(size, size), 8);
    }

    #[test]
    fn the_bucket_is_named_as_elastic_beanstalk_names_it() {
        let l = location("storefront", "app-v1");
        assert_eq!(l.bucket, "elasticbeanstalk-us-east-1-123456789012");
        assert_eq!(l.key, "storefront/app-v1.zip");
    }
}
