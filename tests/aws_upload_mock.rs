//! Deploying a directory, the AWS side, against typed SDK mocks (aws-smithy-mocks): the bucket
//! from CreateStorageLocation, CreateApplicationVersion and the wait for processing, and the S3
//! refusals and failures the emulator cannot play (AccessDenied, expired credentials, lost
//! answers). Each client fails a request no rule expects, so the tests also pin down which
//! requests are made and how often.

use aws_sdk_elasticbeanstalk::operation::create_storage_location::CreateStorageLocationOutput;
use aws_sdk_elasticbeanstalk::operation::describe_application_versions::DescribeApplicationVersionsOutput;
use aws_sdk_elasticbeanstalk::operation::describe_events::DescribeEventsOutput;
use aws_sdk_elasticbeanstalk::types::{
    ApplicationVersionDescription, ApplicationVersionStatus, EventDescription, EventSeverity,
};
use aws_sdk_s3::operation::abort_multipart_upload::AbortMultipartUploadOutput;
use aws_sdk_s3::operation::create_multipart_upload::CreateMultipartUploadOutput;
use aws_sdk_s3::operation::head_object::HeadObjectError;
use aws_sdk_s3::operation::put_object::PutObjectOutput;
use aws_sdk_s3::operation::upload_part::UploadPartOutput;
use aws_sdk_s3::types::error::NotFound;
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_runtime_api::http::{Response as HttpResponse, StatusCode};
use aws_smithy_types::DateTime;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::RetryConfig;
use ebtui::cloud::aws::AwsCloud;
use ebtui::cloud::{BundleUpload, Cloud, CloudError, Op, OpAccepted, S3Location, Uploaded};
use ebtui::domain::{CloudContext, EnvRef};
use tokio::sync::{mpsc, watch};

type Eb = aws_sdk_elasticbeanstalk::Client;
type S3 = aws_sdk_s3::Client;

const BUCKET: &str = "elasticbeanstalk-us-east-1-111122223333";

/// A cloud whose Elastic Beanstalk and S3 clients answer from rules, with `attempts` SDK attempts.
fn cloud_with(attempts: u32, eb: &[&Rule], s3: &[&Rule]) -> AwsCloud {
    let retry = RetryConfig::standard()
        .with_max_attempts(attempts)
        .with_initial_backoff(std::time::Duration::from_millis(1));
    let r = retry.clone();
    let eb = mock_client!(aws_sdk_elasticbeanstalk, RuleMode::MatchAny, eb, |c| c
        .retry_config(r.clone()));
    let r = retry.clone();
    let s3 = mock_client!(aws_sdk_s3, RuleMode::MatchAny, s3, |c| c
        .retry_config(r.clone()));
    let none: &[&Rule] = &[];
    let cfn = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, none);
    let logs = mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, none);
    let ctx = CloudContext {
        profile: "test".into(),
        region: "us-east-1".into(),
        account: None,
        note: None,
    };
    AwsCloud::from_clients(eb, cfn, logs, ctx).with_s3(s3)
}

fn cloud(eb: &[&Rule], s3: &[&Rule]) -> AwsCloud {
    cloud_with(1, eb, s3)
}

fn prod() -> EnvRef {
    EnvRef {
        app: "shop".into(),
        name: "shop-prod".into(),
        id: "e-1".into(),
    }
}

fn storage_location() -> Rule {
    mock!(Eb::create_storage_location).then_output(|| {
        CreateStorageLocationOutput::builder()
            .s3_bucket(BUCKET)
            .build()
    })
}

fn nothing_there() -> Rule {
    mock!(S3::head_object).then_error(|| HeadObjectError::NotFound(NotFound::builder().build()))
}

/// A bundle file of `size` bytes (sparse: the mocks never read it).
fn bundle(dir: &tempfile::TempDir, label: &str, size: u64) -> BundleUpload {
    let file = dir.path().join(format!("{label}.zip"));
    std::fs::File::create(&file)
        .and_then(|f| f.set_len(size))
        .expect("bundle file");
    BundleUpload {
        app: "shop".into(),
        label: label.into(),
        file,
        size,
    }
}

async fn upload(cloud: &AwsCloud, b: &BundleUpload) -> Result<Uploaded, CloudError> {
    let (tx, _rx) = mpsc::channel(64);
    let (_keep, cancel) = watch::channel(false);
    cloud.upload_bundle(b, tx, cancel).await
}

