//! The CloudFormation stacks behind an environment, and their events.
//!
//! Elastic Beanstalk names an environment's stack `awseb-<env-id>-stack`, adds a temporary
//! `awseb-<env-id>-immutable-stack` during immutable deployments, and the templates may nest
//! stacks. Finding them, cheapest first:
//!
//! 1. the conventional name, when the environment id is known (one DescribeStackEvents, whose
//!    answer is kept as the first read);
//! 2. the environment's own resources: DescribeEnvironmentResources, then DescribeStackResources
//!    by the physical id of its Auto Scaling group (or load balancer, launch template or
//!    configuration) names the stack that owns it;
//! 3. only when the id is unknown (an emulator leaves it empty; AWS always reports it): the tag
//!    Elastic Beanstalk puts on the stack, `elasticbeanstalk:environment-name`, which means
//!    reading every stack of the region.
//!
//! What was found is cached per environment. An environment with no stack yet (launching) or any
//! more (terminated) is asked again after two minutes, and that costs two calls, never a scan of
//! the region. The immutable stack is looked for by name at most once a minute; once found it
//! joins the cached stacks and is read like them until it is gone.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_sdk_cloudformation::types as cfn;

use super::{AwsCloud, Pager, convert, lock};
use crate::cloud::{Cloud, CloudError, CloudResult};
use crate::domain::{EnvRef, Millis, StackEvent};

const ENV_NAME_TAG: &str = "elasticbeanstalk:environment-name";
const NESTED_STACK_TYPE: &str = "AWS::CloudFormation::Stack";
/// Without a cursor, the most recent events shown (per stack read, and in total).
const RECENT_STACK_EVENTS: usize = 100;
/// After a search found no stack, wait this long before searching again (a launching
/// environment gets its stack within minutes).
const MISSING_RETRY_MS: Millis = 2 * 60 * 1000;
/// How often the temporary immutable stack is looked for by name while it is not known. Its
/// events are kept from this far before the cursor when it is found, so none is lost.
const IMMUTABLE_PROBE_MS: Millis = 60 * 1000;

#[derive(Debug, Clone)]
enum Resolved {
    /// Stack names (or ids) to read: the environment's own stacks, then nested ones (and the
    /// immutable stack once found).
    Found {
        stacks: Vec<String>,
        /// When the immutable stack's name was last looked for (0: never).
        immutable_probed: Millis,
    },
    Missing {
        retry_after: Millis,
    },
}

/// Resolved stacks per environment.
#[derive(Debug, Default)]
pub(super) struct StackCache(Mutex<HashMap<EnvRef, Resolved>>);

fn main_stack_name(env: &EnvRef) -> Option<String> {
    (!env.id.is_empty()).then(|| format!("awseb-{}-stack", env.id))
}

fn immutable_stack_name(env: &EnvRef) -> Option<String> {
    (!env.id.is_empty()).then(|| format!("awseb-{}-immutable-stack", env.id))
}

/// A nested stack named by an event of its parent: the event's resource is a stack other than
/// the one the event belongs to (the parent's own events have its id as physical id).
fn nested_stack_in(e: &cfn::StackEvent) -> Option<&str> {
    let physical = e.physical_resource_id().filter(|p| !p.is_empty())?;
    (e.resource_type() == Some(NESTED_STACK_TYPE) && e.stack_id() != Some(physical))
        .then_some(physical)
}

/// Events in time order without repeats: those since the cursor, or the most recent without one.
fn newest_events(events: &[cfn::StackEvent], since: Option<Millis>) -> Vec<StackEvent> {
    let mut out: Vec<StackEvent> = events.iter().map(convert::stack_event).collect();
    out.sort_by(|a, b| a.ts.cmp(&b.ts).then_with(|| a.id.cmp(&b.id)));
    out.dedup_by(|a, b| a.id == b.id && !a.id.is_empty());
    match since {
        Some(since) => out.retain(|e| e.ts >= since),
        None => {
            let excess = out.len().saturating_sub(RECENT_STACK_EVENTS);
            out.drain(..excess);
        }
    }
    out
}

