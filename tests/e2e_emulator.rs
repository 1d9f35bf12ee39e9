//! End to end against the local AWS emulator (moto on 127.0.0.1): the account is created with
//! the AWS SDK, then the built binary runs in a pseudo-terminal with `--endpoint-url` and must
//! show the environments, the stack's events and the log lines, each line once.
//!
//! moto answers only part of the Elastic Beanstalk API (environments yes; events, health and
//! history no), so the app has to show what it can and the errors beside it.

mod common;

use std::time::Duration;

use aws_sdk_cloudformation::types::Tag as StackTag;
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use aws_sdk_elasticbeanstalk::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_types::error::display::DisplayErrorContext;
use chrono::{DateTime, Utc};
use common::pty::{Tui, env_row, env_selected};

const LONG: Duration = Duration::from_secs(90);
const KEY: Duration = Duration::from_secs(20);

const APP: &str = "shop";
const PROD: &str = "shop-prod";
const DEV: &str = "shop-dev";
/// Any name: the app finds the stack by its `elasticbeanstalk:environment-name` tag, as it must
/// when an environment id is unknown (moto leaves it empty).
const STACK: &str = "awseb-e-shopprod01-stack";
const STREAM: &str = "i-0abc";
const SOLUTION_STACK: &str = "64bit Amazon Linux 2023 v4.3.0 running Docker";
const TEMPLATE: &str = r#"{"AWSTemplateFormatVersion":"2010-09-09","Resources":{"Alerts":{"Type":"AWS::SNS::Topic"}}}"#;

/// Distinct parts of the seeded lines, each expected exactly once on screen.
const SEEDED: [&str; 5] = [
    r#"172.31.9.10 - - "GET / HTTP/1.1" 200 5120"#,
    r#""GET /cart HTTP/1.1" 200 812"#,
    r#"172.31.9.12 - - "GET /checkout HTTP/1.1" 502 157"#,
    "*7 connect() failed (111: Connection refused)",
    r#"172.31.9.14 - - "GET /checkout HTTP/1.1" 502 157"#,
];
/// The one error-log line (see the note on moto's live tail below).
const ERROR_LINE: &str = "*7 connect() failed (111: Connection refused)";
/// A line written while the app runs: it arrives only through a later read.
const LATE: &str = r#""GET /after-start HTTP/1.1" 502 157"#;

fn group(file: &str) -> String {
    format!("/aws/elasticbeanstalk/{PROD}/var/log/nginx/{file}")
}

fn err(e: impl std::error::Error) -> String {
    DisplayErrorContext(e).to_string()
}

/// An nginx access line: the combined format plus the forwarded client, as Elastic Beanstalk's
/// nginx writes it.
fn access_line(ip: &str, at: DateTime<Utc>, request: &str, status: u16, bytes: u32) -> String {
    format!(
        r#"{ip} - - [{}] "{request}" {status} {bytes} "-" "curl/8.5.0" "203.0.113.7""#,
        at.format("%d/%b/%Y:%H:%M:%S +0000")
    )
}

