//! Carrying out effects: every cloud call runs in its own task and reports back as a `Msg`, so
//! the loop never waits on I/O. Results carry the context generation they were started in.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use std::collections::HashMap;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::app::{Effect, Msg, SwitchError};
use crate::cloud::{Cloud, TailEvent};
use crate::domain::Millis;

/// Builds a new cloud for `:profile` / `:region` (profile, region) -> cloud or a message.
pub type Switcher = Arc<
    dyn Fn(
            Option<String>,
            Option<String>,
        ) -> Pin<Box<dyn Future<Output = Result<Arc<dyn Cloud>, String>> + Send>>
        + Send
        + Sync,
>;

pub struct Executor {
    cloud: Arc<dyn Cloud>,
    epoch: u64,
    tx: mpsc::Sender<Msg>,
    tail: Option<JoinHandle<()>>,
    switcher: Option<Switcher>,
    switch_tx: mpsc::Sender<Result<Arc<dyn Cloud>, String>>,
    switch_rx: mpsc::Receiver<Result<Arc<dyn Cloud>, String>>,
    /// Uploads under way: their cancel switch and task, by operation id.
    uploads: HashMap<u64, (watch::Sender<bool>, JoinHandle<()>)>,
    /// The journal's writer thread, when one is kept.
    journal: Option<crate::journal::JournalHandle>,
}

impl Executor {
    pub fn new(
        cloud: Arc<dyn Cloud>,
        tx: mpsc::Sender<Msg>,
        switcher: Option<Switcher>,
        journal: Option<crate::journal::JournalHandle>,
    ) -> Self {
        let (switch_tx, switch_rx) = mpsc::channel(1);
        Self {
            cloud,
            epoch: 0,
            tx,
            tail: None,
            switcher,
            switch_tx,
            switch_rx,
            uploads: HashMap::new(),
            journal,
        }
    }

    pub fn now(&self) -> Millis {
        self.cloud.now()
    }

    pub fn context(&self) -> crate::domain::CloudContext {
        self.cloud.context()
    }

    pub fn api_calls(&self) -> u64 {
        self.cloud.api_calls()
    }

    pub async fn next_switch(&mut self) -> Option<Result<Arc<dyn Cloud>, String>> {
        self.switch_rx.recv().await
    }

    /// A context switch finished: on success the new cloud replaces the old one, and everything
    /// still running for the old context is stopped or ignored (its generation is stale).
    pub fn switched(&mut self, r: Result<Arc<dyn Cloud>, String>) -> Option<Msg> {
        match r {
            Ok(cloud) => {
                self.stop_tail();
                // Uploads of the old account stop (their multipart uploads are aborted).
                for (cancel, _) in self.uploads.values() {
                    let _ = cancel.send(true);
                }
                self.cloud = cloud;
                self.epoch += 1;
                Some(Msg::Context {
                    epoch: self.epoch,
                    result: Ok(self.cloud.context()),
                })
            }
            Err(e) => Some(Msg::Context {
                epoch: self.epoch,
                result: Err(SwitchError::Failed(e)),
            }),
        }
    }

    /// Queue a message for `update` (the runtime's own, after an effect it carried out itself).
    pub fn send(&self, msg: Msg) {
        if self.tx.try_send(msg).is_err() {
            tracing::warn!("a runtime message was dropped: the queue is full");
        }
    }

    /// Whether this cloud can be built again (AWS; not the demo).
    pub fn can_reconnect(&self) -> bool {
        self.switcher.is_some()
    }

    /// The same profile and region with fresh credentials (after `aws sso login`): the cloud is
    /// replaced in the same context generation, so what was read and what is in flight stay good.
    pub async fn reconnect(&mut self) -> Result<(), String> {
        let Some(sw) = &self.switcher else {
            return Err("nothing to reconnect: the demo".into());
        };
        self.cloud = sw(None, None).await?;
        Ok(())
    }

