//! CreateApplicationVersion with processing, from a bundle in the account's storage bucket.
//!
//! The version is listed at once as Processing, and Processed (or Failed) a few simulated
//! seconds later: its status is a function of the clock (`Version::status_at`), not a step.
//! `execute` returns once processing has ended, as the AWS backend does by waiting. A bundle with
//! nothing to run fails processing here; one whose files sit one folder down passes, and its
//! deployment fails on the instances (`deploy` and `engine`), as it does on Elastic Beanstalk.

use std::time::Duration;

use crate::cloud::{Cloud, CloudError, CloudResult, OpAccepted, S3Location};
use crate::domain::{EnvEvent, Millis, Severity};

use super::SimCloud;
use super::contents::Layout;
use super::model::{SEC, Shipped, Version};
use super::storage::bucket_name;
use super::world::World;

/// Simulated seconds Elastic Beanstalk takes to process a small bundle.
const PROCESSING_SECS: (i64, i64) = (3, 6);
/// How often a caller waiting for processing asks DescribeApplicationVersions, counted as calls.
const POLL_EVERY: Millis = 2 * SEC;
/// Real time between two looks at the clock while waiting.
const PAUSE: Duration = Duration::from_millis(50);
/// Elastic Beanstalk's limit on a version label.
const LABEL_MAX: usize = 100;

/// What CreateApplicationVersion asks for.
pub(crate) struct Request<'a> {
    pub app: &'a str,
    pub label: &'a str,
    pub source: &'a S3Location,
    pub description: &'a str,
}

/// A version being processed: its request, when processing ends, and how.
pub(crate) struct Pending {
    pub request_id: String,
    pub until: Millis,
    /// The error `execute` returns once processing has failed.
    pub failure: Option<String>,
}

/// Refuse what Elastic Beanstalk refuses, else add the version (Processing) and the
/// application's events, and say when processing ends.
pub(crate) fn begin(w: &mut World, r: &Request) -> CloudResult<Pending> {
    refusal(w, r)?;
    let now = w.now;
    let object = w
        .bucket
        .get(&r.source.key)
        .cloned()
        .ok_or_else(|| not_downloadable(r.source))?;
    let layout = object.contents.layout();
    let request_id = w.rng.uuid();
    let until = now + w.rng.between(PROCESSING_SECS.0, PROCESSING_SECS.1) * SEC;
    let failure = match &layout {
        // The EB CLI's words when a version it waits for fails processing
        // (aws-elastic-beanstalk-cli, `appversion.processfailed`); Elastic Beanstalk itself
        // gives only the status, so the reason after them is the simulator's.
        Layout::Rejected(why) => Some(format!(
            "Pre-processing of application version {} has failed. {why}",
            r.label
        )),
        _ => None,
    };
    let version = Version {
        label: r.label.to_string(),
        description: r.description.to_string(),
        created: now,
        broken: false,
        install_fails: false,
        deploy_secs: (20, 30),
        shipped: Some(Shipped {
            processed: until,
            contents: object.contents.clone(),
            layout,
        }),
    };
    let app = w
        .apps
        .iter_mut()
        .find(|a| a.name == r.app)
        .ok_or_else(|| no_application(r.app))?;
    app.versions.push(version);
    let events = events(r.label, &request_id, now, until, failure.as_deref());
    app.events.extend(events);
    app.events.sort_by_key(|e| e.ts);
    Ok(Pending {
        request_id,
        until,
        failure,
    })
}

/// Elastic Beanstalk's refusals of CreateApplicationVersion, with its texts.
fn refusal(w: &World, r: &Request) -> CloudResult<()> {
    let app = w.app(r.app).ok_or_else(|| no_application(r.app))?;
    // AWS's validation wording for a parameter's length.
    let bound = if r.label.is_empty() {
        Some("greater than or equal to 1".to_string())
    } else {
        (r.label.len() > LABEL_MAX).then(|| format!("less than or equal to {LABEL_MAX}"))
    };
    if let Some(bound) = bound {
        return Err(CloudError::Other(format!(
            "1 validation error detected: Value '{}' at 'versionLabel' failed to satisfy constraint: Member must have length {bound}",
            r.label
        )));
    }
    // The EB CLI's tests quote this refusal verbatim (aws-elastic-beanstalk-cli,
    // tests/unit/operations/test_commonops.py, an InvalidParameterValueError).
    if app
        .versions
        .iter()
        .any(|v| v.label == r.label && v.created <= w.now)
    {
        return Err(CloudError::Other(format!(
            "Application Version {} already exists.",
            r.label
        )));
    }
    if r.source.bucket != bucket_name() {
        return Err(not_downloadable(r.source));
    }
    Ok(())
}

fn no_application(app: &str) -> CloudError {
    CloudError::NotFound(format!("No Application named '{app}' found."))
}

/// An InvalidParameterCombination, worded as Elastic Beanstalk words it (reported in
/// hsingh/ansible-elastic-beanstalk issue 40; the two spaces before "Key" are its own).
fn not_downloadable(source: &S3Location) -> CloudError {
    CloudError::Other(format!(
        "Unable to download from S3 location (Bucket: {}  Key: {}). Reason: Not Found",
        source.bucket, source.key
    ))
}

/// The application's events for the version: DescribeEvents shows them with the application and
/// the label and no environment. The first three are Elastic Beanstalk's texts (the EB CLI's
/// recorded DescribeEvents answer, aws-elastic-beanstalk-cli tests/unit/mock_responses.py); that
/// answer had no processing, so placing "completed" when processing ends, and the text of a
/// failure, are the simulator's.
fn events(
    label: &str,
    request_id: &str,
    now: Millis,
    until: Millis,
    failure: Option<&str>,
) -> Vec<EnvEvent> {
    let event = |ts: Millis, severity: Severity, message: String| EnvEvent {
        ts,
        env: String::new(),
        severity,
        message,
        version: Some(label.to_string()),
        request_id: Some(request_id.to_string()),
    };
    let mut out = vec![
        event(
            now,
            Severity::Info,
            "createApplicationVersion is starting.".into(),
        ),
        event(
            now + 50,
            Severity::Info,
            format!("Created new Application Version: {label}"),
        ),
    ];
    out.push(match failure {
        Some(why) => event(until, Severity::Error, why.to_string()),
        None => event(
            until,
            Severity::Info,
            "createApplicationVersion completed successfully.".into(),
        ),
    });
    out
}

impl SimCloud {
    /// `execute(Op::CreateVersion)`: CreateApplicationVersion, then wait for processing as the
    /// AWS backend does, counting a DescribeApplicationVersions every `POLL_EVERY` of
    /// simulated time. On a manual clock it returns once the clock has been advanced past
    /// processing.
    pub(super) async fn make_version(&self, r: &Request<'_>) -> CloudResult<OpAccepted> {
        self.call();
        let pending = {
            let (mut w, _) = self.world();
            begin(&mut w, r)?
        };
        let mut asked = self.now();
        while self.now() < pending.until {
            tokio::time::sleep(PAUSE).await;
            let now = self.now();
            if now - asked >= POLL_EVERY {
                self.call();
                asked = now;
            }
        }
        self.call();
        match pending.failure {
            Some(why) => Err(CloudError::Other(why)),
            None => Ok(OpAccepted {
                request_id: Some(pending.request_id),
                uploaded: None,
            }),
        }
    }
}