/// An Elastic Beanstalk answer with its request id.
fn eb_ok(action: &str, request_id: &str) -> HttpResponse {
    let body = format!(
        r#"<{action}Response xmlns="http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/"><{action}Result/><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"#
    );
    let mut response = HttpResponse::new(
        StatusCode::try_from(200).expect("status"),
        SdkBody::from(body),
    );
    response
        .headers_mut()
        .insert("x-amzn-requestid", request_id.to_string());
    response
}

fn eb_error(status: u16, code: &str, message: &str) -> HttpResponse {
    let body = format!(
        r#"<ErrorResponse xmlns="http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>req-err</RequestId></ErrorResponse>"#
    );
    HttpResponse::new(
        StatusCode::try_from(status).expect("status"),
        SdkBody::from(body),
    )
}

fn s3_error(status: u16, code: &str, message: &str) -> HttpResponse {
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message><RequestId>R1</RequestId><HostId>H1</HostId></Error>"#
    );
    HttpResponse::new(
        StatusCode::try_from(status).expect("status"),
        SdkBody::from(body),
    )
}

fn version(status: ApplicationVersionStatus) -> DescribeApplicationVersionsOutput {
    DescribeApplicationVersionsOutput::builder()
        .application_versions(
            ApplicationVersionDescription::builder()
                .application_name("shop")
                .version_label("v9")
                .status(status)
                .date_created(DateTime::from_secs(1_700_000_000))
                .build(),
        )
        .build()
}

fn create_version_op() -> Op {
    Op::CreateVersion {
        env: prod(),
        app: "shop".into(),
        label: "v9".into(),
        source: S3Location {
            bucket: BUCKET.into(),
            key: "shop/v9.zip".into(),
        },
        description: "deployed from ~/src/shop at 1a2b3c".into(),
    }
}

// ---- the bucket and the object -------------------------------------------------------------

#[tokio::test]
async fn the_bucket_comes_from_create_storage_location_once() {
    let location = storage_location();
    let head = nothing_there();
    let put = mock!(S3::put_object)
        .match_requests(|r| r.bucket() == Some(BUCKET) && r.content_length() == Some(1000))
        .then_output(|| PutObjectOutput::builder().build());
    let cloud = cloud(&[&location], &[&head, &put]);
    let dir = tempfile::tempdir().expect("temp dir");

    let first = upload(&cloud, &bundle(&dir, "v1", 1000))
        .await
        .expect("first upload");
    assert_eq!(
        first,
        Uploaded {
            location: S3Location {
                bucket: BUCKET.into(),
                key: "shop/v1.zip".into(),
            },
            existed: false,
        }
    );
    let second = upload(&cloud, &bundle(&dir, "v2", 1000))
        .await
        .expect("second upload");
    assert_eq!(second.location.key, "shop/v2.zip");
    assert_eq!(location.num_calls(), 1, "the bucket is remembered");
    assert_eq!((head.num_calls(), put.num_calls()), (2, 2));
    // CreateStorageLocation, then HeadObject and PutObject twice.
    assert_eq!(cloud.api_calls(), 5);
}

#[tokio::test]
async fn insufficient_privileges_for_the_bucket_names_the_permissions() {
    let refused = mock!(Eb::create_storage_location).then_http_response(|| {
        eb_error(
            403,
            "InsufficientPrivilegesException",
            "The specified account does not have sufficient privileges for one or more AWS services.",
        )
    });
    let cloud = cloud(&[&refused], &[]);
    let dir = tempfile::tempdir().expect("temp dir");
    match upload(&cloud, &bundle(&dir, "v1", 10)).await {
        Err(CloudError::Auth(m)) => assert!(
            m.contains("elasticbeanstalk:CreateStorageLocation")
                && m.contains("s3:CreateBucket")
                && m.contains("does not have sufficient privileges"),
            "{m}"
        ),
        other => panic!("expected Auth, got {other:?}"),
    }
}

#[tokio::test]
async fn access_denied_on_put_object_names_the_permission() {
    let location = storage_location();
    let head = nothing_there();
    let denied =
        mock!(S3::put_object).then_http_response(|| s3_error(403, "AccessDenied", "Access Denied"));
    let cloud = cloud(&[&location], &[&head, &denied]);
    let dir = tempfile::tempdir().expect("temp dir");
    match upload(&cloud, &bundle(&dir, "v1", 10)).await {
        Err(CloudError::Auth(m)) => assert_eq!(
            m,
            format!(
                "S3 refused to store s3://{BUCKET}/shop/v1.zip: this needs s3:PutObject on \
                 arn:aws:s3:::{BUCKET}/shop/*. AWS said: Access Denied"
            )
        ),
        other => panic!("expected Auth, got {other:?}"),
    }
    assert_eq!(denied.num_calls(), 1);
}

