//! Deploying a directory: uploading its bundle to the storage bucket, creating a version from it,
//! and deploying that version, with Elastic Beanstalk's refusals and failures.
//!
//! Uploads and version processing take simulated time, so these tests run on tokio's paused
//! clock (its sleeps are instant) and advance the sim's manual clock from beside the operation
//! (`driven`), as the demo's real clock would move on its own.

use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use zip::write::SimpleFileOptions;

use super::support::*;
use crate::app::ledger::{OpKind, Outcome, operations};
use crate::cloud::sim::*;
use crate::cloud::{BundleUpload, Op, OpAccepted, S3Location, UploadProgress, Uploaded};
use crate::domain::Severity;

const MIN: Millis = 60_000;

/// Run `op` while the sim's clock moves `step` ms every 20 ms of tokio's (paused) time.
async fn driven<T>(c: &SimCloud, step: Millis, op: impl Future<Output = T>) -> T {
    tokio::pin!(op);
    loop {
        tokio::select! {
            out = &mut op => return out,
            _ = tokio::time::sleep(Duration::from_millis(20)) => c.advance(step),
        }
    }
}

/// A zip of `files` in `dir`; `Stored` keeps a big file big, for uploads that take a while.
fn zip_of(dir: &Path, name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let path = dir.join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).expect("create"));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in files {
        if let Some(folder) = name.strip_suffix('/') {
            zip.add_directory(folder, stored).expect("dir");
        } else {
            zip.start_file(*name, stored).expect("start");
            zip.write_all(bytes).expect("write");
        }
    }
    zip.finish().expect("finish");
    path
}

fn sample_zip(dir: &Path) -> PathBuf {
    zip_of(dir, "sample.zip", sample_app_files())
}

fn upload_of(app: &str, label: &str, file: &Path) -> BundleUpload {
    BundleUpload {
        app: app.to_string(),
        label: label.to_string(),
        file: file.to_path_buf(),
        size: std::fs::metadata(file).expect("size").len(),
    }
}

/// Upload with a listener and a cancel switch; returns what the listener heard.
async fn upload(
    c: &SimCloud,
    up: &BundleUpload,
    cancel: watch::Receiver<bool>,
) -> (CloudResult<Uploaded>, Vec<UploadProgress>) {
    let (tx, mut rx) = mpsc::channel(1_000);
    let result = driven(c, 100, c.upload_bundle(up, tx, cancel)).await;
    let mut heard = Vec::new();
    while let Ok(p) = rx.try_recv() {
        heard.push(p);
    }
    (result, heard)
}

fn create(env: &EnvRef, label: &str, source: S3Location) -> Op {
    Op::CreateVersion {
        env: env.clone(),
        app: env.app.clone(),
        label: label.to_string(),
        source,
        description: "Deployed from a directory".to_string(),
    }
}

/// Upload `zip` as `label` and create the version, as the deploy dialog does.
async fn ship(c: &SimCloud, env: &EnvRef, label: &str, zip: &Path) -> CloudResult<OpAccepted> {
    let op = Op::UploadBundle {
        env: env.clone(),
        upload: upload_of(&env.app, label, zip),
    };
    let uploaded = driven(c, 100, c.execute(&op)).await?;
    let source = uploaded.uploaded.expect("where it went").location;
    driven(c, 500, c.execute(&create(env, label, source))).await
}

async fn status_of(c: &SimCloud, app: &str, label: &str) -> Option<String> {
    let versions = c.versions(app).await.expect("versions");
    versions
        .into_iter()
        .find(|v| v.label == label)
        .map(|v| v.status)
}

