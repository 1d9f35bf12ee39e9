//! What ebtui costs an AWS account: API calls per minute, counted per action, while the real
//! `App` and `update` run against the simulator on a manual clock, the way the runtime drives
//! them (a `Msg::Tick` every 250 ms of simulated time, every `Effect::Poll` answered through
//! `cloud::answer` and fed back within the same tick, a live tail started for `Effect::Tail`,
//! writes carried out for `Effect::Execute`). Also the event-to-screen latency during a deploy:
//! how long after an Elastic Beanstalk event happened it is in the app's timeline.
//!
//! Targets (tracker: "An operations ledger"): one rolling deploy of the selected environment with
//! its logs live-tailed <= 33 calls/min; an idle account of 4 environments <= 12/min; each
//! additional busy environment <= +2/min; the same cost for a table of 4 and of 300
//! environments; event-to-screen latency during a deploy: median <= 3 s, max <= 5 s.
//!
//! Run with `cargo bench --bench api_calls`: prints a table and exits non-zero when a target is
//! missed. Figures are recorded in docs/performance.md.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ebtui::app::keymap::KeyMap;
use ebtui::app::modal::Modal;
use ebtui::app::timeline::Entry;
use ebtui::app::{App, Effect, Msg, Settings, update};
use ebtui::cloud::sim::{Scenario, SimCloud};
use ebtui::cloud::{
    Cloud, CloudError, CloudResult, GroupSize, InsightsPage, InsightsQuery, LogSearch, LogTarget,
    Op, OpAccepted, TailEvent, answer,
};
use ebtui::domain::{
    AppVersion, Clean, CloudContext, DeployRecord, EnvEvent, EnvHealth, EnvRef, EnvStatus,
    Environment, HealthColor, HealthSnapshot, HealthStatus, InstanceCounts, Millis, RawLogEvent,
    StackEvent, Tier,
};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// A fixed instant, so every run tells the same story.
const START: Millis = 1_795_000_000_000;
const TICK: Millis = 250;
const SEC: Millis = 1_000;
const MIN: Millis = 60_000;
/// The environment the user watches (and deploys, in the deploy scenarios).
const SHOWN: &str = "storefront-prod";
/// The environment made busy by someone else in the "additional busy environment" scenarios.
const OTHER: &str = "storefront-worker";
/// The slow scenario's version; long enough that two deployments overlap for minutes.
const SLOW: &str = "v1.5.0";

// --- counting ----------------------------------------------------------------------------------

/// The AWS action behind each `Cloud` method, as counted here: one per method call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Action {
    DescribeEnvironments,
    /// Account-wide DescribeEvents (every timeline and the ledger).
    AccountEvents,
    /// One environment's DescribeEvents (its older history, read once when selected).
    EnvEvents,
    /// The deployment history (DescribeEvents of one environment).
    History,
    DescribeStackEvents,
    /// DescribeEnvironmentHealth + DescribeInstancesHealth on AWS (two requests).
    Health,
    DescribeApplicationVersions,
    /// The environment's option settings (only `ebtui deploy` reads them: its default timeout).
    DescribeConfigurationSettings,
    DescribeLogGroups,
    /// One live tail session (StartLiveTail), counted when it starts.
    LiveTail,
    /// A search pushed down to CloudWatch Logs (FilterLogEvents pages).
    FilterLogEvents,
    /// Elastic Beanstalk's tail logs (RetrieveEnvironmentInfo).
    RetrieveEnvironmentInfo,
    /// CloudWatch Logs Insights (StartQuery, GetQueryResults, StopQuery): only on the user's key.
    Insights,
    /// A write (UpdateEnvironment, AbortEnvironmentUpdate, ...).
    Write,
}

impl Action {
    const ALL: [Action; 14] = [
        Action::DescribeEnvironments,
        Action::AccountEvents,
        Action::EnvEvents,
        Action::History,
        Action::DescribeStackEvents,
        Action::Health,
        Action::DescribeApplicationVersions,
        Action::DescribeConfigurationSettings,
        Action::DescribeLogGroups,
        Action::LiveTail,
        Action::FilterLogEvents,
        Action::RetrieveEnvironmentInfo,
        Action::Insights,
        Action::Write,
    ];

    fn label(self) -> &'static str {
        match self {
            Action::DescribeEnvironments => "DescribeEnvironments",
            Action::AccountEvents => "DescribeEvents (account)",
            Action::EnvEvents => "DescribeEvents (one env)",
            Action::History => "DescribeEvents (deploy history)",
            Action::DescribeStackEvents => "DescribeStackEvents",
            Action::Health => "DescribeInstancesHealth (+EnvironmentHealth)",
            Action::DescribeApplicationVersions => "DescribeApplicationVersions",
            Action::DescribeConfigurationSettings => "DescribeConfigurationSettings",
            Action::DescribeLogGroups => "DescribeLogGroups",
            Action::LiveTail => "StartLiveTail (session)",
            Action::FilterLogEvents => "FilterLogEvents (search)",
            Action::RetrieveEnvironmentInfo => "RetrieveEnvironmentInfo",
            Action::Insights => "Logs Insights (Start/GetResults/Stop)",
            Action::Write => "writes (UpdateEnvironment...)",
        }
    }

    fn short(self) -> &'static str {
        match self {
            Action::DescribeEnvironments => "envs",
            Action::AccountEvents => "acct-ev",
            Action::EnvEvents => "env-ev",
            Action::History => "history",
            Action::DescribeStackEvents => "stack",
            Action::Health => "health",
            Action::DescribeApplicationVersions => "versions",
            Action::DescribeConfigurationSettings => "config",
            Action::DescribeLogGroups => "groups",
            Action::LiveTail => "tail",
            Action::FilterLogEvents => "filter",
            Action::RetrieveEnvironmentInfo => "eb-tail",
            Action::Insights => "insights",
            Action::Write => "write",
        }
    }

    /// AWS requests one call costs at least (one page): health reads the environment and its
    /// instances.
    fn requests(self) -> u64 {
        match self {
            Action::Health => 2,
            _ => 1,
        }
    }
}

