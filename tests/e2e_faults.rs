//! Fault injection end to end: the built binary in a pseudo-terminal, `--read-only`, against the
//! moto emulator behind the fault proxy (`common::fault_proxy`, on 127.0.0.1), through a lost
//! network, expired credentials, one denied API and a throttling storm.
//!
//! After each scenario: no panic (the process runs), the UI kept answering keys, the header or a
//! pane said what was wrong while it lasted, the data is back (timed, printed), the timeline and
//! the log lines show each entry exactly once (entries written during the fault included), and the
//! proxy counted zero write calls.
//!
//! The account is made directly in moto (not through the proxy): an application with two
//! environments, a stack tagged for one, its nginx log groups with a few lines.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_cloudformation::types::Tag as StackTag;
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use aws_sdk_elasticbeanstalk::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_types::error::display::DisplayErrorContext;
use chrono::{DateTime, Utc};
use common::fault_proxy::{Fault, FaultProxy, Scope, Service};
use common::moto::Moto;
use common::pty::{Tui, env_row, env_selected};

/// How long the network is lost in the network-loss scenario (the tracker's figure).
const LOSS: Duration = Duration::from_secs(120);
/// How long the credentials stay expired.
const EXPIRY: Duration = Duration::from_secs(30);
/// How long the throttling storm lasts.
const STORM: Duration = Duration::from_secs(60);
/// The token bucket of the storm, requests per second on Elastic Beanstalk.
const STORM_RATE: f64 = 5.0;
/// Targets.
const DATA_BACK: Duration = Duration::from_secs(10);
const TAIL_BACK: Duration = Duration::from_secs(60);
const THROTTLED_SHARE_MAX: f64 = 0.05;
/// Expired credentials have no target of their own: the data must be back by the next read (a
/// failing read is tried again within 8 s; one more second for the request and the 100 ms screen
/// sampling, and room for a read in flight).
const NEXT_POLL: Duration = Duration::from_secs(21);
/// The environment list's pace while nothing moves, plus a tick.
const IDLE_LIST: Duration = Duration::from_secs(31);

const LONG: Duration = Duration::from_secs(90);
const KEY: Duration = Duration::from_secs(20);
const COLS: u16 = 200;
const ROWS: u16 = 60;

const APP: &str = "shop";
const PROD: &str = "shop-prod";
const DEV: &str = "shop-dev";
const STACK: &str = "awseb-e-shopprod01-stack";
const STREAM: &str = "i-0abc";
const SOLUTION_STACK: &str = "64bit Amazon Linux 2023 v4.3.0 running Docker";
const TEMPLATE: &str = r#"{"AWSTemplateFormatVersion":"2010-09-09","Resources":{"Alerts":{"Type":"AWS::SNS::Topic"}}}"#;

fn group(file: &str) -> String {
    format!("/aws/elasticbeanstalk/{PROD}/var/log/nginx/{file}")
}

fn err(e: impl std::error::Error) -> String {
    DisplayErrorContext(e).to_string()
}

/// An nginx access line whose request path is `path` (unique per line, so it can be counted).
fn access_line(at: DateTime<Utc>, path: &str, status: u16) -> String {
    format!(
        r#"172.31.9.10 - - [{}] "GET {path} HTTP/1.1" {status} 157 "-" "curl/8.5.0" "203.0.113.7""#,
        at.format("%d/%b/%Y:%H:%M:%S +0000")
    )
}

/// How many rows of the screen show the request for `path`.
fn shown(screen: &str, path: &str) -> usize {
    let needle = format!("\"GET {path} HTTP/1.1\"");
    screen.lines().filter(|l| l.contains(&needle)).count()
}

struct Clients {
    eb: aws_sdk_elasticbeanstalk::Client,
    cfn: aws_sdk_cloudformation::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
}

