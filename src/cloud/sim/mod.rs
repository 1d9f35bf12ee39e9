//! The simulated Elastic Beanstalk account: the demo, and a deterministic stand-in for AWS in
//! tests.
//!
//! `SimCloud` holds a `World` behind a std `Mutex` (never held across an `.await`). Every call
//! first brings the world up to the clock (`World::advance_to`), so what a caller sees depends on
//! the clock only, never on how often it polls. Content is seeded: the same seed, start and
//! sequence of clock readings and operations give the same events, health and log lines.
//!
//! Layout: `model` (the data) and `world` (stepping through time: it applies scheduled steps and
//! hands commands and scenario ticks to `ops` and `scenario`, the only way back up the module
//! graph), `build` (the seeded account and its weeks of history), `ops`, `deploy` and `launch` (the
//! writes and their timed steps), `config` (each environment's option settings and platform) and
//! `configure` (a configuration change and its checks), `storage` (the storage bucket and uploading
//! a bundle into it), `versions` (creating a version from an uploaded bundle), `contents` (what a
//! bundle holds and what Elastic Beanstalk makes of it), `sample` (the project the demo offers to
//! deploy), `resources` (ids, CloudFormation types, launching instances), `refusals` (error texts
//! shared by reads and writes), `health` and `metrics`, `logs`, `requests`, `traffic` and `engine`
//! (log groups and lines), `timefmt` (each file's timestamp format), `search` (filter-pattern
//! searches over them), `insights` (Logs Insights queries over them), `scenario` (the stories), `rng` (splitmix64 and stable hashing). `tests/`
//! drives all of it through `SimCloud`.

mod build;
mod config;
mod configure;
mod contents;
mod deploy;
mod engine;
mod health;
mod insights;
mod launch;
mod logs;
mod metrics;
mod model;
mod ops;
mod refusals;
mod requests;
mod resources;
mod rng;
mod sample;
mod scenario;
mod search;
mod storage;
mod timefmt;
mod traffic;
mod versions;
mod world;

#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use tokio::sync::{mpsc, watch};

use crate::cloud::{
    BundleUpload, Cloud, CloudError, CloudResult, GroupSize, InsightsPage, InsightsQuery,
    LogTarget, Op, OpAccepted, TailEvent, UploadProgress, Uploaded,
};
use crate::domain::{
    AppVersion, CloudContext, DeployRecord, EnvEvent, EnvRef, EnvStatus, Environment, HealthColor,
    HealthSnapshot, Millis, RawLogEvent, StackEvent,
};

pub use sample::{sample_app_files, write_sample_app};
pub use scenario::Scenario;

use model::{ACCOUNT, Env, HOUR, LogFile, REGION};
use world::World;

/// Lines a tail sends as backfill at most.
const BACKFILL_CAP: usize = 3_000;
/// Lines one live batch carries at most (a clock jump of hours must not flood the receiver).
const LIVE_CAP: usize = 5_000;
/// Lines per log and instance that Elastic Beanstalk's tail logs return.
const EB_TAIL_LINES: usize = 100;
/// How long DescribeEnvironments keeps listing a terminated environment.
const TERMINATED_LISTED: Millis = HOUR;

enum Clock {
    /// The system clock at construction, then real time multiplied by `speed`.
    Real {
        start: Millis,
        origin: Instant,
        speed: f64,
    },
    /// Moves only with `advance`.
    Manual(AtomicI64),
}

/// A simulated account. `Send + Sync`; cheap to share behind an `Arc`.
pub struct SimCloud {
    world: Mutex<World>,
    clock: Clock,
    calls: AtomicU64,
    scenario: Scenario,
    speed: f64,
    /// Logs Insights queries by id (kept after they end, for their last answer).
    queries: insights::Queries,
}