/// Wraps any `Cloud`, delegates every method and records (cloud time, action) for each call.
struct CountingCloud {
    inner: Arc<dyn Cloud>,
    calls: Mutex<Vec<(Millis, Action)>>,
}

impl CountingCloud {
    fn new(inner: Arc<dyn Cloud>) -> Self {
        Self {
            inner,
            calls: Mutex::new(Vec::new()),
        }
    }

    fn count(&self, action: Action) {
        let now = self.inner.now();
        self.calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((now, action));
    }

    /// Calls per action started in `[from, to)`.
    fn between(&self, from: Millis, to: Millis) -> BTreeMap<Action, u64> {
        let mut out = BTreeMap::new();
        for (t, a) in self.calls.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            if *t >= from && *t < to {
                *out.entry(*a).or_insert(0) += 1;
            }
        }
        out
    }

    fn total(&self) -> u64 {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).len() as u64
    }
}

#[async_trait]
impl Cloud for CountingCloud {
    fn context(&self) -> CloudContext {
        self.inner.context()
    }
    fn api_calls(&self) -> u64 {
        self.total()
    }
    fn now(&self) -> Millis {
        self.inner.now()
    }
    async fn environments(&self) -> CloudResult<Vec<Environment>> {
        self.count(Action::DescribeEnvironments);
        self.inner.environments().await
    }
    async fn events(&self, env: &EnvRef, since: Option<Millis>) -> CloudResult<Vec<EnvEvent>> {
        self.count(Action::EnvEvents);
        self.inner.events(env, since).await
    }
    async fn older_events(&self, env: &EnvRef, before: Millis) -> CloudResult<Vec<EnvEvent>> {
        // Scrolling back is the user's doing, not the planner's: counted with one env's events.
        self.count(Action::EnvEvents);
        self.inner.older_events(env, before).await
    }
    async fn account_events(&self, since: Option<Millis>) -> CloudResult<Vec<EnvEvent>> {
        self.count(Action::AccountEvents);
        self.inner.account_events(since).await
    }
    async fn stack_events(
        &self,
        env: &EnvRef,
        since: Option<Millis>,
    ) -> CloudResult<Vec<StackEvent>> {
        self.count(Action::DescribeStackEvents);
        self.inner.stack_events(env, since).await
    }
    async fn health(&self, env: &EnvRef) -> CloudResult<HealthSnapshot> {
        self.count(Action::Health);
        self.inner.health(env).await
    }
    async fn versions(&self, app: &str) -> CloudResult<Vec<AppVersion>> {
        self.count(Action::DescribeApplicationVersions);
        self.inner.versions(app).await
    }
    async fn deploy_history(&self, env: &EnvRef) -> CloudResult<Vec<DeployRecord>> {
        self.count(Action::History);
        self.inner.deploy_history(env).await
    }
    async fn log_groups(&self, env: &EnvRef) -> CloudResult<Vec<String>> {
        self.count(Action::DescribeLogGroups);
        self.inner.log_groups(env).await
    }
    async fn tail_logs(&self, target: LogTarget, tx: mpsc::Sender<TailEvent>) -> CloudResult<()> {
        // One long streaming call: one StartLiveTail session, counted when it starts.
        self.count(Action::LiveTail);
        self.inner.tail_logs(target, tx).await
    }
    async fn search_logs(&self, search: LogSearch, tx: mpsc::Sender<TailEvent>) -> CloudResult<()> {
        self.count(Action::FilterLogEvents);
        self.inner.search_logs(search, tx).await
    }
    async fn eb_tail_logs(&self, env: &EnvRef) -> CloudResult<Vec<RawLogEvent>> {
        self.count(Action::RetrieveEnvironmentInfo);
        self.inner.eb_tail_logs(env).await
    }
    async fn log_group_sizes(&self, env: &EnvRef) -> CloudResult<Vec<GroupSize>> {
        self.count(Action::DescribeLogGroups);
        self.inner.log_group_sizes(env).await
    }
    async fn start_query(&self, query: &InsightsQuery) -> CloudResult<String> {
        self.count(Action::Insights);
        self.inner.start_query(query).await
    }
    async fn query_results(&self, query_id: &str) -> CloudResult<InsightsPage> {
        self.count(Action::Insights);
        self.inner.query_results(query_id).await
    }
    async fn end_query(&self, query_id: &str) -> CloudResult<()> {
        self.count(Action::Insights);
        self.inner.end_query(query_id).await
    }
    async fn execute(&self, op: &Op) -> CloudResult<OpAccepted> {
        self.count(Action::Write);
        self.inner.execute(op).await
    }
    async fn config(&self, env: &EnvRef) -> CloudResult<ebtui::domain::EnvConfig> {
        self.count(Action::DescribeConfigurationSettings);
        self.inner.config(env).await
    }
    async fn option_settings(
        &self,
        env: &EnvRef,
    ) -> CloudResult<Vec<ebtui::domain::OptionSetting>> {
        self.count(Action::DescribeConfigurationSettings);
        self.inner.option_settings(env).await
    }
    async fn upload_bundle(
        &self,
        upload: &ebtui::cloud::BundleUpload,
        progress: mpsc::Sender<ebtui::cloud::UploadProgress>,
        cancel: tokio::sync::watch::Receiver<bool>,
    ) -> CloudResult<ebtui::cloud::Uploaded> {
        self.count(Action::Write);
        self.inner.upload_bundle(upload, progress, cancel).await
    }
}

