//! Capturing a failure's evidence (`runtime::capture`) against the simulated account: the
//! canary of `--demo create-fail` fails its first boot, and the capture made at its first error
//! event holds the failing hook's eb-engine lines; an environment that streams no logs answers
//! with the note that lets the app ask for tail logs (with consent), and the tail logs are read
//! once RequestEnvironmentInfo was accepted.

use ebtui::app::journal::NO_STREAMING;
use ebtui::cloud::sim::{Scenario, SimCloud};
use ebtui::cloud::{Cloud, Op};
use ebtui::domain::{EnvRef, Millis, Severity};
use ebtui::journal::{Capture, CaptureSource};
use ebtui::runtime::capture::{MAX_LINES, capture};

const START: Millis = 1_795_515_300_000;

fn skeleton(env: &EnvRef, at: Millis, source: CaptureSource) -> Capture {
    Capture {
        key: format!("{}@{at}", env.id),
        env_id: env.id.clone(),
        env_name: env.name.clone(),
        op_key: None,
        reason: "Instance deployment failed".into(),
        at,
        source,
        lines: Vec::new(),
        note: Some("capturing...".into()),
    }
}

async fn env(c: &SimCloud, name: &str) -> EnvRef {
    c.environments()
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.env.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .env
}

#[tokio::test]
async fn the_failing_hook_is_captured_at_the_first_error() {
    let c = SimCloud::manual(Scenario::CreateFail, 42, START);
    c.advance(6_000);
    let canary = env(&c, "storefront-canary").await;
    // Step the clock until the first error event of the creation shows.
    let mut first_error = None;
    for _ in 0..120 {
        c.advance(5_000);
        let events = c.events(&canary, Some(START)).await.unwrap();
        if let Some(e) = events.iter().find(|e| e.severity >= Severity::Error) {
            first_error = Some(e.ts);
            break;
        }
    }
    let at = first_error.expect("the creation fails");
    let status = c
        .environments()
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.env.name == "storefront-canary")
        .unwrap()
        .status;
    let got = capture(
        &c,
        canary.clone(),
        skeleton(&canary, at, CaptureSource::CloudWatch),
    )
    .await;
    assert_eq!(got.note, None, "{got:?}");
    assert!(
        got.lines.iter().any(|l| l.group.ends_with("/eb-engine.log")
            && l.message
                .contains("[ERROR] An error occurred during execution of command [app-deploy]")),
        "{:#?}",
        got.lines
    );
    assert!(got.lines.len() <= MAX_LINES);
    assert!(
        got.lines.windows(2).all(|w| w[0].ts <= w[1].ts),
        "oldest first"
    );
    assert!(
        got.lines
            .iter()
            .all(|l| l.ts >= at - 10 * 60_000 && l.ts <= at + 60_000)
    );
    // Captured while the creation was still failing, before the stack's rollback ended it.
    assert_eq!(status, ebtui::domain::EnvStatus::Launching);
}

#[tokio::test]
async fn without_streaming_the_capture_says_so_and_tail_logs_are_read_after_the_request() {
    let c = SimCloud::manual(Scenario::Quiet, 42, START);
    c.advance(1_000);
    let billing = env(&c, "billing-prod").await;
    let at = c.now();
    let got = capture(
        &c,
        billing.clone(),
        skeleton(&billing, at, CaptureSource::CloudWatch),
    )
    .await;
    assert!(got.lines.is_empty());
    assert_eq!(got.note.as_deref(), Some(NO_STREAMING));

    c.execute(&Op::RequestTailLogs {
        env: billing.clone(),
    })
    .await
    .expect("RequestEnvironmentInfo accepted");
    c.advance(30_000);
    let got = capture(
        &c,
        billing.clone(),
        skeleton(&billing, at, CaptureSource::TailLogs),
    )
    .await;
    assert_eq!(got.note, None, "{got:?}");
    assert!(!got.lines.is_empty(), "the instances' tail logs");
}
