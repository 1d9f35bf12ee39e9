//! Helpers shared by the simulator's tests.

use crate::cloud::Cloud;
use crate::domain::{EnvEvent, EnvRef, Environment, Millis};

use crate::cloud::sim::{Scenario, SimCloud};

/// 2026-11-24T10:15:00Z: a fixed start, so tests read the same every run.
pub(super) const START: Millis = 1_795_515_300_000;
pub(super) const SEED: u64 = 42;

pub(super) fn sim(scenario: Scenario) -> SimCloud {
    SimCloud::manual(scenario, SEED, START)
}

pub(super) async fn env(cloud: &SimCloud, name: &str) -> Environment {
    let envs = cloud.environments().await.expect("environments");
    envs.into_iter()
        .find(|e| e.env.name == name)
        .unwrap_or_else(|| panic!("no environment {name}"))
}

pub(super) async fn env_ref(cloud: &SimCloud, name: &str) -> EnvRef {
    env(cloud, name).await.env
}

/// Events of an environment since the demo started, oldest first.
pub(super) async fn events_since_start(cloud: &SimCloud, name: &str) -> Vec<EnvEvent> {
    let r = env_ref(cloud, name).await;
    cloud.events(&r, Some(START)).await.expect("events")
}

pub(super) async fn messages(cloud: &SimCloud, name: &str) -> Vec<String> {
    events_since_start(cloud, name)
        .await
        .into_iter()
        .map(|e| e.message)
        .collect()
}

/// Move the clock `total` ms forward in steps of `step`, polling the environments each step
/// (as the app would); the simulation must not care how often it is polled.
pub(super) async fn run(cloud: &SimCloud, total: Millis, step: Millis) {
    let mut done = 0;
    while done < total {
        let d = step.min(total - done);
        cloud.advance(d);
        done += d;
        cloud.environments().await.expect("environments");
    }
}

/// Advance in `step` ms until `pred` holds for the environment or `max` ms have passed; returns
/// the time waited.
pub(super) async fn until(
    cloud: &SimCloud,
    name: &str,
    max: Millis,
    step: Millis,
    pred: impl Fn(&Environment) -> bool,
) -> Option<Millis> {
    let mut waited = 0;
    loop {
        if pred(&env(cloud, name).await) {
            return Some(waited);
        }
        if waited >= max {
            return None;
        }
        cloud.advance(step);
        waited += step;
    }
}

/// The version each live instance runs, from its last deployment.
pub(super) async fn instance_versions(cloud: &SimCloud, name: &str) -> Vec<String> {
    let r = env_ref(cloud, name).await;
    let h = cloud.health(&r).await.expect("health");
    h.instances
        .iter()
        .map(|i| {
            i.deployment
                .as_ref()
                .and_then(|d| d.version.clone())
                .unwrap_or_default()
        })
        .collect()
}

/// Health transitions of an environment since the start, as (from, to).
pub(super) async fn transitions(cloud: &SimCloud, name: &str) -> Vec<(String, String)> {
    let prefix = "Environment health has transitioned from ";
    messages(cloud, name)
        .await
        .iter()
        .filter_map(|m| m.strip_prefix(prefix))
        .filter_map(|rest| {
            let (from, rest) = rest.split_once(" to ")?;
            let to = rest.split('.').next()?;
            Some((from.to_string(), to.to_string()))
        })
        .collect()
}

/// Index of the first message equal to `text` (panics with the list when absent).
pub(super) fn position(messages: &[String], text: &str) -> usize {
    messages
        .iter()
        .position(|m| m == text)
        .unwrap_or_else(|| panic!("no event {text:?} in {messages:#?}"))
}