// --- a synthetic account of N quiet environments ----------------------------------------------

/// N environments, all Ready and Ok; every other read answers empty. For the one measurement the
/// simulator cannot make: a table of hundreds of environments.
struct Synthetic {
    envs: Vec<Environment>,
    clock: AtomicI64,
    calls: AtomicU64,
}

impl Synthetic {
    fn new(n: usize) -> Self {
        let envs = (0..n)
            .map(|i| Environment {
                env: EnvRef {
                    app: format!("app-{:02}", i / 10),
                    name: format!("env-{i:03}"),
                    id: format!("e-{i:010}"),
                },
                status: EnvStatus::Ready,
                health: HealthColor::Green,
                health_status: Some(HealthStatus::Ok),
                version: Some("v1.0.0".to_string()),
                tier: Tier::Web,
                cname: None,
                abortable: false,
                updated: START - 86_400_000,
                created: START - 30 * 86_400_000,
                platform: "Node.js 20 running on 64bit Amazon Linux 2023".to_string(),
                deployment_policy: Some("Rolling".to_string()),
            })
            .collect();
        Self {
            envs,
            clock: AtomicI64::new(START),
            calls: AtomicU64::new(0),
        }
    }

    fn advance(&self, ms: Millis) {
        self.clock.fetch_add(ms, Ordering::SeqCst);
    }

    fn call(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
    }
}

#[async_trait]
impl Cloud for Synthetic {
    fn context(&self) -> CloudContext {
        CloudContext {
            profile: "synthetic".to_string(),
            region: "us-east-1".to_string(),
            account: None,
            note: None,
        }
    }
    fn api_calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }
    fn now(&self) -> Millis {
        self.clock.load(Ordering::SeqCst)
    }
    async fn environments(&self) -> CloudResult<Vec<Environment>> {
        self.call();
        Ok(self.envs.clone())
    }
    async fn events(&self, _: &EnvRef, _: Option<Millis>) -> CloudResult<Vec<EnvEvent>> {
        self.call();
        Ok(Vec::new())
    }
    async fn older_events(&self, _: &EnvRef, _: Millis) -> CloudResult<Vec<EnvEvent>> {
        self.call();
        Ok(Vec::new())
    }
    async fn account_events(&self, _: Option<Millis>) -> CloudResult<Vec<EnvEvent>> {
        self.call();
        Ok(Vec::new())
    }
    async fn stack_events(&self, _: &EnvRef, _: Option<Millis>) -> CloudResult<Vec<StackEvent>> {
        self.call();
        Ok(Vec::new())
    }
    async fn health(&self, _: &EnvRef) -> CloudResult<HealthSnapshot> {
        self.call();
        Ok(HealthSnapshot {
            env: EnvHealth {
                enhanced: true,
                status: Some(HealthStatus::Ok),
                color: HealthColor::Green,
                causes: Vec::new(),
                counts: InstanceCounts::default(),
                metrics: None,
                refreshed: Some(self.now()),
            },
            instances: Vec::new(),
        })
    }
    async fn versions(&self, _: &str) -> CloudResult<Vec<AppVersion>> {
        self.call();
        Ok(Vec::new())
    }
    async fn deploy_history(&self, _: &EnvRef) -> CloudResult<Vec<DeployRecord>> {
        self.call();
        Ok(Vec::new())
    }
    async fn log_groups(&self, env: &EnvRef) -> CloudResult<Vec<String>> {
        self.call();
        Ok(vec![format!(
            "/aws/elasticbeanstalk/{}/var/log/web.stdout.log",
            env.name
        )])
    }
    async fn tail_logs(&self, _: LogTarget, tx: mpsc::Sender<TailEvent>) -> CloudResult<()> {
        self.call();
        // A quiet stream: open until the receiver goes.
        tx.closed().await;
        Ok(())
    }
    async fn search_logs(&self, _: LogSearch, _: mpsc::Sender<TailEvent>) -> CloudResult<()> {
        self.call();
        Ok(())
    }
    async fn eb_tail_logs(&self, _: &EnvRef) -> CloudResult<Vec<RawLogEvent>> {
        self.call();
        Ok(Vec::new())
    }
    async fn log_group_sizes(&self, _: &EnvRef) -> CloudResult<Vec<GroupSize>> {
        self.call();
        Ok(Vec::new())
    }
    async fn start_query(&self, _: &InsightsQuery) -> CloudResult<String> {
        self.call();
        Ok("synthetic".to_string())
    }
    async fn query_results(&self, _: &str) -> CloudResult<InsightsPage> {
        self.call();
        Ok(InsightsPage::default())
    }
    async fn end_query(&self, _: &str) -> CloudResult<()> {
        self.call();
        Ok(())
    }
    async fn execute(&self, _: &Op) -> CloudResult<OpAccepted> {
        self.call();
        Err(CloudError::Other(
            "the synthetic account takes no writes".to_string(),
        ))
    }
    async fn config(&self, _: &EnvRef) -> CloudResult<ebtui::domain::EnvConfig> {
        self.call();
        Ok(ebtui::domain::EnvConfig::default())
    }
    async fn option_settings(&self, _: &EnvRef) -> CloudResult<Vec<ebtui::domain::OptionSetting>> {
        self.call();
        Ok(Vec::new())
    }
    async fn upload_bundle(
        &self,
        _: &ebtui::cloud::BundleUpload,
        _: mpsc::Sender<ebtui::cloud::UploadProgress>,
        _: tokio::sync::watch::Receiver<bool>,
    ) -> CloudResult<ebtui::cloud::Uploaded> {
        self.call();
        Err(CloudError::Other(
            "the synthetic account takes no writes".to_string(),
        ))
    }
}