    pub fn run(&mut self, effect: Effect) {
        let (cloud, tx, epoch) = (self.cloud.clone(), self.tx.clone(), self.epoch);
        match effect {
            Effect::Poll(request) => {
                tokio::spawn(async move {
                    let reply = crate::cloud::answer(cloud.as_ref(), request).await;
                    let _ = tx.send(Msg::Cloud { epoch, reply }).await;
                });
            }
            Effect::Execute {
                op_id,
                op: crate::cloud::Op::UploadBundle { upload, .. },
            } => self.upload(op_id, upload),
            Effect::CancelUpload { op_id } => {
                if let Some((cancel, _)) = self.uploads.get(&op_id) {
                    let _ = cancel.send(true);
                }
            }
            Effect::Bundle { ship, path } => {
                // The answer is sent from the blocking thread itself: when ebtui quit while the
                // bundle was being made, the runtime still waits for that thread, so the zip
                // nobody will take is removed there rather than left behind.
                tokio::task::spawn_blocking(move || {
                    let request = crate::bundle::BundleRequest {
                        path: home_expanded(path),
                        out_dir: std::env::temp_dir(),
                        // The label carries local time, as the EB CLI's does.
                        now: chrono::Local::now().naive_local(),
                    };
                    let result = std::panic::catch_unwind(|| crate::bundle::build(&request))
                        .unwrap_or_else(|_| {
                            Err(crate::bundle::BundleError("bundling stopped".into()))
                        })
                        .map_err(|e| e.to_string());
                    if let Err(mpsc::error::SendError(Msg::Bundled { result: Ok(b), .. })) =
                        tx.blocking_send(Msg::Bundled { ship, result })
                        && b.owned
                    {
                        let _ = std::fs::remove_file(&b.zip);
                    }
                });
            }
            Effect::ReadFile(path) => {
                tokio::spawn(async move {
                    let result = read_text(&path).await;
                    let _ = tx.send(Msg::FileRead { path, result }).await;
                });
            }
            Effect::Discard(path) => {
                tokio::spawn(async move {
                    if let Err(e) = tokio::fs::remove_file(&path).await {
                        tracing::warn!("could not remove a bundle: {e}");
                    }
                });
            }
            Effect::Execute { op_id, op } => {
                tokio::spawn(async move {
                    tracing::info!(?op, "executing");
                    op_done(&tx, epoch, op_id, cloud.execute(&op).await).await;
                });
            }
            Effect::Tail { tail, target } => {
                self.stream(tail, move |cloud, itx| async move {
                    cloud.tail_logs(target, itx).await
                });
            }
            Effect::SearchLogs { tail, search } => {
                self.stream(tail, move |cloud, itx| async move {
                    cloud.search_logs(search, itx).await
                });
            }
            Effect::Insights { tail, query } => self.insights(tail, query),
            Effect::TriageMinutes { env, query } => {
                tokio::spawn(async move {
                    use crate::logs::insights_query::{PerMinuteBy, per_minute};
                    let every = crate::cloud::insights::POLL_EVERY;
                    let result = crate::cloud::insights::follow_all(cloud, query, every)
                        .await
                        .map(|rows| per_minute(&rows, PerMinuteBy::Status))
                        .map_err(|e| e.message().to_string());
                    let _ = tx.send(Msg::TriageMinutes { epoch, env, result }).await;
                });
            }
            Effect::EbTail { tail, env } => {
                // A snapshot, not a stream: the lines arrive as one batch, then the end.
                self.stream(tail, move |cloud, itx| async move {
                    let lines = cloud.eb_tail_logs(&env).await?;
                    let _ = itx.send(TailEvent::Events(lines)).await;
                    Ok(())
                });
            }
            Effect::StopTail => self.stop_tail(),
            // Handed to the writer thread: returns at once, whatever the disk does.
            Effect::Journal(batch) => {
                if let Some(j) = &self.journal {
                    j.write(batch);
                }
            }
            Effect::JournalQuery(query) => match &self.journal {
                Some(j) => {
                    // Answered on the journal's thread: sent on through the runtime.
                    let rt = tokio::runtime::Handle::current();
                    j.query(
                        query,
                        Box::new(move |answer| {
                            rt.spawn(async move {
                                let _ = tx.send(Msg::Journal { epoch, answer }).await;
                            });
                        }),
                    )
                }
                None => {
                    tokio::spawn(async move {
                        let answer = Err("no journal is kept".to_string());
                        let _ = tx.send(Msg::Journal { epoch, answer }).await;
                    });
                }
            },
            Effect::Capture { env, capture } => {
                tokio::spawn(async move {
                    let capture = super::capture::capture(cloud.as_ref(), env, capture).await;
                    let _ = tx.send(Msg::Captured { epoch, capture }).await;
                });
            }
            Effect::SwitchContext { profile, region } => self.switch(profile, region),
            Effect::SaveFile { path, contents } => {
                // Saved lines may hold what the log would not: owner-only, and a numbered name
                // rather than writing over a file. The message names the file written.
                tokio::spawn(async move {
                    let wanted = std::path::PathBuf::from(&path);
                    let r = tokio::task::spawn_blocking(move || {
                        crate::files::create_private_new(&wanted, contents.as_bytes())
                    })
                    .await
                    .map_err(std::io::Error::other)
                    .and_then(|r| r)
                    .map(|written| {
                        std::path::absolute(&written)
                            .unwrap_or(written)
                            .display()
                            .to_string()
                    })
                    .map_err(|e| format!("{path}: {e}"));
                    let _ = tx.send(Msg::Saved(r)).await;
                });
            }
            Effect::Copy(text) => {
                if let Err(e) = super::terminal::osc52_copy(&text) {
                    tracing::warn!("clipboard: {e}");
                }
            }
            Effect::Notify { how, title, body } => {
                if let Err(e) = super::terminal::notify(how, &title, &body) {
                    tracing::warn!("notification: {e}");
                }
            }
            // The loop runs it: it needs the terminal (`runtime::sso`).
            Effect::SsoLogin { .. } | Effect::Quit => {}
        }
    }

