//! An environment's configuration: the read (settings, secrets, the platform's lifecycle) and
//! the user's configuration change (Elastic Beanstalk's checks, the update's events, the
//! settings landing at its end, log streaming making the log groups appear).

use std::time::Duration;

use tokio::sync::mpsc;

use super::support::*;
use crate::cloud::sim::config::{CLOUDWATCH_LOGS, PROPERTIES, SECRETS, properties_bytes};
use crate::cloud::sim::configure::OVER_LIMIT;
use crate::cloud::sim::*;
use crate::cloud::{LogTarget, Op};
use crate::domain::{EnvConfig, OptionKey, OptionSetting, command_timeout};

const MIN: Millis = 60_000;

fn value<'a>(config: &'a EnvConfig, namespace: &str, name: &str) -> Option<&'a str> {
    config
        .settings
        .iter()
        .find(|s| s.namespace == namespace && s.name == name)
        .and_then(|s| s.value.as_deref())
}

fn set(namespace: &str, name: &str, value: &str) -> OptionSetting {
    OptionSetting {
        namespace: namespace.into(),
        name: name.into(),
        value: Some(value.into()),
    }
}

fn configure(env: EnvRef, set: Vec<OptionSetting>, remove: Vec<OptionKey>) -> Op {
    Op::Configure {
        env,
        set,
        remove,
        what: "test".into(),
    }
}

async fn config_of(c: &SimCloud, name: &str) -> EnvConfig {
    c.config(&env_ref(c, name).await).await.expect("config")
}

#[tokio::test]
async fn the_configuration_reads_properties_secrets_and_the_platform() {
    let c = sim(Scenario::Quiet);
    let prod = config_of(&c, "storefront-prod").await;
    let props = prod
        .settings
        .iter()
        .filter(|s| s.namespace == PROPERTIES)
        .count();
    assert!((18..=30).contains(&props), "{props} properties");
    let bytes = properties_bytes(&prod.settings);
    assert!(
        bytes * 100 >= 4096 * 80 && bytes * 100 < 4096 * 95,
        "the demo's meter is yellow: {bytes} bytes"
    );
    assert_eq!(
        value(&prod, SECRETS, "DB_PASSWORD"),
        Some("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf")
    );
    assert_eq!(
        value(&prod, SECRETS, "STRIPE_SECRET_KEY"),
        Some("arn:aws:ssm:us-east-1:123456789012:parameter/prod/stripe-key")
    );
    assert_eq!(command_timeout(&prod.settings), Some(600));
    assert_eq!(
        value(&prod, "aws:elasticbeanstalk:command", "DeploymentPolicy"),
        Some("Rolling")
    );
    assert_eq!(value(&prod, "aws:autoscaling:asg", "MinSize"), Some("4"));
    assert_eq!(
        value(&prod, "aws:ec2:instances", "InstanceTypes"),
        Some("t3.medium")
    );
    assert_eq!(value(&prod, CLOUDWATCH_LOGS, "StreamLogs"), Some("true"));
    let platform = prod.platform.expect("platform");
    assert_eq!(
        platform.branch.as_deref(),
        Some("Node.js 20 running on 64bit Amazon Linux 2023")
    );
    assert_eq!(platform.branch_state.as_deref(), Some("Supported"));
    assert_eq!(prod.platform_error, None);
    let r = env_ref(&c, "storefront-prod").await;
    assert_eq!(c.option_settings(&r).await.unwrap(), prod.settings);
    assert_eq!(
        prod.solution_stack.as_deref(),
        Some(env(&c, "storefront-prod").await.platform.as_str())
    );

    let billing = config_of(&c, "billing-prod").await;
    let platform = billing.platform.clone().expect("platform");
    assert_eq!(platform.branch_state.as_deref(), Some("Deprecated"));
    assert!(platform.branch.unwrap().starts_with("Node.js 18"));
    assert_eq!(
        value(&billing, CLOUDWATCH_LOGS, "StreamLogs"),
        Some("false")
    );
    let r = env_ref(&c, "billing-prod").await;
    assert!(c.log_groups(&r).await.unwrap().is_empty(), "not streamed");
    assert!(
        !c.eb_tail_logs(&r).await.unwrap().is_empty(),
        "Elastic Beanstalk's own tail logs still work"
    );
}