// --- driving the app like the runtime ----------------------------------------------------------

/// The app, its counted cloud, the clock and the running tail: `runtime/mod.rs` and
/// `runtime/effects.rs` without a terminal.
struct Driver {
    app: App,
    cloud: Arc<CountingCloud>,
    advance: Box<dyn Fn(Millis)>,
    tail: Option<JoinHandle<()>>,
    from_tail: mpsc::UnboundedReceiver<Msg>,
    to_app: mpsc::UnboundedSender<Msg>,
    next_stats: Millis,
    /// Effects the runtime would carry out that this driver does not (none expected).
    unexpected: Vec<String>,
    probe: Option<Probe>,
}

impl Driver {
    fn new(inner: Arc<dyn Cloud>, advance: Box<dyn Fn(Millis)>) -> Self {
        let cloud = Arc::new(CountingCloud::new(inner));
        let mut app = App::new(
            Settings::default(),
            KeyMap::default(),
            cloud.context(),
            cloud.now(),
        );
        // A wide terminal, nothing zoomed: every pane is on screen, the logs pane included.
        app.view.size = (160, 48);
        let (to_app, from_tail) = mpsc::unbounded_channel();
        let next_stats = cloud.now();
        Self {
            app,
            cloud,
            advance,
            tail: None,
            from_tail,
            to_app,
            next_stats,
            unexpected: Vec::new(),
            probe: None,
        }
    }

    fn now(&self) -> Millis {
        self.cloud.now()
    }

    /// One tick of the loop: time moves 250 ms, then the tick, what the tail sent and the 5 s
    /// call sample are handled, with every answer fed back before the tick ends.
    async fn tick(&mut self) {
        (self.advance)(TICK);
        self.step().await;
    }

    /// Handle a tick at the current time (no time passes).
    async fn step(&mut self) {
        let mut msgs = vec![Msg::Tick];
        while let Ok(m) = self.from_tail.try_recv() {
            msgs.push(m);
        }
        if self.now() >= self.next_stats {
            self.next_stats = self.now() + 5 * SEC;
            msgs.push(Msg::Stats {
                api_calls: self.cloud.api_calls(),
                ctx: self.cloud.context(),
            });
        }
        for m in msgs {
            self.handle(m).await;
        }
        self.drawn();
    }

    /// The runtime draws whenever something changed (a confirmation becomes confirmable once
    /// drawn); then the latency probe looks at what reached the app.
    fn drawn(&mut self) {
        if self.app.view.dirty {
            self.app.view.dirty = false;
            self.app.drawn();
        }
        if let Some(p) = &mut self.probe {
            p.observe(&self.app);
        }
    }

    async fn run_for(&mut self, span: Millis) {
        let until = self.now() + span;
        while self.now() < until {
            self.tick().await;
        }
    }

    /// Tick until `done` holds (or `limit` passes); returns whether it held.
    async fn run_until(&mut self, limit: Millis, mut done: impl FnMut(&Self) -> bool) -> bool {
        let until = self.now() + limit;
        while self.now() < until {
            self.tick().await;
            if done(self) {
                return true;
            }
        }
        false
    }

    /// Keys as the terminal would send them, handled at the current time.
    async fn keys(&mut self, keys: &[KeyCode]) {
        for k in keys {
            let m = Msg::Key(KeyEvent::new(*k, KeyModifiers::NONE));
            self.handle(m).await;
            self.drawn();
        }
    }

    async fn select(&mut self, env: &str) {
        let mut ks = vec![KeyCode::Char(':')];
        ks.extend(format!("env {env}").chars().map(KeyCode::Char));
        ks.push(KeyCode::Enter);
        self.keys(&ks).await;
    }

    async fn handle(&mut self, msg: Msg) {
        let now = self.now();
        let mut queue: VecDeque<Effect> = update(&mut self.app, msg, now).into();
        while let Some(effect) = queue.pop_front() {
            let epoch = self.app.account.epoch;
            let msg = match effect {
                Effect::Poll(request) => Some(Msg::Cloud {
                    epoch,
                    reply: answer(self.cloud.as_ref(), request).await,
                }),
                Effect::Execute { op_id, op } => Some(Msg::OpDone {
                    epoch,
                    op_id,
                    result: self.cloud.execute(&op).await.clean(),
                }),
                Effect::Tail { tail, target } => {
                    self.start_tail(epoch, tail, target).await;
                    None
                }
                Effect::StopTail => {
                    self.stop_tail();
                    None
                }
                Effect::SearchLogs { .. } => {
                    self.unexpected.push("SearchLogs".into());
                    None
                }
                Effect::EbTail { .. } => {
                    self.unexpected.push("EbTail".into());
                    None
                }
                Effect::Insights { .. } | Effect::TriageMinutes { .. } => {
                    self.unexpected.push("Insights".into());
                    None
                }
                Effect::SwitchContext { .. } => {
                    self.unexpected.push("SwitchContext".into());
                    None
                }
                Effect::Bundle { .. }
                | Effect::CancelUpload { .. }
                | Effect::Discard(_)
                | Effect::ReadFile(_) => {
                    self.unexpected.push("a deploy of a directory".into());
                    None
                }
                // A failure's evidence costs reads: counted like the runtime makes them.
                Effect::Capture { env, capture } => Some(Msg::Captured {
                    epoch,
                    capture: ebtui::runtime::capture::capture(self.cloud.as_ref(), env, capture)
                        .await,
                }),
                // The journal is local: no API call.
                Effect::Journal(_) | Effect::JournalQuery(_) => None,
                Effect::SaveFile { .. }
                | Effect::Copy(_)
                | Effect::Notify { .. }
                | Effect::SsoLogin { .. }
                | Effect::Quit => None,
            };
            if let Some(m) = msg {
                let now = self.now();
                queue.extend(update(&mut self.app, m, now));
            }
        }
    }

