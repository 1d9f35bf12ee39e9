//! Hostile text from AWS never reaches the terminal as it was sent.
//!
//! A small `Cloud` answers every read with strings made of escape sequences, control characters,
//! bidi controls, invisible characters and arbitrary Unicode: environment names and statuses,
//! events, stack events, health causes, instance ids, version labels and descriptions, log group
//! names, error texts and log lines. The data goes the way real data goes (`cloud::answer`,
//! `app::update`, `ui::render`), and the whole screen is drawn at 80x24 and 160x48 with every
//! pane zoomed in turn and every dialog that shows AWS text open. No cell may then hold a control
//! character (ESC included), a bidi control or an invisible format character.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use async_trait::async_trait;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ebtui::app::keymap::KeyMap;
use ebtui::app::{App, Effect, Msg, Settings, update};
use ebtui::cloud::{
    Cloud, CloudError, CloudResult, GroupSize, InsightsPage, InsightsProgress, InsightsQuery,
    InsightsRow, LogSearch, LogTarget, Op, OpAccepted, QueryStatus, TailEvent, answer,
};
use ebtui::domain::{
    AppMetrics, AppVersion, CloudContext, DeployRecord, EnvEvent, EnvHealth, EnvRef, EnvStatus,
    Environment, HealthColor, HealthSnapshot, HealthStatus, InstanceCounts, InstanceDeployment,
    InstanceHealth, Millis, RawLogEvent, Severity, StackEvent, Tier,
};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;

const START: Millis = 1_795_000_000_000;

/// What must never be in a cell: controls (ESC, CR, BEL, C1 ...), bidi controls, and the
/// invisible format characters the sanitizer shows by their code.
fn forbidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
                | '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}'
                | '\u{206A}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}'
                | '\u{E0000}'..='\u{E007F}' | '\u{2028}' | '\u{2029}'
        )
}

/// An account whose every string is hostile. Reads of events and stack events answer once, then
/// fail with a hostile error text, so both the entries and the error are on screen.
struct HostileCloud {
    texts: Vec<String>,
    /// Hostile log stream names too (see `log_stream_names_are_cleaned`).
    hostile_streams: bool,
    now: AtomicI64,
    events_read: Mutex<u32>,
    stack_read: Mutex<u32>,
}

impl HostileCloud {
    fn new(texts: Vec<String>) -> Self {
        assert!(!texts.is_empty());
        Self {
            texts,
            hostile_streams: false,
            now: AtomicI64::new(START),
            events_read: Mutex::new(0),
            stack_read: Mutex::new(0),
        }
    }

    /// The i-th hostile string (cycling).
    fn t(&self, i: usize) -> String {
        self.texts[i % self.texts.len()].clone()
    }

    fn advance(&self, ms: Millis) {
        self.now.fetch_add(ms, Ordering::SeqCst);
    }

    fn env(&self, i: usize) -> Environment {
        let k = i * 10;
        Environment {
            env: EnvRef {
                app: self.t(k),
                name: format!("{}{i}", self.t(k + 1)),
                id: self.t(k + 2),
            },
            status: EnvStatus::Other(self.t(k + 3)),
            health: HealthColor::Red,
            health_status: Some(HealthStatus::Other(self.t(k + 4))),
            version: Some(self.t(k + 5)),
            tier: Tier::Web,
            cname: Some(self.t(k + 6)),
            abortable: i == 0,
            updated: START - 60_000,
            created: START - 3_600_000,
            platform: self.t(k + 7),
            deployment_policy: Some(self.t(k + 8)),
        }
    }

    fn instance(&self, i: usize) -> InstanceHealth {
        let k = 100 + i * 10;
        InstanceHealth {
            id: self.t(k),
            status: HealthStatus::Other(self.t(k + 1)),
            color: HealthColor::Yellow,
            causes: vec![self.t(k + 2), self.t(k + 3)],
            metrics: Some(AppMetrics {
                duration_s: 10,
                request_count: 100,
                status_5xx: 3,
                ..AppMetrics::default()
            }),
            cpu_pct: Some(50.0),
            load1: Some(0.5),
            deployment: Some(InstanceDeployment {
                id: Some(4),
                status: self.t(k + 4),
                version: Some(self.t(k + 5)),
                ts: Some(START - 1_000),
            }),
            az: Some(self.t(k + 6)),
            instance_type: Some(self.t(k + 7)),
            launched: Some(START - 7_200_000),
        }
    }
}