#[tokio::test]
async fn a_property_is_added_changed_and_removed_once_the_update_has_deployed_it() {
    let c = sim(Scenario::Quiet);
    let r = env_ref(&c, "storefront-staging").await;
    let op = configure(
        r.clone(),
        vec![
            set(PROPERTIES, "NEW_FLAG", "on"),
            set(PROPERTIES, "LOG_LEVEL", "warn"),
        ],
        vec![OptionKey {
            namespace: PROPERTIES.into(),
            name: "CDN_BASE_URL".into(),
        }],
    );
    let accepted = c.execute(&op).await.expect("accepted");
    let rid = accepted.request_id.expect("request id");
    assert_eq!(
        env(&c, "storefront-staging").await.status,
        EnvStatus::Updating
    );
    let before = config_of(&c, "storefront-staging").await;
    assert_eq!(value(&before, PROPERTIES, "LOG_LEVEL"), Some("debug"));
    assert_eq!(value(&before, PROPERTIES, "NEW_FLAG"), None);

    let mut saw_info = false;
    let mut waited = 0;
    while env(&c, "storefront-staging").await.status != EnvStatus::Ready {
        assert!(waited < 3 * MIN, "the update ends");
        let h = c.health(&r).await.unwrap();
        saw_info |= h
            .instances
            .iter()
            .any(|i| i.status == crate::domain::HealthStatus::Info);
        let landed = value(
            &config_of(&c, "storefront-staging").await,
            PROPERTIES,
            "NEW_FLAG",
        )
        .is_some();
        let deployed = messages(&c, "storefront-staging")
            .await
            .iter()
            .any(|m| m == "Successfully deployed new configuration to environment.");
        assert_eq!(landed, deployed, "the settings change with the deploy");
        c.advance(2_000);
        waited += 2_000;
    }
    assert!(saw_info, "the instances restarted their application");
    let after = config_of(&c, "storefront-staging").await;
    assert_eq!(value(&after, PROPERTIES, "NEW_FLAG"), Some("on"));
    assert_eq!(value(&after, PROPERTIES, "LOG_LEVEL"), Some("warn"));
    assert_eq!(value(&after, PROPERTIES, "CDN_BASE_URL"), None);
    let events = events_since_start(&c, "storefront-staging").await;
    let ours: Vec<String> = events
        .iter()
        .filter(|e| e.request_id.as_deref() == Some(rid.as_str()))
        .map(|e| e.message.clone())
        .collect();
    assert_eq!(
        ours,
        [
            "Environment update is starting.",
            "Updating environment storefront-staging's configuration settings.",
            "Successfully deployed new configuration to environment.",
            "Environment update completed successfully.",
        ]
    );
}

#[tokio::test]
async fn properties_over_4096_bytes_are_refused_and_nothing_changes() {
    let c = sim(Scenario::Quiet);
    let r = env_ref(&c, "storefront-prod").await;
    let before = config_of(&c, "storefront-prod").await;
    let room = 4096 - properties_bytes(&before.settings);
    // `BIG=` and a value that passes the limit by one byte.
    let big = "x".repeat(room - "BIG=".len() + 1);
    let events = messages(&c, "storefront-prod").await.len();
    let refused = c
        .execute(&configure(
            r.clone(),
            vec![set(PROPERTIES, "BIG", &big)],
            vec![],
        ))
        .await;
    assert_eq!(refused, Err(CloudError::Other(OVER_LIMIT.into())));
    assert_eq!(config_of(&c, "storefront-prod").await, before);
    assert_eq!(env(&c, "storefront-prod").await.status, EnvStatus::Ready);
    assert_eq!(messages(&c, "storefront-prod").await.len(), events);
    // Exactly at the limit is accepted.
    let fits = "x".repeat(room - "BIG=".len());
    c.execute(&configure(r, vec![set(PROPERTIES, "BIG", &fits)], vec![]))
        .await
        .expect("4,096 bytes fit");
}

