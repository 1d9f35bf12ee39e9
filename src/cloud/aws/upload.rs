//! Putting a source bundle where Elastic Beanstalk reads it: the account's storage bucket
//! (CreateStorageLocation, `ops::storage_bucket`), key `<app>/<label>.zip`. With `ops`, the only
//! place an SDK write is called (a source-tree test holds this): the S3 writes are here.
//!
//! - An object of that key and size is there already: nothing is sent (`existed: true`); a
//!   different size is refused, because a label names one bundle and is never overwritten.
//! - Under `MULTIPART_FROM` bytes: one PutObject whose body streams from the file.
//! - Above: a multipart upload of `PART_SIZE` parts, `PARTS_IN_FLIGHT` at once, each part's body
//!   streamed from its slice of the file when it is sent. Memory stays at a few read buffers per
//!   part in flight, whatever the size of the bundle.
//! - Cancel, or any failure once the multipart upload exists: AbortMultipartUpload, so S3 keeps
//!   no parts nobody will complete (they would be billed, invisibly, until aborted).
//!
//! Retries. PutObject, CreateMultipartUpload and CompleteMultipartUpload are writes and are sent
//! once, like every write (`ops`): when their answer is lost the result is `AnswerLost`. That is
//! safe to act on: deploying again finds an object already there and does not send it twice.
//! UploadPart is retried by the SDK (`PART_ATTEMPTS`): sending part N of an upload again stores
//! the same bytes under the same number, replacing the first copy, and only the ETag the answer
//! names is used to complete; a part the upload never completes is removed by the abort. A part
//! lost on a flaky connection would otherwise throw away every part sent before it.
//! AbortMultipartUpload is retried too: aborting twice is harmless (the second finds no upload).

use std::path::Path;
use std::pin::pin;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::stream::{FuturesUnordered, StreamExt};
use tokio::sync::{mpsc, watch};

use super::AwsCloud;
use super::connect::{ATTEMPT_TIMEOUT, CONNECT_TIMEOUT};
use super::error::{classify, lost_reason, reword};
use super::ops::Transmitted;
use super::upload_body::{
    Counted, body_timeouts, cancelled, file_body, finish, report, until_cancelled,
};
use crate::cloud::{
    BundleUpload, CloudError, CloudResult, MULTIPART_FROM, PART_SIZE, PARTS_IN_FLIGHT, S3Location,
    UploadProgress, Uploaded,
};

/// The result of a cancelled upload, when the abort went through.
const CANCELLED: &str = "upload cancelled; nothing was left in S3";
/// SDK attempts for one part (see the module's note on retries).
const PART_ATTEMPTS: u32 = 3;
/// SDK attempts for the abort: it is what keeps S3 clean, and repeating it is harmless.
const ABORT_ATTEMPTS: u32 = 3;
/// S3's limit on the parts of one upload.
const MAX_PARTS: u64 = 10_000;
/// CompleteMultipartUpload can take a while on S3's side for a large object.
const COMPLETE_TIMEOUT: Duration = Duration::from_secs(120);

/// The object being written, and what to say about it.
struct Target<'a> {
    s3: &'a aws_sdk_s3::Client,
    bucket: &'a str,
    key: &'a str,
    app: &'a str,
}

/// Which permission a call needs, for the message of a refusal.
#[derive(Clone, Copy)]
enum Need {
    /// HeadObject: s3:GetObject on the object, and s3:ListBucket for a missing one to answer
    /// 404 rather than 403.
    Read,
    /// PutObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload: s3:PutObject.
    Put,
    /// AbortMultipartUpload.
    Abort,
}

