//! The writes, and with `upload` (the S3 side of a source bundle) the only place an SDK call that
//! changes anything in AWS is made (a source-tree test holds this). Each operation maps to one
//! Elastic Beanstalk call; the answer carries only a request id, progress shows up in the
//! environment's events. Refusals come back with AWS's words verbatim (e.g. "Environment named x
//! is in an invalid state for this operation. Must be Ready."). Creating a version is the one
//! write that waits here: until Elastic Beanstalk has processed the bundle, so a deploy of it
//! never starts from a version that is about to fail.
//!
//! A write is sent once: the SDK's retry is switched off for it. An UpdateEnvironment that AWS
//! accepted but whose answer was lost would otherwise be sent again and refused ("must be
//! Ready"), and the refusal would hide a deployment under way. When the request may have reached
//! AWS but no answer came back, the result is `CloudError::AnswerLost` (see `error::classify_write`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_sdk_elasticbeanstalk::types::{
    ApplicationVersionStatus, EnvironmentInfoType, EventSeverity, S3Location as EbS3Location,
};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::request_id::RequestId;

use super::error::{classify_write, reword};
use super::{AwsCloud, config, lock};
use crate::cloud::{Cloud, CloudError, CloudResult, Op, OpAccepted, RollbackVia, S3Location};

/// How often a new version's status is read while Elastic Beanstalk processes its bundle.
const VERSION_POLL: Duration = Duration::from_secs(2);
/// How long processing may take before we stop waiting (it usually takes seconds).
const VERSION_WAIT: Duration = Duration::from_secs(5 * 60);
/// Elastic Beanstalk refuses a longer version description.
const DESCRIPTION_MAX_CHARS: usize = 200;

fn accepted(output: &impl RequestId) -> OpAccepted {
    OpAccepted {
        request_id: output.request_id().map(str::to_string),
        uploaded: None,
    }
}

/// Notes that the request was handed to the connection: from then on, a failure may come after
/// AWS received it. Shared with `upload`, whose S3 writes are sent once the same way.
#[derive(Debug, Clone, Default)]
pub(super) struct Transmitted(Arc<AtomicBool>);

