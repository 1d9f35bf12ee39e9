//! The operations classifier on real Elastic Beanstalk event sequences (`tests/fixtures/events/`,
//! each with its source and the outcome a person read from its final events). Every sequence
//! must come out right: kind and outcome.

use std::path::Path;

use ebtui::app::ledger::{OpKind, Outcome, operations};
use ebtui::domain::{EnvEvent, Severity};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    source: String,
    kind: String,
    outcome: String,
    version: Option<String>,
    environment: String,
    events: Vec<FixtureEvent>,
}

#[derive(Deserialize)]
struct FixtureEvent {
    at: i64,
    severity: String,
    message: String,
    request_id: Option<String>,
}

fn severity(s: &str) -> Severity {
    match s {
        "TRACE" => Severity::Trace,
        "DEBUG" => Severity::Debug,
        "WARN" => Severity::Warn,
        "ERROR" => Severity::Error,
        "FATAL" => Severity::Fatal,
        _ => Severity::Info,
    }
}

/// The outcome a sequence read after the fact shows: no end event means unknown (the operation
/// is not known to be running).
fn expected_outcome(s: &str) -> Outcome {
    match s {
        "succeeded" => Outcome::Succeeded,
        "failed" => Outcome::Failed,
        "aborted" => Outcome::Aborted,
        "reverted" => Outcome::Reverted,
        "completed-with-errors" => Outcome::CompletedWithErrors,
        "in-progress" => Outcome::InProgress,
        "unknown" => Outcome::Unknown,
        other => panic!("unknown outcome {other}"),
    }
}

/// Whether the classified kind fits the person's: an update whose events stop before saying
/// what it changes may be a deploy or a configuration update.
fn kind_fits(got: OpKind, want: &str) -> bool {
    let want = match want {
        "create" => OpKind::Create,
        "deploy" => OpKind::Deploy,
        "configuration" => OpKind::Configuration,
        "restart" => OpKind::Restart,
        "rebuild" => OpKind::Rebuild,
        "swap" => OpKind::Swap,
        "terminate" => OpKind::Terminate,
        "abort" => OpKind::Abort,
        "platform-update" => OpKind::PlatformUpdate,
        other => panic!("unknown kind {other}"),
    };
    got == want || got == OpKind::Update && matches!(want, OpKind::Deploy | OpKind::Configuration)
}

#[test]
fn every_collected_sequence_is_classified_as_a_person_read_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "at least 20 sequences: {}", files.len());
    let mut wrong = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read");
        let f: Fixture = toml::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        assert!(!f.source.is_empty(), "{path:?} names its source");
        let events: Vec<EnvEvent> = f
            .events
            .iter()
            .map(|e| EnvEvent {
                ts: 1_700_000_000_000 + e.at * 1000,
                env: f.environment.clone(),
                severity: severity(&e.severity),
                message: e.message.clone(),
                version: f.version.clone().filter(|_| e.request_id.is_some()),
                request_id: e.request_id.clone(),
            })
            .collect();
        let ops = operations(&events);
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let [op] = &ops[..] else {
            wrong.push(format!("{name}: {} operations, want 1", ops.len()));
            continue;
        };
        let got = op.outcome(false);
        let want = expected_outcome(&f.outcome);
        if got != want || !kind_fits(op.kind, &f.kind) {
            wrong.push(format!(
                "{name}: got {} {}, want {} {}",
                op.kind.as_str(),
                got.as_str(),
                f.kind,
                want.as_str()
            ));
        }
    }
    assert!(wrong.is_empty(), "misclassified:\n{}", wrong.join("\n"));
}