#[async_trait]
impl Cloud for HostileCloud {
    fn context(&self) -> CloudContext {
        CloudContext {
            profile: "hostile".into(),
            region: "us-east-1".into(),
            account: None,
            note: None,
        }
    }

    fn api_calls(&self) -> u64 {
        0
    }

    fn now(&self) -> Millis {
        self.now.load(Ordering::SeqCst)
    }

    async fn environments(&self) -> CloudResult<Vec<Environment>> {
        Ok((0..3).map(|i| self.env(i)).collect())
    }

    /// The account-wide stream fails with a hostile error text (the per-environment read brings
    /// the hostile events).
    async fn account_events(&self, _since: Option<Millis>) -> CloudResult<Vec<EnvEvent>> {
        Err(CloudError::Other(self.t(201)))
    }

    /// Older history: hostile too, through the same `answer()`.
    async fn older_events(&self, env: &EnvRef, before: Millis) -> CloudResult<Vec<EnvEvent>> {
        Ok(vec![EnvEvent {
            ts: before - 1_000,
            env: env.name.clone(),
            severity: Severity::Warn,
            message: self.t(210),
            version: None,
            request_id: Some(self.t(211)),
        }])
    }

    async fn events(&self, env: &EnvRef, _since: Option<Millis>) -> CloudResult<Vec<EnvEvent>> {
        let mut n = self.events_read.lock().unwrap();
        *n += 1;
        if *n > 1 {
            return Err(CloudError::Other(self.t(200)));
        }
        Ok((0..8)
            .map(|i| EnvEvent {
                ts: START - 60_000 + i as Millis * 1_000,
                env: env.name.clone(),
                severity: if i % 2 == 0 {
                    Severity::Info
                } else {
                    Severity::Error
                },
                message: self.t(40 + i),
                version: Some(self.t(50 + i)),
                request_id: Some(self.t(60 + i)),
            })
            .collect())
    }

    async fn stack_events(
        &self,
        _env: &EnvRef,
        _since: Option<Millis>,
    ) -> CloudResult<Vec<StackEvent>> {
        let mut n = self.stack_read.lock().unwrap();
        *n += 1;
        if *n > 1 {
            return Err(CloudError::Throttled(self.t(201)));
        }
        Ok((0..6)
            .map(|i| StackEvent {
                id: format!("{}{i}", self.t(70 + i)),
                ts: START - 50_000 + i as Millis * 1_000,
                stack: self.t(76 + i),
                logical_id: self.t(80 + i),
                resource_type: self.t(84 + i),
                status: if i % 2 == 0 {
                    self.t(88 + i)
                } else {
                    "UPDATE_FAILED".into()
                },
                reason: Some(self.t(92 + i)),
            })
            .collect())
    }

    async fn health(&self, _env: &EnvRef) -> CloudResult<HealthSnapshot> {
        Ok(HealthSnapshot {
            env: EnvHealth {
                enhanced: true,
                status: Some(HealthStatus::Other(self.t(30))),
                color: HealthColor::Red,
                causes: vec![self.t(31), self.t(32), self.t(33)],
                counts: InstanceCounts {
                    ok: 1,
                    severe: 2,
                    ..InstanceCounts::default()
                },
                metrics: Some(AppMetrics {
                    duration_s: 10,
                    request_count: 300,
                    status_5xx: 30,
                    ..AppMetrics::default()
                }),
                refreshed: Some(START),
            },
            instances: (0..3).map(|i| self.instance(i)).collect(),
        })
    }

    async fn versions(&self, app: &str) -> CloudResult<Vec<AppVersion>> {
        Ok((0..5)
            .map(|i| AppVersion {
                app: app.to_string(),
                label: format!("{}{i}", self.t(140 + i)),
                description: Some(self.t(150 + i)),
                created: START - i as Millis * 86_400_000,
                status: self.t(160 + i),
            })
            .collect())
    }