#[tokio::test]
async fn a_malformed_secret_arn_is_refused() {
    let c = sim(Scenario::Quiet);
    let r = env_ref(&c, "storefront-prod").await;
    let op = configure(r, vec![set(SECRETS, "API_TOKEN", "prod/api-token")], vec![]);
    match c.execute(&op).await {
        Err(CloudError::Other(m)) => assert!(
            m.starts_with(
                "Configuration validation exception: Invalid option value: 'prod/api-token'"
            ) && m.contains("OptionName: 'API_TOKEN'"),
            "{m}"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(env(&c, "storefront-prod").await.status, EnvStatus::Ready);
}

#[tokio::test]
async fn a_change_while_the_environment_is_not_ready_is_refused() {
    let c = sim(Scenario::Quiet);
    let r = env_ref(&c, "storefront-prod").await;
    c.execute(&Op::RestartAppServer { env: r.clone() })
        .await
        .expect("restart");
    let op = configure(r, vec![set(PROPERTIES, "NEW_FLAG", "on")], vec![]);
    assert_eq!(
        c.execute(&op).await,
        Err(CloudError::Other(
            "Environment named storefront-prod is in an invalid state for this operation. Must be Ready."
                .into()
        ))
    );
}

/// The first lines a tail of `groups` sends (its backfill from `start`).
async fn backfill(
    c: &SimCloud,
    env: EnvRef,
    groups: Vec<String>,
    start: Millis,
) -> Vec<RawLogEvent> {
    let (tx, mut rx) = mpsc::channel(16);
    let target = LogTarget { env, groups, start };
    let task = async {
        let mut lines = Vec::new();
        while let Ok(Some(ev)) = tokio::time::timeout(Duration::from_millis(200), rx.recv()).await {
            if let TailEvent::Events(batch) = ev {
                lines.extend(batch);
                break;
            }
        }
        drop(rx);
        lines
    };
    let (tail, lines) = tokio::join!(c.tail_logs(target, tx), task);
    tail.expect("tail");
    lines
}

#[tokio::test]
async fn log_streaming_turned_on_makes_the_log_groups_appear() {
    let c = sim(Scenario::Quiet);
    let r = env_ref(&c, "billing-prod").await;
    let on = configure(
        r.clone(),
        vec![
            set(CLOUDWATCH_LOGS, "StreamLogs", "true"),
            set(CLOUDWATCH_LOGS, "RetentionInDays", "7"),
        ],
        vec![],
    );
    c.execute(&on).await.expect("accepted");
    assert!(
        c.log_groups(&r).await.unwrap().is_empty(),
        "not before the update ends"
    );
    until(&c, "billing-prod", 3 * MIN, 2_000, |e| {
        e.status == EnvStatus::Ready
    })
    .await
    .expect("the update ends");
    let groups = c.log_groups(&r).await.unwrap();
    assert!(
        groups.contains(&"/aws/elasticbeanstalk/billing-prod/var/log/nginx/access.log".to_string()),
        "{groups:?}"
    );
    let enabled = c.now();
    c.advance(MIN);
    let access = vec!["/aws/elasticbeanstalk/billing-prod/var/log/nginx/access.log".to_string()];
    let lines = backfill(&c, r.clone(), access, START - 60 * MIN).await;
    assert!(!lines.is_empty(), "the new groups are tailed");
    assert!(
        lines.iter().all(|l| l.ts >= enabled - 10_000),
        "nothing from before streaming began"
    );

    // Turned off again: the groups are no longer listed for a new tail.
    let off = configure(
        r.clone(),
        vec![set(CLOUDWATCH_LOGS, "StreamLogs", "false")],
        vec![],
    );
    c.execute(&off).await.expect("accepted");
    until(&c, "billing-prod", 3 * MIN, 2_000, |e| {
        e.status == EnvStatus::Ready
    })
    .await
    .expect("the update ends");
    assert!(c.log_groups(&r).await.unwrap().is_empty());
}
