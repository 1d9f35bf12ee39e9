//! The demo's stories: what happens in the account without the user doing anything.

use crate::domain::Millis;

use super::model::{MIN, SEC, Version};
use super::world::{Command, ConfigEnd, Step, World};

/// Which story the simulated account tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scenario {
    /// Healthy traffic, and other people's operations on the environments around production,
    /// a round every sixteen minutes: CI deploys to staging (one fails, the fix succeeds), a
    /// configuration change on billing reverted and one applied, and on the worker a restart,
    /// a deploy someone aborts and a configuration change that completes with errors.
    Steady,
    /// A broken version rolls out to `storefront-prod` and takes it down until rolled back.
    BadDeploy,
    /// A long rolling deployment of `storefront-prod`, abortable while it runs.
    SlowDeploy,
    /// A new environment `storefront-canary` fails to launch and its stack rolls back.
    CreateFail,
    /// Healthy traffic and nothing else: an idle account (what ebtui costs when all is Ready).
    Quiet,
    /// `storefront-prod`'s application starts answering slowly a minute in (a slow database,
    /// say): nginx times out on a few requests (504, "upstream timed out"), the p99 latency is
    /// several seconds and health goes Degraded on latency. Nothing is deployed; it stays slow.
    Timeout,
}

impl Scenario {
    pub const ALL: [Scenario; 6] = [
        Scenario::Steady,
        Scenario::BadDeploy,
        Scenario::SlowDeploy,
        Scenario::CreateFail,
        Scenario::Quiet,
        Scenario::Timeout,
    ];

    /// Accepts the names `name` gives (case-insensitive, `_` for `-`).
    pub fn parse(s: &str) -> Option<Scenario> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Scenario::ALL.into_iter().find(|sc| sc.name() == wanted)
    }

    pub fn name(&self) -> &'static str {
        match self {
            Scenario::Steady => "steady",
            Scenario::BadDeploy => "bad-deploy",
            Scenario::SlowDeploy => "slow-deploy",
            Scenario::CreateFail => "create-fail",
            Scenario::Quiet => "quiet",
            Scenario::Timeout => "timeout",
        }
    }
}

pub(crate) const BROKEN_LABEL: &str = "v-broken";
pub(crate) const SLOW_LABEL: &str = "v1.5.0";
pub(crate) const CANARY_LABEL: &str = "v1.5.0-rc.1";
pub(crate) const CANARY_ENV: &str = "storefront-canary";
/// The environment whose application turns slow in the `timeout` scenario, and when.
pub(crate) const SLOW_ENV: &str = "storefront-prod";
pub(crate) const SLOW_AFTER: Millis = MIN;

/// Versions a scenario adds to `storefront` before the demo starts (uploaded minutes earlier).
pub(crate) fn extra_versions(scenario: Scenario, start: Millis) -> Vec<Version> {
    match scenario {
        Scenario::Steady | Scenario::Quiet | Scenario::Timeout => Vec::new(),
        Scenario::BadDeploy => vec![Version {
            label: BROKEN_LABEL.to_string(),
            description: "Move sessions to the Redis cluster client (hotfix build)".to_string(),
            created: start - 4 * MIN,
            broken: true,
            install_fails: false,
            deploy_secs: (25, 35),
            shipped: None,
        }],
        Scenario::SlowDeploy => vec![Version {
            label: SLOW_LABEL.to_string(),
            description: "Image pipeline rewrite; native modules rebuilt on deploy".to_string(),
            created: start - 6 * MIN,
            broken: false,
            install_fails: false,
            deploy_secs: (120, 180),
            shipped: None,
        }],
        Scenario::CreateFail => vec![Version {
            label: CANARY_LABEL.to_string(),
            description: "Release candidate: @storefront/ui from the private registry".to_string(),
            created: start - 3 * MIN,
            broken: false,
            install_fails: false,
            deploy_secs: (25, 40),
            shipped: None,
        }],
    }
}

/// Schedule the story's first move, relative to the demo's start.
pub(crate) fn schedule(world: &mut World) {
    let start = world.start;
    let target = |w: &World, name: &str| w.env_index(name);
    match world.scenario {
        Scenario::Steady => world.schedule_step(start, 0, None, Step::ScenarioTick),
        Scenario::BadDeploy => {
            if let Some(e) = target(world, "storefront-prod") {
                let cmd = Command::Deploy {
                    version: BROKEN_LABEL.to_string(),
                };
                world.schedule_step(start + 20 * SEC, e, None, Step::Command(cmd));
            }
        }
        Scenario::SlowDeploy => {
            if let Some(e) = target(world, "storefront-prod") {
                let cmd = Command::Deploy {
                    version: SLOW_LABEL.to_string(),
                };
                world.schedule_step(start + 10 * SEC, e, None, Step::Command(cmd));
            }
        }
        Scenario::Quiet => {}
        Scenario::Timeout => {
            if let Some(e) = target(world, SLOW_ENV) {
                world.schedule_step(start + SLOW_AFTER, e, None, Step::ScenarioTick);
            }
        }
        Scenario::CreateFail => {
            if let Some(e) = target(world, CANARY_ENV) {
                world.schedule_step(
                    start + 5 * SEC,
                    e,
                    None,
                    Step::Command(Command::Create { fail: true }),
                );
            }
        }
    }
}

/// What someone else does to an environment in the steady scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Story {
    /// CI uploads a new build and deploys it; a build that `fails` does not install.
    Ci {
        fails: bool,
    },
    /// A colleague deploys a new build, thinks better of it and aborts while it rolls out.
    Aborted,
    Configure(ConfigEnd),
    Restart,
}