    async fn deploy_history(&self, _env: &EnvRef) -> CloudResult<Vec<DeployRecord>> {
        Ok((0..3)
            .map(|i| DeployRecord {
                version: format!("{}{i}", self.t(170 + i)),
                ts: START - i as Millis * 3_600_000,
            })
            .collect())
    }

    async fn log_groups(&self, _env: &EnvRef) -> CloudResult<Vec<String>> {
        Ok((0..3).map(|i| format!("{}{i}", self.t(180 + i))).collect())
    }

    async fn tail_logs(&self, target: LogTarget, tx: mpsc::Sender<TailEvent>) -> CloudResult<()> {
        let lines = (0..20)
            .map(|i| RawLogEvent {
                id: Some(format!("ev-{i}")),
                ts: START - 10_000 + i as Millis * 100,
                group: target.groups[i % target.groups.len()].clone(),
                stream: if self.hostile_streams {
                    self.t(230 + i)
                } else {
                    format!("i-0abc{i}")
                },
                message: self.t(190 + i),
            })
            // And access lines answered 502 whose path is hostile: the triage view shows paths.
            .chain((20..25).map(|i| RawLogEvent {
                id: Some(format!("ev-{i}")),
                ts: START - 10_000 + i as Millis * 100,
                group: target.groups[i % target.groups.len()].clone(),
                stream: format!("i-0abc{i}"),
                message: format!(
                    r#"10.0.0.1 - - [24/Nov/2026:10:15:00 +0000] "GET /{} HTTP/1.1" 502 157 "-" "curl""#,
                    self.t(240 + i)
                ),
            }))
            .collect();
        let _ = tx.send(TailEvent::Events(lines)).await;
        Ok(())
    }

    async fn search_logs(&self, _: LogSearch, _: mpsc::Sender<TailEvent>) -> CloudResult<()> {
        Ok(())
    }

    async fn eb_tail_logs(&self, _env: &EnvRef) -> CloudResult<Vec<RawLogEvent>> {
        Ok(Vec::new())
    }

    async fn log_group_sizes(&self, _env: &EnvRef) -> CloudResult<Vec<GroupSize>> {
        Ok(vec![GroupSize {
            name: self.t(220),
            stored_bytes: 1,
            retention_days: None,
            created: None,
        }])
    }

    async fn start_query(&self, _query: &InsightsQuery) -> CloudResult<String> {
        Ok(self.t(221))
    }

    async fn query_results(&self, _query_id: &str) -> CloudResult<InsightsPage> {
        Ok(InsightsPage {
            progress: InsightsProgress {
                status: QueryStatus::Complete,
                ..InsightsProgress::default()
            },
            rows: vec![InsightsRow(vec![
                (self.t(222), self.t(223)),
                ("@message".into(), self.t(224)),
                ("@timestamp".into(), "2026-11-30 12:00:00.000".into()),
            ])],
        })
    }

    async fn end_query(&self, _query_id: &str) -> CloudResult<()> {
        Err(CloudError::Other(self.t(225)))
    }

    async fn execute(&self, _op: &Op) -> CloudResult<OpAccepted> {
        Err(CloudError::Other(self.t(210)))
    }

    async fn config(&self, _env: &EnvRef) -> CloudResult<ebtui::domain::EnvConfig> {
        Err(CloudError::Other(self.t(213)))
    }

    async fn option_settings(
        &self,
        _env: &EnvRef,
    ) -> CloudResult<Vec<ebtui::domain::OptionSetting>> {
        Err(CloudError::Other(self.t(212)))
    }

    async fn upload_bundle(
        &self,
        _upload: &ebtui::cloud::BundleUpload,
        _progress: mpsc::Sender<ebtui::cloud::UploadProgress>,
        _cancel: tokio::sync::watch::Receiver<bool>,
    ) -> CloudResult<ebtui::cloud::Uploaded> {
        Err(CloudError::Other(self.t(211)))
    }
}

