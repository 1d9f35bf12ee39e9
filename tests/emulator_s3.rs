//! The upload of a source bundle (`AwsCloud::upload_bundle`) against the local AWS emulator
//! (moto 5.2.5 on 127.0.0.1), through `AwsCloud::connect` with an endpoint override: the real
//! SDK stack, real HTTP, path-style S3 addressing, bodies streamed from files on disk.
//!
//! moto does not implement Elastic Beanstalk's CreateStorageLocation, so these tests create a
//! bucket themselves and hand it to the cloud with `AwsCloud::with_storage_bucket`; the call
//! itself is tested against SDK mocks (`tests/aws_upload_mock.rs`).

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use common::moto::{Moto, offline_aws_env};
use ebtui::cloud::aws::{AwsCloud, AwsOptions};
use ebtui::cloud::{
    BundleUpload, Cloud, CloudError, MULTIPART_FROM, Op, PART_SIZE, UploadProgress, Uploaded,
};
use ebtui::domain::EnvRef;
use tokio::sync::{mpsc, watch};

const REGION: &str = "us-east-1";
const BUCKET: &str = "elasticbeanstalk-us-east-1-123456789012";
const MIB: u64 = 1024 * 1024;

/// An S3 client of our own, to set the bucket up and look at what landed.
fn s3_client(url: &str) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(url)
        .force_path_style(true)
        .credentials_provider(Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "emulator-test",
        ))
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

async fn create_bucket(s3: &aws_sdk_s3::Client) {
    s3.create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("CreateBucket");
}

/// The cloud as `connect` builds it, told the bucket CreateStorageLocation would have named.
async fn connect(url: &str, bucket: &str) -> AwsCloud {
    AwsCloud::connect(AwsOptions {
        profile: None,
        region: Some(REGION.into()),
        endpoint_url: Some(url.to_string()),
        max_attempts: Some(1),
    })
    .await
    .expect("connect to the emulator")
    .with_storage_bucket(bucket)
}

/// A file of `size` bytes that are not all alike (a repeating pattern would hide a part sent
/// twice or out of order), written a MiB at a time.
fn bundle_file(dir: &Path, name: &str, size: u64) -> PathBuf {
    let path = dir.join(name);
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("create bundle"));
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15 ^ size;
    let mut left = size;
    let mut chunk = vec![0u8; MIB as usize];
    while left > 0 {
        for byte in chunk.iter_mut() {
            // xorshift64
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *byte = (state >> 24) as u8;
        }
        let n = left.min(MIB) as usize;
        out.write_all(&chunk[..n]).expect("write bundle");
        left -= n as u64;
    }
    out.flush().expect("flush bundle");
    path
}

fn bundle(app: &str, label: &str, file: &Path) -> BundleUpload {
    BundleUpload {
        app: app.into(),
        label: label.into(),
        file: file.to_path_buf(),
        size: std::fs::metadata(file).expect("bundle size").len(),
    }
}

/// Upload with no cancel, collecting every progress report.
async fn upload(
    cloud: &AwsCloud,
    b: &BundleUpload,
) -> (Result<Uploaded, CloudError>, Vec<UploadProgress>) {
    let (tx, mut rx) = mpsc::channel(64);
    let (_keep, cancel) = watch::channel(false);
    let collect = tokio::spawn(async move {
        let mut seen = Vec::new();
        while let Some(p) = rx.recv().await {
            seen.push(p);
        }
        seen
    });
    let result = cloud.upload_bundle(b, tx, cancel).await;
    (result, collect.await.expect("progress collector"))
}

/// The object at `key` is the file, byte for byte; read back in the chunks S3 sends, so a large
/// object is never held whole.
async fn assert_lands_identical(s3: &aws_sdk_s3::Client, key: &str, file: &Path) {
    let object = s3
        .get_object()
        .bucket(BUCKET)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetObject {key}: {e:?}"));
    let expected = std::fs::metadata(file).expect("file size").len();
    assert_eq!(
        object.content_length().and_then(|n| u64::try_from(n).ok()),
        Some(expected)
    );
    let mut body = object.body;
    let mut local = std::io::BufReader::new(std::fs::File::open(file).expect("open bundle"));
    let mut offset = 0u64;
    let mut mine = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.expect("object body");
        mine.resize(chunk.len(), 0);
        local
            .read_exact(&mut mine)
            .expect("the object is longer than the file");
        assert!(
            chunk.as_ref() == mine.as_slice(),
            "{key} differs from the file in the {} bytes at {offset}",
            chunk.len()
        );
        offset += chunk.len() as u64;
    }
    assert_eq!(offset, expected, "{key} is shorter than the file");
}

