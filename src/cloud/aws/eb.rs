//! Elastic Beanstalk reads: environments, events, health, versions, deployment history.

use std::collections::HashSet;

use aws_sdk_elasticbeanstalk::types::{EnvironmentHealthAttribute, InstancesHealthAttribute};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::DateTime;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::{AwsCloud, Pager, convert, history, lock};
use crate::cloud::{Cloud, CloudError, CloudResult};
use crate::domain::{
    AppVersion, DeployRecord, EnvEvent, EnvRef, Environment, HealthColor, HealthSnapshot,
    InstanceHealth, Millis,
};

const HOUR_MS: Millis = 60 * 60 * 1000;
/// DescribeEvents' largest page.
const EVENTS_PAGE: i32 = 1000;
/// Without a cursor, at least this many recent events are shown even when the last hour was quiet.
const RECENT_EVENTS: usize = 100;
/// How far back the deployment history looks, in events.
const HISTORY_EVENTS: usize = 1000;
/// How long an environment found without enhanced health is read as basic before asking again.
const BASIC_HEALTH_RECHECK_MS: Millis = 5 * 60 * 1000;
/// The start of the cause added to a health snapshot whose instances could not be read; AWS's
/// words follow.
pub const INSTANCE_HEALTH_UNREAD: &str = "Instance health not read: ";