/// The seeded lines as shown: the access-line time sits between the address and the request.
fn shown(screen: &str, part: &str) -> usize {
    match part.split_once(" - - ") {
        Some((ip, request)) => screen
            .lines()
            .filter(|l| l.contains(&format!("{ip} - - [")) && l.contains(request))
            .count(),
        None => screen.matches(part).count(),
    }
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

    /// Creates the account: an application with two environments, the production
    /// environment's stack, and its nginx logs from a minute ago (a few requests, two of them
    /// 502, and the upstream error behind them).
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
        let at = |i: i64| start + chrono::Duration::milliseconds(i * 250);
        let access = vec![
            (
                at(0),
                access_line("172.31.9.10", at(0), "GET / HTTP/1.1", 200, 5120),
            ),
            (
                at(1),
                access_line("172.31.9.11", at(1), "GET /cart HTTP/1.1", 200, 812),
            ),
            (
                at(2),
                access_line("172.31.9.12", at(2), "GET /checkout HTTP/1.1", 502, 157),
            ),
            (
                at(4),
                access_line("172.31.9.14", at(4), "GET /checkout HTTP/1.1", 502, 157),
            ),
        ];
        let error = vec![(
            at(3),
            format!(
                r#"{} [error] 2811#2811: *7 connect() failed (111: Connection refused) while connecting to upstream, client: 172.31.9.12, server: , request: "GET /checkout HTTP/1.1", upstream: "http://127.0.0.1:8080/checkout", host: "{PROD}.us-east-1.elasticbeanstalk.com""#,
                at(3).format("%Y/%m/%d %H:%M:%S")
            ),
        )];
        for (file, lines) in [("access.log", access), ("error.log", error)] {
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
            self.put(&name, lines).await?;
        }
        Ok(())
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
}

#[test]
fn emulator_account_shows_envs_stack_events_and_logs() {
    let Some(moto) = common::moto::Moto::start() else {
        return;
    };
    let url = moto.url().to_string();
    let rt = common::runtime();
    let clients = Clients::new(&url);
    if let Err(e) = rt.block_on(clients.seed()) {
        panic!(
            "cannot create the account in the emulator at {url}: {e}\n{}",
            moto.log_tail()
        );
    }

    // Credentials only through the environment; no profile, no instance metadata.
    let env = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    let args = ["--endpoint-url", &url, "--region", "us-east-1"];
    let mut tui = Tui::spawn(&args, &env, 160, 48);
    tui.expect(
        "shop-prod and shop-dev in the table",
        |s| env_row(s, PROD).is_some() && env_row(s, DEV).is_some(),
        LONG,
    );

    tui.send(&format!(":env {PROD}\r"));
    tui.expect("shop-prod selected", |s| env_selected(s, PROD), KEY);
    tui.expect(
        "the stack's CREATE_COMPLETE in the timeline",
        |s| {
            s.lines()
                .any(|l| l.contains(" CFN CREATE_COMPLETE ") && l.contains(STACK))
        },
        LONG,
    );

    // Zoomed, the log lines fit the width.
    tui.send("4");
    tui.send("z");
    tui.expect(
        "the seeded log lines in the zoomed logs pane",
        |s| SEEDED.iter().all(|part| shown(s, part) > 0),
        LONG,
    );

    // A line written now arrives only through a later read, whose window overlaps the earlier
    // ones: once it shows, every seeded access-log line must still show exactly once.
    //
    // The error-log line is held to "at least once" here: moto 5.2.5's StartLiveTail resolves every
    // log group ARN of a session to the group created last (error.log), so one session over the two
    // nginx groups returns that group's events once per group, as two identical events. AWS never
    // does that, and ebtui keeps two identical events of one update as two lines (real logs do
    // repeat a line within a millisecond). Exactly-once across live tail, reconnect and polling is
    // covered by the replayed event streams in tests/aws_logs_stream.
    let now = Utc::now();
    let late = vec![(
        now,
        access_line("172.31.9.20", now, "GET /after-start HTTP/1.1", 502, 157),
    )];
    if let Err(e) = rt.block_on(clients.put(&group("access.log"), late)) {
        panic!("cannot append a log line in the emulator: {e}");
    }
    let screen = tui.expect("the line written after start", |s| s.contains(LATE), LONG);
    let counts: Vec<(&str, usize)> = SEEDED
        .iter()
        .map(|part| (*part, shown(&screen, part)))
        .collect();
    let moto_doubles = |part: &str| part == ERROR_LINE;
    assert!(
        counts
            .iter()
            .all(|(part, n)| if moto_doubles(part) { *n >= 1 } else { *n == 1 })
            && screen.matches(LATE).count() == 1,
        "every access-log line must show exactly once: {counts:?}\n{screen}"
    );

    tui.quit_cleanly();
}