impl Transmitted {
    pub(super) fn get(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl Intercept for Transmitted {
    fn name(&self) -> &'static str {
        "ebtui-write-transmitted"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.store(true, Ordering::SeqCst);
        Ok(())
    }
}

/// The per-operation config of a write: no SDK retry, and the transmission noted.
fn send_once(transmitted: &Transmitted) -> aws_sdk_elasticbeanstalk::config::Builder {
    aws_sdk_elasticbeanstalk::config::Builder::default()
        .retry_config(RetryConfig::disabled())
        .interceptor(transmitted.clone())
}

/// Send a write builder once and classify its result as a write.
macro_rules! send_write {
    ($self:ident, $builder:expr) => {{
        let transmitted = Transmitted::default();
        $builder
            .customize()
            .config_override(send_once(&transmitted))
            .send()
            .await
            .map(|o| accepted(&o))
            .map_err(|e| $self.refine(classify_write(e, transmitted.get())))
    }};
}

impl AwsCloud {
    pub(super) async fn run_op(&self, op: &Op) -> CloudResult<OpAccepted> {
        tracing::info!(?op, "executing");
        let result = match op {
            Op::Deploy { env, version }
            | Op::Rollback {
                env,
                via: RollbackVia::Deploy { version },
                ..
            } => send_write!(
                self,
                self.eb
                    .update_environment()
                    .environment_name(&env.name)
                    .version_label(version)
            ),
            Op::Rollback {
                env,
                via: RollbackVia::Abort,
                ..
            }
            | Op::Abort { env } => send_write!(
                self,
                self.eb
                    .abort_environment_update()
                    .environment_name(&env.name)
            ),
            Op::Rebuild { env } => send_write!(
                self,
                self.eb.rebuild_environment().environment_name(&env.name)
            ),
            Op::RestartAppServer { env } => send_write!(
                self,
                self.eb.restart_app_server().environment_name(&env.name)
            ),
            Op::SwapCnames { a, b } => send_write!(
                self,
                self.eb
                    .swap_environment_cnames()
                    .source_environment_name(&a.name)
                    .destination_environment_name(&b.name)
            ),
            Op::UploadBundle { upload, .. } => {
                let (progress, _) = tokio::sync::mpsc::channel(1);
                let (_keep, cancel) = tokio::sync::watch::channel(false);
                self.upload_bundle(upload, progress, cancel)
                    .await
                    .map(|u| OpAccepted {
                        request_id: None,
                        uploaded: Some(u),
                    })
            }
            // Values are never logged: `OptionSetting`'s Debug hides them, and the request
            // itself is not logged.
            Op::Configure {
                env, set, remove, ..
            } => {
                let request = self
                    .eb
                    .update_environment()
                    .set_option_settings(config::option_settings(set))
                    .set_options_to_remove(config::options_to_remove(remove));
                // By id when known: a name can be reused by a newer environment.
                let request = if env.id.is_empty() {
                    request.environment_name(&env.name)
                } else {
                    request.environment_id(&env.id)
                };
                send_write!(self, request)
            }
            Op::CreateVersion {
                app,
                label,
                source,
                description,
                ..
            } => self.create_version(app, label, source, description).await,
            Op::RequestTailLogs { env } => {
                let request = self
                    .eb
                    .request_environment_info()
                    .info_type(EnvironmentInfoType::Tail);
                // By id when known: a name can be reused by a newer environment.
                let request = if env.id.is_empty() {
                    request.environment_name(&env.name)
                } else {
                    request.environment_id(&env.id)
                };
                send_write!(self, request)
            }
        };
        match &result {
            Ok(ok) => tracing::info!(request_id = ?ok.request_id, "accepted"),
            Err(e) => tracing::warn!(error = ?e, "not accepted"),
        }
        result
    }
}

impl AwsCloud {
    /// The account's Elastic Beanstalk bucket in this region (`elasticbeanstalk-<region>-<account>`),
    /// from CreateStorageLocation the first time, remembered after.
    ///
    /// A write (it creates the bucket when the account has none), but an idempotent one: it names
    /// the same bucket every time and creates nothing when the bucket is there. So, unlike the
    /// other writes, it keeps the client's retry, and a lost answer is an ordinary network error:
    /// asking again is safe.
    pub(super) async fn storage_bucket(&self) -> CloudResult<String> {
        if let Some(bucket) = lock(&self.storage_bucket).clone() {
            return Ok(bucket);
        }
        let output = self
            .eb
            .create_storage_location()
            .send()
            .await
            .map_err(|e| {
                let code = e.code().unwrap_or_default().to_string();
                match self.sdk_err(e) {
                    // Elastic Beanstalk's own refusal names no permission: say which are needed.
                    CloudError::Other(m) if code.starts_with("InsufficientPrivileges") => {
                        CloudError::Auth(format!(
                            "Elastic Beanstalk could not create or reach its S3 bucket with your \
                             permissions: CreateStorageLocation needs \
                             elasticbeanstalk:CreateStorageLocation and, the first time in a region, \
                             s3:CreateBucket and s3:PutBucketPolicy on arn:aws:s3:::elasticbeanstalk-*. \
                             AWS said: {m}"
                        ))
                    }
                    other => other,
                }
            })?;
        let bucket = output
            .s3_bucket()
            .filter(|b| !b.is_empty())
            .ok_or_else(|| {
                CloudError::Other(
                    "Elastic Beanstalk named no storage bucket (CreateStorageLocation answered \
                     without S3Bucket)"
                        .into(),
                )
            })?
            .to_string();
        tracing::info!(%bucket, "Elastic Beanstalk storage location");
        *lock(&self.storage_bucket) = Some(bucket.clone());
        Ok(bucket)
    }

    /// CreateApplicationVersion (sent once, `Process=true`), then wait until Elastic Beanstalk
    /// has processed the bundle. Accepted once it is PROCESSED; FAILED is refused with Elastic
    /// Beanstalk's reason.
    async fn create_version(
        &self,
        app: &str,
        label: &str,
        source: &S3Location,
        description: &str,
    ) -> CloudResult<OpAccepted> {
        let transmitted = Transmitted::default();
        let sent = self
            .eb
            .create_application_version()
            .application_name(app)
            .version_label(label)
            .description(clip(description, DESCRIPTION_MAX_CHARS))
            .source_bundle(
                EbS3Location::builder()
                    .s3_bucket(&source.bucket)
                    .s3_key(&source.key)
                    .build(),
            )
            .process(true)
            .customize()
            .config_override(send_once(&transmitted))
            .send()
            .await;
        let output = match sent {
            Ok(output) => output,
            Err(e) => {
                let code = e.code().unwrap_or_default().to_string();
                let err = self.refine(classify_write(e, transmitted.get()));
                return Err(version_refusal(err, &code, app, label));
            }
        };
        let request_id = output.request_id().map(str::to_string);
        tracing::info!(
            ?request_id,
            app,
            label,
            "version created; waiting for processing"
        );
        self.wait_processed(app, label).await?;
        Ok(OpAccepted {
            request_id,
            uploaded: None,
        })
    }