#[tokio::test(start_paused = true)]
async fn an_upload_reports_progress_up_to_its_size_as_the_clock_moves() {
    let c = sim(Scenario::Quiet);
    let dir = tempfile::tempdir().unwrap();
    let big = vec![7u8; 2_000_000];
    let zip = zip_of(
        dir.path(),
        "big.zip",
        &[("Procfile", b"web: x"), ("blob", &big)],
    );
    let up = upload_of("storefront", "app-big", &zip);
    let (_keep, cancel) = watch::channel(false);
    let calls = c.api_calls();
    let t0 = c.now();
    let (result, heard) = upload(&c, &up, cancel).await;
    let uploaded = result.expect("uploaded");
    assert_eq!(
        uploaded,
        Uploaded {
            location: S3Location {
                bucket: "elasticbeanstalk-us-east-1-123456789012".into(),
                key: "storefront/app-big.zip".into(),
            },
            existed: false,
        }
    );
    assert!(heard.len() >= 3, "several updates: {heard:?}");
    assert!(heard.windows(2).all(|w| w[0].sent < w[1].sent), "{heard:?}");
    let last = heard.last().unwrap();
    assert_eq!((last.sent, last.total), (up.size, up.size));
    let took = c.now() - t0;
    assert!(
        (700..=1_200).contains(&took),
        "2 MB at 4 MB/s took {took} ms"
    );
    assert_eq!(
        c.api_calls() - calls,
        3,
        "CreateStorageLocation, HeadObject, PutObject"
    );
}

#[tokio::test(start_paused = true)]
async fn an_upload_waits_for_the_clock_and_the_same_object_is_not_sent_twice() {
    let c = sim(Scenario::Quiet);
    let dir = tempfile::tempdir().unwrap();
    let up = upload_of("storefront", "app-1", &sample_zip(dir.path()));
    let (_keep, cancel) = watch::channel(false);
    let (tx, _rx) = mpsc::channel(100);
    let calls = c.api_calls();
    let frozen = tokio::time::timeout(
        Duration::from_secs(60),
        c.upload_bundle(&up, tx, cancel.clone()),
    )
    .await;
    assert!(frozen.is_err(), "no simulated time passes, no byte is sent");
    assert_eq!(c.api_calls() - calls, 3, "it got as far as PutObject");

    let (first, _) = upload(&c, &up, cancel.clone()).await;
    assert!(!first.unwrap().existed);
    let calls = c.api_calls();
    let (again, heard) = upload(&c, &up, cancel).await;
    assert!(again.unwrap().existed, "same key, same size");
    assert!(heard.is_empty(), "nothing sent");
    assert_eq!(
        c.api_calls() - calls,
        2,
        "CreateStorageLocation, HeadObject"
    );
}