async fn multipart_uploads_in_progress(s3: &aws_sdk_s3::Client) -> usize {
    s3.list_multipart_uploads()
        .bucket(BUCKET)
        .send()
        .await
        .expect("ListMultipartUploads")
        .uploads()
        .len()
}

async fn object_exists(s3: &aws_sdk_s3::Client, key: &str) -> bool {
    match s3.head_object().bucket(BUCKET).key(key).send().await {
        Ok(_) => true,
        Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => false,
        Err(e) => panic!("HeadObject {key}: {e:?}"),
    }
}

#[tokio::test]
async fn a_small_bundle_is_one_put_object_and_lands_byte_identical() {
    offline_aws_env();
    let Some(moto) = Moto::start() else { return };
    let s3 = s3_client(moto.url());
    create_bucket(&s3).await;
    let dir = tempfile::tempdir().expect("temp dir");
    const SIZE: u64 = 3 * MIB + 123;
    const { assert!(SIZE < MULTIPART_FROM) };
    let file = bundle_file(dir.path(), "small.zip", SIZE);
    let cloud = connect(moto.url(), BUCKET).await;

    let before = cloud.api_calls();
    let b = bundle("shop", "v1-small", &file);
    let (result, progress) = upload(&cloud, &b).await;
    let uploaded = result.expect("uploaded");
    assert_eq!(uploaded.location.bucket, BUCKET);
    assert_eq!(uploaded.location.key, "shop/v1-small.zip");
    assert!(!uploaded.existed);
    // HeadObject (is it there?), then one PutObject.
    assert_eq!(cloud.api_calls() - before, 2);
    assert_eq!(progress.first().map(|p| p.sent), Some(0));
    // Progress while the body streams, climbing to the total.
    assert!(progress.len() > 2, "{progress:?}");
    assert!(
        progress.windows(2).all(|w| w[0].sent <= w[1].sent),
        "{progress:?}"
    );
    assert_eq!(
        progress.last(),
        Some(&UploadProgress {
            sent: b.size,
            total: b.size
        })
    );
    assert_lands_identical(&s3, "shop/v1-small.zip", &file).await;
    assert_eq!(multipart_uploads_in_progress(&s3).await, 0);

    // Through `execute` (no one listening, no cancel): the same upload, reported as accepted.
    let b = bundle("shop", "v1-execute", &file);
    let accepted = cloud
        .execute(&Op::UploadBundle {
            env: EnvRef {
                app: "shop".into(),
                name: "shop-prod".into(),
                id: String::new(),
            },
            upload: b,
        })
        .await
        .expect("execute UploadBundle");
    assert_eq!(
        accepted.uploaded.map(|u| u.location.key),
        Some("shop/v1-execute.zip".to_string())
    );
    assert_lands_identical(&s3, "shop/v1-execute.zip", &file).await;
}