impl Clients {
    fn new(url: &str) -> Self {
        let creds = Credentials::new("testing", "testing", None, None, "e2e-static");
        let region = Region::new("us-east-1");
        Clients {
            eb: aws_sdk_elasticbeanstalk::Client::from_conf(
                aws_sdk_elasticbeanstalk::Config::builder()
                    .behavior_version(BehaviorVersion::latest())
                    .region(region.clone())
                    .credentials_provider(creds.clone())
                    .endpoint_url(url)
                    .build(),
            ),
            cfn: aws_sdk_cloudformation::Client::from_conf(
                aws_sdk_cloudformation::Config::builder()
                    .behavior_version(BehaviorVersion::latest())
                    .region(region.clone())
                    .credentials_provider(creds.clone())
                    .endpoint_url(url)
                    .build(),
            ),
            logs: aws_sdk_cloudwatchlogs::Client::from_conf(
                aws_sdk_cloudwatchlogs::Config::builder()
                    .behavior_version(BehaviorVersion::latest())
                    .region(region)
                    .credentials_provider(creds)
                    .endpoint_url(url)
                    .build(),
            ),
        }
    }

    async fn seed(&self) -> Result<(), String> {
        self.eb
            .create_application()
            .application_name(APP)
            .send()
            .await
            .map_err(err)?;
        for env in [PROD, DEV] {
            self.eb
                .create_environment()
                .application_name(APP)
                .environment_name(env)
                .solution_stack_name(SOLUTION_STACK)
                .send()
                .await
                .map_err(err)?;
        }
        self.cfn
            .create_stack()
            .stack_name(STACK)
            .template_body(TEMPLATE)
            .tags(
                StackTag::builder()
                    .key("elasticbeanstalk:environment-name")
                    .value(PROD)
                    .build(),
            )
            .send()
            .await
            .map_err(err)?;
        let start = Utc::now() - chrono::Duration::minutes(1);
        for file in ["access.log", "error.log"] {
            let name = group(file);
            self.logs
                .create_log_group()
                .log_group_name(&name)
                .send()
                .await
                .map_err(err)?;
            self.logs
                .create_log_stream()
                .log_group_name(&name)
                .log_stream_name(STREAM)
                .send()
                .await
                .map_err(err)?;
        }
        let lines = (0..4)
            .map(|i| {
                let at = start + chrono::Duration::milliseconds(i * 250);
                (at, access_line(at, &format!("/seed-{i}"), 200))
            })
            .collect();
        self.put(&group("access.log"), lines).await
    }

