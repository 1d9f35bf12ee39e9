//! Builders shared by the journal tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use ebtui::domain::{
    EnvEvent, EnvHealth, EnvRef, EnvStatus, Environment, HealthColor, HealthSnapshot, HealthStatus,
    InstanceCounts, Severity, StackEvent, Tier,
};
use ebtui::journal::{
    Batch, Capture, CaptureSource, Journal, JournalHandle, JournalStatus, Location, LogLine,
    OpRecord, Query, QueryAnswer, Record, Scope,
};

pub const T0: i64 = 1_795_515_300_000;
pub const HOUR: i64 = 3_600_000;
pub const BIG: u64 = 512 * 1024 * 1024;

pub fn scope() -> Scope {
    Scope {
        profile: "prod".into(),
        region: "eu-west-1".into(),
        account: Some("111122223333".into()),
    }
}

pub fn file(dir: &Path) -> PathBuf {
    dir.join("journal").join("journal.sqlite")
}

pub fn open(path: &Path, max_bytes: u64) -> (Journal, Vec<JournalStatus>) {
    Journal::open(Location::File(path.to_path_buf()), max_bytes).expect("the journal opens")
}

pub fn start(path: &Path) -> JournalHandle {
    open(path, BIG).0.start(Box::new(|_| {}))
}

pub fn env(name: &str, id: &str, status: EnvStatus) -> Environment {
    Environment {
        env: EnvRef {
            app: "shop".into(),
            name: name.into(),
            id: id.into(),
        },
        status,
        health: HealthColor::Green,
        health_status: Some(HealthStatus::Ok),
        version: Some("v1".into()),
        tier: Tier::Web,
        cname: None,
        abortable: false,
        updated: T0,
        created: T0 - HOUR,
        platform: "Python 3.11".into(),
        deployment_policy: None,
    }
}

pub fn event(env: &str, ts: i64, message: &str) -> EnvEvent {
    EnvEvent {
        ts,
        env: env.into(),
        severity: Severity::Info,
        message: message.into(),
        version: None,
        request_id: Some("req-1".into()),
    }
}

pub fn stack(id: &str, ts: i64) -> StackEvent {
    StackEvent {
        id: id.into(),
        ts,
        stack: "awseb-e-abc-stack".into(),
        logical_id: "AWSEBAutoScalingGroup".into(),
        resource_type: "AWS::AutoScaling::AutoScalingGroup".into(),
        status: "UPDATE_IN_PROGRESS".into(),
        reason: None,
    }
}

pub fn health(color: HealthColor, causes: &[&str]) -> HealthSnapshot {
    HealthSnapshot {
        env: EnvHealth {
            enhanced: true,
            status: Some(HealthStatus::Ok),
            color,
            causes: causes.iter().map(|c| c.to_string()).collect(),
            counts: InstanceCounts::default(),
            metrics: None,
            refreshed: None,
        },
        instances: Vec::new(),
    }
}

pub fn line(ts: i64, message: &str) -> LogLine {
    LogLine {
        id: format!("run-{ts}"),
        ts,
        group: "/aws/elasticbeanstalk/shop-prod/var/log/web.stdout.log".into(),
        stream: "i-0abc".into(),
        message: message.into(),
    }
}

pub fn lines(env_id: &str, lines: Vec<LogLine>) -> Record {
    Record::Lines {
        env_id: env_id.into(),
        env_name: "shop-prod".into(),
        lines,
    }
}

pub fn batch(at: i64, records: Vec<Record>) -> Batch {
    Batch {
        scope: scope(),
        at,
        records,
    }
}

/// Asks a query and waits for the answer.
pub fn ask(handle: &JournalHandle, query: Query) -> Result<QueryAnswer, String> {
    let (tx, rx) = mpsc::channel();
    handle.query(query, Box::new(move |a| drop(tx.send(a))));
    rx.recv().expect("the writer answers")
}

/// A plain connection to the file, to look at what was stored.
pub fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).expect("the file opens")
}

pub fn count(path: &Path, table: &str) -> i64 {
    raw(path)
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

pub fn op(key: &str, env_id: &str, started: i64) -> OpRecord {
    OpRecord {
        key: key.into(),
        env_id: env_id.into(),
        env_name: "shop-prod".into(),
        label: "Deploy v2".into(),
        ours: true,
        request_id: Some(key.into()),
        started,
        ended: None,
        outcome: None,
        error: None,
    }
}

pub fn capture(key: &str, env_id: &str, at: i64) -> Capture {
    Capture {
        key: key.into(),
        env_id: env_id.into(),
        env_name: "shop-prod".into(),
        op_key: Some("req-9".into()),
        reason: "Instance deployment failed".into(),
        at,
        source: CaptureSource::CloudWatch,
        lines: vec![
            line(at - 5, "npm ERR! missing script: start"),
            line(at - 1, "exit 1"),
        ],
        note: None,
    }
}