impl SimCloud {
    /// Real-time clock scaled by `speed` (1.0 = real time, 20.0 = twenty times faster), starting
    /// at the current system time so that "updated 3m ago" reads sensibly. The account's history
    /// is laid out relative to that start, so two runs with the same seed differ only by it.
    pub fn new(scenario: Scenario, seed: u64, speed: f64) -> SimCloud {
        let speed = if speed.is_finite() && speed > 0.0 {
            speed
        } else {
            1.0
        };
        let start = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as Millis);
        SimCloud::with_clock(
            scenario,
            seed,
            start,
            Clock::Real {
                start,
                origin: Instant::now(),
                speed,
            },
            speed,
        )
    }

    /// A manually driven clock for tests: time only moves with `advance`.
    pub fn manual(scenario: Scenario, seed: u64, start: Millis) -> SimCloud {
        SimCloud::with_clock(
            scenario,
            seed,
            start,
            Clock::Manual(AtomicI64::new(start)),
            1.0,
        )
    }

    fn with_clock(
        scenario: Scenario,
        seed: u64,
        start: Millis,
        clock: Clock,
        speed: f64,
    ) -> SimCloud {
        SimCloud {
            world: Mutex::new(build::build(scenario, seed, start)),
            clock,
            calls: AtomicU64::new(0),
            scenario,
            speed,
            queries: insights::Queries::default(),
        }
    }

    /// Move a manual clock forward by `ms` (negative values are ignored); no-op on a real clock.
    pub fn advance(&self, ms: i64) {
        if let Clock::Manual(t) = &self.clock {
            t.fetch_add(ms.max(0), Ordering::SeqCst);
        }
    }

    fn call(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
    }

    /// The world, brought up to the clock.
    fn world(&self) -> (MutexGuard<'_, World>, Millis) {
        let now = self.now();
        let mut w = self.world.lock().unwrap_or_else(PoisonError::into_inner);
        w.advance_to(now);
        (w, now)
    }

    /// Real time between two live tail batches: one simulated second, at least 50 ms. A manual
    /// clock is polled often, since only the test moves it.
    fn tail_pause(&self) -> Duration {
        match self.clock {
            Clock::Real { .. } => Duration::from_millis(((1000.0 / self.speed) as u64).max(50)),
            Clock::Manual(_) => Duration::from_millis(10),
        }
    }
}

/// An environment a read names: any that exists, terminated ones included (their events stay).
fn find_any(w: &World, r: &EnvRef) -> CloudResult<usize> {
    w.env_index(&r.name)
        .filter(|&e| w.envs[e].visible_at(w.now))
        .ok_or_else(|| refusals::not_found(&r.name))
}

fn describe(env: &Env) -> Environment {
    let gone = env.terminated.is_some();
    Environment {
        env: EnvRef {
            app: env.app.clone(),
            name: env.name.clone(),
            id: env.id.clone(),
        },
        status: env.status.clone(),
        health: if gone {
            HealthColor::Grey
        } else {
            env.health.color()
        },
        health_status: (!gone).then(|| env.health.clone()),
        version: env.version.clone(),
        tier: env.tier,
        cname: env.cname.clone(),
        abortable: env.op.as_ref().is_some_and(|o| o.abortable),
        updated: env.updated,
        created: env.created,
        platform: env.platform.stack.to_string(),
        deployment_policy: Some(env.policy.name().to_string()),
    }
}

/// Everything at or after `since`; without, the last hour or the last 100, whichever is more.
fn recent<T: Clone>(
    items: &[T],
    ts: impl Fn(&T) -> Millis,
    since: Option<Millis>,
    now: Millis,
    hour: bool,
) -> Vec<T> {
    let from = match since {
        Some(s) => items.partition_point(|i| ts(i) < s),
        None => {
            let last_100 = items.len().saturating_sub(100);
            if hour {
                last_100.min(items.partition_point(|i| ts(i) < now - HOUR))
            } else {
                last_100
            }
        }
    };
    items[from..].to_vec()
}