impl AwsCloud {
    pub(super) async fn read_stack_events(
        &self,
        env: &EnvRef,
        since: Option<Millis>,
    ) -> CloudResult<Vec<StackEvent>> {
        // Events already read while resolving, so the main stack is not read twice.
        let mut prefetched: Vec<(String, Vec<cfn::StackEvent>)> = Vec::new();
        let Some((mut stacks, probed)) = self.stacks_to_read(env, since, &mut prefetched).await?
        else {
            return Ok(Vec::new());
        };
        let (events, gone) = self.read_stacks(&mut stacks, since, prefetched).await?;
        let mut out = newest_events(&events, since);
        let now = self.now();
        let mut immutable_probed = probed;
        if now - probed >= IMMUTABLE_PROBE_MS {
            immutable_probed = now;
            if let Some((name, found)) = self.probe_immutable_stack(env, &stacks, since).await? {
                // Found up to a probe interval late: keep what it logged since the probe before.
                let relaxed = since.map(|s| s - IMMUTABLE_PROBE_MS);
                out.extend(newest_events(&found, relaxed));
                out.sort_by(|a, b| a.ts.cmp(&b.ts).then_with(|| a.id.cmp(&b.id)));
                out.dedup_by(|a, b| a.id == b.id && !a.id.is_empty());
                stacks.push(name);
            }
        }
        self.remember_stacks(env, stacks, &gone, immutable_probed);
        Ok(out)
    }

    /// The environment's stacks and when the immutable stack was last looked for, from the cache
    /// or resolved afresh. `None` when it has none (or had none a moment ago).
    async fn stacks_to_read(
        &self,
        env: &EnvRef,
        since: Option<Millis>,
        prefetched: &mut Vec<(String, Vec<cfn::StackEvent>)>,
    ) -> CloudResult<Option<(Vec<String>, Millis)>> {
        let now = self.now();
        let cached = lock(&self.stacks.0).get(env).cloned();
        match cached {
            Some(Resolved::Found {
                stacks,
                immutable_probed,
            }) => Ok(Some((stacks, immutable_probed))),
            Some(Resolved::Missing { retry_after }) if now < retry_after => Ok(None),
            _ => {
                let resolved = self.resolve_stacks(env, since, prefetched).await?;
                if resolved.is_none() {
                    lock(&self.stacks.0).insert(
                        env.clone(),
                        Resolved::Missing {
                            retry_after: now + MISSING_RETRY_MS,
                        },
                    );
                }
                Ok(resolved.map(|stacks| (stacks, 0)))
            }
        }
    }

    /// Events of every stack in `stacks`, adding the nested stacks found on the way; also the
    /// stacks that no longer exist.
    async fn read_stacks(
        &self,
        stacks: &mut Vec<String>,
        since: Option<Millis>,
        mut prefetched: Vec<(String, Vec<cfn::StackEvent>)>,
    ) -> CloudResult<(Vec<cfn::StackEvent>, Vec<String>)> {
        let mut events: Vec<cfn::StackEvent> = Vec::new();
        let mut gone: Vec<String> = Vec::new();
        let mut i = 0;
        while i < stacks.len() {
            let stack = stacks[i].clone();
            i += 1;
            let read = match prefetched.iter().position(|(name, _)| *name == stack) {
                Some(p) => Ok(prefetched.swap_remove(p).1),
                None => self.describe_stack_events(&stack, since).await,
            };
            match read {
                Ok(read) => {
                    // Nested stacks appear in their parent's events; read them in this pass too.
                    for nested in read.iter().filter_map(nested_stack_in) {
                        if !stacks.iter().any(|s| s == nested) {
                            stacks.push(nested.to_string());
                        }
                    }
                    events.extend(read);
                }
                Err(CloudError::NotFound(m)) => {
                    tracing::debug!(%stack, message = %m, "stack is gone");
                    gone.push(stack);
                }
                Err(e) => return Err(e),
            }
        }
        Ok((events, gone))
    }