    /// Build a new cloud for `:profile` / `:region`; the loop picks the result up
    /// (`next_switch`). Without a switcher (the demo) the app is told so.
    fn switch(&mut self, profile: Option<String>, region: Option<String>) {
        match &self.switcher {
            Some(sw) => {
                let fut = sw(profile, region);
                let stx = self.switch_tx.clone();
                tokio::spawn(async move {
                    let _ = stx.send(fut.await).await;
                });
            }
            None => {
                let _ = self.tx.try_send(Msg::Context {
                    epoch: self.epoch,
                    result: Err(SwitchError::Unsupported),
                });
            }
        }
    }

    /// Run a streaming read (a tail, a pushed-down search, EB's tail logs) in the tail slot,
    /// forwarding what it sends as `Msg::Tail` and its end as `Msg::TailEnded`. Replaces the
    /// stream running. What the end means to the user is `update`'s to say.
    fn stream<F, Fut>(&mut self, tail: u64, run: F)
    where
        F: FnOnce(Arc<dyn Cloud>, mpsc::Sender<TailEvent>) -> Fut + Send + 'static,
        Fut: Future<Output = crate::cloud::CloudResult<()>> + Send + 'static,
    {
        self.stop_tail();
        let (cloud, tx, epoch) = (self.cloud.clone(), self.tx.clone(), self.epoch);
        self.tail = Some(tokio::spawn(async move {
            let (itx, mut irx) = mpsc::channel::<TailEvent>(64);
            let forward_tx = tx.clone();
            let forward = tokio::spawn(async move {
                while let Some(event) = irx.recv().await {
                    if forward_tx
                        .send(Msg::Tail { epoch, tail, event })
                        .await
                        .is_err()
                    {
                        break;
                    }
                }
            });
            let result = run(cloud, itx).await;
            let _ = forward.await;
            let error = result.err().map(|e| e.to_string());
            let _ = tx.send(Msg::TailEnded { epoch, tail, error }).await;
        }));
    }

    /// An Insights query in the tail slot: what it sends goes to `update` as `Msg::Insights`, its
    /// end as `Msg::TailEnded`. Stopping the slot drops `insights::follow`, which sends StopQuery.
    fn insights(&mut self, tail: u64, query: crate::cloud::InsightsQuery) {
        self.stop_tail();
        let (cloud, tx, epoch) = (self.cloud.clone(), self.tx.clone(), self.epoch);
        self.tail = Some(tokio::spawn(async move {
            let (itx, mut irx) = mpsc::channel(64);
            let forward_tx = tx.clone();
            let forward = tokio::spawn(async move {
                while let Some(event) = irx.recv().await {
                    let msg = Msg::Insights { epoch, tail, event };
                    if forward_tx.send(msg).await.is_err() {
                        break;
                    }
                }
            });
            let every = crate::cloud::insights::POLL_EVERY;
            let result = crate::cloud::insights::follow(cloud, query, itx, every).await;
            let _ = forward.await;
            let error = result.err().map(|e| e.to_string());
            let _ = tx.send(Msg::TailEnded { epoch, tail, error }).await;
        }));
    }