    /// Appends access-log lines for `paths`, stamped now.
    async fn put_paths(&self, paths: &[String]) -> Result<(), String> {
        let now = Utc::now();
        let lines = paths
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let at = now + chrono::Duration::milliseconds(i as i64);
                (at, access_line(at, p, 502))
            })
            .collect();
        self.put(&group("access.log"), lines).await
    }

    async fn put(&self, group: &str, lines: Vec<(DateTime<Utc>, String)>) -> Result<(), String> {
        let events = lines
            .into_iter()
            .map(|(at, text)| {
                InputLogEvent::builder()
                    .timestamp(at.timestamp_millis())
                    .message(text)
                    .build()
                    .map_err(err)
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.logs
            .put_log_events()
            .log_group_name(group)
            .log_stream_name(STREAM)
            .set_log_events(Some(events))
            .send()
            .await
            .map_err(err)?;
        Ok(())
    }

    /// Creates an environment: a new row in the table while the app may not be looking (the
    /// table is read for the whole account; stack events only while CloudFormation acts on the
    /// shown environment, so they are no marker for a Ready one).
    async fn add_environment(&self, name: &str) -> Result<(), String> {
        self.eb
            .create_environment()
            .application_name(APP)
            .environment_name(name)
            .solution_stack_name(SOLUTION_STACK)
            .send()
            .await
            .map_err(err)?;
        Ok(())
    }
}

/// moto, the account, the proxy and the app, running and showing shop-prod's timeline and logs.
struct Rig {
    tui: Tui,
    proxy: Arc<FaultProxy>,
    clients: Clients,
    rt: tokio::runtime::Runtime,
    _moto: Moto,
}

impl Rig {
    fn start() -> Option<Rig> {
        let moto = Moto::start()?;
        let rt = common::runtime();
        let clients = Clients::new(moto.url());
        if let Err(e) = rt.block_on(clients.seed()) {
            panic!(
                "cannot create the account in moto: {e}\n{}",
                moto.log_tail()
            );
        }
        let proxy = Arc::new(FaultProxy::start(moto.url()));
        let url = proxy.url();
        let env = [
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ];
        let args = [
            "--read-only",
            "--endpoint-url",
            &url,
            "--region",
            "us-east-1",
        ];
        let mut tui = Tui::spawn(&args, &env, COLS, ROWS);
        tui.expect(
            "shop-prod and shop-dev in the table",
            |s| env_row(s, PROD).is_some() && env_row(s, DEV).is_some(),
            LONG,
        );
        tui.send(&format!(":env {PROD}\r"));
        tui.expect("shop-prod selected", |s| env_selected(s, PROD), KEY);
        tui.send("4");
        tui.expect(
            "the stack's events and the seeded log lines",
            |s| {
                timeline_rows(s)
                    .iter()
                    .any(|r| r.contains("CREATE_COMPLETE"))
                    && (0..4).all(|i| shown(s, &format!("/seed-{i}")) == 1)
            },
            LONG,
        );
        Some(Rig {
            tui,
            proxy,
            clients,
            rt,
            _moto: moto,
        })
    }

    fn put_paths(&self, paths: &[String]) {
        if let Err(e) = self.rt.block_on(self.clients.put_paths(paths)) {
            panic!("cannot append log lines in moto: {e}");
        }
    }

    /// The UI answers a key: `z` zooms the logs pane (the environments table goes) and `z`
    /// again brings the table back. Returns the slower of the two reactions.
    fn answers_keys(&mut self) -> Duration {
        let t = Instant::now();
        self.tui.send("z");
        self.tui.expect(
            "the logs pane zoomed (table gone) after z",
            |s| !s.contains("1 Environments"),
            Duration::from_secs(5),
        );
        let first = t.elapsed();
        let t = Instant::now();
        self.tui.send("z");
        self.tui.expect(
            "the table back after z",
            |s| s.contains("1 Environments"),
            Duration::from_secs(5),
        );
        first.max(t.elapsed())
    }

    /// Ends the scenario: every write key pressed and confirmed, zero writes counted, the app
    /// alive until `q`, then exits cleanly with the terminal restored.
    fn finish(mut self, scenario: &str) {
        // Every write key, each confirmed at once: --read-only must refuse before any dialog.
        self.tui.send("1");
        for key in ["U", "B", "A", "S", "W", "D"] {
            self.tui.send(key);
            self.tui.expect(
                &format!("{key} refused by --read-only"),
                |s| common::pty::footer(s).contains("read-only mode:"),
                KEY,
            );
            self.tui.send("y");
        }
        std::thread::sleep(Duration::from_secs(1));
        let writes = self.proxy.writes();
        eprintln!(
            "[{scenario}] calls counted by the proxy:\n{}\nwrite calls: {}",
            self.proxy.summary(),
            writes.len()
        );
        assert!(
            writes.is_empty(),
            "[{scenario}] write calls under --read-only: {writes:?}"
        );
        self.tui.send("q");
        let status = self
            .tui
            .wait_exit(Duration::from_secs(20))
            .unwrap_or_else(|| panic!("[{scenario}] no exit after q:\n{}", self.tui.screen()));
        assert!(
            status.success(),
            "[{scenario}] exit status {status}\n{}",
            self.tui.log_tail(40)
        );
        self.tui.assert_terminal_restored();
    }
}

/// The timeline pane's rows (`HH:MM:SS EB ...` / `HH:MM:SS CFN ...`), trimmed.
fn timeline_rows(screen: &str) -> Vec<String> {
    let is_row = |seg: &str| {
        let b = seg.as_bytes();
        b.len() > 12
            && b[2] == b':'
            && b[5] == b':'
            && b[..8]
                .iter()
                .enumerate()
                .all(|(i, c)| i == 2 || i == 5 || c.is_ascii_digit())
            && (seg[8..].starts_with(" EB ") || seg[8..].starts_with(" CFN "))
    };
    screen
        .lines()
        .flat_map(|l| l.split(['│', '┃']))
        .map(str::trim_end)
        .filter(|seg| is_row(seg))
        .map(str::to_string)
        .collect()
}

/// Each row once: the rows shown more than once.
fn duplicates(rows: &[String]) -> Vec<String> {
    let mut seen = std::collections::HashMap::<&str, usize>::new();
    for r in rows {
        *seen.entry(r).or_default() += 1;
    }
    let mut d: Vec<String> = seen
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(r, n)| format!("{n}x {r}"))
        .collect();
    d.sort();
    d
}

