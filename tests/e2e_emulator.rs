//! End to end against the local AWS emulator (moto on 127.0.0.1): the account is created with
//! the AWS SDK, then the built binary runs in a pseudo-terminal with `--endpoint-url` and must
//! show the environments, the stack's events and the log lines.
//!
//! moto answers only part of the Elastic Beanstalk API (environments yes; events, health and
//! history no), so the app has to show what it can and the errors beside it.

mod common;

use std::time::Duration;

use aws_sdk_cloudformation::types::Tag as StackTag;
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use aws_sdk_elasticbeanstalk::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_types::error::display::DisplayErrorContext;
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

fn group(file: &str) -> String {
    format!("/aws/elasticbeanstalk/{PROD}/var/log/nginx/{file}")
}

fn err(e: impl std::error::Error) -> String {
    DisplayErrorContext(e).to_string()
}

/// Creates the account in the emulator: an application with two environments, the production
/// environment's stack, and its nginx logs from a minute ago (a few requests, two of them 502).
async fn seed(url: &str) -> Result<(), String> {
    let creds = Credentials::new("testing", "testing", None, None, "e2e-static");
    let region = Region::new("us-east-1");

    let eb = aws_sdk_elasticbeanstalk::Client::from_conf(
        aws_sdk_elasticbeanstalk::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(region.clone())
            .credentials_provider(creds.clone())
            .endpoint_url(url)
            .build(),
    );
    eb.create_application().application_name(APP).send().await.map_err(err)?;
    for env in [PROD, DEV] {
        eb.create_environment()
            .application_name(APP)
            .environment_name(env)
            .solution_stack_name(SOLUTION_STACK)
            .send()
            .await
            .map_err(err)?;
    }

    let cfn = aws_sdk_cloudformation::Client::from_conf(
        aws_sdk_cloudformation::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(region.clone())
            .credentials_provider(creds.clone())
            .endpoint_url(url)
            .build(),
    );
    cfn.create_stack()
        .stack_name(STACK)
        .template_body(TEMPLATE)
        .tags(StackTag::builder().key("elasticbeanstalk:environment-name").value(PROD).build())
        .send()
        .await
        .map_err(err)?;

    let logs = aws_sdk_cloudwatchlogs::Client::from_conf(
        aws_sdk_cloudwatchlogs::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(region)
            .credentials_provider(creds)
            .endpoint_url(url)
            .build(),
    );
    let start = chrono::Utc::now() - chrono::Duration::minutes(1);
    let at = |i: i64| start + chrono::Duration::milliseconds(i * 250);
    let access_line = |i: i64, path: &str, status: u16, bytes: u32| {
        format!(
            r#"172.31.9.{} - - [{}] "GET {path} HTTP/1.1" {status} {bytes} "-" "curl/8.5.0" "203.0.113.7""#,
            10 + i,
            at(i).format("%d/%b/%Y:%H:%M:%S +0000")
        )
    };
    let access = [
        (0, access_line(0, "/", 200, 5120)),
        (1, access_line(1, "/cart", 200, 812)),
        (2, access_line(2, "/checkout", 502, 157)),
        (4, access_line(4, "/checkout", 502, 157)),
    ];
    let error = [
        (3, format!(
            r#"{} [error] 2811#2811: *7 connect() failed (111: Connection refused) while connecting to upstream, client: 172.31.9.12, server: , request: "GET /checkout HTTP/1.1", upstream: "http://127.0.0.1:8080/checkout", host: "{PROD}.us-east-1.elasticbeanstalk.com""#,
            at(3).format("%Y/%m/%d %H:%M:%S")
        )),
    ];
    for (file, lines) in [("access.log", &access[..]), ("error.log", &error[..])] {
        let name = group(file);
        logs.create_log_group().log_group_name(&name).send().await.map_err(err)?;
        logs.create_log_stream().log_group_name(&name).log_stream_name(STREAM).send().await.map_err(err)?;
        let events = lines
            .iter()
            .map(|(i, text)| InputLogEvent::builder().timestamp(at(*i).timestamp_millis()).message(text).build().map_err(err))
            .collect::<Result<Vec<_>, _>>()?;
        logs.put_log_events()
            .log_group_name(&name)
            .log_stream_name(STREAM)
            .set_log_events(Some(events))
            .send()
            .await
            .map_err(err)?;
    }
    Ok(())
}

#[test]
fn emulator_account_shows_envs_stack_events_and_logs() {
    let Some(moto) = common::moto::Moto::start() else { return };
    let url = moto.url().to_string();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    if let Err(e) = rt.block_on(seed(&url)) {
        panic!("cannot create the account in the emulator at {url}: {e}");
    }

    let env = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    let mut tui = Tui::spawn(&["--endpoint-url", &url, "--region", "us-east-1"], &env, 160, 48);
    tui.expect("shop-prod and shop-dev in the table", |s| env_row(s, PROD).is_some() && env_row(s, DEV).is_some(), LONG);

    tui.send(&format!(":env {PROD}\r"));
    tui.expect("shop-prod selected", |s| env_selected(s, PROD), KEY);
    tui.expect(
        "the stack's CREATE_COMPLETE in the timeline",
        |s| s.lines().any(|l| l.contains(" CFN CREATE_COMPLETE ") && l.contains(STACK)),
        LONG,
    );

    // Zoomed, the log lines fit the width: the 502s of the access log and the upstream error.
    tui.send("4");
    tui.send("z");
    let screen = tui.expect(
        "the seeded log lines in the zoomed logs pane",
        |s| s.contains("\"GET /checkout HTTP/1.1\" 502 157") && s.contains("connect() failed (111: Connection refused)"),
        LONG,
    );
    assert!(screen.contains("\"GET /cart HTTP/1.1\" 200 812"), "the 200 lines are missing:\n{screen}");

    tui.send("q");
    let status = tui.wait_exit(Duration::from_secs(20)).unwrap_or_else(|| panic!("no exit after q:\n{}", tui.screen()));
    assert!(status.success(), "exit status {status}\n{}", tui.log_tail(40));
    tui.assert_terminal_restored();
}