#[tokio::test(start_paused = true)]
async fn a_big_bundle_goes_up_in_parts() {
    let c = sim(Scenario::Quiet);
    let dir = tempfile::tempdir().unwrap();
    let blob = vec![1u8; 8 * 1024 * 1024];
    let zip = zip_of(dir.path(), "big.zip", &[("app.jar", &blob)]);
    let up = upload_of("billing", "app-parts", &zip);
    let (_keep, cancel) = watch::channel(false);
    let calls = c.api_calls();
    let (result, heard) = upload(&c, &up, cancel).await;
    assert!(!result.unwrap().existed);
    assert_eq!(heard.last().map(|p| p.sent), Some(up.size));
    // CreateStorageLocation, HeadObject, CreateMultipartUpload, two parts, Complete.
    assert_eq!(c.api_calls() - calls, 6);
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_upload_leaves_nothing_behind() {
    let c = sim(Scenario::Quiet);
    let r = env_ref(&c, "storefront-staging").await;
    let dir = tempfile::tempdir().unwrap();
    let big = vec![3u8; 4_000_000];
    let zip = zip_of(
        dir.path(),
        "big.zip",
        &[("Procfile", b"web: x"), ("blob", &big)],
    );
    let up = upload_of("storefront", "app-cancel", &zip);
    let (stop, cancel) = watch::channel(false);
    let (tx, mut rx) = mpsc::channel(100);
    let cancel_midway = async {
        while rx
            .recv()
            .await
            .is_some_and(|p: UploadProgress| p.sent < p.total / 4)
        {}
        stop.send(true).unwrap();
        std::future::pending::<()>().await
    };
    let result = tokio::select! {
        r = driven(&c, 100, c.upload_bundle(&up, tx, cancel)) => r,
        _ = cancel_midway => unreachable!(),
    };
    assert_eq!(
        result,
        Err(CloudError::Cancelled(
            "upload cancelled; nothing was left in S3".into()
        ))
    );
    let source = S3Location {
        bucket: "elasticbeanstalk-us-east-1-123456789012".into(),
        key: "storefront/app-cancel.zip".into(),
    };
    let refused = c.execute(&create(&r, "app-cancel", source)).await;
    assert_eq!(
        refused,
        Err(CloudError::Other(
            "Unable to download from S3 location (Bucket: elasticbeanstalk-us-east-1-123456789012  Key: storefront/app-cancel.zip). Reason: Not Found".into()
        ))
    );
    assert_eq!(status_of(&c, "storefront", "app-cancel").await, None);
}

#[tokio::test(start_paused = true)]
async fn a_version_is_processing_then_processed_with_the_applications_events() {
    let c = sim(Scenario::Quiet);
    let r = env_ref(&c, "storefront-staging").await;
    let dir = tempfile::tempdir().unwrap();
    let op = Op::UploadBundle {
        env: r.clone(),
        upload: upload_of("storefront", "app-new", &sample_zip(dir.path())),
    };
    let source = driven(&c, 100, c.execute(&op)).await.unwrap();
    let source = source.uploaded.unwrap().location;
    let t0 = c.now();
    let create = create(&r, "app-new", source);
    let creating = c.execute(&create);
    tokio::pin!(creating);
    assert!(
        tokio::time::timeout(Duration::from_millis(200), &mut creating)
            .await
            .is_err(),
        "waits for processing"
    );
    assert_eq!(
        status_of(&c, "storefront", "app-new").await.as_deref(),
        Some("Processing")
    );
    let accepted = driven(&c, 500, creating).await.expect("processed");
    let rid = accepted.request_id.expect("request id");
    assert_eq!(
        status_of(&c, "storefront", "app-new").await.as_deref(),
        Some("Processed")
    );
    let newest = &c.versions("storefront").await.unwrap()[0];
    assert_eq!(
        (newest.label.as_str(), newest.description.as_deref()),
        ("app-new", Some("Deployed from a directory"))
    );
    let events: Vec<EnvEvent> = c.account_events(Some(t0)).await.unwrap();
    let ours: Vec<(&str, &str)> = events
        .iter()
        .filter(|e| e.request_id.as_deref() == Some(rid.as_str()))
        .map(|e| (e.env.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(
        ours,
        [
            ("", "createApplicationVersion is starting."),
            ("", "Created new Application Version: app-new"),
            ("", "createApplicationVersion completed successfully."),
        ],
        "the application's events, naming no environment"
    );
}

#[tokio::test(start_paused = true)]
async fn a_bundle_with_nothing_to_run_fails_processing() {
    let c = sim(Scenario::Quiet);
    let r = env_ref(&c, "storefront-staging").await;
    let dir = tempfile::tempdir().unwrap();
    let docs = zip_of(
        dir.path(),
        "docs.zip",
        &[("README.md", b"# notes"), ("docs/a.md", b"a")],
    );
    let err = ship(&c, &r, "app-docs", &docs).await.unwrap_err();
    let CloudError::Other(why) = &err else {
        panic!("{err:?}")
    };
    assert!(
        why.starts_with("Pre-processing of application version app-docs has failed. ")
            && why.contains("no application at its root"),
        "{why}"
    );
    assert_eq!(
        status_of(&c, "storefront", "app-docs").await.as_deref(),
        Some("Failed")
    );
    let events = c.account_events(Some(START)).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.severity == Severity::Error && e.message == *why),
        "an error event says why"
    );
    let deploy = Op::Deploy {
        env: r.clone(),
        version: "app-docs".into(),
    };
    let refused = c.execute(&deploy).await.unwrap_err();
    assert!(refused.message().contains("failed"), "{refused}");

    let empty = zip_of(dir.path(), "empty.zip", &[]);
    let err = ship(&c, &r, "app-empty", &empty).await.unwrap_err();
    assert!(
        err.message().ends_with("The source bundle is empty."),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_label_that_exists_is_refused() {
    let c = sim(Scenario::Quiet);
    let r = env_ref(&c, "storefront-staging").await;
    let dir = tempfile::tempdir().unwrap();
    let zip = sample_zip(dir.path());
    let exists = |label: &str| {
        Err(CloudError::Other(format!(
            "Application Version {label} already exists."
        )))
    };
    assert_eq!(ship(&c, &r, "v1.4.4", &zip).await, exists("v1.4.4"));
    ship(&c, &r, "app-1", &zip).await.expect("first time");
    let versions = c.versions("storefront").await.unwrap().len();
    assert_eq!(ship(&c, &r, "app-1", &zip).await, exists("app-1"));
    assert_eq!(c.versions("storefront").await.unwrap().len(), versions);
}

/// Deploy `label` to `name` and wait for the environment to settle; returns the request id.
async fn deploy_and_wait(c: &SimCloud, name: &str, label: &str) -> String {
    let r = env_ref(c, name).await;
    let op = Op::Deploy {
        env: r,
        version: label.to_string(),
    };
    let rid = c.execute(&op).await.expect("deploying").request_id.unwrap();
    until(c, name, 10 * MIN, 5_000, |e| e.status == EnvStatus::Ready)
        .await
        .expect("settles");
    rid
}

async fn messages_of(c: &SimCloud, name: &str, rid: &str) -> Vec<String> {
    events_since_start(c, name)
        .await
        .into_iter()
        .filter(|e| e.request_id.as_deref() == Some(rid))
        .map(|e| e.message)
        .collect()
}

fn one_folder(dir: &Path) -> PathBuf {
    let mut files: Vec<(String, &[u8])> = vec![("site/".into(), b"")];
    for (path, bytes) in sample_app_files() {
        files.push((format!("site/{path}"), bytes));
    }
    let files: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), *b)).collect();
    zip_of(dir, "folder.zip", &files)
}

