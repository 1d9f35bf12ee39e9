//! The seeded account: two applications, their versions and environments, and the weeks of
//! history before the demo starts, produced by running the same operations the user can run.

use crate::domain::{EnvStatus, HealthStatus, Millis, Tier};

use super::config;
use super::model::{App, DAY, Env, HOUR, Policy, REGION, Version};
use super::resources::new_env_id;
use super::rng::LOWER_ALNUM;
use super::scenario::{self, CANARY_ENV, CANARY_LABEL, Scenario};
use super::world::{Command, Step, World};

/// How far back the account's history starts.
const HISTORY: Millis = 80 * DAY;

struct Spec {
    name: &'static str,
    app: &'static str,
    tier: Tier,
    policy: Policy,
    desired: usize,
    itype: &'static str,
    base_rate: f64,
    base_latency: f64,
    /// Days before the start the environment was created.
    age_days: i64,
    /// Labels deployed after the first, and how long after each label's upload.
    deploys: &'static [&'static str],
    lag: Millis,
    /// Instance logs stream to CloudWatch (billing-prod's do not).
    streams_logs: bool,
}

const STOREFRONT: [(&str, &str, i64); 5] = [
    ("v1.4.0", "Checkout redesign", 74),
    ("v1.4.1", "Fix cart badge count on Safari", 41),
    ("v1.4.2", "Product search: typo tolerance", 27),
    ("v1.4.3", "Node.js 20 runtime; dependency refresh", 13),
    ("v1.4.4", "Lazy-load product images", 2),
];

const BILLING: [(&str, &str, i64); 5] = [
    ("v2.7.0", "Invoice PDF v2", 76),
    ("v2.7.1", "Idempotency keys for payments", 50),
    ("v2.7.2", "Stripe API 2024-06-20", 31),
    ("v2.7.3", "Dunning emails: new retry schedule", 17),
    ("v2.7.4", "Tax rounding fix (EU VAT)", 4),
];

fn specs(scenario: Scenario) -> Vec<Spec> {
    // The slow deploy goes one instance at a time, which is what makes it slow.
    let prod_batch = if scenario == Scenario::SlowDeploy {
        1
    } else {
        2
    };
    vec![
        Spec {
            name: "storefront-prod",
            app: "storefront",
            tier: Tier::Web,
            policy: Policy::Rolling { batch: prod_batch },
            desired: 4,
            itype: "t3.medium",
            base_rate: 80.0,
            base_latency: 0.045,
            age_days: 70,
            deploys: &["v1.4.1", "v1.4.2", "v1.4.3"],
            lag: DAY,
            streams_logs: true,
        },
        Spec {
            name: "storefront-staging",
            app: "storefront",
            tier: Tier::Web,
            policy: Policy::AllAtOnce,
            desired: 1,
            itype: "t3.small",
            base_rate: 3.0,
            base_latency: 0.05,
            age_days: 72,
            deploys: &["v1.4.1", "v1.4.2", "v1.4.3", "v1.4.4"],
            lag: 2 * HOUR,
            streams_logs: true,
        },
        Spec {
            name: "storefront-worker",
            app: "storefront",
            tier: Tier::Worker,
            policy: Policy::Rolling { batch: 1 },
            desired: 2,
            itype: "t3.small",
            base_rate: 6.0,
            base_latency: 0.12,
            age_days: 69,
            deploys: &["v1.4.1", "v1.4.3"],
            lag: DAY + 3 * HOUR,
            streams_logs: true,
        },
        Spec {
            name: "billing-prod",
            app: "billing",
            tier: Tier::Web,
            policy: Policy::Immutable,
            desired: 2,
            itype: "t3.medium",
            base_rate: 45.0,
            base_latency: 0.06,
            age_days: 75,
            deploys: &["v2.7.1", "v2.7.2", "v2.7.3", "v2.7.4"],
            lag: DAY,
            streams_logs: false,
        },
    ]
}