    /// The immutable stack exists only during an immutable deployment: looked for by name (at
    /// most once a probe interval) while it is not among the stacks read. Its name and events
    /// when it exists.
    async fn probe_immutable_stack(
        &self,
        env: &EnvRef,
        stacks: &[String],
        since: Option<Millis>,
    ) -> CloudResult<Option<(String, Vec<cfn::StackEvent>)>> {
        let Some(immutable) = immutable_stack_name(env).filter(|s| !stacks.contains(s)) else {
            return Ok(None);
        };
        let since = since.map(|s| s - IMMUTABLE_PROBE_MS);
        match self.describe_stack_events(&immutable, since).await {
            Ok(read) => {
                tracing::debug!(env = %env.name, stack = %immutable, "immutable stack found");
                Ok(Some((immutable, read)))
            }
            Err(CloudError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Caches the stacks still there, or forgets them all when the main stack is gone.
    fn remember_stacks(
        &self,
        env: &EnvRef,
        mut stacks: Vec<String>,
        gone: &[String],
        immutable_probed: Millis,
    ) {
        let main_gone = stacks.first().is_some_and(|main| gone.contains(main));
        let mut cache = lock(&self.stacks.0);
        if main_gone {
            // Resolve again next time (a rebuilt or recreated environment).
            cache.remove(env);
        } else {
            stacks.retain(|s| !gone.contains(s));
            cache.insert(
                env.clone(),
                Resolved::Found {
                    stacks,
                    immutable_probed,
                },
            );
        }
    }

    /// Find the environment's stacks (see the module comment for the order), then add the nested
    /// stacks from the resources of each. `None` when no stack belongs to the environment (yet,
    /// or any more).
    async fn resolve_stacks(
        &self,
        env: &EnvRef,
        since: Option<Millis>,
        prefetched: &mut Vec<(String, Vec<cfn::StackEvent>)>,
    ) -> CloudResult<Option<Vec<String>>> {
        let mut stacks = Vec::new();
        if let Some(main) = main_stack_name(env) {
            match self.describe_stack_events(&main, since).await {
                Ok(events) => {
                    prefetched.push((main.clone(), events));
                    stacks.push(main);
                }
                Err(CloudError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        if stacks.is_empty() {
            stacks = self.stacks_owning_resources(env).await?;
        }
        if stacks.is_empty() && env.id.is_empty() {
            stacks = self.stacks_tagged(&env.name).await?;
        }
        if stacks.is_empty() {
            tracing::debug!(env = %env.name, "no CloudFormation stack found");
            return Ok(None);
        }
        for parent in stacks.clone() {
            for nested in self.nested_stacks(&parent).await? {
                if !stacks.contains(&nested) {
                    stacks.push(nested);
                }
            }
        }
        tracing::debug!(env = %env.name, ?stacks, "resolved CloudFormation stacks");
        Ok(Some(stacks))
    }

    /// The stack that owns one of the environment's resources: DescribeEnvironmentResources, then
    /// DescribeStackResources by physical id for its Auto Scaling groups, load balancers, launch
    /// templates and configurations in turn, until one names its stack. Empty when none does, or
    /// when the resources cannot be read (an environment that is gone, a call an emulator lacks,
    /// a permission missing): the cache asks again later. Throttling is an error, so the poller
    /// backs off.
    async fn stacks_owning_resources(&self, env: &EnvRef) -> CloudResult<Vec<String>> {
        let request = self.eb.describe_environment_resources();
        let request = if env.id.is_empty() {
            request.environment_name(&env.name)
        } else {
            request.environment_id(&env.id)
        };
        let resources = match request.send().await {
            Ok(out) => out.environment_resources,
            Err(e) => {
                return match self.sdk_err(e) {
                    CloudError::Throttled(m) => Err(CloudError::Throttled(m)),
                    other => {
                        tracing::debug!(env = %env.name, error = ?other, "environment resources unreadable");
                        Ok(Vec::new())
                    }
                };
            }
        };
        let Some(resources) = resources else {
            return Ok(Vec::new());
        };
        let candidates: Vec<String> = resources
            .auto_scaling_groups()
            .iter()
            .filter_map(|g| g.name())
            .chain(resources.load_balancers().iter().filter_map(|l| l.name()))
            .chain(resources.launch_templates().iter().filter_map(|t| t.id()))
            .chain(
                resources
                    .launch_configurations()
                    .iter()
                    .filter_map(|c| c.name()),
            )
            .filter(|id| !id.is_empty())
            .map(str::to_string)
            .collect();
        for physical in candidates {
            let owner = match self
                .cfn
                .describe_stack_resources()
                .physical_resource_id(&physical)
                .send()
                .await
            {
                Ok(out) => out
                    .stack_resources()
                    .iter()
                    .find_map(|r| r.stack_name().filter(|n| !n.is_empty()))
                    .map(str::to_string),
                Err(e) => match self.sdk_err(e) {
                    CloudError::Throttled(m) => return Err(CloudError::Throttled(m)),
                    other => {
                        tracing::debug!(%physical, error = ?other, "no stack owns the resource");
                        None
                    }
                },
            };
            if let Some(stack) = owner {
                tracing::debug!(env = %env.name, %physical, %stack, "stack found by its resource");
                return Ok(vec![stack]);
            }
        }
        Ok(Vec::new())
    }

    /// Names of the live stacks tagged with the environment's name (DescribeStacks, all pages).
    /// Reads every stack of the region: only for an environment whose id is unknown.
    async fn stacks_tagged(&self, env_name: &str) -> CloudResult<Vec<String>> {
        let mut found = Vec::new();
        let mut pager = Pager::default();
        loop {
            let resp = self
                .cfn
                .describe_stacks()
                .set_next_token(pager.token())
                .send()
                .await
                .map_err(|e| self.sdk_err(e))?;
            for stack in resp.stacks() {
                let tagged = stack
                    .tags()
                    .iter()
                    .any(|t| t.key() == Some(ENV_NAME_TAG) && t.value() == Some(env_name));
                if tagged && let Some(name) = stack.stack_name() {
                    found.push(name.to_string());
                }
            }
            if !pager.advance(resp.next_token()) {
                break;
            }
        }
        // The environment's own stack first, so a vanished main stack is recognised later.
        found.sort_by_key(|name| name.contains("immutable"));
        Ok(found)
    }

    /// Stacks nested in `parent`, by physical id (the nested stack's ARN).
    async fn nested_stacks(&self, parent: &str) -> CloudResult<Vec<String>> {
        let resp = match self
            .cfn
            .describe_stack_resources()
            .stack_name(parent)
            .send()
            .await
        {
            Ok(resp) => resp,
            Err(e) => {
                return match self.sdk_err(e) {
                    CloudError::NotFound(_) => Ok(Vec::new()),
                    other => Err(other),
                };
            }
        };
        Ok(resp
            .stack_resources()
            .iter()
            .filter(|r| r.resource_type() == Some(NESTED_STACK_TYPE))
            .filter_map(|r| {
                r.physical_resource_id()
                    .filter(|p| !p.is_empty())
                    .map(str::to_string)
            })
            .collect())
    }

    /// One stack's events, newest first as AWS returns them: pages until an event older than
    /// `since`, or until the most recent `RECENT_STACK_EVENTS` without a cursor.
    async fn describe_stack_events(
        &self,
        stack: &str,
        since: Option<Millis>,
    ) -> CloudResult<Vec<cfn::StackEvent>> {
        let mut out = Vec::new();
        let mut pager = Pager::default();
        loop {
            let resp = self
                .cfn
                .describe_stack_events()
                .stack_name(stack)
                .set_next_token(pager.token())
                .send()
                .await
                .map_err(|e| self.sdk_err(e))?;
            let mut reached_end = false;
            for e in resp.stack_events() {
                let ts = e.timestamp().and_then(convert::millis).unwrap_or(0);
                if since.is_some_and(|since| ts < since)
                    || (since.is_none() && out.len() >= RECENT_STACK_EVENTS)
                {
                    reached_end = true;
                    break;
                }
                out.push(e.clone());
            }
            if reached_end || !pager.advance(resp.next_token()) {
                break;
            }
        }
        Ok(out)
    }
}