    /// A live tail runs in its own task, as in the runtime; what it sends reaches the app on the
    /// next tick.
    async fn start_tail(&mut self, epoch: u64, tail: u64, target: LogTarget) {
        self.stop_tail();
        let before = self.cloud.total();
        let cloud = self.cloud.clone();
        let to_app = self.to_app.clone();
        self.tail = Some(tokio::spawn(async move {
            let (itx, mut irx) = mpsc::channel::<TailEvent>(64);
            let forward_tx = to_app.clone();
            let forward = tokio::spawn(async move {
                while let Some(event) = irx.recv().await {
                    if forward_tx.send(Msg::Tail { epoch, tail, event }).is_err() {
                        break;
                    }
                }
            });
            let result = cloud.tail_logs(target, itx).await;
            let _ = forward.await;
            let error = result.err().map(|e| e.to_string());
            let _ = to_app.send(Msg::TailEnded { epoch, tail, error });
        }));
        // The runtime's task starts within milliseconds, while this loop would move the clock
        // on: wait until the session is opened, so it is counted at the time it was asked for.
        while self.cloud.total() == before {
            tokio::task::yield_now().await;
        }
    }

    fn stop_tail(&mut self) {
        if let Some(h) = self.tail.take() {
            h.abort();
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.stop_tail();
    }
}

/// Event-to-screen latency: for each Elastic Beanstalk event of `env` at or after `from`, when
/// it first is in the app's timeline, minus when it happened.
struct Probe {
    env: String,
    from: Millis,
    seen: HashSet<(Millis, String)>,
    /// (event time, latency ms, message)
    arrivals: Vec<(Millis, Millis, String)>,
    /// When the app first listed the environment as changing (Updating).
    noticed: Option<Millis>,
}

impl Probe {
    fn new(env: &str, from: Millis) -> Self {
        Self {
            env: env.to_string(),
            from,
            seen: HashSet::new(),
            arrivals: Vec::new(),
            noticed: None,
        }
    }

    fn observe(&mut self, app: &App) {
        if self.noticed.is_none()
            && app
                .account
                .envs
                .get(&self.env)
                .is_some_and(|e| e.status.is_transitional())
        {
            self.noticed = Some(app.now);
        }
        let Some(t) = app.account.timelines.get(&self.env) else {
            return;
        };
        // Entries are in time order: look at the recent end only.
        for e in t.entries.iter().rev() {
            if e.ts() < self.from {
                break;
            }
            if let Entry::Eb(ev) = e
                && self.seen.insert((ev.ts, ev.message.clone()))
            {
                self.arrivals
                    .push((ev.ts, app.now - ev.ts, ev.message.clone()));
            }
        }
    }

    /// Latencies (ms) and messages of the events in `[from, to]`.
    fn latencies(&self, from: Millis, to: Millis) -> Vec<(Millis, String)> {
        self.arrivals
            .iter()
            .filter(|(ts, _, _)| *ts >= from && *ts <= to)
            .map(|(_, lat, m)| (*lat, m.clone()))
            .collect()
    }
}

// --- what the world really does (read from the simulator, not counted) ------------------------

/// The environment's status as the simulator holds it now. Asks the simulator directly, not
/// through the counting wrapper (the simulator's own counter moves; the figures do not).
async fn world_status(sim: &SimCloud, env: &str) -> EnvStatus {
    sim.environments()
        .await
        .ok()
        .and_then(|l| l.into_iter().find(|e| e.env.name == env))
        .map_or(EnvStatus::Other("gone".into()), |e| e.status)
}

async fn env_ref(sim: &SimCloud, env: &str) -> EnvRef {
    sim.environments()
        .await
        .expect("the simulator lists its environments")
        .into_iter()
        .find(|e| e.env.name == env)
        .map(|e| e.env)
        .expect("the environment exists")
}

/// A seed whose quiet account does nothing by itself for the first `quiet` of the run (checked,
/// so a change to the simulator cannot make the idle figures silently measure activity).
async fn quiet_seed(quiet: Millis) -> u64 {
    'seeds: for seed in 1..200 {
        let sim = SimCloud::manual(Scenario::Quiet, seed, START);
        let mut t = 0;
        while t <= quiet {
            let list = sim.environments().await.expect("environments");
            if list.iter().any(|e| e.status.is_transitional()) {
                continue 'seeds;
            }
            sim.advance(5 * SEC);
            t += 5 * SEC;
        }
        return seed;
    }
    panic!("no quiet seed stays quiet for {quiet} ms");
}

// --- scenarios ---------------------------------------------------------------------------------

/// One measured window of calls.
struct Figure {
    name: String,
    calls: BTreeMap<Action, u64>,
    minutes: f64,
    /// Upper bound on calls/min, when this row has one.
    target: Option<f64>,
    note: String,
}

impl Figure {
    fn new(name: &str, cloud: &CountingCloud, from: Millis, to: Millis) -> Self {
        Self {
            name: name.to_string(),
            calls: cloud.between(from, to),
            minutes: (to - from) as f64 / MIN as f64,
            target: None,
            note: String::new(),
        }
    }
    fn total(&self) -> u64 {
        self.calls.values().sum()
    }
    fn per_min(&self) -> f64 {
        self.total() as f64 / self.minutes
    }
    fn requests_per_min(&self) -> f64 {
        self.calls
            .iter()
            .map(|(a, n)| a.requests() * n)
            .sum::<u64>() as f64
            / self.minutes
    }
    fn rate(&self, a: Action) -> f64 {
        self.calls.get(&a).copied().unwrap_or(0) as f64 / self.minutes
    }
    fn pass(&self) -> bool {
        self.target.is_none_or(|t| self.per_min() <= t + 1e-9)
    }
}