    /// An upload in its own task, with its progress forwarded as `Msg::Uploading` and a cancel
    /// switch kept for `Effect::CancelUpload` (and for quitting: see `finish_uploads`).
    fn upload(&mut self, op_id: u64, upload: crate::cloud::BundleUpload) {
        let (cloud, tx, epoch) = (self.cloud.clone(), self.tx.clone(), self.epoch);
        self.uploads.retain(|_, (_, task)| !task.is_finished());
        let (cancel_tx, cancel_rx) = watch::channel(false);
        let task = tokio::spawn(async move {
            let (ptx, mut prx) = mpsc::channel(16);
            let forward_tx = tx.clone();
            let forward = tokio::spawn(async move {
                while let Some(progress) = prx.recv().await {
                    let msg = Msg::Uploading {
                        epoch,
                        op_id,
                        progress,
                    };
                    if forward_tx.send(msg).await.is_err() {
                        break;
                    }
                }
            });
            let result = cloud.upload_bundle(&upload, ptx, cancel_rx).await.map(|u| {
                crate::cloud::OpAccepted {
                    request_id: None,
                    uploaded: Some(u),
                }
            });
            let _ = forward.await;
            op_done(&tx, epoch, op_id, result).await;
        });
        self.uploads.insert(op_id, (cancel_tx, task));
    }

    /// Quitting or switching accounts: uploads under way are cancelled and given a few seconds to
    /// abort their multipart upload, so none is left orphaned in S3.
    pub async fn finish_uploads(&mut self) {
        let uploads: Vec<_> = self.uploads.drain().map(|(_, u)| u).collect();
        for (cancel, task) in uploads {
            let _ = cancel.send(true);
            if tokio::time::timeout(std::time::Duration::from_secs(5), task)
                .await
                .is_err()
            {
                tracing::warn!("an upload did not stop within 5 s of being cancelled");
            }
        }
    }

    /// Write what the journal still has queued and stop its thread (quit).
    pub async fn close_journal(&mut self) {
        if let Some(j) = self.journal.take() {
            let _ = tokio::task::spawn_blocking(move || j.close()).await;
        }
    }

    fn stop_tail(&mut self) {
        if let Some(h) = self.tail.take() {
            h.abort();
        }
    }

    pub fn shutdown(&mut self) {
        self.stop_tail();
    }
}

/// The largest file `:props-import` reads: environment properties fit in 4 KB, so a bigger file
/// is not what the user meant.
const READ_MAX: u64 = 1024 * 1024;

/// A small UTF-8 text file, or why not (the line where it stops being UTF-8).
async fn read_text(path: &str) -> Result<String, String> {
    let meta = tokio::fs::metadata(path).await.map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > READ_MAX {
        return Err(format!(
            "{} bytes: more than 1 MB is not a .env file",
            meta.len()
        ));
    }
    let bytes = tokio::fs::read(path).await.map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = good.iter().filter(|b| **b == b'\n').count() + 1;
        format!("line {line} is not UTF-8 text; save the file as UTF-8")
    })
}

/// `~/x` as a shell would read it (`:deploy ~/src/app`): the home directory, then the rest.
fn home_expanded(path: std::path::PathBuf) -> std::path::PathBuf {
    let home = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
    match (path.strip_prefix("~"), home) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path,
    }
}

/// A write's answer back to `update`. A refusal carries AWS's text, drawn in the status line:
/// it is cleaned like every read's (`cloud::answer`).
async fn op_done(
    tx: &mpsc::Sender<Msg>,
    epoch: u64,
    op_id: u64,
    result: crate::cloud::CloudResult<crate::cloud::OpAccepted>,
) {
    let result = crate::domain::Clean::clean(result);
    let _ = tx
        .send(Msg::OpDone {
            epoch,
            op_id,
            result,
        })
        .await;
}