/// What the app said about a fault: the lines (header, panes, status line) that name a problem.
fn complaints(screen: &str) -> Vec<String> {
    const WORDS: &[&str] = &[
        "cannot",
        "Could not",
        "timed out",
        "expired",
        "not authorized",
        "throttled",
        "Throttl",
        "retrying",
        "reconnecting",
        "unavailable",
        "! ",
    ];
    screen
        .lines()
        .filter(|l| !l.contains("\"GET "))
        .flat_map(|l| l.split(['│', '┃', '┏', '┓', '┌', '┐']))
        .map(|seg| seg.trim().trim_matches('━').trim_matches('─').trim())
        .filter(|seg| WORDS.iter().any(|w| seg.contains(w)))
        .map(str::to_string)
        .collect()
}

/// The exactly-once check over the seeded lines, the lines written during and after a fault,
/// and the timeline (no row twice, none of the rows from before the fault gone).
fn each_once(screen: &str, paths: &[String], timeline_before: &[String]) -> Vec<String> {
    let mut failures = Vec::new();
    let wrong: Vec<(String, usize)> = (0..4)
        .map(|i| format!("/seed-{i}"))
        .chain(paths.iter().cloned())
        .map(|p| {
            let n = shown(screen, &p);
            (p, n)
        })
        .filter(|(_, n)| *n != 1)
        .collect();
    if !wrong.is_empty() {
        failures.push(format!(
            "log lines not shown exactly once (path, times): {wrong:?}"
        ));
    }
    let rows = timeline_rows(screen);
    let dups = duplicates(&rows);
    if !dups.is_empty() {
        failures.push(format!("duplicated timeline rows: {dups:?}"));
    }
    let missing: Vec<_> = timeline_before
        .iter()
        .filter(|r| !rows.contains(r))
        .collect();
    if !missing.is_empty() {
        failures.push(format!("timeline rows gone after the fault: {missing:?}"));
    }
    failures
}

/// What happened while a fault lasted.
#[derive(Default)]
struct During {
    /// Every distinct complaint seen, in order of first sight, with when (from the fault's start).
    said: Vec<(Duration, String)>,
    samples: usize,
    changed: usize,
    /// The slowest reaction to a key.
    slowest_key: Duration,
}

impl During {
    fn any(&self, needle: &str) -> Option<Duration> {
        self.said
            .iter()
            .find(|(_, s)| s.contains(needle))
            .map(|(t, _)| *t)
    }

    fn print(&self, scenario: &str) {
        eprintln!(
            "[{scenario}] while the fault lasted: {} samples, the screen changed in {}, slowest key reaction {:?}; what it said:",
            self.samples, self.changed, self.slowest_key
        );
        for (t, s) in &self.said {
            eprintln!("  +{:>5.1}s {s}", t.as_secs_f64());
        }
    }
}