/// A simulated account on a manual clock, driven like the runtime.
fn sim_driver(scenario: Scenario, seed: u64) -> (Driver, Arc<SimCloud>) {
    let sim = Arc::new(SimCloud::manual(scenario, seed, START));
    let clock = sim.clone();
    let d = Driver::new(sim.clone(), Box::new(move |ms| clock.advance(ms)));
    (d, sim)
}

/// Start the app as a user does: the first tick, then select the watched environment.
async fn open(d: &mut Driver) {
    d.step().await;
    d.select(SHOWN).await;
    assert_eq!(
        d.app.account.selected.as_deref(),
        Some(SHOWN),
        "the watched environment is selected"
    );
}

/// (a) Nothing moves for ten minutes: the whole run (startup included), and its last nine
/// minutes.
async fn idle(seed: u64) -> [Figure; 2] {
    let (mut d, sim) = sim_driver(Scenario::Quiet, seed);
    let sim_before = sim.api_calls();
    open(&mut d).await;
    d.run_for(10 * MIN).await;
    let mut all = Figure::new(
        "idle: quiet account, 4 envs, 10 min",
        &d.cloud,
        START,
        START + 10 * MIN,
    );
    all.target = Some(12.0);
    // The simulator counts one call per method too (a tail once, when it starts).
    let sim_calls = sim.api_calls() - sim_before;
    all.note = format!(
        "startup included; the simulator's own counter says {sim_calls}, the wrapper {}",
        d.cloud.total()
    );
    let mut settled = Figure::new(
        "idle: the same, minutes 1 to 10 (after startup)",
        &d.cloud,
        START + MIN,
        START + 10 * MIN,
    );
    settled.target = Some(12.0);
    assert!(d.unexpected.is_empty(), "{:?}", d.unexpected);
    [all, settled]
}

/// The selected environment's deployment, as the simulator plays it: `(start, end)`.
struct DeployRun {
    driver: Driver,
    start: Millis,
    end: Millis,
}

/// Tick until `env` is Updating in the world, then until it is Ready again.
async fn follow_deploy(d: &mut Driver, sim: &SimCloud, env: &str) -> (Millis, Millis) {
    let mut start = None;
    for _ in 0..(30 * MIN / TICK) {
        d.tick().await;
        let st = world_status(sim, env).await;
        match (start, st.is_transitional()) {
            (None, true) => start = Some(d.now()),
            (Some(s), false) => return (s, d.now()),
            _ => {}
        }
    }
    panic!("the deployment of {env} did not end within 30 minutes");
}

/// (b) The slow-deploy story: a long rolling deployment of the watched environment (one
/// instance at a time), started by someone else 10 s in and found by the app.
async fn detected_deploy(seed: u64) -> DeployRun {
    let (mut d, sim) = sim_driver(Scenario::SlowDeploy, seed);
    d.probe = Some(Probe::new(SHOWN, START));
    open(&mut d).await;
    let (start, end) = follow_deploy(&mut d, &sim, SHOWN).await;
    assert!(d.unexpected.is_empty(), "{:?}", d.unexpected);
    DeployRun {
        driver: d,
        start,
        end,
    }
}

/// (b') The user deploys the watched environment from the keyboard, a minute in: `D` (the
/// version picker, newest first), Enter, `y`.
async fn user_deploy(seed: u64) -> DeployRun {
    let (mut d, sim) = sim_driver(Scenario::Quiet, seed);
    open(&mut d).await;
    d.run_for(MIN).await;
    let from = d
        .app
        .selected_env()
        .and_then(|e| e.version.clone())
        .unwrap_or_default();
    d.probe = Some(Probe::new(SHOWN, d.now()));
    d.keys(&[KeyCode::Char('D')]).await;
    // The picker asks for the versions; pick the newest once they are listed.
    let listed = d
        .run_until(MIN, |d| {
            matches!(d.app.view.modal, Some(Modal::Pick { loading: false, .. }))
        })
        .await;
    assert!(listed, "the version picker lists the versions");
    d.keys(&[KeyCode::Enter]).await;
    d.keys(&[KeyCode::Char('y')]).await;
    let confirmed = d.now();
    let (_, end) = follow_deploy(&mut d, &sim, SHOWN).await;
    let to = d
        .app
        .selected_env()
        .and_then(|e| e.version.clone())
        .unwrap_or_default();
    assert_eq!(
        d.cloud
            .between(confirmed, confirmed + 1)
            .get(&Action::Write),
        Some(&1),
        "the deploy was confirmed"
    );
    assert_ne!(from, to, "the deploy changed the version");
    assert!(d.unexpected.is_empty(), "{:?}", d.unexpected);
    DeployRun {
        driver: d,
        start: confirmed,
        end,
    }
}

/// (c) The slow deployment of the watched environment, and `others` deployed by someone else at
/// the moment it starts: returns the run and the window where all of them are busy.
async fn busy_together(seed: u64, others: &[&str]) -> (Driver, Millis, Millis) {
    let (mut d, sim) = sim_driver(Scenario::SlowDeploy, seed);
    open(&mut d).await;
    // The story's deployment starts 10 s in.
    while !world_status(&sim, SHOWN).await.is_transitional() {
        assert!(d.now() < START + MIN, "the slow deployment did not start");
        d.tick().await;
    }
    let start = d.now();
    for other in others {
        // Not counted: it is another client's call, not this app's.
        let env = env_ref(&sim, other).await;
        let op = Op::Deploy {
            env,
            version: SLOW.to_string(),
        };
        sim.execute(&op)
            .await
            .unwrap_or_else(|e| panic!("deploy {other}: {e}"));
    }
    let mut names: Vec<&str> = vec![SHOWN];
    names.extend_from_slice(others);
    loop {
        d.tick().await;
        let mut all = true;
        for n in &names {
            all &= world_status(&sim, n).await.is_transitional();
        }
        if !all {
            break;
        }
        assert!(d.now() < start + 30 * MIN, "deployments never ended");
    }
    let end = d.now() - TICK;
    assert!(d.unexpected.is_empty(), "{:?}", d.unexpected);
    (d, start, end)
}