/// Is this DescribeEnvironmentHealth / DescribeInstancesHealth refusal "enhanced health is off"?
/// AWS answers InvalidRequestException for it; the same code for an unknown environment carries a
/// not-found message, which must stay an error.
fn enhanced_health_off<E: ProvideErrorMetadata>(
    err: &SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> bool {
    let Some(service) = err.as_service_error() else {
        return false;
    };
    let message = service.message().unwrap_or_default().to_ascii_lowercase();
    if message.contains("enhanced health") {
        return true;
    }
    service.code() == Some("InvalidRequestException")
        && !(message.contains("not found")
            || message.contains("no environment found")
            || message.contains("does not exist"))
}

impl AwsCloud {
    pub(super) async fn read_environments(&self) -> CloudResult<Vec<Environment>> {
        let mut out = Vec::new();
        let mut pager = Pager::default();
        // Environments terminated in the last hour stay listed (as in the console), so a failed
        // first creation can still be selected and its events and logs read.
        let back_to = aws_smithy_types::DateTime::from_millis(
            chrono::Utc::now().timestamp_millis() - 3_600_000,
        );
        loop {
            let resp = self
                .eb
                .describe_environments()
                .include_deleted(true)
                .included_deleted_back_to(back_to)
                .set_next_token(pager.token())
                .send()
                .await
                .map_err(|e| self.sdk_err(e))?;
            for d in resp.environments() {
                self.note_arn(d.environment_arn());
                let mut env = convert::environment(d);
                env.deployment_policy = lock(&self.policies)
                    .get(&env.env.name)
                    .and_then(|(_, p)| p.clone());
                out.push(env);
            }
            if !pager.advance(resp.next_token()) {
                break;
            }
        }
        Ok(out)
    }

    /// DescribeEvents for one environment, newest first as AWS returns them, following pages until
    /// `limit` events were read.
    async fn describe_events(
        &self,
        env: &EnvRef,
        start: Option<Millis>,
        page_size: i32,
        limit: usize,
    ) -> CloudResult<Vec<EnvEvent>> {
        let mut out = Vec::new();
        let mut pager = Pager::default();
        loop {
            let resp = self
                .eb
                .describe_events()
                .set_environment_id(by_id(env))
                .set_environment_name(by_name(env))
                .set_start_time(start.map(DateTime::from_millis))
                .max_records(page_size)
                .set_next_token(pager.token())
                .send()
                .await
                .map_err(|e| self.sdk_err(e))?;
            out.extend(resp.events().iter().map(convert::event));
            if out.len() >= limit || !pager.advance(resp.next_token()) {
                break;
            }
        }
        out.truncate(limit);
        Ok(out)
    }

    /// One environment's events before `before` (EndTime is inclusive at AWS: the boundary is
    /// dropped here), the newest `OLDER_EVENTS_PAGE` of them, returned oldest first.
    pub(super) async fn read_older_events(
        &self,
        env: &EnvRef,
        before: Millis,
    ) -> CloudResult<Vec<EnvEvent>> {
        let page = crate::cloud::OLDER_EVENTS_PAGE;
        let resp = self
            .eb
            .describe_events()
            .set_environment_id(by_id(env))
            .set_environment_name(by_name(env))
            .end_time(DateTime::from_millis(before))
            .max_records(page as i32 + 1)
            .send()
            .await
            .map_err(|e| self.sdk_err(e))?;
        let mut events: Vec<EnvEvent> = resp
            .events()
            .iter()
            .map(convert::event)
            .filter(|e| e.ts < before)
            .collect();
        events.truncate(page);
        events.reverse();
        events.sort_by_key(|e| e.ts);
        Ok(events)
    }

    /// DescribeEvents without an environment: every environment's events, newest first from AWS,
    /// at most `ACCOUNT_EVENTS_MAX`; returned oldest first.
    pub(super) async fn read_account_events(
        &self,
        since: Option<Millis>,
    ) -> CloudResult<Vec<EnvEvent>> {
        let start = since.unwrap_or_else(|| self.now() - crate::cloud::ACCOUNT_EVENTS_FIRST);
        let mut out = Vec::new();
        let mut pager = Pager::default();
        loop {
            let resp = self
                .eb
                .describe_events()
                .start_time(DateTime::from_millis(start))
                .max_records(EVENTS_PAGE)
                .set_next_token(pager.token())
                .send()
                .await
                .map_err(|e| self.sdk_err(e))?;
            out.extend(resp.events().iter().map(convert::event));
            if out.len() >= crate::cloud::ACCOUNT_EVENTS_MAX || !pager.advance(resp.next_token()) {
                break;
            }
        }
        out.truncate(crate::cloud::ACCOUNT_EVENTS_MAX);
        out.retain(|e| e.ts >= start && !e.env.is_empty());
        out.reverse();
        out.sort_by_key(|e| e.ts);
        Ok(out)
    }

    pub(super) async fn read_events(
        &self,
        env: &EnvRef,
        since: Option<Millis>,
    ) -> CloudResult<Vec<EnvEvent>> {
        let start = since.unwrap_or_else(|| self.now() - HOUR_MS);
        let mut events = self
            .describe_events(env, Some(start), EVENTS_PAGE, usize::MAX)
            .await?;
        // StartTime is inclusive at AWS; filtering here too keeps the contract with endpoints
        // that ignore it.
        events.retain(|e| e.ts >= start);
        if since.is_none() && events.len() < RECENT_EVENTS {
            let latest = self
                .describe_events(env, None, RECENT_EVENTS as i32, RECENT_EVENTS)
                .await?;
            let key = |e: &EnvEvent| (e.ts, e.message.clone(), e.request_id.clone());
            let have: HashSet<_> = events.iter().map(key).collect();
            events.extend(latest.into_iter().filter(|e| !have.contains(&key(e))));
        }
        // Oldest first; AWS order (newest first) is reversed before the stable sort so events
        // with the same timestamp keep their order of occurrence.
        events.reverse();
        events.sort_by_key(|e| e.ts);
        Ok(events)
    }

    /// The deployment history, read from the events. Alongside it, the environment's deployment
    /// policy is refreshed (both say how the environment deploys, and both are read at the slow
    /// pace of the history poll).
    pub(super) async fn read_deploy_history(&self, env: &EnvRef) -> CloudResult<Vec<DeployRecord>> {
        let (events, ()) = tokio::join!(
            self.describe_events(env, None, EVENTS_PAGE, HISTORY_EVENTS),
            self.refresh_policy(env)
        );
        Ok(history::deploy_records(&events?))
    }

    /// Read `aws:elasticbeanstalk:command` DeploymentPolicy (DescribeConfigurationSettings) when
    /// the cached value is older than ten minutes. A failure is remembered as unknown: the
    /// policy is shown when known and never blocks anything.
    async fn refresh_policy(&self, env: &EnvRef) {
        let now = chrono::Utc::now().timestamp_millis();
        if lock(&self.policies)
            .get(&env.name)
            .is_some_and(|(at, _)| now - at < 600_000)
        {
            return;
        }
        let policy = match self.read_option_settings(env).await {
            Ok(settings) => settings
                .into_iter()
                .find(|o| {
                    o.namespace == "aws:elasticbeanstalk:command" && o.name == "DeploymentPolicy"
                })
                .and_then(|o| o.value)
                .filter(|v| !v.is_empty()),
            Err(e) => {
                tracing::debug!(env = %env.name, "deployment policy unknown: {e}");
                None
            }
        };
        lock(&self.policies).insert(env.name.clone(), (now, policy));
    }

    pub(super) async fn read_versions(&self, app: &str) -> CloudResult<Vec<AppVersion>> {
        let mut out = Vec::new();
        let mut pager = Pager::default();
        loop {
            let resp = self
                .eb
                .describe_application_versions()
                .application_name(app)
                .set_next_token(pager.token())
                .send()
                .await
                .map_err(|e| self.sdk_err(e))?;
            out.extend(resp.application_versions().iter().map(convert::app_version));
            if !pager.advance(resp.next_token()) {
                break;
            }
        }
        out.sort_by_key(|v| std::cmp::Reverse(v.created));
        Ok(out)
    }

    pub(super) async fn read_health(&self, env: &EnvRef) -> CloudResult<HealthSnapshot> {
        let now = self.now();
        let known_basic = lock(&self.basic_health)
            .get(env)
            .is_some_and(|until| now < *until);
        if known_basic {
            return self.basic_snapshot(env).await;
        }
        let resp = self
            .eb
            .describe_environment_health()
            .environment_name(&env.name)
            .attribute_names(EnvironmentHealthAttribute::All)
            .send()
            .await;
        let env_health = match resp {
            Ok(o) => convert::env_health(&o),
            Err(e) if enhanced_health_off(&e) => {
                tracing::debug!(env = %env.name, "enhanced health is off; reading basic health");
                lock(&self.basic_health).insert(env.clone(), now + BASIC_HEALTH_RECHECK_MS);
                return self.basic_snapshot(env).await;
            }
            Err(e) => return Err(self.sdk_err(e)),
        };
        lock(&self.basic_health).remove(env);

        let mut env_health = env_health;
        let instances = match self.read_instances_health(env).await {
            Ok(instances) => instances,
            // Throttled: the poller must back off, and the next poll reads both again.
            Err(e @ CloudError::Throttled(_)) => return Err(e),
            // Denied (a policy without elasticbeanstalk:DescribeInstancesHealth), or any other
            // failure: the environment's health read above stands; the instances are unknown,
            // and the snapshot says why among the causes.
            Err(e) => {
                tracing::debug!(env = %env.name, error = ?e, "instance health unreadable");
                env_health
                    .causes
                    .push(format!("{INSTANCE_HEALTH_UNREAD}{}", e.message()));
                Vec::new()
            }
        };
        Ok(HealthSnapshot {
            env: env_health,
            instances,
        })
    }

    /// DescribeInstancesHealth, all pages.
    async fn read_instances_health(&self, env: &EnvRef) -> CloudResult<Vec<InstanceHealth>> {
        let mut instances = Vec::new();
        let mut pager = Pager::default();
        loop {
            let resp = self
                .eb
                .describe_instances_health()
                .environment_name(&env.name)
                .attribute_names(InstancesHealthAttribute::All)
                .set_next_token(pager.token())
                .send()
                .await
                .map_err(|e| self.sdk_err(e))?;
            instances.extend(
                resp.instance_health_list()
                    .iter()
                    .map(convert::instance_health),
            );
            if !pager.advance(resp.next_token()) {
                break;
            }
        }
        Ok(instances)
    }

    /// The snapshot for an environment without enhanced health: the colour DescribeEnvironments
    /// reports, no instances.
    async fn basic_snapshot(&self, env: &EnvRef) -> CloudResult<HealthSnapshot> {
        let resp = self
            .eb
            .describe_environments()
            .application_name(&env.app)
            .environment_names(&env.name)
            .include_deleted(false)
            .send()
            .await
            .map_err(|e| self.sdk_err(e))?;
        // Matched by name here as well: the emulator ignores the EnvironmentNames filter.
        let color = resp
            .environments()
            .iter()
            .find(|d| d.environment_name() == Some(env.name.as_str()))
            .map(|d| {
                d.health()
                    .map(|h| HealthColor::parse(h.as_str()))
                    .unwrap_or(HealthColor::Grey)
            })
            .ok_or_else(|| {
                CloudError::NotFound(format!(
                    "No Environment found for EnvironmentName = '{}'.",
                    env.name
                ))
            })?;
        Ok(HealthSnapshot {
            env: convert::basic_health(color),
            instances: Vec::new(),
        })
    }
}

/// One environment's events are asked for by id when it is known: a terminated environment and
/// its re-created namesake share the name, not the id. The emulator leaves ids empty.
fn by_id(env: &EnvRef) -> Option<String> {
    (!env.id.is_empty()).then(|| env.id.clone())
}

/// The name, only when there is no id to ask by.
fn by_name(env: &EnvRef) -> Option<String> {
    env.id.is_empty().then(|| env.name.clone())
}