#[tokio::test(start_paused = true)]
async fn a_bundle_one_folder_down_processes_but_its_deploy_fails() {
    let c = sim(Scenario::Steady);
    let r = env_ref(&c, "storefront-prod").await;
    let dir = tempfile::tempdir().unwrap();
    ship(&c, &r, "app-folder", &one_folder(dir.path()))
        .await
        .expect("processing reads only configuration files");
    let rid = deploy_and_wait(&c, "storefront-prod", "app-folder").await;
    let texts = messages_of(&c, "storefront-prod", &rid).await;
    let order = [
        "Environment update is starting.",
        "Instance deployment failed to generate a 'Procfile' for Node.js. Provide one of these files: 'package.json', 'server.js', or 'app.js'. The deployment failed.",
        "Instance deployment failed. For details, see 'eb-engine.log'.",
        "Failed to deploy application.",
    ];
    let at: Vec<usize> = order.iter().map(|t| position(&texts, t)).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{texts:#?}");
    assert_eq!(
        texts.iter().filter(|t| t.starts_with("Batch ")).count(),
        1,
        "the first batch fails and nothing follows: {texts:#?}"
    );
    let e = env(&c, "storefront-prod").await;
    assert_eq!(
        e.version.as_deref(),
        Some("v1.4.3"),
        "back on the version before"
    );
    let serving = c.health(&r).await.unwrap().instances.len();
    assert_eq!(serving, 4);
    assert_eq!(c.deploy_history(&r).await.unwrap()[0].version, "v1.4.3");
    let events = c.account_events(Some(START)).await.unwrap();
    let told = operations(&events)
        .into_iter()
        .find(|o| o.request_id == rid)
        .and_then(|o| o.told);
    assert_eq!(
        told,
        Some(Outcome::Failed),
        "the ledger reads a failed deploy"
    );
    let engine = c.eb_tail_logs(&r).await.unwrap();
    assert!(
        engine
            .iter()
            .any(|l| l.message.contains("[app-deploy] - [check Procfile]")),
        "eb-engine.log says where it stopped"
    );
}

#[tokio::test(start_paused = true)]
async fn an_immutable_deploy_of_a_folder_bundle_throws_its_new_instance_away() {
    let c = sim(Scenario::Steady);
    let r = env_ref(&c, "billing-prod").await;
    let before: Vec<String> = c
        .health(&r)
        .await
        .unwrap()
        .instances
        .into_iter()
        .map(|i| i.id)
        .collect();
    let dir = tempfile::tempdir().unwrap();
    ship(&c, &r, "app-folder", &one_folder(dir.path()))
        .await
        .unwrap();
    let rid = deploy_and_wait(&c, "billing-prod", "app-folder").await;
    let texts = messages_of(&c, "billing-prod", &rid).await;
    position(&texts, "Failed to deploy application.");
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Deleted temporary auto scaling group")),
        "{texts:#?}"
    );
    let e = env(&c, "billing-prod").await;
    assert_eq!(e.version.as_deref(), Some("v2.7.4"));
    let after: Vec<String> = c
        .health(&r)
        .await
        .unwrap()
        .instances
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(after, before, "the old instances stay");
    let events = c.account_events(Some(START)).await.unwrap();
    let op = operations(&events)
        .into_iter()
        .find(|o| o.request_id == rid);
    assert_eq!(op.and_then(|o| o.told), Some(Outcome::Failed));
}