/// Carry out effects against the cloud until nothing more is asked, as the runtime does.
async fn drive(app: &mut App, cloud: &HostileCloud, mut effects: Vec<Effect>) {
    for _ in 0..20 {
        let mut next = Vec::new();
        for e in effects {
            let msg = match e {
                Effect::Poll(request) => Some(Msg::Cloud {
                    epoch: app.account.epoch,
                    reply: answer(cloud, request).await,
                }),
                Effect::Tail { tail, target } => {
                    let (tx, mut rx) = mpsc::channel(16);
                    cloud.tail_logs(target, tx).await.expect("tail");
                    let mut lines = Vec::new();
                    while let Ok(TailEvent::Events(mut l)) = rx.try_recv() {
                        lines.append(&mut l);
                    }
                    Some(Msg::Tail {
                        epoch: app.account.epoch,
                        tail,
                        event: TailEvent::Events(lines),
                    })
                }
                _ => None,
            };
            if let Some(m) = msg {
                next.extend(update(app, m, cloud.now()));
            }
        }
        if next.is_empty() {
            return;
        }
        effects = next;
    }
}

async fn key(app: &mut App, cloud: &HostileCloud, k: KeyCode) {
    let fx = update(
        app,
        Msg::Key(KeyEvent::new(k, KeyModifiers::NONE)),
        cloud.now(),
    );
    drive(app, cloud, fx).await;
}

/// The app after a few polls of the hostile account: entries, health, versions, logs, and the
/// errors of the second event and stack event reads.
async fn hostile_app(texts: Vec<String>) -> (App, HostileCloud) {
    hostile_app_of(HostileCloud::new(texts)).await
}

async fn hostile_app_of(cloud: HostileCloud) -> (App, HostileCloud) {
    let mut app = App::new(
        Settings::default(),
        KeyMap::default(),
        cloud.context(),
        cloud.now(),
    );
    for _ in 0..6 {
        let fx = update(&mut app, Msg::Tick, cloud.now());
        drive(&mut app, &cloud, fx).await;
        cloud.advance(5_000);
    }
    (app, cloud)
}

/// Where a forbidden character is on screen, if anywhere.
fn first_forbidden(term: &Terminal<TestBackend>) -> Option<(u16, u16, String)> {
    let buf = term.backend().buffer();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let sym = buf[(x, y)].symbol();
            if sym.chars().any(forbidden) {
                return Some((x, y, sym.to_string()));
            }
        }
    }
    None
}

fn screen(term: &Terminal<TestBackend>) -> String {
    let buf = term.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// Draws the app at both sizes; returns what was wrong, with the screen, if anything.
fn check(app: &App, what: &str) -> Result<(), String> {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
        term.draw(|f| ebtui::ui::render(app, &ebtui::ui::theme::Theme::default(), f))
            .expect("draw");
        if let Some((x, y, sym)) = first_forbidden(&term) {
            return Err(format!(
                "{what} at {w}x{h}: cell ({x},{y}) holds {sym:?}\n{}",
                screen(&term)
            ));
        }
    }
    Ok(())
}

/// Every view that shows AWS text: the panes, each zoomed, and the dialogs.
async fn every_view(app: &mut App, cloud: &HostileCloud) -> Result<Vec<String>, String> {
    let mut shown = Vec::new();
    let mut look = |app: &App, what: &str| -> Result<(), String> {
        check(app, what)?;
        let mut term = Terminal::new(TestBackend::new(160, 48)).expect("test terminal");
        term.draw(|f| ebtui::ui::render(app, &ebtui::ui::theme::Theme::default(), f))
            .expect("draw");
        shown.push(screen(&term));
        Ok(())
    };
    look(app, "all panes")?;
    // Focus each pane and zoom it. In the logs pane digits load history, so Tab moves there.
    for (pane, focus) in [
        ("environments", KeyCode::Char('1')),
        ("timeline", KeyCode::Char('2')),
        ("health", KeyCode::Char('3')),
        ("logs", KeyCode::Char('4')),
    ] {
        key(app, cloud, focus).await;
        key(app, cloud, KeyCode::Char('z')).await;
        look(app, &format!("{pane} zoomed"))?;
        key(app, cloud, KeyCode::Char('z')).await;
    }
    // The logs pane's group picker: the log group names.
    key(app, cloud, KeyCode::Char('l')).await;
    look(app, "log group picker")?;
    key(app, cloud, KeyCode::Esc).await;
    key(app, cloud, KeyCode::Char('1')).await;
    for (dialog, k) in [
        ("help", KeyCode::Char('?')),
        ("deploy picker", KeyCode::Char('D')),
        ("roll back", KeyCode::Char('U')),
        ("swap picker", KeyCode::Char('W')),
        ("rebuild", KeyCode::Char('B')),
        // Paths, instance ids and error lines from the logs, joined.
        ("why 502?", KeyCode::Char('T')),
    ] {
        key(app, cloud, k).await;
        look(app, dialog)?;
        key(app, cloud, KeyCode::Esc).await;
    }
    Ok(shown)
}

