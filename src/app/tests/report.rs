//! `:report`: the incident report of an operation, as a person would paste it in a ticket.

use crossterm::event::KeyCode;

use super::super::App;
use super::super::Effect;
use super::support::*;
use crate::cloud::{Answer, PollKey};
use crate::domain::*;
use crate::journal::{Capture, CaptureSource, LogLine};

fn ev(at: Millis, sev: Severity, msg: &str, rid: &str, version: Option<&str>) -> EnvEvent {
    EnvEvent {
        ts: at,
        env: "storefront-prod".into(),
        severity: sev,
        message: msg.into(),
        version: version.map(str::to_string),
        request_id: Some(rid.into()),
    }
}

/// A good deploy of v1.4.3, a failed one of v-broken, then the roll back to v1.4.3.
fn story(app: &mut App) {
    let t = app.now - 3_600_000;
    use Severity::*;
    let good = Some("v1.4.3");
    let bad = Some("v-broken");
    let events = vec![
        ev(t, Info, "Environment update is starting.", "r-0", good),
        ev(
            t + 5_000,
            Info,
            "Deploying new version to instance(s).",
            "r-0",
            good,
        ),
        ev(
            t + 45_000,
            Info,
            "Environment update completed successfully.",
            "r-0",
            good,
        ),
        ev(
            t + 600_000,
            Info,
            "Environment update is starting.",
            "r-1",
            bad,
        ),
        ev(
            t + 605_000,
            Info,
            "Deploying new version to instance(s).",
            "r-1",
            bad,
        ),
        ev(
            t + 650_000,
            Error,
            "Instance deployment failed. For details, see 'eb-engine.log'.",
            "r-1",
            bad,
        ),
        ev(
            t + 651_000,
            Error,
            "Pipes | and `ticks` in AWS's text",
            "r-1",
            bad,
        ),
        ev(
            t + 660_000,
            Error,
            "Failed to deploy application.",
            "r-1",
            bad,
        ),
        ev(
            t + 900_000,
            Info,
            "Environment update is starting.",
            "r-2",
            good,
        ),
        ev(
            t + 905_000,
            Info,
            "Deploying new version to instance(s).",
            "r-2",
            good,
        ),
        ev(
            t + 950_000,
            Info,
            "Environment update completed successfully.",
            "r-2",
            good,
        ),
    ];
    reply(app, PollKey::AccountEvents, Ok(Answer::Events(events)));
    app.account.journal.keep_capture(Capture {
        key: "e-storefront-prod@1".into(),
        env_id: "e-storefront-prod".into(),
        env_name: "storefront-prod".into(),
        op_key: Some("r-1".into()),
        reason: "Instance deployment failed".into(),
        at: t + 650_000,
        source: CaptureSource::CloudWatch,
        lines: vec![
            line(t + 640_000, "[INFO] Running npm install"),
            line(
                t + 649_000,
                "[ERROR] npm ERR! code ``` E404 (a fence in the text)",
            ),
        ],
        note: None,
    });
}

fn line(ts: Millis, message: &str) -> LogLine {
    LogLine {
        id: String::new(),
        ts,
        group: "/aws/elasticbeanstalk/storefront-prod/var/log/eb-engine.log".into(),
        stream: "i-0abc".into(),
        message: message.into(),
    }
}

fn report(app: &mut App) -> (String, String) {
    let mut fx = key(app, ':');
    for c in "report".chars() {
        fx.extend(key(app, c));
    }
    fx.extend(code(app, KeyCode::Enter));
    fx.into_iter()
        .find_map(|e| match e {
            Effect::SaveFile { path, contents } => Some((path, contents)),
            _ => None,
        })
        .expect("a report is written")
}

#[test]
fn the_report_tells_the_failed_deploy_its_first_error_evidence_and_the_roll_back() {
    let mut app = app_with(prod(), false);
    story(&mut app);
    let (path, md) = report(&mut app);
    assert!(
        path.starts_with("ebtui-report-storefront-prod-") && path.ends_with(".md"),
        "{path}"
    );
    assert!(
        md.starts_with("# deploy v-broken on storefront-prod: failed\n"),
        "{md}"
    );
    assert!(md.contains("| Version before | `v1.4.3` |"), "{md}");
    assert!(md.contains("request id `r-1`"), "{md}");
    assert!(md.contains("## First error\n\n"), "{md}");
    assert!(
        md.contains("Instance deployment failed. For details, see 'eb-engine.log'.\n"),
        "{md}"
    );
    // AWS's text cannot break the table.
    assert!(
        md.contains("Pipes \\| and \\`ticks\\` in AWS's text"),
        "{md}"
    );
    assert!(md.contains("Captured from CloudWatch Logs"), "{md}");
    // A fence inside a line cannot close the excerpt's.
    assert!(md.contains("\n````text\n"), "{md}");
    assert!(
        md.contains("eb-engine.log [ERROR] npm ERR! code ``` E404"),
        "{md}"
    );
    assert!(
        md.contains("Roll back: deploy of the previous version `v1.4.3`"),
        "{md}"
    );
    assert!(md.contains("succeeded."), "{md}");
}

#[test]
fn the_operation_chosen_in_the_history_is_the_one_reported() {
    let mut app = app_with(prod(), false);
    story(&mut app);
    key(&mut app, 'o');
    // Newest first: the roll back, the failed deploy, the good one.
    code(&mut app, KeyCode::Down);
    code(&mut app, KeyCode::Down);
    code(&mut app, KeyCode::Esc);
    let (_, md) = report(&mut app);
    assert!(
        md.starts_with("# deploy v1.4.3 on storefront-prod: succeeded\n"),
        "{md}"
    );
    assert!(
        md.contains("Nothing was captured for this operation."),
        "{md}"
    );
    assert!(md.contains("No error event in this operation."), "{md}");
}

#[test]
fn without_an_operation_there_is_no_report() {
    let mut app = app_with(prod(), false);
    let mut fx = key(&mut app, ':');
    for c in "report".chars() {
        fx.extend(key(&mut app, c));
    }
    fx.extend(code(&mut app, KeyCode::Enter));
    assert!(!fx.iter().any(|e| matches!(e, Effect::SaveFile { .. })));
    assert!(
        app.view
            .flash
            .as_ref()
            .unwrap()
            .text
            .contains("no operation")
    );
}
