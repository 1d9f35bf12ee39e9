//! What an operation was and how it ended, from its own events (those of one request id). Pure.
//!
//! Only operation-level sentences count. Elastic Beanstalk also writes instance-level failures
//! ("Command failed on instance", "Instance deployment failed") that the operation may survive,
//! health transitions that belong to the environment, and advice after a failure ("During an
//! aborted deployment, ..."); none of them is an outcome.
//!
//! Precedence, strongest first, when several end sentences appear in one operation:
//!
//! 1. **aborted**: someone asked to abort ("Received request to abort environment update.",
//!    "Environment update was aborted."). Elastic Beanstalk's own "Aborting the operation." after
//!    a failed command is not an abort by a person: it is a failure.
//! 2. **reverted**: a failed configuration change was rolled back ("The environment was reverted
//!    to the previous configuration setting.").
//! 3. **failed**: "Failed to deploy application.", "Failed to deploy configuration.", "Failed to
//!    launch environment.", a CloudFormation stack that "aborted operation", a launch "However,
//!    there were issues during launch.". A failure followed by "Update environment operation is
//!    complete, but with errors." is still a failure.
//! 4. **completed with errors**: "... operation is complete, but with errors."
//! 5. **succeeded**: "Environment update completed successfully.", "Successfully launched
//!    environment", `<api> completed successfully`, "Completed swapping CNAMEs", "Restarted
//!    application server on all ec2 instances.", "Successfully deployed new configuration".
//!
//! No end sentence at all is `None`: the caller says "in progress" while the environment is
//! busy, and "unknown" once it has settled (never "succeeded" by default).

use super::{OpKind, Outcome};
use crate::domain::EnvEvent;

/// The outcome the events of one operation tell, or None when they tell no end.
pub fn outcome(events: &[&EnvEvent]) -> Option<Outcome> {
    events
        .iter()
        .filter_map(|e| end_of(&e.message))
        .max_by_key(|o| rank(*o))
}

fn rank(o: Outcome) -> u8 {
    match o {
        Outcome::Aborted => 5,
        Outcome::Reverted => 4,
        Outcome::Failed => 3,
        Outcome::CompletedWithErrors => 2,
        Outcome::Succeeded => 1,
        Outcome::InProgress | Outcome::Unknown => 0,
    }
}

/// The end one sentence announces, if it announces one.
fn end_of(message: &str) -> Option<Outcome> {
    let m = message.to_ascii_lowercase();
    if is_health_transition(&m) {
        return None;
    }
    if m.contains("request to abort") || m.contains("update was aborted") {
        return Some(Outcome::Aborted);
    }
    if m.contains("reverted to the previous") || m.contains("rolled back to the previous") {
        return Some(Outcome::Reverted);
    }
    if m.starts_with("failed to deploy")
        || m.starts_with("failed to launch")
        || m.starts_with("failed to update")
        || m.contains("aborted operation. current state")
        || m.contains("there were issues during launch")
    {
        return Some(Outcome::Failed);
    }
    if m.contains("operation is complete, but with errors") {
        return Some(Outcome::CompletedWithErrors);
    }
    if m.starts_with("environment update completed successfully")
        || m.starts_with("successfully launched environment")
        || m.starts_with("successfully completed")
        || m.starts_with("successfully deployed new configuration")
        || m.starts_with("completed swapping cnames")
        || m.starts_with("restarted application server")
        || api_completed(&m)
    {
        return Some(Outcome::Succeeded);
    }
    None
}

/// "terminateEnvironment completed successfully." and the like: an API name, then the words.
fn api_completed(m: &str) -> bool {
    m.strip_suffix("completed successfully.")
        .or_else(|| m.strip_suffix("completed successfully"))
        .is_some_and(|api| {
            let api = api.trim();
            !api.is_empty() && !api.contains(' ')
        })
}

fn is_health_transition(m: &str) -> bool {
    m.starts_with("environment health has")
}