impl AwsCloud {
    /// `Cloud::upload_bundle` (its doc comment is the contract).
    pub(super) async fn upload(
        &self,
        upload: &BundleUpload,
        progress: mpsc::Sender<UploadProgress>,
        cancel: watch::Receiver<bool>,
    ) -> CloudResult<Uploaded> {
        let Some(s3) = &self.s3 else {
            return Err(CloudError::Unsupported(
                "this connection has no S3 client to upload with".into(),
            ));
        };
        let size = tokio::fs::metadata(&upload.file)
            .await
            .map_err(|e| {
                CloudError::Other(format!(
                    "could not read the bundle {}: {e}",
                    upload.file.display()
                ))
            })?
            .len();
        if size != upload.size {
            // The file was written again after it was built: what would be uploaded is not
            // what was shown. Build it again rather than send something unseen.
            return Err(CloudError::Other(format!(
                "the bundle {} changed since it was built ({} bytes then, {size} now): build it again",
                upload.file.display(),
                upload.size
            )));
        }
        let bucket = self.storage_bucket().await.map_err(|e| self.refine(e))?;
        let key = format!("{}/{}.zip", upload.app, upload.label);
        let location = S3Location {
            bucket: bucket.clone(),
            key: key.clone(),
        };
        let target = Target {
            s3,
            bucket: &bucket,
            key: &key,
            app: &upload.app,
        };
        if *cancel.borrow() {
            return Err(CloudError::Cancelled(CANCELLED.into()));
        }
        tracing::info!(%bucket, %key, size, "uploading a source bundle");
        match target.existing_size().await.map_err(|e| self.refine(e))? {
            Some(there) if there == size => {
                tracing::info!(%bucket, %key, "the bundle is in S3 already; nothing sent");
                return Ok(Uploaded {
                    location,
                    existed: true,
                });
            }
            Some(there) => {
                return Err(CloudError::Other(format!(
                    "s3://{bucket}/{key} already exists with another size ({there} bytes; this \
                     bundle has {size}): a label is never overwritten. Build the bundle again for \
                     a new label."
                )));
            }
            None => {}
        }
        let sent = if size < MULTIPART_FROM {
            target.put(&upload.file, size, &progress, cancel).await
        } else {
            target
                .multipart(&upload.file, size, &progress, cancel)
                .await
        };
        sent.map_err(|e| self.refine(e))?;
        tracing::info!(%bucket, %key, size, "bundle uploaded");
        Ok(Uploaded {
            location,
            existed: false,
        })
    }
}