#[async_trait]
impl Cloud for SimCloud {
    fn context(&self) -> CloudContext {
        CloudContext {
            profile: "demo".to_string(),
            region: REGION.to_string(),
            account: Some(ACCOUNT.to_string()),
            note: Some(format!("scenario {} x{}", self.scenario.name(), self.speed)),
        }
    }

    fn api_calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    fn now(&self) -> Millis {
        match &self.clock {
            Clock::Real {
                start,
                origin,
                speed,
            } => start + (origin.elapsed().as_secs_f64() * 1000.0 * speed) as Millis,
            Clock::Manual(t) => t.load(Ordering::SeqCst),
        }
    }

    async fn environments(&self) -> CloudResult<Vec<Environment>> {
        self.call();
        let (w, now) = self.world();
        let mut out: Vec<Environment> = w
            .envs
            .iter()
            .filter(|e| {
                e.visible_at(now) && e.terminated.is_none_or(|t| now - t < TERMINATED_LISTED)
            })
            .map(describe)
            .collect();
        out.sort_by(|a, b| (&a.env.app, &a.env.name).cmp(&(&b.env.app, &b.env.name)));
        Ok(out)
    }

    async fn events(&self, env: &EnvRef, since: Option<Millis>) -> CloudResult<Vec<EnvEvent>> {
        self.call();
        let (w, now) = self.world();
        let e = find_any(&w, env)?;
        Ok(recent(&w.envs[e].events, |ev| ev.ts, since, now, true))
    }

    async fn older_events(&self, env: &EnvRef, before: Millis) -> CloudResult<Vec<EnvEvent>> {
        self.call();
        let (w, _) = self.world();
        let e = find_any(&w, env)?;
        let events = &w.envs[e].events;
        let end = events.partition_point(|ev| ev.ts < before);
        let from = end.saturating_sub(crate::cloud::OLDER_EVENTS_PAGE);
        Ok(events[from..end].to_vec())
    }

    async fn account_events(&self, since: Option<Millis>) -> CloudResult<Vec<EnvEvent>> {
        self.call();
        let (w, now) = self.world();
        let from = since.unwrap_or(now - crate::cloud::ACCOUNT_EVENTS_FIRST);
        // Applications' own events (a version's creation) name no environment; some are due
        // later, as processing ends.
        let apps = w.apps.iter().flat_map(|a| {
            let at = a.events.partition_point(|ev| ev.ts < from);
            a.events[at..].iter().take_while(|ev| ev.ts <= now).cloned()
        });
        let mut out: Vec<EnvEvent> = w
            .envs
            .iter()
            .flat_map(|e| {
                let at = e.events.partition_point(|ev| ev.ts < from);
                e.events[at..].iter().cloned()
            })
            .chain(apps)
            .collect();
        out.sort_by_key(|e| e.ts);
        let cut = out.len().saturating_sub(crate::cloud::ACCOUNT_EVENTS_MAX);
        Ok(out.split_off(cut))
    }

    async fn stack_events(
        &self,
        env: &EnvRef,
        since: Option<Millis>,
    ) -> CloudResult<Vec<StackEvent>> {
        self.call();
        let (w, now) = self.world();
        let e = find_any(&w, env)?;
        Ok(recent(
            &w.envs[e].stack_events,
            |ev| ev.ts,
            since,
            now,
            false,
        ))
    }

    async fn health(&self, env: &EnvRef) -> CloudResult<HealthSnapshot> {
        self.call();
        let (w, now) = self.world();
        let e = find_any(&w, env)?;
        Ok(health::snapshot(w.seed, &w.envs[e], now))
    }