/// The kind of operation its events show. The first sentence usually names it ("createEnvironment
/// is starting."); an "Environment update" is a deploy when a version goes to instances and a
/// configuration update when settings change.
pub fn kind(events: &[&EnvEvent]) -> OpKind {
    let mut update = false;
    for e in events {
        let m = e.message.to_ascii_lowercase();
        if is_health_transition(&m) {
            continue;
        }
        let named = if m.contains("createenvironment")
            || m.contains("launched environment")
            || m.starts_with("failed to launch environment")
        {
            Some(OpKind::Create)
        } else if m.contains("terminateenvironment") {
            Some(OpKind::Terminate)
        } else if m.starts_with("rebuildenvironment") || m.starts_with("restoreenvironment") {
            Some(OpKind::Rebuild)
        } else if m.starts_with("restartappserver") || m.starts_with("restarted application server")
        {
            Some(OpKind::Restart)
        } else if m.starts_with("swapenvironmentcnames") || m.contains("swapping cnames") {
            Some(OpKind::Swap)
        } else if m.contains("request to abort") {
            Some(OpKind::Abort)
        } else if m.contains("managed platform update") || m.contains("managed update") {
            Some(OpKind::PlatformUpdate)
        } else if m.contains("deploying new version")
            || m.contains("application deployment")
            || m.starts_with("failed to deploy application")
            || m.contains("new application version was deployed")
            || m.contains("immutable deployment policy")
        {
            Some(OpKind::Deploy)
        } else if m.contains("configuration settings")
            || m.contains("new configuration")
            || m.contains("failed to deploy configuration")
            || m.contains("previous configuration")
        {
            Some(OpKind::Configuration)
        } else {
            update |= m.starts_with("environment update") || m.contains("update environment");
            None
        };
        if let Some(k) = named {
            return k;
        }
    }
    if update {
        OpKind::Update
    } else {
        OpKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Severity;

    fn told(msgs: &[&str]) -> Option<Outcome> {
        let evs: Vec<EnvEvent> = msgs
            .iter()
            .enumerate()
            .map(|(i, m)| EnvEvent {
                ts: i as i64,
                env: "prod".into(),
                severity: Severity::Info,
                message: m.to_string(),
                version: None,
                request_id: Some("r".into()),
            })
            .collect();
        outcome(&evs.iter().collect::<Vec<_>>())
    }

    #[test]
    fn a_create_whose_stack_rolls_back_failed_it_was_not_aborted() {
        assert_eq!(
            told(&[
                "createEnvironment is starting.",
                "Stack named 'awseb-e-x-stack' aborted operation. Current state: 'ROLLBACK_IN_PROGRESS'  Reason: x",
                "Create environment operation is complete, but with errors. For more information, see troubleshooting documentation.",
            ]),
            Some(Outcome::Failed)
        );
    }

    #[test]
    fn a_failure_followed_by_complete_with_errors_is_a_failure() {
        assert_eq!(
            told(&[
                "Failed to deploy application.",
                "Update environment operation is complete, but with errors.",
            ]),
            Some(Outcome::Failed)
        );
    }

    #[test]
    fn eb_stopping_a_failed_deploy_is_not_an_abort_but_a_person_asking_is() {
        assert_eq!(
            told(&[
                "Unsuccessful command execution on instance id(s) 'i-1'. Aborting the operation.",
                "Failed to deploy application.",
                "During an aborted deployment, some instances may have deployed the new application version.",
            ]),
            Some(Outcome::Failed)
        );
        assert_eq!(
            told(&[
                "Environment update is starting.",
                "Received request to abort environment update.",
                "Environment update was aborted.",
            ]),
            Some(Outcome::Aborted)
        );
    }

    #[test]
    fn an_update_stopped_by_an_abort_of_its_own_request_is_aborted() {
        let ev = |ts: i64, rid: &str, m: &str| EnvEvent {
            ts,
            env: "prod".into(),
            severity: Severity::Info,
            message: m.into(),
            version: None,
            request_id: Some(rid.into()),
        };
        let ops = super::super::operations(&[
            ev(1, "deploy", "Environment update is starting."),
            ev(2, "deploy", "Deploying new version to instance(s)."),
            ev(3, "abort", "Received request to abort environment update."),
            ev(4, "abort", "Environment update was aborted."),
        ]);
        assert_eq!(ops.len(), 2);
        assert_eq!(ops[0].kind, OpKind::Deploy);
        assert_eq!(ops[0].told, Some(Outcome::Aborted));
    }

    #[test]
    fn a_configuration_change_that_failed_may_still_be_reverted_while_busy() {
        let ev = |ts: i64, m: &str| EnvEvent {
            ts,
            env: "prod".into(),
            severity: Severity::Info,
            message: m.into(),
            version: None,
            request_id: Some("c".into()),
        };
        let ops = super::super::operations(&[
            ev(1, "Updating environment prod's configuration settings."),
            ev(2, "Failed to deploy configuration."),
        ]);
        assert_eq!(ops[0].kind, OpKind::Configuration);
        assert_eq!(
            ops[0].outcome(true),
            Outcome::InProgress,
            "busy: a revert may follow"
        );
        assert_eq!(ops[0].outcome(false), Outcome::Failed, "settled: it failed");
    }

    #[test]
    fn no_end_sentence_is_no_outcome_and_health_is_never_one() {
        assert_eq!(
            told(&[
                "Environment update is starting.",
                "Instance deployment completed successfully.",
                "Environment health has transitioned from Ok to Severe. 100.0 % of the requests are failing with HTTP 5xx.",
            ]),
            None
        );
        assert_eq!(
            told(&["terminateEnvironment completed successfully."]),
            Some(Outcome::Succeeded)
        );
    }
}