#[tokio::test]
async fn a_bare_403_on_head_object_names_the_read_permissions() {
    let location = storage_location();
    let head = mock!(S3::head_object).then_http_response(|| {
        HttpResponse::new(StatusCode::try_from(403).expect("status"), SdkBody::empty())
    });
    let put = mock!(S3::put_object).then_output(|| PutObjectOutput::builder().build());
    let cloud = cloud(&[&location], &[&head, &put]);
    let dir = tempfile::tempdir().expect("temp dir");
    match upload(&cloud, &bundle(&dir, "v1", 10)).await {
        Err(CloudError::Auth(m)) => assert!(
            m.contains(&format!("s3:GetObject on arn:aws:s3:::{BUCKET}/shop/*"))
                && m.contains(&format!("s3:ListBucket on arn:aws:s3:::{BUCKET}")),
            "{m}"
        ),
        other => panic!("expected Auth, got {other:?}"),
    }
    assert_eq!(
        put.num_calls(),
        0,
        "nothing sent when the label cannot be checked"
    );
}

#[tokio::test]
async fn a_bare_400_on_head_object_suggests_credentials() {
    let location = storage_location();
    let head = mock!(S3::head_object).then_http_response(|| {
        HttpResponse::new(StatusCode::try_from(400).expect("status"), SdkBody::empty())
    });
    let cloud = cloud(&[&location], &[&head]);
    let dir = tempfile::tempdir().expect("temp dir");
    match upload(&cloud, &bundle(&dir, "v1", 10)).await {
        Err(CloudError::Other(m)) => assert!(
            m.contains("HTTP 400 without a reason") && m.contains("expired credentials"),
            "{m}"
        ),
        other => panic!("expected Other, got {other:?}"),
    }
}

#[tokio::test]
async fn a_put_object_whose_answer_is_lost_is_answer_lost_and_sent_once() {
    let location = storage_location();
    let head = nothing_there();
    let failing = mock!(S3::put_object)
        .then_http_response(|| s3_error(500, "InternalError", "We encountered an internal error."));
    // Three SDK attempts configured: the write still goes once.
    let cloud = cloud_with(3, &[&location], &[&head, &failing]);
    let dir = tempfile::tempdir().expect("temp dir");
    match upload(&cloud, &bundle(&dir, "v1", 10)).await {
        Err(CloudError::AnswerLost(m)) => assert!(
            m.contains("HTTP 500: We encountered an internal error.")
                && m.contains("not sent again")
                && m.contains("Deploying again is safe"),
            "{m}"
        ),
        other => panic!("expected AnswerLost, got {other:?}"),
    }
    assert_eq!(failing.num_calls(), 1, "sent once");
}

// ---- multipart ------------------------------------------------------------------------------

fn created() -> Rule {
    mock!(S3::create_multipart_upload)
        .match_requests(|r| {
            r.checksum_algorithm() == Some(&aws_sdk_s3::types::ChecksumAlgorithm::Crc32)
        })
        .then_output(|| {
            CreateMultipartUploadOutput::builder()
                .upload_id("up-1")
                .build()
        })
}

fn aborted() -> Rule {
    mock!(S3::abort_multipart_upload)
        .match_requests(|r| r.upload_id() == Some("up-1") && r.key() == Some("shop/v1.zip"))
        .then_output(|| AbortMultipartUploadOutput::builder().build())
}

fn part_ok(number: i32) -> Rule {
    mock!(S3::upload_part)
        .match_requests(move |r| r.part_number() == Some(number))
        .then_output(move || {
            UploadPartOutput::builder()
                .e_tag(format!("\"etag-{number}\""))
                .checksum_crc32("AAAAAA==")
                .build()
        })
}