    async fn versions(&self, app: &str) -> CloudResult<Vec<AppVersion>> {
        self.call();
        let (w, now) = self.world();
        let a = w
            .app(app)
            .ok_or_else(|| CloudError::NotFound(format!("No Application named '{app}' found.")))?;
        let mut out: Vec<AppVersion> = a
            .versions
            .iter()
            .filter(|v| v.created <= now)
            .map(|v| AppVersion {
                app: a.name.clone(),
                label: v.label.clone(),
                description: Some(v.description.clone()),
                created: v.created,
                status: v.status_at(now).to_string(),
            })
            .collect();
        out.sort_by(|a, b| {
            b.created
                .cmp(&a.created)
                .then_with(|| b.label.cmp(&a.label))
        });
        Ok(out)
    }

    async fn config(&self, env: &EnvRef) -> CloudResult<crate::domain::EnvConfig> {
        self.call();
        let (w, _) = self.world();
        let e = find_any(&w, env)?;
        Ok(config::describe(&w.envs[e]))
    }

    async fn option_settings(
        &self,
        env: &EnvRef,
    ) -> CloudResult<Vec<crate::domain::OptionSetting>> {
        self.call();
        let (w, _) = self.world();
        let e = find_any(&w, env)?;
        Ok(w.envs[e].settings.clone())
    }

    async fn deploy_history(&self, env: &EnvRef) -> CloudResult<Vec<DeployRecord>> {
        self.call();
        let (w, _) = self.world();
        let e = find_any(&w, env)?;
        Ok(w.envs[e].deploys.iter().rev().cloned().collect())
    }

    async fn log_groups(&self, env: &EnvRef) -> CloudResult<Vec<String>> {
        self.call();
        let (w, _) = self.world();
        let e = find_any(&w, env)?;
        Ok(logs::groups(&w.envs[e])
            .into_iter()
            .map(|(g, _)| g)
            .collect())
    }

    async fn tail_logs(&self, target: LogTarget, tx: mpsc::Sender<TailEvent>) -> CloudResult<()> {
        self.call();
        let (e, files, backfill, mut cursor) = {
            let (w, now) = self.world();
            let e = find_any(&w, &target.env)?;
            let files = logs::resolve(&w.envs[e], &target.groups)?;
            let (from, to) = logs::streamed(&w.envs[e], target.start, now);
            let backfill = logs::collect(w.seed, &w.envs[e], &files, None, from, to, BACKFILL_CAP);
            (e, files, backfill, now.max(target.start))
        };
        if tx
            .send(TailEvent::Status("live (simulated)".to_string()))
            .await
            .is_err()
        {
            return Ok(());
        }
        if !backfill.is_empty() && tx.send(TailEvent::Events(backfill)).await.is_err() {
            return Ok(());
        }
        loop {
            tokio::select! {
                _ = tokio::time::sleep(self.tail_pause()) => {}
                _ = tx.closed() => return Ok(()),
            }
            let batch = {
                let (w, now) = self.world();
                if now <= cursor {
                    continue;
                }
                let (from, to) = logs::streamed(&w.envs[e], cursor, now);
                let batch = logs::collect(w.seed, &w.envs[e], &files, None, from, to, LIVE_CAP);
                cursor = now;
                batch
            };
            if batch.len() >= LIVE_CAP && tx.send(TailEvent::Sampled).await.is_err() {
                return Ok(());
            }
            if !batch.is_empty() && tx.send(TailEvent::Events(batch)).await.is_err() {
                return Ok(());
            }
        }
    }

    async fn search_logs(
        &self,
        search: crate::cloud::LogSearch,
        tx: mpsc::Sender<TailEvent>,
    ) -> CloudResult<()> {
        self.call();
        // One slice of the search window, read from the world brought up to the clock.
        let read = |from: Millis, to: Millis| {
            let (w, _) = self.world();
            let e = find_any(&w, &search.env)?;
            let files = logs::resolve(&w.envs[e], &search.groups)?;
            let (from, to) = logs::streamed(&w.envs[e], from, to);
            Ok(logs::collect(
                w.seed,
                &w.envs[e],
                &files,
                None,
                from,
                to,
                usize::MAX,
            ))
        };
        search::run(&search, read, tx).await
    }