/// (c0) The watched environment idle while another one deploys (someone else's deployment):
/// the window where the other one is busy.
async fn other_busy(seed: u64) -> (Driver, Millis, Millis) {
    let (mut d, sim) = sim_driver(Scenario::Quiet, seed);
    open(&mut d).await;
    d.run_for(MIN).await;
    let env = env_ref(&sim, OTHER).await;
    sim.execute(&Op::Deploy {
        env,
        version: "v1.4.4".to_string(),
    })
    .await
    .expect("deploy the other environment");
    let (start, end) = follow_deploy_started(&mut d, &sim, OTHER).await;
    (d, start, end)
}

/// Like `follow_deploy` for an operation already started.
async fn follow_deploy_started(d: &mut Driver, sim: &SimCloud, env: &str) -> (Millis, Millis) {
    let start = d.now();
    for _ in 0..(30 * MIN / TICK) {
        d.tick().await;
        if !world_status(sim, env).await.is_transitional() {
            return (start, d.now());
        }
    }
    panic!("the deployment of {env} did not end within 30 minutes");
}

/// (e) Someone else deploys the watched environment `at` after the start; the app finds it in
/// its reads. Window: from the deployment's start to Ready again.
async fn found_deploy(seed: u64, at: Millis) -> DeployRun {
    let (mut d, sim) = sim_driver(Scenario::Quiet, seed);
    open(&mut d).await;
    d.run_for(at).await;
    d.probe = Some(Probe::new(SHOWN, d.now()));
    let env = env_ref(&sim, SHOWN).await;
    sim.execute(&Op::Deploy {
        env,
        version: "v1.4.4".to_string(),
    })
    .await
    .expect("someone else deploys the shown environment");
    let (start, end) = follow_deploy_started(&mut d, &sim, SHOWN).await;
    assert!(d.unexpected.is_empty(), "{:?}", d.unexpected);
    DeployRun {
        driver: d,
        start,
        end,
    }
}

/// (d) A table of `n` quiet environments for ten minutes.
async fn table(n: usize) -> Figure {
    let synth = Arc::new(Synthetic::new(n));
    let clock = synth.clone();
    let mut d = Driver::new(synth.clone(), Box::new(move |ms| clock.advance(ms)));
    d.step().await;
    d.run_for(10 * MIN).await;
    assert_eq!(d.app.account.envs.all.len(), n, "the table holds them all");
    let mut f = Figure::new(
        &format!("table of {n} quiet envs (synthetic), 10 min"),
        &d.cloud,
        START,
        START + 10 * MIN,
    );
    f.note = format!("{} rows in the table", d.app.account.envs.all.len());
    f
}

// --- the report --------------------------------------------------------------------------------

struct Latency {
    name: String,
    events: usize,
    median: Millis,
    max: Millis,
    worst: String,
}

impl Latency {
    fn new(name: &str, mut l: Vec<(Millis, String)>) -> Option<Self> {
        if l.is_empty() {
            return None;
        }
        l.sort();
        let n = l.len();
        let median = if n % 2 == 1 {
            l[n / 2].0
        } else {
            (l[n / 2 - 1].0 + l[n / 2].0) / 2
        };
        let (max, worst) = l.pop().expect("not empty");
        Some(Self {
            name: name.to_string(),
            events: n,
            median,
            max,
            worst,
        })
    }

    fn pass(&self) -> bool {
        self.median <= 3 * SEC && self.max <= 5 * SEC
    }
}