/// Watches the screen for `total` (every 500 ms), collecting complaints; runs `midway` once at
/// half time, and checks every `key_every` that the UI answers keys.
fn watch(rig: &mut Rig, total: Duration, key_every: Duration, midway: impl FnOnce(&Rig)) -> During {
    let start = Instant::now();
    let mut d = During::default();
    let mut last = String::new();
    let mut midway = Some(midway);
    let mut next_key = start + key_every;
    while start.elapsed() < total {
        let s = rig.tui.screen();
        d.samples += 1;
        if s != last {
            d.changed += 1;
            for c in complaints(&s) {
                if !d.said.iter().any(|(_, x)| *x == c) {
                    d.said.push((start.elapsed(), c));
                }
            }
            last = s;
        }
        if start.elapsed() >= total / 2
            && let Some(f) = midway.take()
        {
            f(rig);
        }
        if Instant::now() >= next_key {
            d.slowest_key = d.slowest_key.max(rig.answers_keys());
            next_key = Instant::now() + key_every;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    d
}

type Pred<'a> = Box<dyn Fn(&str) -> bool + 'a>;

/// For each predicate, the time from `since` until it first held (`None` when not by `limit`
/// after `since`); the screen is read every 100 ms.
fn first_times(
    tui: &Tui,
    since: Instant,
    preds: &[Pred<'_>],
    limit: Duration,
) -> Vec<Option<Duration>> {
    let mut out = vec![None; preds.len()];
    while since.elapsed() < limit && out.iter().any(Option::is_none) {
        let s = tui.screen();
        for (i, p) in preds.iter().enumerate() {
            if out[i].is_none() && p(&s) {
                out[i] = Some(since.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    out
}

fn paths(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("/{prefix}-{i}")).collect()
}

fn all_shown(paths: &[String]) -> impl Fn(&str) -> bool + '_ {
    move |s| paths.iter().all(|p| shown(s, p) >= 1)
}

fn secs(d: Option<Duration>) -> String {
    d.map_or("not within the limit".to_string(), |d| {
        format!("{:.1} s", d.as_secs_f64())
    })
}

fn tail_live(s: &str) -> bool {
    s.contains("following · live tail connected") || s.contains("following · polling every")
}

/// A fault that lasts a while and then ends.
struct Outage {
    name: &'static str,
    /// Prefix of the request paths of the log lines written during and after it.
    slug: &'static str,
    apply: fn(&FaultProxy),
    lasts: Duration,
    /// How soon after its end the data must be back.
    data_back: Duration,
    /// Words of which one must appear on screen while it lasts (what the app said).
    words: &'static [&'static str],
    /// Whether the words must be gone within `TAIL_BACK` of its end. A denied read rests for 5
    /// minutes by design, and its pane keeps saying why until it is asked again.
    clears: bool,
}

/// Runs an outage end to end: the fault for its duration (the stack changes and two log lines
/// are written half way), then the network is fine again and a line is written at once. Prints
/// the figures; returns the expectations that failed.
fn outage(o: &Outage) -> Vec<String> {
    let Some(mut rig) = Rig::start() else {
        return Vec::new();
    };
    let before = timeline_rows(&rig.tui.screen());
    let during_paths = paths(&format!("{}-during", o.slug), 2);
    let new_env = format!("shop-{}", o.slug);
    let after_paths = paths(&format!("{}-after", o.slug), 1);
    rig.proxy.reset_counts();
    (o.apply)(&rig.proxy);
    let d = watch(&mut rig, o.lasts, Duration::from_secs(10), |rig| {
        rig.put_paths(&during_paths);
        if let Err(e) = rig.rt.block_on(rig.clients.add_environment(&new_env)) {
            panic!("cannot create an environment in moto: {e}");
        }
    });
    let counts_during = rig.proxy.summary();
    rig.proxy.reset_counts();
    rig.proxy.clear();
    let back = Instant::now();
    rig.put_paths(&after_paths);
    let names_fault = |s: &str| {
        complaints(s)
            .iter()
            .any(|c| o.words.iter().any(|w| c.contains(w)))
    };
    let t = first_times(
        &rig.tui,
        back,
        &[
            Box::new(all_shown(&during_paths)),
            Box::new(|s: &str| s.contains(new_env.as_str())),
            Box::new(|s: &str| all_shown(&after_paths)(s) && tail_live(s)),
            Box::new(|s: &str| !names_fault(s)),
        ],
        TAIL_BACK,
    );
    let screen = rig.tui.screen();
    let counts_after = rig.proxy.summary();
    let name = o.name;
    d.print(name);
    eprintln!(
        "[{name}] after {:?}: the log lines written during it on screen after {}; the new environment after {}; \
         a line written after the end on screen, logs following, after {}; no more word of the fault after {}",
        o.lasts,
        secs(t[0]),
        secs(t[1]),
        secs(t[2]),
        secs(t[3])
    );
    eprintln!(
        "[{name}] calls while it lasted:\n{counts_during}\n[{name}] calls in the {:.0} s after:\n{counts_after}",
        back.elapsed().as_secs_f64()
    );
    let logs_title = screen
        .lines()
        .find(|l| l.contains("4 logs"))
        .unwrap_or("")
        .to_string();
    eprintln!(
        "[{name}] the logs pane's title at the end: {}",
        logs_title.trim_matches(['┏', '┓', '━', ' '])
    );

    let mut failures = Vec::new();
    if !o.words.iter().any(|w| d.any(w).is_some()) {
        failures.push(format!(
            "nothing on screen said {:?} while the fault lasted: {:?}",
            o.words, d.said
        ));
    }
    if d.slowest_key > Duration::from_secs(2) {
        failures.push(format!("a key took {:?} to answer", d.slowest_key));
    }
    let data_back = o.data_back;
    if t[0].is_none_or(|t| t > data_back) {
        failures.push(format!(
            "the log lines written during the fault not on screen within {data_back:?} of its end ({})",
            secs(t[0])
        ));
    }
    if t[1].is_none_or(|t| t > data_back) {
        failures.push(format!(
            "the environment created during the fault not on screen within {data_back:?} of its end ({})",
            secs(t[1])
        ));
    }
    if t[2].is_none_or(|t| t > TAIL_BACK) {
        failures.push(format!(
            "the logs not following new lines within {TAIL_BACK:?} of its end ({})",
            secs(t[2])
        ));
    }
    if o.clears && t[3].is_none() {
        failures.push(format!(
            "the screen still names the fault {TAIL_BACK:?} after it ended"
        ));
    }
    let all: Vec<String> = during_paths.iter().chain(&after_paths).cloned().collect();
    failures.extend(each_once(&screen, &all, &before));
    rig.finish(name);
    if !failures.is_empty() {
        eprintln!("[{name}] the screen at the end:\n{screen}");
    }
    failures
}

fn check(name: &str, failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "[{name}] failed expectations:\n- {}",
        failures.join("\n- ")
    );
}

/// The network is lost for `LOSS` (every connection black-holed: requests read, never
/// answered, open streams stalled), then comes back.
#[test]
fn network_lost_then_back() {
    let o = Outage {
        name: "network loss",
        slug: "loss",
        apply: |p| p.set(Fault::BlackHole),
        lasts: LOSS,
        data_back: DATA_BACK,
        words: &[
            "timed out",
            "Could not reach",
            "reconnecting",
            "unreachable",
        ],
        clears: true,
    };
    check(o.name, outage(&o));
}

/// The network is lost for `LOSS` the other way: every connection is cut (read, then closed with
/// a reset), as when a VPN drops or the route is refused, then comes back.
#[test]
fn network_refused_then_back() {
    let o = Outage {
        name: "network refused",
        slug: "refused",
        apply: |p| p.set(Fault::Reset),
        lasts: LOSS,
        data_back: DATA_BACK,
        words: &[
            "Could not reach",
            "reconnecting",
            "timed out",
            "unreachable",
        ],
        clears: true,
    };
    check(o.name, outage(&o));
}

/// The credentials expire (every call answered ExpiredToken) for `EXPIRY`, then work again, as
/// after `aws sso login` in another terminal.
#[test]
fn credentials_expire_and_come_back() {
    let o = Outage {
        name: "credentials expired",
        slug: "expiry",
        apply: |p| p.set(Fault::ExpiredToken),
        lasts: EXPIRY,
        data_back: NEXT_POLL,
        words: &["credentials expired"],
        clears: true,
    };
    check(o.name, outage(&o));
}

/// One API is denied (Elastic Beanstalk DescribeEnvironmentHealth answers AccessDenied) for
/// `EXPIRY`: the health pane names the denied action, the other panes keep working. The denied
/// read rests for 5 minutes by design, so its pane keeps saying why after the denial ends.
#[test]
fn one_api_denied() {
    let o = Outage {
        name: "one API denied",
        slug: "denial",
        apply: |p| {
            p.set_for(
                Scope::Action(Service::Eb, "DescribeEnvironmentHealth".into()),
                Fault::AccessDenied,
            )
        },
        lasts: EXPIRY,
        // The table is read every 30 s while nothing moves.
        data_back: IDLE_LIST,
        words: &["not authorized", "no permission"],
        clears: false,
    };
    check(o.name, outage(&o));
}

/// A throttling storm: Elastic Beanstalk calls pass a token bucket of `STORM_RATE` per second
/// holding `burst` tokens, for `STORM`, while the user switches environments every 10 s (each
/// switch is a burst of reads). Returns the failed expectations.
fn storm(burst: f64, must_show: bool) -> Vec<String> {
    let Some(mut rig) = Rig::start() else {
        return Vec::new();
    };
    let name = format!("throttling storm, burst {burst}");
    rig.proxy.reset_counts();
    rig.proxy.set_for(
        Scope::Service(Service::Eb),
        Fault::TokenBucket {
            per_second: STORM_RATE,
            burst,
        },
    );
    let start = Instant::now();
    let mut d = During::default();
    let mut switches = 0;
    while start.elapsed() < STORM {
        let env = if switches % 2 == 0 { DEV } else { PROD };
        rig.tui.send(&format!(":env {env}\r"));
        switches += 1;
        let part = watch(
            &mut rig,
            Duration::from_secs(10),
            Duration::from_secs(9),
            |_| {},
        );
        d.samples += part.samples;
        d.changed += part.changed;
        d.slowest_key = d.slowest_key.max(part.slowest_key);
        for (t, s) in part.said {
            if !d.said.iter().any(|(_, x)| *x == s) {
                d.said.push((t, s));
            }
        }
    }
    rig.proxy.clear();
    d.print(&name);
    let eb = rig.proxy.service_total(Service::Eb);
    let share = eb.throttled as f64 / eb.requests.max(1) as f64;
    let per_s = eb.requests as f64 / STORM.as_secs_f64();
    eprintln!(
        "[{name}] Elastic Beanstalk under {STORM_RATE}/s for {STORM:?}: {} calls ({per_s:.2}/s), \
         {} throttled = {:.1} %; {switches} environment switches\n{}",
        eb.requests,
        eb.throttled,
        share * 100.0,
        rig.proxy.summary()
    );
    let mut failures = Vec::new();
    if share >= THROTTLED_SHARE_MAX {
        failures.push(format!(
            "{:.1} % of the Elastic Beanstalk calls throttled (target < {:.0} %)",
            share * 100.0,
            THROTTLED_SHARE_MAX * 100.0
        ));
    }
    let shown_at = d.any("throttled");
    eprintln!(
        "[{name}] the header said \"throttled ...: backing off\": {}",
        shown_at.map_or("never".to_string(), |t| format!(
            "yes (first {:.1} s into a 10 s step)",
            t.as_secs_f64()
        ))
    );
    // A throttled attempt that the SDK's own retry gets through never reaches the app: only a
    // storm that throttles the retries too must show.
    if must_show && shown_at.is_none() {
        failures.push(format!(
            "calls were throttled but the screen never said so: {:?}",
            d.said
        ));
    }
    rig.tui.send(&format!(":env {PROD}\r"));
    if rig.tui.wait_for(|s| env_selected(s, PROD), KEY).is_err() {
        failures.push("the app no longer selects an environment after the storm".into());
    }
    rig.finish(&name);
    failures
}

/// The usual token bucket: 5 a second, room for 5.
#[test]
fn throttling_storm_on_elastic_beanstalk() {
    check("throttling storm", storm(STORM_RATE, false));
}

/// The strict one: 5 a second, one at a time (calls closer than 200 ms are throttled).
#[test]
#[ignore = "known limit: some reads are two calls back to back (health: DescribeEnvironmentHealth then \
            DescribeInstancesHealth; history: DescribeEvents then DescribeConfigurationSettings), and a \
            bucket with no burst room throttles the second (36 % measured); the planner sends one read per \
            service per tick, and with AWS-like burst room (the test above) under 5 % are throttled"]
fn throttling_storm_without_burst() {
    check("throttling storm, no burst", storm(1.0, true));
}
