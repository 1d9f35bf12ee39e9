//! Carrying out effects: every cloud call runs in its own task and reports back as a `Msg`, so
//! the loop never waits on I/O. Results carry the context generation they were started in.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::app::{Effect, Msg, Poll, Reply};
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
}

impl Executor {
    pub fn new(cloud: Arc<dyn Cloud>, tx: mpsc::Sender<Msg>, switcher: Option<Switcher>) -> Self {
        let (switch_tx, switch_rx) = mpsc::channel(1);
        Self {
            cloud,
            epoch: 0,
            tx,
            tail: None,
            switcher,
            switch_tx,
            switch_rx,
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
                self.cloud = cloud;
                self.epoch += 1;
                Some(Msg::Context {
                    epoch: self.epoch,
                    result: Ok(self.cloud.context()),
                })
            }
            Err(e) => Some(Msg::Context {
                epoch: self.epoch,
                result: Err(e),
            }),
        }
    }

    pub fn run(&mut self, effect: Effect) {
        let (cloud, tx, epoch) = (self.cloud.clone(), self.tx.clone(), self.epoch);
        match effect {
            Effect::Poll(p) => {
                tokio::spawn(async move {
                    let key = p.key();
                    let reply = poll(cloud.as_ref(), p).await;
                    let _ = tx.send(Msg::Cloud { epoch, key, reply }).await;
                });
            }
            Effect::Execute { op_id, op } => {
                tokio::spawn(async move {
                    tracing::info!(?op, "executing");
                    let result = cloud.execute(&op).await;
                    let _ = tx
                        .send(Msg::OpDone {
                            epoch,
                            op_id,
                            result,
                        })
                        .await;
                });
            }
            Effect::Tail { tail, target } => {
                self.stream(tail, None, move |cloud, itx| async move {
                    cloud.tail_logs(target, itx).await
                });
            }
            Effect::SearchLogs { tail, search } => {
                let done = "search done · Esc returns to live";
                self.stream(tail, Some(done), move |cloud, itx| async move {
                    cloud.search_logs(search, itx).await
                });
            }
            Effect::EbTail { tail, env } => {
                self.stop_tail();
                self.tail = Some(tokio::spawn(async move {
                    match cloud.eb_tail_logs(&env).await {
                        Ok(lines) => {
                            let n = lines.len();
                            let _ = tx
                                .send(Msg::Tail {
                                    epoch,
                                    tail,
                                    event: TailEvent::Events(lines),
                                })
                                .await;
                            let status = format!(
                                "Elastic Beanstalk tail logs: {n} lines (a snapshot, not live)"
                            );
                            let _ = tx
                                .send(Msg::Tail {
                                    epoch,
                                    tail,
                                    event: TailEvent::Status(status),
                                })
                                .await;
                        }
                        Err(e) => {
                            let _ = tx
                                .send(Msg::TailEnded {
                                    epoch,
                                    tail,
                                    error: Some(e.to_string()),
                                })
                                .await;
                        }
                    }
                }));
            }
            Effect::StopTail => self.stop_tail(),
            Effect::SwitchContext { profile, region } => match &self.switcher {
                Some(sw) => {
                    let fut = sw(profile, region);
                    let stx = self.switch_tx.clone();
                    tokio::spawn(async move {
                        let _ = stx.send(fut.await).await;
                    });
                }
                None => {
                    let _ = self.tx.try_send(Msg::Context {
                        epoch,
                        result: Err("the demo has no profiles or regions to switch to".into()),
                    });
                }
            },
            Effect::SaveFile { path, contents } => {
                tokio::spawn(async move {
                    let r = tokio::fs::write(&path, contents)
                        .await
                        .map(|_| path.clone())
                        .map_err(|e| format!("{path}: {e}"));
                    let _ = tx.send(Msg::Saved(r)).await;
                });
            }
            Effect::Copy(text) => {
                if let Err(e) = super::terminal::osc52_copy(&text) {
                    tracing::warn!("clipboard: {e}");
                }
            }
            Effect::Quit => {}
        }
    }

    /// Run a streaming read (a tail or a pushed-down search) in the tail slot, forwarding what
    /// it sends as `Msg::Tail` and its end as `Msg::TailEnded`. Replaces the stream running.
    fn stream<F, Fut>(&mut self, tail: u64, done: Option<&'static str>, run: F)
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
            if let (None, Some(done)) = (&error, done) {
                let _ = tx
                    .send(Msg::Tail {
                        epoch,
                        tail,
                        event: TailEvent::Status(done.into()),
                    })
                    .await;
            }
            let _ = tx.send(Msg::TailEnded { epoch, tail, error }).await;
        }));
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

async fn poll(cloud: &dyn Cloud, p: Poll) -> Reply {
    match p {
        Poll::Environments => Reply::Environments(cloud.environments().await),
        Poll::Events { env, since } => Reply::Events(cloud.events(&env, since).await),
        Poll::StackEvents { env, since } => {
            Reply::StackEvents(cloud.stack_events(&env, since).await)
        }
        Poll::Health { env } => Reply::Health(cloud.health(&env).await),
        Poll::Versions { app } => Reply::Versions(cloud.versions(&app).await),
        Poll::History { env } => Reply::History(cloud.deploy_history(&env).await),
        Poll::LogGroups { env } => Reply::LogGroups(cloud.log_groups(&env).await),
    }
}