    /// Read the version every `VERSION_POLL` until it is PROCESSED (Ok) or FAILED (refused with
    /// the reason), for at most `VERSION_WAIT`. Throttling and network trouble are waited out
    /// (the next read may pass); any other error of the read ends the wait.
    async fn wait_processed(&self, app: &str, label: &str) -> CloudResult<()> {
        let deadline = tokio::time::Instant::now() + VERSION_WAIT;
        let mut status = String::from("unknown");
        loop {
            let read = self
                .eb
                .describe_application_versions()
                .application_name(app)
                .version_labels(label)
                .send()
                .await;
            match read {
                Ok(output) => {
                    let version = output
                        .application_versions()
                        .iter()
                        .find(|v| v.version_label() == Some(label));
                    match version.and_then(|v| v.status()) {
                        Some(ApplicationVersionStatus::Processed) => return Ok(()),
                        Some(ApplicationVersionStatus::Failed) => {
                            let since = version.and_then(|v| v.date_created()).copied();
                            return Err(self.processing_failure(app, label, since).await);
                        }
                        Some(other) => status = other.as_str().to_string(),
                        // Not listed yet (a read just after the create): keep waiting.
                        None => status = "not listed yet".into(),
                    }
                }
                Err(e) => match self.sdk_err(e) {
                    CloudError::Throttled(m) | CloudError::Network(m) => {
                        tracing::debug!(error = %m, "reading the new version; trying again");
                    }
                    other => {
                        return Err(reword(other, |m| {
                            format!(
                                "Version {label} of {app} was created, but reading whether Elastic \
                                 Beanstalk processed it failed: {m}"
                            )
                        }));
                    }
                },
            }
            if tokio::time::Instant::now() + VERSION_POLL > deadline {
                return Err(CloudError::Other(format!(
                    "Elastic Beanstalk has not finished processing version {label} of {app} after \
                     {} minutes (status {status}). The version exists and may still be processed: \
                     check it in the versions list before deploying it.",
                    VERSION_WAIT.as_secs() / 60
                )));
            }
            tokio::time::sleep(VERSION_POLL).await;
        }
    }

    /// Why processing failed: the newest warning or error among the application's events for the
    /// version (Elastic Beanstalk reports it there, not on the version).
    async fn processing_failure(
        &self,
        app: &str,
        label: &str,
        since: Option<aws_smithy_types::DateTime>,
    ) -> CloudError {
        let read = self
            .eb
            .describe_events()
            .application_name(app)
            .version_label(label)
            .severity(EventSeverity::Warn)
            .set_start_time(since)
            .max_records(20)
            .send()
            .await;
        let reason = match read {
            // Newest first, as DescribeEvents answers; WARN and above, as asked.
            Ok(output) => output
                .events()
                .iter()
                .filter(|e| {
                    matches!(
                        e.severity(),
                        Some(EventSeverity::Error | EventSeverity::Fatal | EventSeverity::Warn)
                    )
                })
                .max_by_key(|e| e.event_date().map(|d| (d.secs(), d.subsec_nanos())))
                .and_then(|e| e.message())
                .map(str::to_string),
            Err(e) => {
                tracing::warn!(error = ?self.sdk_err(e), "reading why version processing failed");
                None
            }
        };
        CloudError::Other(match reason {
            Some(reason) => {
                format!("Elastic Beanstalk could not process version {label} of {app}: {reason}")
            }
            None => format!(
                "Elastic Beanstalk could not process version {label} of {app} (status Failed) and \
                 gave no reason in the application's events"
            ),
        })
    }
}

/// The refusal of CreateApplicationVersion, in words that name the version.
fn version_refusal(err: CloudError, code: &str, app: &str, label: &str) -> CloudError {
    match err {
        CloudError::Other(m) if m.contains("already exists") => CloudError::Other(format!(
            "Version {label} of {app} already exists: a label names one bundle and is never \
             reused. Deploy that version, or build the bundle again for a new label. (AWS said: {m})"
        )),
        CloudError::Other(m) if code.starts_with("TooManyApplicationVersions") => {
            CloudError::Other(format!(
                "{app} has as many versions as Elastic Beanstalk allows: delete old ones or set a \
                 version lifecycle policy. (AWS said: {m})"
            ))
        }
        other => other,
    }
}

/// At most `max` characters of `text` (cut on a character boundary).
fn clip(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_cuts_on_characters() {
        assert_eq!(clip("abc", 5), "abc");
        assert_eq!(clip("abcdef", 3), "abc");
        assert_eq!(clip("ééé", 2), "éé");
    }

    #[test]
    fn an_existing_label_is_refused_by_name() {
        let e = version_refusal(
            CloudError::Other("Application Version v7 already exists.".into()),
            "InvalidParameterValue",
            "shop",
            "v7",
        );
        assert!(
            e.message().starts_with("Version v7 of shop already exists"),
            "{e:?}"
        );
        let other = CloudError::Auth("denied".into());
        assert_eq!(
            version_refusal(other.clone(), "AccessDenied", "shop", "v7"),
            other
        );
    }
}