#[tokio::test(start_paused = true)]
async fn the_sample_deploys_like_any_good_version_in_every_scenario() {
    for scenario in Scenario::ALL {
        let c = sim(scenario);
        let r = env_ref(&c, "storefront-staging").await;
        let dir = tempfile::tempdir().unwrap();
        ship(&c, &r, "app-sample", &sample_zip(dir.path()))
            .await
            .unwrap();
        let rid = deploy_and_wait(&c, "storefront-staging", "app-sample").await;
        let texts = messages_of(&c, "storefront-staging", &rid).await;
        position(&texts, "Environment update completed successfully.");
        assert_eq!(
            instance_versions(&c, "storefront-staging").await,
            ["app-sample"],
            "{scenario:?}"
        );
        let engine: Vec<String> = c
            .eb_tail_logs(&r)
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.message)
            .collect();
        for line in [
            "installing dependencies with requirements.txt by using Pip",
            "The dir .platform/hooks/prebuild/ does not exist",
        ] {
            assert!(
                engine.iter().any(|l| l.ends_with(line)),
                "{scenario:?}: {line}"
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn the_sample_rolls_out_in_batches_and_health_comes_back() {
    let c = sim(Scenario::Steady);
    let r = env_ref(&c, "storefront-prod").await;
    let dir = tempfile::tempdir().unwrap();
    ship(&c, &r, "app-sample", &sample_zip(dir.path()))
        .await
        .unwrap();
    let rid = deploy_and_wait(&c, "storefront-prod", "app-sample").await;
    let texts = messages_of(&c, "storefront-prod", &rid).await;
    position(&texts, "Batch 2: Completed application deployment.");
    position(&texts, "Environment update completed successfully.");
    c.advance(30_000);
    assert_eq!(
        transitions(&c, "storefront-prod").await,
        [("Ok".into(), "Info".into()), ("Info".into(), "Ok".into())]
    );
    assert_eq!(
        instance_versions(&c, "storefront-prod").await,
        ["app-sample"; 4]
    );
    let events = c.account_events(Some(START)).await.unwrap();
    let op = operations(&events)
        .into_iter()
        .find(|o| o.request_id == rid)
        .unwrap();
    assert_eq!(
        (op.kind, op.told),
        (OpKind::Deploy, Some(Outcome::Succeeded))
    );
}