#[tokio::test]
async fn a_large_bundle_goes_up_in_parts_and_lands_byte_identical() {
    offline_aws_env();
    let Some(moto) = Moto::start() else { return };
    let s3 = s3_client(moto.url());
    create_bucket(&s3).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let size = 12 * MIB;
    let file = bundle_file(dir.path(), "large.zip", size);
    let cloud = connect(moto.url(), BUCKET).await;

    let before = cloud.api_calls();
    let b = bundle("shop", "v2-large", &file);
    let (result, progress) = upload(&cloud, &b).await;
    let uploaded = result.expect("uploaded");
    assert!(!uploaded.existed);
    // HeadObject, CreateMultipartUpload, three parts (5 + 5 + 2 MiB), CompleteMultipartUpload.
    assert_eq!(size.div_ceil(PART_SIZE), 3);
    assert_eq!(cloud.api_calls() - before, 6);
    // Progress climbs part by part to the total, never past it.
    assert!(
        progress.windows(2).all(|w| w[0].sent <= w[1].sent),
        "{progress:?}"
    );
    assert!(progress.iter().all(|p| p.total == size && p.sent <= size));
    assert_eq!(progress.last().map(|p| p.sent), Some(size), "{progress:?}");
    assert!(progress.len() >= 3, "a report per part: {progress:?}");
    assert_lands_identical(&s3, "shop/v2-large.zip", &file).await;
    assert_eq!(multipart_uploads_in_progress(&s3).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_mid_multipart_aborts_and_leaves_nothing() {
    offline_aws_env();
    let Some(moto) = Moto::start() else { return };
    let s3 = s3_client(moto.url());
    create_bucket(&s3).await;
    let dir = tempfile::tempdir().expect("temp dir");
    // Eight parts: after the first is acknowledged at least four are still to send.
    let file = bundle_file(dir.path(), "cancel.zip", 40 * MIB);
    let cloud = connect(moto.url(), BUCKET).await;

    let (tx, mut rx) = mpsc::channel::<UploadProgress>(64);
    let (cancel_tx, cancel) = watch::channel(false);
    // Press Esc as soon as the first part is acknowledged.
    let pressed = tokio::spawn(async move {
        while let Some(p) = rx.recv().await {
            if p.sent > 0 {
                cancel_tx.send(true).expect("cancel");
                return Some(p.sent);
            }
        }
        None
    });
    let b = bundle("shop", "v3-cancelled", &file);
    let result = cloud.upload_bundle(&b, tx, cancel).await;
    let at = pressed.await.expect("canceller");
    assert!(
        at.is_some_and(|sent| sent < b.size),
        "cancelled mid-upload, at {at:?}"
    );
    assert_eq!(
        result,
        Err(CloudError::Cancelled(
            "upload cancelled; nothing was left in S3".into()
        ))
    );
    assert!(!object_exists(&s3, "shop/v3-cancelled.zip").await);
    assert_eq!(
        multipart_uploads_in_progress(&s3).await,
        0,
        "the multipart upload was aborted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_upload_mid_multipart_aborts_it_too() {
    offline_aws_env();
    let Some(moto) = Moto::start() else { return };
    let s3 = s3_client(moto.url());
    create_bucket(&s3).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = bundle_file(dir.path(), "dropped.zip", 40 * MIB);
    let cloud = connect(moto.url(), BUCKET).await;

    // The task stops (a quit, a context switch) once the first part is acknowledged: no cancel,
    // the future is simply dropped.
    let (tx, mut rx) = mpsc::channel::<UploadProgress>(64);
    let (_keep, cancel) = watch::channel(false);
    let b = bundle("shop", "v3-dropped", &file);
    let first_part = async {
        while let Some(p) = rx.recv().await {
            if p.sent > 0 {
                return;
            }
        }
    };
    tokio::select! {
        result = cloud.upload_bundle(&b, tx, cancel) => panic!("finished before the drop: {result:?}"),
        () = first_part => {}
    }
    // The abort runs on its own task: give it a moment.
    let mut left = usize::MAX;
    for _ in 0..50 {
        left = multipart_uploads_in_progress(&s3).await;
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(left, 0, "the dropped upload was aborted");
    assert!(!object_exists(&s3, "shop/v3-dropped.zip").await);
}

#[tokio::test]
async fn an_object_already_there_is_not_sent_again_and_never_overwritten() {
    offline_aws_env();
    let Some(moto) = Moto::start() else { return };
    let s3 = s3_client(moto.url());
    create_bucket(&s3).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = bundle_file(dir.path(), "again.zip", 2 * MIB);
    let cloud = connect(moto.url(), BUCKET).await;

    let b = bundle("shop", "v4", &file);
    let (first, _) = upload(&cloud, &b).await;
    assert!(!first.expect("first upload").existed);
    let before = cloud.api_calls();
    let (second, progress) = upload(&cloud, &b).await;
    let second = second.expect("second upload");
    assert!(second.existed, "same key, same size: there already");
    assert_eq!(second.location.key, "shop/v4.zip");
    assert_eq!(cloud.api_calls() - before, 1, "only HeadObject");
    assert!(progress.is_empty(), "nothing sent: {progress:?}");

    // Another bundle under a label taken by a different one: refused, the object untouched.
    s3.put_object()
        .bucket(BUCKET)
        .key("shop/v5.zip")
        .body(aws_sdk_s3::primitives::ByteStream::from_static(
            b"not this bundle",
        ))
        .send()
        .await
        .expect("PutObject v5");
    let b = bundle("shop", "v5", &file);
    let (third, _) = upload(&cloud, &b).await;
    match third {
        Err(CloudError::Other(m)) => assert!(
            m.contains("s3://elasticbeanstalk-us-east-1-123456789012/shop/v5.zip already exists")
                && m.contains("never overwritten"),
            "{m}"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let kept = s3
        .head_object()
        .bucket(BUCKET)
        .key("shop/v5.zip")
        .send()
        .await
        .expect("HeadObject v5");
    assert_eq!(kept.content_length(), Some(15));
}

#[tokio::test]
async fn a_bucket_that_does_not_exist_is_a_clear_error() {
    offline_aws_env();
    let Some(moto) = Moto::start() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let cloud = connect(moto.url(), "elasticbeanstalk-nowhere").await;
    for (name, size) in [("small.zip", MIB), ("large.zip", 8 * MIB)] {
        let file = bundle_file(dir.path(), name, size);
        let b = bundle("shop", "v6", &file);
        let (result, _) = upload(&cloud, &b).await;
        match result {
            Err(CloudError::NotFound(m)) => assert!(
                m.contains("s3://elasticbeanstalk-nowhere/shop/v6.zip")
                    && m.contains("The specified bucket does not exist"),
                "{size}: {m}"
            ),
            other => panic!("{size}: expected NotFound, got {other:?}"),
        }
    }
}

/// Peak resident memory of this process, in bytes (VmHWM).
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("VmHWM")
        * 1024
}

/// Resident memory of this process now, in bytes (VmRSS).
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("VmRSS")
        * 1024
}

/// Reset the peak to the current resident size (Linux 4.0+), so the next peak is this upload's.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// A 200 MiB bundle (500 with `EBTUI_UPLOAD_MIB=500`) keeps this process's memory bounded: the parts stream from the file, three
/// at a time, so the peak grows by a few read buffers, not by the bundle (measured: about 5 MiB).
/// The file is sparse: it takes no disk, and reading it costs the same as any other file.
/// Other tests of this binary run alongside, but hold a MiB or two at most.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_upload_keeps_memory_bounded() {
    offline_aws_env();
    let Some(moto) = Moto::start() else { return };
    let s3 = s3_client(moto.url());
    create_bucket(&s3).await;
    let dir = tempfile::tempdir().expect("temp dir");
    // 200 MiB in CI; the 500 MB of the target in docs/performance.md was measured with
    // EBTUI_UPLOAD_MIB=500.
    let size = std::env::var("EBTUI_UPLOAD_MIB")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(200)
        * MIB;
    let file = dir.path().join("huge.zip");
    std::fs::File::create(&file)
        .and_then(|f| f.set_len(size))
        .expect("sparse bundle");
    let cloud = connect(moto.url(), BUCKET).await;
    let b = bundle("shop", "v7-huge", &file);

    // Without a reset (a kernel that refuses it) the peak so far may hide some growth; the
    // bound still catches a bundle read whole, which would add 200 MiB.
    let before = if reset_peak_rss() { peak_rss() } else { rss() };
    let started = std::time::Instant::now();
    let (result, progress) = upload(&cloud, &b).await;
    let took = started.elapsed();
    let grew = peak_rss().saturating_sub(before);
    eprintln!(
        "uploaded {} MiB in {took:?}; peak RSS grew by {:.1} MiB",
        size / MIB,
        grew as f64 / MIB as f64
    );
    assert!(!result.expect("uploaded").existed);
    assert_eq!(progress.last().map(|p| p.sent), Some(size));
    assert!(
        grew < 64 * MIB,
        "peak RSS grew by {grew} bytes uploading {size} bytes"
    );
    let object = s3
        .head_object()
        .bucket(BUCKET)
        .key("shop/v7-huge.zip")
        .send()
        .await
        .expect("HeadObject");
    assert_eq!(object.content_length(), Some(size as i64));
}
