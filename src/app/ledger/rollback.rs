//! Roll back's target: the last good version. Pure.
//!
//! The deployment history (`DeployRecord`s, newest first) lists the versions that finished
//! deploying, one record per run of a version. A version is **good** when it finished deploying
//! and was not left behind by a roll back; it is **bad** when a deployment of it failed (the
//! ledger says so) or when the history shows a return to an earlier version right after it ran
//! (someone rolled back away from it). The target is the newest good version that ran before the
//! current run and differs from the current version, so pressing `U` again walks further back
//! through good versions and never returns to the bad one.

use std::collections::HashSet;

use super::{OpKind, Operation};
use crate::domain::{DeployRecord, Millis};

/// The chosen version and the evidence for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub version: String,
    /// When its run started (the deploy finished).
    pub deployed: Millis,
    /// How long it ran before the next version replaced it.
    pub ran: Millis,
}

/// Versions not to roll back to: those whose deployment failed, and those rolled back away from.
pub fn bad_versions(history: &[DeployRecord], ops: &[Operation]) -> HashSet<String> {
    let mut bad: HashSet<String> = ops
        .iter()
        .filter(|o| matches!(o.kind, OpKind::Deploy | OpKind::Create))
        .filter(|o| o.told.is_some_and(|t| t.is_bad()))
        .filter_map(|o| o.version.clone())
        .collect();
    let mut seen: HashSet<&str> = HashSet::new();
    let oldest_first: Vec<&DeployRecord> = history.iter().rev().collect();
    for (i, r) in oldest_first.iter().enumerate() {
        if i > 0 && seen.contains(r.version.as_str()) {
            // A return to a version that ran before: the run it replaced was rolled back away from.
            let left = &oldest_first[i - 1].version;
            if *left != r.version {
                bad.insert(left.clone());
            }
        }
        seen.insert(&r.version);
    }
    bad
}

/// The last good version before the current run, or None when the history knows none.
pub fn target(
    current: Option<&str>,
    history: &[DeployRecord],
    ops: &[Operation],
) -> Option<Target> {
    let bad = bad_versions(history, ops);
    // The current run is the newest record of the current version at the head of the history.
    let skip = usize::from(history.first().map(|r| r.version.as_str()) == current);
    history
        .iter()
        .enumerate()
        .skip(skip)
        .find(|(_, r)| Some(r.version.as_str()) != current && !bad.contains(&r.version))
        .map(|(i, r)| Target {
            version: r.version.clone(),
            deployed: r.ts,
            // The record before it in the list (newer) is the run that replaced it.
            ran: i
                .checked_sub(1)
                .and_then(|n| history.get(n))
                .map_or(0, |next| (next.ts - r.ts).max(0)),
        })
}

/// The newest deploy of the environment when it failed: worth saying in the roll back dialog
/// (after a failed immutable deploy the environment already runs the old version).
pub fn failed_last_deploy(ops: &[Operation]) -> Option<&Operation> {
    ops.iter()
        .rev()
        .find(|o| o.kind == OpKind::Deploy)
        .filter(|o| o.told.is_some_and(|t| t.is_bad()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::ledger::Outcome;

    const DAY: Millis = 86_400_000;

    fn h(records: &[(&str, Millis)]) -> Vec<DeployRecord> {
        records
            .iter()
            .map(|(v, ts)| DeployRecord {
                version: v.to_string(),
                ts: *ts,
            })
            .collect()
    }

    fn deploy(version: &str, told: Outcome, at: Millis) -> Operation {
        Operation {
            request_id: format!("r-{version}-{at}"),
            env: "prod".into(),
            kind: OpKind::Deploy,
            version: Some(version.into()),
            started: at,
            last: at + 60_000,
            told: Some(told),
            batch: None,
            batch_size: None,
            events: 3,
        }
    }

    #[test]
    fn a_double_roll_back_walks_back_and_never_returns_to_the_bad_version() {
        // v1.4.2 ran, then v1.4.3, then v-broken; rolled back to v1.4.3.
        let history = h(&[
            ("v1.4.3", 4 * DAY),
            ("v-broken", 3 * DAY),
            ("v1.4.3", 2 * DAY),
            ("v1.4.2", 0),
        ]);
        let t = target(Some("v1.4.3"), &history, &[]).expect("a target");
        assert_eq!(t.version, "v1.4.2");
        assert_eq!(t.ran, 2 * DAY);
        // Before the first roll back, the target was v1.4.3.
        let before = &history[1..];
        assert_eq!(
            target(Some("v-broken"), before, &[]).map(|t| t.version),
            Some("v1.4.3".into())
        );
    }

    #[test]
    fn a_failed_rolling_deploy_is_never_a_target() {
        // v2 deployed "successfully" on some instances then failed; its record exists.
        let history = h(&[("v3", 3 * DAY), ("v2", 2 * DAY), ("v1", 0)]);
        let ops = [deploy("v2", Outcome::Failed, 2 * DAY)];
        assert_eq!(
            target(Some("v3"), &history, &ops).map(|t| t.version),
            Some("v1".into())
        );
    }

    #[test]
    fn after_a_failed_immutable_deploy_the_label_is_the_old_version() {
        // v2's immutable deploy failed: no record, the environment still runs v1.
        let history = h(&[("v1", DAY), ("v0", 0)]);
        let ops = [deploy("v2", Outcome::Failed, 2 * DAY)];
        assert_eq!(
            failed_last_deploy(&ops).and_then(|o| o.version.as_deref()),
            Some("v2")
        );
        assert_eq!(
            target(Some("v1"), &history, &ops).map(|t| t.version),
            Some("v0".into())
        );
    }

    #[test]
    fn a_fresh_environment_or_one_good_version_has_no_target() {
        assert_eq!(target(Some("v1"), &[], &[]), None);
        assert_eq!(target(Some("v1"), &h(&[("v1", 0)]), &[]), None);
    }

    #[test]
    fn the_current_version_is_never_its_own_target() {
        // A configuration change re-completed v1; runs of v1 are collapsed by the reader, but a
        // history that repeats it must still not offer it.
        let history = h(&[("v1", 2 * DAY), ("v0", DAY), ("v1", 0)]);
        assert_eq!(
            target(Some("v1"), &history, &[]).map(|t| t.version),
            None,
            "v0 was rolled back away from, v1 is current"
        );
    }
}
