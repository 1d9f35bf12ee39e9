//! UpdateEnvironment with option settings, as the user sends it: Elastic Beanstalk's checks
//! (refused before anything changes), then a configuration update: every instance restarts its
//! application with the new settings, which are the environment's once the update deployed them.

use crate::cloud::{CloudError, CloudResult};
use crate::domain::{OptionKey, OptionSetting};

use super::config::{self, SECRETS};
use super::engine::EngineScript;
use super::model::{OpKind, SEC};
use super::ops::{begin, restart_all, serving};
use super::refusals::require_ready;
use super::world::{Script, Step, World};

/// The most bytes the environment properties may take, counted as `key=value`.
pub(crate) const PROPERTIES_MAX: usize = 4_096;

/// Elastic Beanstalk's refusal of properties over 4,096 bytes: the text users report (their
/// properties travel as one parameter of the environment's CloudFormation template), verbatim.
pub(crate) const OVER_LIMIT: &str = "Service:AmazonCloudFormation, Message:Template format error: Parameter 'EnvironmentVariables' default value '[****]' length is greater than 4096.";

/// The checks Elastic Beanstalk makes before it accepts the change.
pub(crate) fn validate(next: &[OptionSetting]) -> CloudResult<()> {
    if config::properties_bytes(next) > PROPERTIES_MAX {
        return Err(CloudError::Other(OVER_LIMIT.to_string()));
    }
    for s in next.iter().filter(|s| s.namespace == SECRETS) {
        let arn = s.value.as_deref().unwrap_or_default();
        if !secret_arn(arn) {
            // Elastic Beanstalk's "Invalid option value" form; the reason after the colon is the
            // closest plausible wording (its own text for a malformed secret ARN was not found).
            return Err(CloudError::Other(format!(
                "Configuration validation exception: Invalid option value: '{arn}' (Namespace: \
                 '{SECRETS}', OptionName: '{}'): The value must be the ARN of a secret in AWS \
                 Secrets Manager or of a parameter in AWS Systems Manager Parameter Store.",
                s.name
            )));
        }
    }
    Ok(())
}

/// `arn:aws:secretsmanager:<region>:<account>:secret:<name>[:<json key>]` or
/// `arn:aws:ssm:<region>:<account>:parameter/<name>`.
pub(crate) fn secret_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [arn_, partition, service, region, account, rest] = parts.as_slice() else {
        return false;
    };
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-:".contains(c))
    };
    let head = *arn_ == "arn"
        && partition.starts_with("aws")
        && !region.is_empty()
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && account.len() == 12
        && account.chars().all(|c| c.is_ascii_digit());
    head && match *service {
        "secretsmanager" => rest.strip_prefix("secret:").is_some_and(plain),
        "ssm" => rest
            .strip_prefix("parameter/")
            .is_some_and(|p| plain(p) && !p.contains(':')),
        _ => false,
    }
}

/// The user's configuration change: checked, then scripted as a configuration update.
pub(crate) fn configure(
    w: &mut World,
    e: usize,
    set: &[OptionSetting],
    remove: &[OptionKey],
    rid: String,
) -> CloudResult<()> {
    require_ready(&w.envs[e])?;
    let next = config::changed(&w.envs[e].settings, set, remove);
    validate(&next)?;
    let now = w.now;
    let name = w.envs[e].name.clone();
    let targets = serving(&w.envs[e], now);
    let token = begin(w, e, OpKind::Configure);
    let mut s = Script::new(now, Some(rid), None);
    s.info("Environment update is starting.");
    s.wait(w.rng.between(2, 4) * SEC);
    s.info(format!(
        "Updating environment {name}'s configuration settings."
    ));
    s.wait(w.rng.between(8, 15) * SEC);
    // Every instance takes the new settings: its application restarts with them.
    let d = w.rng.between(6, 10) * SEC;
    restart_all(&mut s, targets, EngineScript::ConfigDeploy, d);
    s.wait(w.rng.between(3, 6) * SEC);
    s.push(Step::Settings(next));
    s.info("Successfully deployed new configuration to environment.");
    s.wait(SEC);
    s.info("Environment update completed successfully.");
    s.push(Step::Status(crate::domain::EnvStatus::Ready));
    s.push(Step::OpDone);
    w.schedule(e, Some(token), s);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_arns_of_both_stores_are_recognised() {
        for ok in [
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf:password",
            "arn:aws:ssm:us-east-1:123456789012:parameter/prod/stripe-key",
        ] {
            assert!(secret_arn(ok), "{ok}");
        }
        for bad in [
            "",
            "prod/db",
            "arn:aws:s3:::bucket/key",
            "arn:aws:secretsmanager:us-east-1:1234:secret:prod/db",
            "arn:aws:ssm:us-east-1:123456789012:parameter/",
            "arn:aws:ssm:us-east-1:123456789012:secret:prod/db",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod db",
        ] {
            assert!(!secret_arn(bad), "{bad}");
        }
    }
}