/// How often the steady scenario's round of stories repeats.
const ROUND_EVERY: Millis = 16 * MIN;
/// The round: when (after the round starts, up to `JITTER` later), where and what. The first
/// stories come within three minutes so that the demo's ledger is alive soon; none overlaps
/// another on the same environment, and production is left alone.
const ROUND: [(Millis, &str, Story); 7] = [
    (60 * SEC, "storefront-staging", Story::Ci { fails: true }),
    (100 * SEC, "storefront-worker", Story::Restart),
    (
        140 * SEC,
        "billing-prod",
        Story::Configure(ConfigEnd::Reverted),
    ),
    (330 * SEC, "storefront-staging", Story::Ci { fails: false }),
    (420 * SEC, "storefront-worker", Story::Aborted),
    (
        570 * SEC,
        "billing-prod",
        Story::Configure(ConfigEnd::Applied),
    ),
    (
        720 * SEC,
        "storefront-worker",
        Story::Configure(ConfigEnd::TimedOut),
    ),
];
const JITTER: Millis = 20 * SEC;

/// A round of the steady scenario starts: schedule its stories, and the next round. A story
/// whose environment is busy then (with the user's operation) is refused and does not happen.
pub(crate) fn on_tick(world: &mut World, env: usize, at: Millis) {
    if world.scenario == Scenario::Timeout {
        // The application turns slow now and stays slow.
        let e = &mut world.envs[env];
        e.slow_since = Some(at);
        // Health is evaluated (and its transitions told as events) while this is ahead.
        e.dirty_until = e.dirty_until.max(at + 10 * MIN);
        return;
    }
    for (offset, name, story) in ROUND {
        let Some(e) = world.env_index(name) else {
            continue;
        };
        let t = at + offset + world.rng.between(0, JITTER);
        match story {
            Story::Ci { fails } => {
                let app = world.envs[e].app.clone();
                let label = new_version(world, &app, t - 2 * MIN, fails);
                let cmd = Command::DeployOnce { version: label };
                world.schedule_step(t, e, None, Step::Command(cmd));
            }
            Story::Aborted => {
                let app = world.envs[e].app.clone();
                let label = new_version(world, &app, t - 3 * MIN, false);
                let abort = t + world.rng.between(40 * SEC, 50 * SEC);
                let cmd = Command::DeployOnce {
                    version: label.clone(),
                };
                world.schedule_step(t, e, None, Step::Command(cmd));
                let cmd = Command::Abort { version: label };
                world.schedule_step(abort, e, None, Step::Command(cmd));
            }
            Story::Configure(end) => {
                world.schedule_step(t, e, None, Step::Command(Command::Configure { end }));
            }
            Story::Restart => world.schedule_step(t, e, None, Step::Command(Command::Restart)),
        }
    }
    world.schedule_step(at + ROUND_EVERY, 0, None, Step::ScenarioTick);
}

const CHANGES: [&str; 8] = [
    "Bump dependencies (security patches)",
    "Faster product search ranking",
    "Fix rounding of multi-currency totals",
    "Cache warm-up on start",
    "Retry idempotent upstream calls",
    "Structured logging for checkout",
    "Reduce image sizes on listing pages",
    "Tighten rate limits on login",
];

/// What the build that does not install changes.
const UNINSTALLABLE: &str = "Upgrade @storefront/ui to 3.2 (new design tokens)";

/// Upload the next patch version of `app` (after its newest good label) at `at` and return its
/// label; a build that `fails` asks for a dependency that does not exist.
fn new_version(world: &mut World, app: &str, at: Millis, fails: bool) -> String {
    let description = if fails {
        UNINSTALLABLE.to_string()
    } else {
        world.rng.pick(&CHANGES).to_string()
    };
    let Some(app) = world.apps.iter_mut().find(|a| a.name == app) else {
        return String::new();
    };
    let newest = app
        .versions
        .iter()
        .rev()
        .find(|v| !v.broken && v.label.starts_with('v'))
        .map(|v| v.label.clone());
    let label = next_patch(newest.as_deref().unwrap_or("v1.0.0"));
    let label = if app.versions.iter().any(|v| v.label == label) {
        format!("{label}-{}", at / SEC)
    } else {
        label
    };
    app.versions.push(Version {
        label: label.clone(),
        description,
        created: at,
        broken: false,
        install_fails: fails,
        deploy_secs: (25, 40),
        shipped: None,
    });
    label
}

/// `v1.4.4` -> `v1.4.5`; a label with a suffix or of another shape gets `.1` appended.
pub(crate) fn next_patch(label: &str) -> String {
    let parts: Vec<&str> = label.trim_start_matches('v').split('.').collect();
    if let [major, minor, patch] = parts.as_slice()
        && let Ok(p) = patch.parse::<u32>()
    {
        return format!("v{major}.{minor}.{}", p + 1);
    }
    format!("{label}.1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_parse_is_forgiving() {
        for sc in Scenario::ALL {
            assert_eq!(Scenario::parse(sc.name()), Some(sc));
        }
        assert_eq!(Scenario::parse("Bad_Deploy"), Some(Scenario::BadDeploy));
        assert_eq!(Scenario::parse("nope"), None);
    }

    #[test]
    fn next_patch_bumps_semver_labels() {
        assert_eq!(next_patch("v1.4.4"), "v1.4.5");
        assert_eq!(next_patch("v2.7.10"), "v2.7.11");
        assert_eq!(next_patch("v1.5.0-rc.1"), "v1.5.0-rc.1.1");
    }
}