impl Target<'_> {
    fn uri(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }

    /// The size of the object already at the key, `None` when there is none.
    async fn existing_size(&self) -> CloudResult<Option<u64>> {
        let head = self
            .s3
            .head_object()
            .bucket(self.bucket)
            .key(self.key)
            .send()
            .await;
        match head {
            Ok(object) => Ok(Some(
                object
                    .content_length()
                    .and_then(|n| u64::try_from(n).ok())
                    .unwrap_or(0),
            )),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(None),
            Err(e) => Err(self.error(e, None, Need::Read, "read")),
        }
    }

    /// One PutObject, its body streamed from the file.
    async fn put(
        &self,
        file: &Path,
        size: u64,
        progress: &mpsc::Sender<UploadProgress>,
        cancel: watch::Receiver<bool>,
    ) -> CloudResult<()> {
        let watcher = progress.clone();
        let body = file_body(file, 0, size)
            .await?
            .map(move |body| SdkBody::from_body_1_x(Counted::new(body, watcher.clone(), size)));
        report(progress, 0, size);
        let transmitted = Transmitted::default();
        let send = self
            .s3
            .put_object()
            .bucket(self.bucket)
            .key(self.key)
            .content_length(to_i64(size))
            .body(body)
            .customize()
            .config_override(send_once(&transmitted).timeout_config(body_timeouts(
                size,
                1,
                ATTEMPT_TIMEOUT,
            )))
            .send();
        // Dropping the request on cancel cuts the connection: S3 stores an object only once its
        // whole body arrived, so nothing is left (unless the last byte had already gone: then
        // the whole bundle is there, and a later deploy of this label finds it).
        let result = until_cancelled(cancel, send)
            .await
            .ok_or_else(|| CloudError::Cancelled(CANCELLED.into()))?;
        result.map_err(|e| self.error(e, Some(transmitted.get()), Need::Put, "store"))?;
        finish(progress, size).await;
        Ok(())
    }

    /// A multipart upload, aborted on cancel or failure (and when this future is dropped).
    async fn multipart(
        &self,
        file: &Path,
        size: u64,
        progress: &mpsc::Sender<UploadProgress>,
        cancel: watch::Receiver<bool>,
    ) -> CloudResult<()> {
        let parts = size.div_ceil(PART_SIZE);
        if parts > MAX_PARTS {
            return Err(CloudError::Other(format!(
                "the bundle is too large for S3: {size} bytes would take {parts} parts of \
                 {PART_SIZE} bytes, and S3 takes at most {MAX_PARTS}"
            )));
        }
        let transmitted = Transmitted::default();
        let created = self
            .s3
            .create_multipart_upload()
            .bucket(self.bucket)
            .key(self.key)
            // Asked for by name, so S3 expects (and we send) a CRC32 with every part and with the
            // list that completes the upload: each part is checked on arrival.
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .customize()
            .config_override(send_once(&transmitted))
            .send()
            .await
            .map_err(|e| self.error(e, Some(transmitted.get()), Need::Put, "start an upload of"))?;
        let upload_id = created
            .upload_id()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| {
                CloudError::Other(format!(
                    "S3 started an upload of {} without naming it (no UploadId)",
                    self.uri()
                ))
            })?
            .to_string();
        tracing::debug!(%upload_id, parts, "multipart upload started");
        let mut guard = AbortOnDrop::new(self, &upload_id);
        let result = match self
            .send_parts(&upload_id, file, size, progress, cancel)
            .await
        {
            Ok(parts) => self.complete(&upload_id, parts).await,
            Err(e) => Err(e),
        };
        guard.disarm();
        match result {
            Ok(()) => {
                finish(progress, size).await;
                Ok(())
            }
            Err(e) => {
                let aborted = abort(self.s3, self.bucket, self.key, &upload_id).await;
                Err(self.after_abort(e, aborted))
            }
        }
    }

    /// Send every part, `PARTS_IN_FLIGHT` at once; stop at the first failure or on cancel
    /// (dropping the requests in flight). The completed parts, in order.
    async fn send_parts(
        &self,
        upload_id: &str,
        file: &Path,
        size: u64,
        progress: &mpsc::Sender<UploadProgress>,
        cancel: watch::Receiver<bool>,
    ) -> CloudResult<Vec<CompletedPart>> {
        let parts = size.div_ceil(PART_SIZE);
        let mut next = 0;
        let mut sent = 0;
        let mut done = Vec::new();
        let mut in_flight = FuturesUnordered::new();
        let mut stop = pin!(cancelled(cancel));
        loop {
            while in_flight.len() < PARTS_IN_FLIGHT && next < parts {
                in_flight.push(self.part(upload_id, file, size, next));
                next += 1;
            }
            tokio::select! {
                biased;
                () = &mut stop => return Err(CloudError::Cancelled(CANCELLED.into())),
                part = in_flight.next() => match part {
                    Some(part) => {
                        let (part, len) = part?;
                        done.push(part);
                        sent += len;
                        if sent < size {
                            report(progress, sent, size);
                        }
                    }
                    None => break,
                },
            }
        }
        done.sort_by_key(|p: &CompletedPart| p.part_number());
        Ok(done)
    }

    /// Part `index` (from 0): its slice of the file, streamed, with the SDK's retry.
    async fn part(
        &self,
        upload_id: &str,
        file: &Path,
        size: u64,
        index: u64,
    ) -> CloudResult<(CompletedPart, u64)> {
        let offset = index * PART_SIZE;
        let len = PART_SIZE.min(size - offset);
        let number = i32::try_from(index + 1).unwrap_or(i32::MAX);
        let body = file_body(file, offset, len).await?;
        let output = self
            .s3
            .upload_part()
            .bucket(self.bucket)
            .key(self.key)
            .upload_id(upload_id)
            .part_number(number)
            .content_length(to_i64(len))
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .body(body)
            .customize()
            .config_override(
                aws_sdk_s3::config::Builder::default()
                    .retry_config(RetryConfig::standard().with_max_attempts(PART_ATTEMPTS))
                    .timeout_config(body_timeouts(len, PARTS_IN_FLIGHT as u64, ATTEMPT_TIMEOUT)),
            )
            .send()
            .await
            // Not a lost write: the upload is aborted after any failure, so the part is gone.
            .map_err(|e| self.error(e, None, Need::Put, "store a part of"))?;
        let etag = output.e_tag().filter(|t| !t.is_empty()).ok_or_else(|| {
            CloudError::Other(format!(
                "S3 stored part {number} of {} without naming it (no ETag)",
                self.uri()
            ))
        })?;
        let part = CompletedPart::builder()
            .part_number(number)
            .e_tag(etag)
            .set_checksum_crc32(output.checksum_crc32().map(str::to_string))
            .build();
        Ok((part, len))
    }

    /// CompleteMultipartUpload, sent once. Not cancellable: every byte is in S3 by then, and a
    /// cancel racing the completion could not say whether the object exists.
    async fn complete(&self, upload_id: &str, parts: Vec<CompletedPart>) -> CloudResult<()> {
        let transmitted = Transmitted::default();
        self.s3
            .complete_multipart_upload()
            .bucket(self.bucket)
            .key(self.key)
            .upload_id(upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .customize()
            .config_override(
                send_once(&transmitted).timeout_config(
                    TimeoutConfig::builder()
                        .connect_timeout(CONNECT_TIMEOUT)
                        .operation_attempt_timeout(COMPLETE_TIMEOUT)
                        .build(),
                ),
            )
            .send()
            .await
            .map(|_| ())
            .map_err(|e| self.error(e, Some(transmitted.get()), Need::Put, "complete"))
    }

    /// The error of an upload that was aborted after it (`aborted` is how the abort went).
    fn after_abort(&self, err: CloudError, aborted: CloudResult<()>) -> CloudError {
        match (err, aborted) {
            (err, Ok(())) => err,
            (CloudError::Cancelled(_), Err(why)) => CloudError::Cancelled(format!(
                "upload cancelled, but its parts could not be removed from S3 ({why}): they stay \
                 in {} until the upload {} is aborted (a bucket lifecycle rule can do it)",
                self.bucket,
                self.uri()
            )),
            (err, Err(why)) => reword(err, |m| {
                format!(
                    "{m}; and the parts already sent could not be removed from S3 ({why}): abort \
                     the incomplete upload of {} (a bucket lifecycle rule can do it)",
                    self.uri()
                )
            }),
        }
    }

    /// An S3 error in words that name the object and, for a refusal, the permission missing.
    /// `transmitted` is `Some` for a write sent once (a lost answer is `AnswerLost`).
    fn error<E>(
        &self,
        err: SdkError<E, Response>,
        transmitted: Option<bool>,
        need: Need,
        doing: &str,
    ) -> CloudError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let uri = self.uri();
        if let Some(why) = transmitted.and_then(|t| lost_reason(&err, t)) {
            let lost = CloudError::AnswerLost(format!(
                "Sent; answer lost: {why}. S3 may have done it ({doing} {uri}); it was not sent \
                 again. Deploying again is safe: a bundle already in S3 is not sent twice."
            ));
            tracing::warn!(error = ?lost, "S3 write answer lost");
            return lost;
        }
        let code = err.code().unwrap_or_default().to_string();
        let status = err.raw_response().map(|r| r.status().as_u16());
        let classified = classify(err);
        let refused = matches!(code.as_str(), "AccessDenied" | "AccessDeniedException")
            // HeadObject has no body: a refusal is a bare 403.
            || (code.is_empty() && status == Some(403));
        if refused {
            let object = format!("arn:aws:s3:::{}/{}/*", self.bucket, self.app);
            let needed = match need {
                Need::Read => format!(
                    "s3:GetObject on {object} and s3:ListBucket on arn:aws:s3:::{}",
                    self.bucket
                ),
                Need::Put => format!("s3:PutObject on {object}"),
                Need::Abort => format!("s3:AbortMultipartUpload on {object}"),
            };
            let said = match &classified {
                // A bare 403 says nothing more than the status.
                CloudError::Other(m) if m.starts_with("HTTP 403") => "Access Denied".to_string(),
                other => other.message().to_string(),
            };
            return CloudError::Auth(format!(
                "S3 refused to {doing} {uri}: this needs {needed}. AWS said: {said}"
            ));
        }
        match classified {
            // Credentials: the text is the fix, and the object does not matter.
            CloudError::Auth(m) => CloudError::Auth(m),
            // A HEAD answer has no body to say why; a bare 400 there is, in practice, a request
            // S3 would not authenticate.
            CloudError::Other(_) if code.is_empty() && status == Some(400) => {
                CloudError::Other(format!(
                    "could not {doing} {uri}: S3 answered HTTP 400 without a reason, most often \
                     expired credentials (refresh them; for SSO run `aws sso login`) or a request \
                     signed for another region than the bucket's"
                ))
            }
            other => reword(other, |m| format!("could not {doing} {uri}: {m}")),
        }
    }
}