#[tokio::test(start_paused = true)]
async fn a_part_that_fails_once_is_sent_again_and_the_upload_completes() {
    use aws_sdk_s3::operation::complete_multipart_upload::CompleteMultipartUploadOutput;
    let location = storage_location();
    let head = nothing_there();
    let create = created();
    let part1 = part_ok(1);
    let part2 = mock!(S3::upload_part)
        .match_requests(|r| r.part_number() == Some(2))
        .sequence()
        .http_response(|| s3_error(500, "InternalError", "We encountered an internal error."))
        .output(|| UploadPartOutput::builder().e_tag("\"etag-2\"").build())
        .build();
    let complete = mock!(S3::complete_multipart_upload)
        .match_requests(|r| {
            let parts = r.multipart_upload().map(|m| m.parts()).unwrap_or_default();
            parts.iter().map(|p| p.part_number()).collect::<Vec<_>>() == [Some(1), Some(2)]
                && parts[0].e_tag() == Some("\"etag-1\"")
                && parts[0].checksum_crc32() == Some("AAAAAA==")
                && parts[1].e_tag() == Some("\"etag-2\"")
        })
        .then_output(|| CompleteMultipartUploadOutput::builder().build());
    let abort = aborted();
    // The client allows one attempt: the part's own retry is what sends it again.
    let cloud = cloud(
        &[&location],
        &[&head, &create, &part1, &part2, &complete, &abort],
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let b = bundle(&dir, "v1", 8 * 1024 * 1024);
    let uploaded = upload(&cloud, &b).await.expect("uploaded");
    assert!(!uploaded.existed);
    assert_eq!(part2.num_calls(), 2, "the failed part was sent again");
    assert_eq!((complete.num_calls(), abort.num_calls()), (1, 0));
}

#[tokio::test(start_paused = true)]
async fn credentials_expiring_mid_upload_abort_it_and_say_how_to_fix_it() {
    let location = storage_location();
    let head = nothing_there();
    let create = created();
    let part1 = part_ok(1);
    let expired = mock!(S3::upload_part)
        .match_requests(|r| r.part_number() != Some(1))
        .then_http_response(|| s3_error(400, "ExpiredToken", "The provided token has expired."));
    let complete = mock!(S3::complete_multipart_upload).then_output(|| {
        aws_sdk_s3::operation::complete_multipart_upload::CompleteMultipartUploadOutput::builder()
            .build()
    });
    let abort = aborted();
    let cloud = cloud(
        &[&location],
        &[&head, &create, &part1, &expired, &complete, &abort],
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let b = bundle(&dir, "v1", 12 * 1024 * 1024);
    match upload(&cloud, &b).await {
        Err(CloudError::Auth(m)) => assert!(
            m.starts_with("AWS credentials expired: refresh them")
                && m.contains("The provided token has expired."),
            "{m}"
        ),
        other => panic!("expected Auth, got {other:?}"),
    }
    assert_eq!(complete.num_calls(), 0);
    assert_eq!(
        abort.num_calls(),
        1,
        "the upload was aborted: no parts left in S3"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_abort_is_said_along_with_the_failure() {
    let location = storage_location();
    let head = nothing_there();
    let create = created();
    let denied = mock!(S3::upload_part)
        .then_http_response(|| s3_error(403, "AccessDenied", "Access Denied"));
    let abort_denied = mock!(S3::abort_multipart_upload)
        .then_http_response(|| s3_error(403, "AccessDenied", "Access Denied"));
    let cloud = cloud(&[&location], &[&head, &create, &denied, &abort_denied]);
    let dir = tempfile::tempdir().expect("temp dir");
    let b = bundle(&dir, "v1", 8 * 1024 * 1024);
    match upload(&cloud, &b).await {
        Err(CloudError::Auth(m)) => assert!(
            m.contains("this needs s3:PutObject on")
                && m.contains("could not be removed from S3")
                && m.contains("s3:AbortMultipartUpload on"),
            "{m}"
        ),
        other => panic!("expected Auth, got {other:?}"),
    }
}

// ---- the version ----------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn create_version_waits_until_elastic_beanstalk_has_processed_it() {
    let create = mock!(Eb::create_application_version)
        .match_requests(|r| {
            r.application_name() == Some("shop")
                && r.version_label() == Some("v9")
                && r.process() == Some(true)
                && r.description() == Some("deployed from ~/src/shop at 1a2b3c")
                && r.source_bundle().and_then(|s| s.s3_bucket()) == Some(BUCKET)
                && r.source_bundle().and_then(|s| s.s3_key()) == Some("shop/v9.zip")
        })
        .then_http_response(|| eb_ok("CreateApplicationVersion", "req-cav"));
    let versions = mock!(Eb::describe_application_versions)
        .match_requests(|r| {
            r.application_name() == Some("shop") && r.version_labels() == ["v9".to_string()]
        })
        .sequence()
        .output(|| version(ApplicationVersionStatus::Processing))
        .times(2)
        .output(|| version(ApplicationVersionStatus::Processed))
        .build();
    let cloud = cloud(&[&create, &versions], &[]);
    let started = tokio::time::Instant::now();
    let accepted = cloud.execute(&create_version_op()).await;
    assert_eq!(
        accepted,
        Ok(OpAccepted {
            request_id: Some("req-cav".into()),
            uploaded: None,
        })
    );
    assert_eq!((create.num_calls(), versions.num_calls()), (1, 3));
    assert_eq!(
        started.elapsed(),
        std::time::Duration::from_secs(4),
        "read every 2 s"
    );
}

#[tokio::test(start_paused = true)]
async fn a_version_that_fails_processing_is_refused_with_elastic_beanstalks_reason() {
    let create = mock!(Eb::create_application_version)
        .then_http_response(|| eb_ok("CreateApplicationVersion", "req-cav"));
    let versions = mock!(Eb::describe_application_versions)
        .then_output(|| version(ApplicationVersionStatus::Failed));
    let reason = "Created a new application version (v9) but could not process it: \
                  Configuration files cannot be extracted from the application version v9.";
    let events = mock!(Eb::describe_events)
        .match_requests(|r| {
            r.application_name() == Some("shop")
                && r.version_label() == Some("v9")
                && r.severity() == Some(&EventSeverity::Warn)
        })
        .then_output(move || {
            let ev = |secs, severity, message: &str| {
                EventDescription::builder()
                    .application_name("shop")
                    .version_label("v9")
                    .event_date(DateTime::from_secs(secs))
                    .severity(severity)
                    .message(message)
                    .build()
            };
            DescribeEventsOutput::builder()
                .events(ev(1_700_000_030, EventSeverity::Error, reason))
                .events(ev(
                    1_700_000_010,
                    EventSeverity::Warn,
                    "an older warning that is not the reason",
                ))
                .build()
        });
    let cloud = cloud(&[&create, &versions, &events], &[]);
    assert_eq!(
        cloud.execute(&create_version_op()).await,
        Err(CloudError::Other(format!(
            "Elastic Beanstalk could not process version v9 of shop: {reason}"
        )))
    );
    assert_eq!(events.num_calls(), 1);
}

#[tokio::test]
async fn a_label_that_exists_is_refused_by_name() {
    let create = mock!(Eb::create_application_version).then_http_response(|| {
        eb_error(
            400,
            "InvalidParameterValue",
            "Application Version v9 already exists.",
        )
    });
    let versions = mock!(Eb::describe_application_versions)
        .then_output(|| version(ApplicationVersionStatus::Processed));
    let cloud = cloud(&[&create, &versions], &[]);
    match cloud.execute(&create_version_op()).await {
        Err(CloudError::Other(m)) => assert!(
            m.starts_with("Version v9 of shop already exists")
                && m.contains("Application Version v9 already exists."),
            "{m}"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(versions.num_calls(), 0, "no wait for a version not created");
}

#[tokio::test]
async fn a_create_version_whose_answer_is_lost_is_answer_lost_and_sent_once() {
    let create = mock!(Eb::create_application_version).then_http_response(|| {
        eb_error(500, "InternalFailure", "We encountered an internal error.")
    });
    let versions = mock!(Eb::describe_application_versions)
        .then_output(|| version(ApplicationVersionStatus::Processed));
    let cloud = cloud_with(3, &[&create, &versions], &[]);
    match cloud.execute(&create_version_op()).await {
        Err(CloudError::AnswerLost(m)) => assert!(
            m.contains("HTTP 500: We encountered an internal error.")
                && m.contains("not sent again"),
            "{m}"
        ),
        other => panic!("expected AnswerLost, got {other:?}"),
    }
    assert_eq!(create.num_calls(), 1, "sent once");
    assert_eq!(versions.num_calls(), 0);
}

#[tokio::test(start_paused = true)]
async fn processing_that_never_ends_stops_after_five_minutes() {
    let create = mock!(Eb::create_application_version)
        .then_http_response(|| eb_ok("CreateApplicationVersion", "req-cav"));
    let versions = mock!(Eb::describe_application_versions)
        .then_output(|| version(ApplicationVersionStatus::Processing));
    let cloud = cloud(&[&create, &versions], &[]);
    let started = tokio::time::Instant::now();
    match cloud.execute(&create_version_op()).await {
        Err(CloudError::Other(m)) => assert!(
            m.starts_with(
                "Elastic Beanstalk has not finished processing version v9 of shop after 5 minutes \
                 (status Processing)"
            ),
            "{m}"
        ),
        other => panic!("expected a timeout, got {other:?}"),
    }
    // A read every 2 s from 0:00 to 5:00, the last one at the limit.
    assert_eq!(started.elapsed(), std::time::Duration::from_secs(300));
    assert_eq!(versions.num_calls(), 151);
}
