//! The bodies and timing of a bundle's upload (`upload.rs` sends them): a body streamed from a
//! slice of the file, one that counts the bytes the connection takes, timeouts that grow with the
//! bytes, cancellation, and progress reports that never make the upload wait for the screen.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_sdk_s3::primitives::{ByteStream, Length};
use aws_smithy_types::body::SdkBody;
use http_body::{Body, Frame, SizeHint};
use tokio::sync::{mpsc, watch};

use super::connect::CONNECT_TIMEOUT;
use crate::cloud::{CloudError, CloudResult, UploadProgress};

/// How much of the file one read brings into memory while a body streams.
pub(super) const READ_BUFFER: usize = 128 * 1024;
/// The slowest upload we wait for, in bytes a second for the whole upload (about half a
/// megabit): a request carrying a body gets the usual attempt timeout plus the time its bytes
/// take at this rate, so a slow link finishes and a stalled connection is given up in minutes.
pub(super) const SLOWEST_RATE: u64 = 64 * 1024;

/// Timeouts for a request carrying `len` bytes while `sharing` requests share the link.
pub(super) fn body_timeouts(len: u64, sharing: u64, base: Duration) -> TimeoutConfig {
    let transfer = Duration::from_secs(len.saturating_mul(sharing) / SLOWEST_RATE);
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(base + transfer)
        .build()
}

/// A body that streams `len` bytes of `file` from `offset`, read as it is sent (and read again
/// from the file when the SDK retries it).
pub(super) async fn file_body(file: &Path, offset: u64, len: u64) -> CloudResult<ByteStream> {
    ByteStream::read_from()
        .path(file)
        .offset(offset)
        .length(Length::Exact(len))
        .buffer_size(READ_BUFFER)
        .build()
        .await
        .map_err(|e| {
            CloudError::Other(format!("could not read the bundle {}: {e}", file.display()))
        })
}

/// A body that reports the bytes the connection has taken from it: a PutObject's progress while
/// it streams (a bundle just under `MULTIPART_FROM` takes a while on a slow link). The last
/// bytes are reported when S3 has answered, so the bar reaches the end only when it is done.
/// Parts are reported when acknowledged instead: a part sent again would count twice.
pub(super) struct Counted {
    inner: SdkBody,
    sent: u64,
    total: u64,
    progress: mpsc::Sender<UploadProgress>,
}

impl Counted {
    pub(super) fn new(inner: SdkBody, progress: mpsc::Sender<UploadProgress>, total: u64) -> Self {
        Counted {
            inner,
            sent: 0,
            total,
            progress,
        }
    }
}

impl Body for Counted {
    type Data = <SdkBody as Body>::Data;
    type Error = <SdkBody as Body>::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            self.sent += data.len() as u64;
            if self.sent < self.total {
                report(&self.progress, self.sent, self.total);
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Resolves when `cancel` becomes true; never when its sender is gone without cancelling.
pub(super) async fn cancelled(mut cancel: watch::Receiver<bool>) {
    loop {
        if *cancel.borrow_and_update() {
            return;
        }
        if cancel.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// The output of `work`, or `None` when `cancel` became true first (`work` is dropped).
pub(super) async fn until_cancelled<T>(
    cancel: watch::Receiver<bool>,
    work: impl Future<Output = T>,
) -> Option<T> {
    tokio::select! {
        biased;
        () = cancelled(cancel) => None,
        out = work => Some(out),
    }
}

/// Progress on the way: dropped when the receiver lags (the next report carries the new total)
/// or is gone, so the upload never waits for the screen.
pub(super) fn report(progress: &mpsc::Sender<UploadProgress>, sent: u64, total: u64) {
    let _ = progress.try_send(UploadProgress { sent, total });
}

/// The last report, `sent == total`: waited for, so a receiver always sees the end.
pub(super) async fn finish(progress: &mpsc::Sender<UploadProgress>, total: u64) {
    let _ = progress.send(UploadProgress { sent: total, total }).await;
}