fn app(w: &mut World, name: &str, versions: &[(&str, &str, i64)]) -> App {
    let versions = versions
        .iter()
        .map(|(label, description, days)| Version {
            label: label.to_string(),
            description: description.to_string(),
            created: w.start - days * DAY + w.rng.between(-3 * HOUR, 3 * HOUR),
            broken: false,
            install_fails: false,
            deploy_secs: (25, 40),
            shipped: None,
        })
        .collect();
    App {
        name: name.to_string(),
        versions,
        events: Vec::new(),
    }
}

fn env(w: &mut World, spec: &Spec, created: Millis, first_version: &str) -> Env {
    let id = new_env_id(w);
    let cname = (spec.tier == Tier::Web).then(|| {
        format!(
            "{}.eba-{}.{REGION}.elasticbeanstalk.com",
            spec.name,
            w.rng.chars(LOWER_ALNUM, 8)
        )
    });
    let mut env = Env {
        name: spec.name.to_string(),
        id,
        app: spec.app.to_string(),
        tier: spec.tier,
        host: cname
            .clone()
            .unwrap_or_else(|| format!("{}.internal", spec.name)),
        cname,
        policy: spec.policy,
        desired: spec.desired,
        itype: spec.itype,
        base_rate: spec.base_rate,
        base_latency: spec.base_latency,
        status: EnvStatus::Launching,
        version: Some(first_version.to_string()),
        created,
        updated: created,
        terminated: None,
        instances: Vec::new(),
        events: Vec::new(),
        stack_events: Vec::new(),
        deploys: Vec::new(),
        op: None,
        deployment_id: 0,
        last_update: None,
        launch: None,
        files: Vec::new(),
        next_file_seq: 0,
        health: HealthStatus::Pending,
        dirty_until: created,
        platform: config::platform_of(spec.name),
        settings: Vec::new(),
        streaming: spec.streams_logs.then_some((created, None)),
        slow_since: None,
    };
    env.settings = config::initial(&env, spec.streams_logs);
    env
}

/// Build the account for `scenario` and play its history up to `start`.
pub(crate) fn build(scenario: Scenario, seed: u64, start: Millis) -> World {
    let mut w = World::empty(scenario, seed, start, start - HISTORY);
    let mut storefront = app(&mut w, "storefront", &STOREFRONT);
    storefront
        .versions
        .extend(scenario::extra_versions(scenario, start));
    let billing = app(&mut w, "billing", &BILLING);
    w.apps = vec![storefront, billing];

    for spec in specs(scenario) {
        let created = start - spec.age_days * DAY + w.rng.between(-6 * HOUR, 6 * HOUR);
        let Some(first) = w
            .app(spec.app)
            .and_then(|a| a.versions.first())
            .map(|v| v.label.clone())
        else {
            continue;
        };
        let env = env(&mut w, &spec, created, &first);
        w.envs.push(env);
        let e = w.envs.len() - 1;
        w.schedule_step(
            created,
            e,
            None,
            Step::Command(Command::Create { fail: false }),
        );
        for label in spec.deploys {
            let uploaded = w
                .app(spec.app)
                .and_then(|a| a.versions.iter().find(|v| v.label == *label))
                .map(|v| v.created);
            let Some(uploaded) = uploaded else {
                continue;
            };
            let at = uploaded.max(created) + spec.lag + w.rng.between(0, 2 * HOUR);
            let cmd = Command::Deploy {
                version: label.to_string(),
            };
            w.schedule_step(at, e, None, Step::Command(cmd));
        }
    }
    if scenario == Scenario::CreateFail {
        let spec = Spec {
            name: CANARY_ENV,
            app: "storefront",
            tier: Tier::Web,
            policy: Policy::AllAtOnce,
            desired: 1,
            itype: "t3.small",
            base_rate: 3.0,
            base_latency: 0.05,
            age_days: 0,
            deploys: &[],
            lag: 0,
            streams_logs: true,
        };
        // Created by the scenario a few seconds into the demo (see `scenario::schedule`).
        let canary = env(&mut w, &spec, start + 5_000, CANARY_LABEL);
        w.envs.push(canary);
    }
    w.advance_to(start);
    scenario::schedule(&mut w);
    w
}