/// Aborts the multipart upload if the upload future is dropped before it ends (the task was
/// stopped: a quit, a context switch), so no parts are left behind then either. Best effort: it
/// needs a runtime that keeps running long enough for the request.
struct AbortOnDrop {
    armed: Option<(aws_sdk_s3::Client, String, String, String)>,
}

impl AbortOnDrop {
    fn new(target: &Target<'_>, upload_id: &str) -> Self {
        AbortOnDrop {
            armed: Some((
                target.s3.clone(),
                target.bucket.to_string(),
                target.key.to_string(),
                upload_id.to_string(),
            )),
        }
    }

    /// The upload ended on its own path (completed, or aborted there).
    fn disarm(&mut self) {
        self.armed = None;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        let Some((s3, bucket, key, upload_id)) = self.armed.take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!(%bucket, %key, %upload_id, "upload dropped with no runtime to abort it");
            return;
        };
        runtime.spawn(async move {
            match abort(&s3, &bucket, &key, &upload_id).await {
                Ok(()) => tracing::info!(%bucket, %key, "dropped upload aborted"),
                Err(e) => tracing::warn!(%bucket, %key, %upload_id, error = ?e, "dropped upload not aborted"),
            }
        });
    }
}

/// AbortMultipartUpload, retried (harmless to repeat). An upload S3 no longer knows (completed,
/// or aborted already) counts as aborted: nothing of it is left to remove.
async fn abort(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    upload_id: &str,
) -> CloudResult<()> {
    let result = s3
        .abort_multipart_upload()
        .bucket(bucket)
        .key(key)
        .upload_id(upload_id)
        .customize()
        .config_override(
            aws_sdk_s3::config::Builder::default()
                .retry_config(RetryConfig::standard().with_max_attempts(ABORT_ATTEMPTS)),
        )
        .send()
        .await;
    match result {
        Ok(_) => {
            tracing::info!(%bucket, %key, %upload_id, "multipart upload aborted");
            Ok(())
        }
        Err(e) if e.code() == Some("NoSuchUpload") => Ok(()),
        Err(e) => {
            let target = Target {
                s3,
                bucket,
                key,
                // The application is the key's first segment.
                app: key.split('/').next().unwrap_or(key),
            };
            Err(target.error(e, None, Need::Abort, "abort the upload of"))
        }
    }
}

/// The per-operation config of an S3 write sent once: no SDK retry, and the transmission noted.
fn send_once(transmitted: &Transmitted) -> aws_sdk_s3::config::Builder {
    aws_sdk_s3::config::Builder::default()
        .retry_config(RetryConfig::disabled())
        .interceptor(transmitted.clone())
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
#[path = "upload_tests.rs"]
mod tests;