/// Pieces of hostile text: escape sequences, controls, bidi and invisible characters, printable
/// ASCII, and arbitrary Unicode.
fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\x1b[31m".to_string()),
        Just("\x1b[2J\x1b[H".to_string()),
        Just("\x1b]0;owned\x07".to_string()),
        Just("\x1b]52;c;aGk=\x1b\\".to_string()),
        Just("\x1bP1$r\x1b\\".to_string()),
        Just("\u{9b}2J".to_string()),
        Just("\u{202e}".to_string()),
        Just("\u{2066}\u{2067}\u{2068}\u{2069}".to_string()),
        Just("\u{200e}\u{200f}\u{061c}\u{202a}\u{202b}\u{202c}\u{202d}".to_string()),
        Just("\u{200b}\u{200c}\u{200d}\u{2060}\u{feff}\u{00ad}".to_string()),
        Just("\u{e0041}\u{e0042}".to_string()),
        Just("\t\r\n\x08\x00\x7f\x07".to_string()),
        Just("\r\n".to_string()),
        Just("\u{2028}\u{2029}\u{85}".to_string()),
        "[ -~]{0,16}",
        "\\PC{0,6}",
        proptest::collection::vec(any::<char>(), 0..6).prop_map(String::from_iter),
    ];
    proptest::collection::vec(piece, 1..8).prop_map(|v| v.concat())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn hostile_strings_never_reach_a_cell(texts in proptest::collection::vec(hostile_text(), 1..24)) {
        let result = runtime().block_on(async {
            let (mut app, cloud) = hostile_app(texts).await;
            every_view(&mut app, &cloud).await
        });
        if let Err(e) = result {
            prop_assert!(false, "{}", e);
        }
    }
}

/// A fixed hostile account: the rewrites are visible where the text was, so the test above
/// passes because text is shown inert, not because it is dropped.
#[test]
fn rewrites_are_shown_in_every_pane() {
    let texts = vec![
        "\x1b[31mred\x1b[0m".to_string(),
        "\u{202e}gpj.exe".to_string(),
        "line one\r\nline two".to_string(),
        "ring\x07".to_string(),
    ];
    let shown = runtime().block_on(async {
        let (mut app, cloud) = hostile_app(texts).await;
        every_view(&mut app, &cloud)
            .await
            .expect("no forbidden cell")
    });
    let all = shown.concat();
    for mark in [
        "␛[31mred␛[0m",
        "<U+202E>gpj.exe",
        "line one line two",
        "ring␇",
    ] {
        assert!(all.contains(mark), "{mark:?} is not on screen:\n{all}");
    }
    // Every zoomed pane and every dialog showed something of the account.
    for (i, s) in shown.iter().enumerate() {
        assert!(
            s.contains("<U+202E>") || s.contains('␛') || s.contains('␇'),
            "view {i} shows no hostile text:\n{s}"
        );
    }
}

