//! Carrying out `Effect::Capture`: read the evidence of a failure before Elastic Beanstalk
//! removes it. CloudWatch: the environment's engine, bootstrap and application logs from
//! `CAPTURE_BEFORE` before the failure to a minute after. Tail logs: the bundles the instances
//! uploaded after the capture's RequestEnvironmentInfo (sent through the write gate).

use tokio::sync::mpsc;

use crate::app::journal::{CAPTURE_BEFORE, NO_STREAMING, log_line};
use crate::cloud::{Cloud, LogSearch, TailEvent};
use crate::domain::{EnvRef, Millis, RawLogEvent};
use crate::journal::{Capture, CaptureSource};

/// Lines kept per capture: the newest, when more came.
pub const MAX_LINES: usize = 5_000;
/// Lines are read up to this long after the failure.
const AFTER: Millis = 60_000;

/// The files that tell why a deployment or a launch failed, in the order they matter.
const EVIDENCE: [&str; 8] = [
    "eb-engine.log",
    "cfn-init.log",
    "cfn-init-cmd.log",
    "eb-hooks.log",
    "web.stdout.log",
    "nginx/error.log",
    "httpd/error_log",
    "messages",
];

pub async fn capture(cloud: &dyn Cloud, env: EnvRef, mut c: Capture) -> Capture {
    let lines = match c.source {
        CaptureSource::CloudWatch => from_cloudwatch(cloud, env, &mut c).await,
        CaptureSource::TailLogs => match cloud.eb_tail_logs(&env).await {
            Ok(lines) => lines,
            Err(e) => {
                c.note = Some(format!("tail logs not collected: {}", e.message()));
                Vec::new()
            }
        },
    };
    let mut lines: Vec<_> = lines.iter().map(log_line).collect();
    lines.sort_by_key(|l| l.ts);
    if lines.len() > MAX_LINES {
        lines.drain(..lines.len() - MAX_LINES);
    }
    c.lines = lines;
    if c.note.as_deref() == Some("capturing...") {
        c.note = None;
    }
    c
}

async fn from_cloudwatch(cloud: &dyn Cloud, env: EnvRef, c: &mut Capture) -> Vec<RawLogEvent> {
    let groups = match cloud.log_groups(&env).await {
        Ok(g) => g,
        Err(e) => {
            c.note = Some(format!("cannot list the log groups: {}", e.message()));
            return Vec::new();
        }
    };
    let picked = pick(&groups);
    if picked.is_empty() {
        c.note = Some(NO_STREAMING.into());
        return Vec::new();
    }
    let search = LogSearch {
        env,
        groups: picked,
        pattern: String::new(),
        start: c.at - CAPTURE_BEFORE,
        end: c.at + AFTER,
    };
    let (tx, mut rx) = mpsc::channel(64);
    let collect = async {
        let mut got = Vec::new();
        while let Some(ev) = rx.recv().await {
            if let TailEvent::Events(lines) = ev {
                got.extend(lines);
            }
        }
        got
    };
    let (result, got) = tokio::join!(cloud.search_logs(search, tx), collect);
    if let Err(e) = result {
        c.note = Some(format!("log lines not all read: {}", e.message()));
    }
    got
}

/// The groups worth keeping, in the order of `EVIDENCE`; every group when none is known.
fn pick(groups: &[String]) -> Vec<String> {
    let mut picked: Vec<String> = EVIDENCE
        .iter()
        .filter_map(|f| groups.iter().find(|g| g.ends_with(&format!("/{f}"))))
        .cloned()
        .collect();
    if picked.is_empty() {
        picked = groups.iter().take(EVIDENCE.len()).cloned().collect();
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::pick;

    #[test]
    fn the_engine_and_bootstrap_logs_come_first() {
        let g = |s: &str| format!("/aws/elasticbeanstalk/shop/var/log/{s}");
        let groups = vec![
            g("nginx/access.log"),
            g("web.stdout.log"),
            g("eb-engine.log"),
            g("cfn-init.log"),
        ];
        assert_eq!(
            pick(&groups),
            vec![g("eb-engine.log"), g("cfn-init.log"), g("web.stdout.log")]
        );
        let other = vec![g("app/custom.log")];
        assert_eq!(pick(&other), other);
        assert!(pick(&[]).is_empty());
    }
}
