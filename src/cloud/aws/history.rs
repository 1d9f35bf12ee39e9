//! Which versions finished deploying to an environment, read from its Elastic Beanstalk events.
//!
//! Elastic Beanstalk keeps no deployment list per environment, so the history is inferred from
//! events. The rule:
//!
//! 1. An event marks a finished deployment when its message is one Elastic Beanstalk writes only
//!    after a successful update or launch (`COMPLETION_MESSAGES`). Failed deployments end with
//!    "... complete, but with errors" instead and are never counted.
//! 2. The deployed version is the event's VersionLabel. When the completion event carries none,
//!    the VersionLabel of another event of the same request (same RequestId) is used; when no
//!    event of that request names a version, the event is skipped: a guess could offer the wrong
//!    version for a roll back.
//! 3. The result is newest first, and consecutive records of the same version are collapsed into
//!    one carrying the oldest time of the run (when that version started running): a
//!    configuration change re-completes an update without changing the version, and one
//!    deployment writes two completion events.

use std::collections::HashMap;

use crate::domain::{DeployRecord, EnvEvent};

/// Messages Elastic Beanstalk writes when an update or a launch completed successfully.
const COMPLETION_MESSAGES: &[&str] = &[
    "New application version was deployed to running EC2 instances.",
    "Environment update completed successfully.",
    "createEnvironment completed successfully.",
    "Successfully completed createEnvironment activity.",
    "Successfully completed updateEnvironment activity.",
];

fn is_completion(message: &str) -> bool {
    let message = message.trim();
    COMPLETION_MESSAGES.contains(&message)
}

/// Apply the rule to events in any order; returns newest first.
pub(crate) fn deploy_records(events: &[EnvEvent]) -> Vec<DeployRecord> {
    // The version each request named, from any of its events.
    let mut by_request: HashMap<&str, &str> = HashMap::new();
    for e in events {
        if let (Some(req), Some(version)) = (e.request_id.as_deref(), e.version.as_deref()) {
            by_request.entry(req).or_insert(version);
        }
    }
    let mut completions: Vec<DeployRecord> = events
        .iter()
        .filter(|e| is_completion(&e.message))
        .filter_map(|e| {
            let version = e.version.as_deref().or_else(|| {
                e.request_id
                    .as_deref()
                    .and_then(|r| by_request.get(r).copied())
            })?;
            Some(DeployRecord {
                version: version.to_string(),
                ts: e.ts,
            })
        })
        .collect();
    completions.sort_by_key(|r| std::cmp::Reverse(r.ts));

    let mut out: Vec<DeployRecord> = Vec::new();
    for record in completions {
        match out.last_mut() {
            // Newest first: a later item of the run is older, so it moves the run's time back.
            Some(last) if last.version == record.version => last.ts = record.ts,
            _ => out.push(record),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Severity;

    fn ev(ts: i64, message: &str, version: Option<&str>, request: Option<&str>) -> EnvEvent {
        EnvEvent {
            ts,
            env: "prod".into(),
            severity: Severity::Info,
            message: message.into(),
            version: version.map(str::to_string),
            request_id: request.map(str::to_string),
        }
    }

    #[test]
    fn completions_newest_first_with_runs_collapsed() {
        let events = vec![
            ev(
                10,
                "Environment update completed successfully.",
                Some("v3"),
                Some("r3"),
            ),
            ev(
                9,
                "New application version was deployed to running EC2 instances.",
                Some("v3"),
                Some("r3"),
            ),
            ev(8, "Environment update is starting.", Some("v3"), Some("r3")),
            ev(
                7,
                "Environment update completed successfully.",
                Some("v2"),
                Some("r2b"),
            ),
            ev(
                5,
                "Environment update completed successfully.",
                Some("v2"),
                Some("r2"),
            ),
            ev(
                3,
                "Successfully completed createEnvironment activity.",
                Some("v1"),
                Some("r1"),
            ),
        ];
        let got = deploy_records(&events);
        assert_eq!(
            got,
            vec![
                DeployRecord {
                    version: "v3".into(),
                    ts: 9
                },
                DeployRecord {
                    version: "v2".into(),
                    ts: 5
                },
                DeployRecord {
                    version: "v1".into(),
                    ts: 3
                },
            ]
        );
    }

    #[test]
    fn version_from_same_request_and_failures_ignored() {
        let events = vec![
            ev(
                20,
                "Update environment operation is complete, but with errors.",
                Some("bad"),
                Some("r9"),
            ),
            ev(19, "Failed to deploy application.", Some("bad"), Some("r9")),
            ev(
                12,
                "Environment update completed successfully.",
                None,
                Some("r5"),
            ),
            ev(
                11,
                "Deploying new version to instance(s).",
                Some("v5"),
                Some("r5"),
            ),
            // No version anywhere for this request: skipped, not guessed.
            ev(
                4,
                "Environment update completed successfully.",
                None,
                Some("r4"),
            ),
        ];
        assert_eq!(
            deploy_records(&events),
            vec![DeployRecord {
                version: "v5".into(),
                ts: 12
            }]
        );
    }

    #[test]
    fn a_version_deployed_again_later_is_a_new_record() {
        let events = vec![
            ev(
                30,
                "Environment update completed successfully.",
                Some("v1"),
                None,
            ),
            ev(
                20,
                "Environment update completed successfully.",
                Some("v2"),
                None,
            ),
            ev(
                10,
                "Environment update completed successfully.",
                Some("v1"),
                None,
            ),
        ];
        let versions: Vec<_> = deploy_records(&events)
            .into_iter()
            .map(|r| r.version)
            .collect();
        assert_eq!(versions, ["v1", "v2", "v1"]);
    }
}