/// Log stream names come from AWS too, but reach the screen by the log stream, not by
/// `cloud::answer`: the log buffer sanitizes each line's text and its group and stream names.
#[test]
fn log_stream_names_are_cleaned() {
    let texts = vec![
        "i-0abc\u{202e}\u{2028}x".to_string(),
        "\x1b[31m".to_string(),
    ];
    let result = runtime().block_on(async {
        let mut cloud = HostileCloud::new(texts);
        cloud.hostile_streams = true;
        let (mut app, cloud) = hostile_app_of(cloud).await;
        every_view(&mut app, &cloud).await
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// A bundle's file names are the user's, not AWS's, but can be as hostile (a file is named by
/// whoever wrote the repository): the deploy dialog shows its source, names, warnings and a
/// bundling error inert, in the summary, the file list and the stopped dialog.
#[test]
fn a_bundles_file_names_are_shown_inert() {
    use ebtui::bundle::{Bundle, Entry, Rules, Warning};
    use ebtui::cloud::{Answer, Reply, Request};
    let hostile = [
        "\x1b[31mred\x1b[0m.pem",
        "\u{202e}gpj.exe",
        "two\nlines.txt",
        "ring\x07\u{200b}.key",
    ];
    let settings = Settings {
        app_dir: std::path::PathBuf::from("shop\u{202e}\x1b[2J"),
        ..Settings::default()
    };
    let mut app = App::new(settings, KeyMap::default(), CloudContext::default(), START);
    let env = Environment {
        env: EnvRef {
            app: "shop".into(),
            name: "shop-prod".into(),
            id: "e-1".into(),
        },
        status: EnvStatus::Ready,
        health: HealthColor::Green,
        health_status: Some(HealthStatus::Ok),
        version: Some("v1".into()),
        tier: Tier::Web,
        cname: None,
        abortable: false,
        updated: START - 60_000,
        created: START - 3_600_000,
        platform: "Python 3.12 running on 64bit Amazon Linux 2023".into(),
        deployment_policy: None,
    };
    let reply = |request, result| Msg::Cloud {
        epoch: 0,
        reply: Reply { request, result },
    };
    update(
        &mut app,
        reply(Request::Environments, Ok(Answer::Environments(vec![env]))),
        START,
    );
    let press = |app: &mut App, k: KeyCode| {
        app.drawn();
        update(app, Msg::Key(KeyEvent::new(k, KeyModifiers::NONE)), START)
    };
    for c in ":deploy".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    let entries: Vec<Entry> = hostile
        .iter()
        .map(|p| Entry {
            path: (*p).into(),
            size: 10,
            symlink: false,
        })
        .collect();
    let bundle = Bundle {
        source: std::path::PathBuf::from("shop\u{202e}\x1b[2J"),
        rules: Rules::Whole,
        git: None,
        warnings: hostile
            .iter()
            .map(|p| Warning::Secret { path: (*p).into() })
            .collect(),
        entries,
        content_bytes: 40,
        zip: std::path::PathBuf::from("b.zip"),
        zip_bytes: 30,
        owned: true,
        label: "app-\u{202e}1".into(),
    };
    let mut shown = String::new();
    let mut look = |app: &App, what: &str| {
        if let Err(e) = check(app, what) {
            panic!("{e}");
        }
        let mut term = Terminal::new(TestBackend::new(160, 48)).expect("test terminal");
        term.draw(|f| ebtui::ui::render(app, &ebtui::ui::theme::Theme::default(), f))
            .expect("draw");
        shown.push_str(&screen(&term));
    };
    look(&app, "deploy dialog, bundling");
    update(
        &mut app,
        Msg::Bundled {
            ship: 1,
            result: Ok(bundle),
        },
        START,
    );
    look(&app, "deploy dialog");
    press(&mut app, KeyCode::Tab);
    look(&app, "deploy dialog, every file");
    press(&mut app, KeyCode::Esc);
    for c in ":deploy".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    update(
        &mut app,
        Msg::Bundled {
            ship: 2,
            result: Err("cannot read shop/\x1b[31mred\x1b[0m.pem: permission denied".into()),
        },
        START,
    );
    look(&app, "deploy dialog, stopped");
    for mark in ["␛[31mred␛[0m.pem", "<U+202E>gpj.exe", "two␊lines.txt"] {
        assert!(shown.contains(mark), "{mark:?} is not on screen:\n{shown}");
    }
}
