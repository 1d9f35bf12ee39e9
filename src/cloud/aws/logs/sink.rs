//! The channel a tail or a search reports into, and the two ways they stop.
//!
//! Every wait (a request, a backoff sleep, the next live-tail message) races the receiver going
//! away, so dropping the receiver ends a tail or a search promptly instead of at its next send.

use std::future::Future;
use std::time::Duration;

use tokio::sync::mpsc;

use super::BATCH;
use crate::cloud::{CloudError, CloudResult, TailEvent};
use crate::domain::RawLogEvent;

/// Why a tail or a search stopped before finishing.
#[derive(Debug)]
pub(super) enum Halt {
    /// The receiver was dropped: nobody is listening, stop quietly.
    Closed,
    /// An error the user has to see.
    Failed(CloudError),
}

impl From<CloudError> for Halt {
    fn from(e: CloudError) -> Self {
        Halt::Failed(e)
    }
}

/// The public result of a tail or a search: a closed receiver is a normal end.
pub(super) fn finish(result: Result<(), Halt>) -> CloudResult<()> {
    match result {
        Ok(()) | Err(Halt::Closed) => Ok(()),
        Err(Halt::Failed(e)) => Err(e),
    }
}

pub(super) struct Sink {
    tx: mpsc::Sender<TailEvent>,
}

impl Sink {
    pub(super) fn new(tx: mpsc::Sender<TailEvent>) -> Self {
        Self { tx }
    }

    pub(super) async fn send(&self, event: TailEvent) -> Result<(), Halt> {
        self.tx.send(event).await.map_err(|_| Halt::Closed)
    }

    pub(super) async fn status(&self, text: impl Into<String>) -> Result<(), Halt> {
        let text = text.into();
        tracing::debug!(status = %text, "log tail");
        self.send(TailEvent::Status(text)).await
    }

    /// Send events (already in the order to show them) in batches of at most `BATCH`.
    pub(super) async fn events(&self, events: Vec<RawLogEvent>) -> Result<(), Halt> {
        let mut rest = events;
        while !rest.is_empty() {
            let tail = rest.split_off(rest.len().min(BATCH));
            self.send(TailEvent::Events(rest)).await?;
            rest = tail;
        }
        Ok(())
    }

    /// Sleep, unless the receiver goes away first.
    pub(super) async fn sleep(&self, delay: Duration) -> Result<(), Halt> {
        self.guard(tokio::time::sleep(delay)).await
    }

    /// Await `fut`, unless the receiver goes away first (the future is then dropped, which cancels
    /// an SDK request in flight).
    pub(super) async fn guard<F: Future>(&self, fut: F) -> Result<F::Output, Halt> {
        tokio::select! {
            biased;
            () = self.tx.closed() => Err(Halt::Closed),
            out = fut => Ok(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: i64) -> RawLogEvent {
        RawLogEvent {
            id: None,
            ts: n,
            group: "g".into(),
            stream: "s".into(),
            message: n.to_string(),
        }
    }

    #[tokio::test]
    async fn events_are_batched_in_order() {
        let (tx, mut rx) = mpsc::channel(16);
        let sink = Sink::new(tx);
        let all: Vec<RawLogEvent> = (0..(BATCH as i64 * 2 + 3)).map(event).collect();
        sink.events(all.clone()).await.expect("receiver alive");
        sink.events(Vec::new())
            .await
            .expect("nothing to send is fine");
        drop(sink);
        let mut sizes = Vec::new();
        let mut got = Vec::new();
        while let Some(TailEvent::Events(batch)) = rx.recv().await {
            sizes.push(batch.len());
            got.extend(batch);
        }
        assert_eq!(sizes, vec![BATCH, BATCH, 3]);
        assert_eq!(got, all);
    }

    #[tokio::test(start_paused = true)]
    async fn waits_end_when_the_receiver_goes_away() {
        let (tx, rx) = mpsc::channel(1);
        let sink = Sink::new(tx);
        drop(rx);
        assert!(matches!(
            sink.sleep(Duration::from_secs(3600)).await,
            Err(Halt::Closed)
        ));
        assert!(matches!(sink.status("x").await, Err(Halt::Closed)));
        assert!(finish(Err(Halt::Closed)).is_ok());
        assert_eq!(
            finish(Err(Halt::Failed(CloudError::Auth("denied".into())))),
            Err(CloudError::Auth("denied".into()))
        );
    }
}