fn print_figures(figs: &[Figure]) {
    let used: Vec<Action> = Action::ALL
        .into_iter()
        .filter(|a| figs.iter().any(|f| f.calls.contains_key(a)))
        .collect();
    let mut head = format!("{:<58} {:>7} {:>8}", "scenario", "min", "calls/m");
    for a in &used {
        head.push_str(&format!(" {:>8}", a.short()));
    }
    head.push_str(&format!(" {:>8} {:>7} {:>5}", "req/m*", "target", ""));
    println!("{head}");
    println!("{}", "-".repeat(head.chars().count()));
    for f in figs {
        let mut line = format!("{:<58} {:>7.2} {:>8.2}", f.name, f.minutes, f.per_min());
        for a in &used {
            line.push_str(&format!(" {:>8.2}", f.rate(*a)));
        }
        let target = f.target.map_or("-".to_string(), |t| format!("<= {t}"));
        let verdict = match f.target {
            None => "",
            Some(_) if f.pass() => "pass",
            Some(_) => "MISS",
        };
        line.push_str(&format!(
            " {:>8.2} {:>7} {:>5}",
            f.requests_per_min(),
            target,
            verdict
        ));
        println!("{line}");
        if !f.note.is_empty() {
            println!("    {}", f.note);
        }
    }
    println!();
    println!("columns: calls per minute per action;");
    for a in &used {
        println!("  {:<9} {}", a.short(), a.label());
    }
    println!(
        "  req/m*    AWS requests per minute, at least: health is two requests (environment and instances), every other call one page"
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let started = std::time::Instant::now();
    let seed = quiet_seed(10 * MIN + 30 * SEC).await;
    println!("ebtui API calls per minute (simulated account, manual clock, seed {seed})\n");
    let mut figs = Vec::new();
    let mut misses = Vec::new();

    // (a) idle
    figs.extend(idle(seed).await);

    // (b) one rolling deploy of the selected environment, logs live-tailed
    let b = detected_deploy(seed).await;
    let mut fb = Figure::new(
        "deploy: slow-deploy story, shown env rolling",
        &b.driver.cloud,
        b.start,
        b.end,
    );
    fb.target = Some(33.0);
    fb.note = format!(
        "window: the deployment, {:.1} min; live tail running: {}",
        (b.end - b.start) as f64 / MIN as f64,
        b.driver.tail.is_some()
    );
    figs.push(fb);

    let u = user_deploy(seed).await;
    let mut fu = Figure::new(
        "deploy: user deploys shown env (D, Enter, y)",
        &u.driver.cloud,
        u.start,
        u.end,
    );
    fu.target = Some(33.0);
    fu.note = format!(
        "window: from the confirmation to Ready, {:.1} min; live tail running: {}",
        (u.end - u.start) as f64 / MIN as f64,
        u.driver.tail.is_some()
    );
    figs.push(fu);

    // (c) each additional busy environment
    // The same story without the other deployment is run (b): same seed, same ticks.
    let (c1, from, to) = busy_together(seed, &[OTHER]).await;
    let with = Figure::new(
        &format!("deploy + {OTHER} deploying too"),
        &c1.cloud,
        from,
        to,
    );
    let alone = Figure::new(
        "deploy alone (run b), same window",
        &b.driver.cloud,
        from,
        to,
    );
    assert!(
        b.start <= from && to <= b.end,
        "run (b) is deploying over the window"
    );
    let extra = with.per_min() - alone.per_min();
    let mut fc = with;
    fc.note = format!(
        "window: both busy, {:.1} min; alone over the same window {:.2}/min; extra {:+.2}/min (target <= +2)",
        (to - from) as f64 / MIN as f64,
        alone.per_min(),
        extra
    );
    if extra > 2.0 + 1e-9 {
        misses.push(format!(
            "an additional busy environment costs {extra:+.2} calls/min (target <= +2)"
        ));
    }
    figs.push(fc);
    figs.push(alone);

    let (o, so, eo) = other_busy(seed).await;
    let mut fo = Figure::new(
        &format!("shown env idle, {OTHER} deploying"),
        &o.cloud,
        so,
        eo,
    );
    fo.note =
        "the first busy environment of the account: the account-wide reads go fast".to_string();
    figs.push(fo);

    // (d) table cost for 4 and 300 environments
    let t4 = table(4).await;
    let t300 = table(300).await;
    if (t4.per_min() - t300.per_min()).abs() > 1e-9 || t4.calls != t300.calls {
        misses.push(format!(
            "the table costs {:.2}/min for 4 environments and {:.2}/min for 300",
            t4.per_min(),
            t300.per_min()
        ));
    }
    figs.push(t4);
    figs.push(t300);

    for f in &figs {
        if !f.pass() {
            misses.push(format!(
                "{}: {:.2} calls/min (target <= {})",
                f.name,
                f.per_min(),
                f.target.unwrap_or_default()
            ));
        }
    }
    print_figures(&figs);

    // (e) event-to-screen latency during a deploy
    let mut lats = Vec::new();
    let lat = |run: &DeployRun| {
        let probe = run.driver.probe.as_ref().expect("probed");
        probe.latencies(run.start, run.end)
    };
    lats.extend(Latency::new(
        "user's deploy (quiet account, D Enter y)",
        lat(&u),
    ));
    // Someone else's deploys of the shown environment, found by the app, started at eight
    // moments across its 20 s idle polling cycle.
    let mut all = Vec::new();
    let mut noticed = Vec::new();
    for k in 0..8 {
        let run = found_deploy(seed, 2 * MIN + k * 2_500 + 300).await;
        let probe = run.driver.probe.as_ref().expect("probed");
        let seen = probe.noticed.expect("the app noticed the deployment");
        noticed.push(seen - run.start);
        all.extend(lat(&run));
    }
    lats.extend(Latency::new("someone else's deploy, 8 start phases", all));
    lats.extend(Latency::new(
        "slow-deploy story (found by the app)",
        lat(&b),
    ));
    let b_probe = b.driver.probe.as_ref().expect("probed");
    if let Some(seen) = b_probe.noticed {
        lats.extend(Latency::new(
            "  the same, events after the app noticed",
            b_probe.latencies(seen, b.end),
        ));
    }
    noticed.sort();
    println!("\nevent-to-screen latency during a deploy (event time -> in the app's timeline)");
    println!(
        "{:<40} {:>6} {:>8} {:>8} {:>16} {:>5}",
        "deploy", "events", "median", "max", "target", ""
    );
    for l in &lats {
        println!(
            "{:<40} {:>6} {:>7.2}s {:>7.2}s {:>16} {:>5}",
            l.name,
            l.events,
            l.median as f64 / 1000.0,
            l.max as f64 / 1000.0,
            "med<=3s max<=5s",
            if l.pass() { "pass" } else { "MISS" }
        );
        println!("    slowest: {}", l.worst.trim_end());
        if !l.pass() {
            misses.push(format!(
                "latency, {}: median {:.2} s, max {:.2} s",
                l.name,
                l.median as f64 / 1000.0,
                l.max as f64 / 1000.0
            ));
        }
    }

    println!(
        "someone else's deploy: the app listed it Updating {} after it started (by start phase)",
        noticed
            .iter()
            .map(|n| format!("{:.1}s", *n as f64 / 1000.0))
            .collect::<Vec<_>>()
            .join(" ")
    );

    println!("\n(ran in {:.1} s)", started.elapsed().as_secs_f64());
    if misses.is_empty() {
        println!("all targets met");
    } else {
        println!("targets missed:");
        for m in &misses {
            println!("  - {m}");
        }
        std::process::exit(1);
    }
}