    async fn log_group_sizes(&self, env: &EnvRef) -> CloudResult<Vec<GroupSize>> {
        self.call();
        let (w, now) = self.world();
        let e = find_any(&w, env)?;
        Ok(logs::group_sizes(&w.envs[e], now))
    }

    async fn start_query(&self, query: &InsightsQuery) -> CloudResult<String> {
        self.call();
        let plan = insights::parse(&query.query).map_err(CloudError::Other)?;
        let now = {
            let (w, now) = self.world();
            let e = find_any(&w, &query.env)?;
            logs::resolve(&w.envs[e], &query.groups)?;
            now
        };
        self.queries.start(plan, query, now)
    }

    async fn query_results(&self, query_id: &str) -> CloudResult<InsightsPage> {
        self.call();
        // The slices the query has reached by now, read from the world brought up to the clock.
        let read = |env: &str, groups: &[String], from: Millis, to: Millis| {
            let (w, _) = self.world();
            let e = w.env_index(env).ok_or_else(|| refusals::not_found(env))?;
            let files = logs::resolve(&w.envs[e], groups)?;
            let (a, b) = logs::streamed(&w.envs[e], from, to);
            Ok(logs::collect(
                w.seed,
                &w.envs[e],
                &files,
                None,
                a,
                b,
                usize::MAX,
            ))
        };
        self.queries.results(query_id, self.now(), read)
    }

    async fn end_query(&self, query_id: &str) -> CloudResult<()> {
        self.call();
        self.queries.end(query_id)
    }

    async fn eb_tail_logs(&self, env: &EnvRef) -> CloudResult<Vec<RawLogEvent>> {
        self.call();
        let (w, now) = self.world();
        let e = find_any(&w, env)?;
        let env = &w.envs[e];
        if env.status == EnvStatus::Terminated {
            return Err(refusals::not_found(&env.name));
        }
        let mut out = Vec::new();
        // The tail bundle holds the instance's log files; the health agent's stream is
        // CloudWatch-only.
        let files: Vec<(String, LogFile)> = logs::files(env)
            .into_iter()
            .filter(|(_, f)| *f != LogFile::Health)
            .collect();
        for inst in env.live_instances(now) {
            for file in &files {
                let one = std::slice::from_ref(file);
                // From the beginning: engine output of a deployment days ago is still in the file;
                // `collect` bounds how far back it generates traffic lines itself.
                out.extend(logs::collect(
                    w.seed,
                    env,
                    one,
                    Some(&inst.id),
                    inst.launched,
                    now + 1,
                    EB_TAIL_LINES,
                ));
            }
        }
        Ok(out)
    }

    async fn execute(&self, op: &Op) -> CloudResult<OpAccepted> {
        match op {
            // Both take simulated time, so they run outside the world's lock and count their
            // own calls.
            Op::UploadBundle { upload, .. } => {
                let (progress, _) = mpsc::channel(1);
                let (_keep, cancel) = watch::channel(false);
                let uploaded = self.upload(upload, progress, cancel).await?;
                Ok(OpAccepted {
                    request_id: None,
                    uploaded: Some(uploaded),
                })
            }
            Op::CreateVersion {
                app,
                label,
                source,
                description,
                ..
            } => {
                let request = versions::Request {
                    app,
                    label,
                    source,
                    description,
                };
                self.make_version(&request).await
            }
            _ => {
                self.call();
                let (mut w, _) = self.world();
                ops::execute(&mut w, op)
            }
        }
    }

    async fn upload_bundle(
        &self,
        upload: &BundleUpload,
        progress: mpsc::Sender<UploadProgress>,
        cancel: watch::Receiver<bool>,
    ) -> CloudResult<Uploaded> {
        self.upload(upload, progress, cancel).await
    }
}
