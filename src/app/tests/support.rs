//! What the `update` tests share: environments, an app that has read them, and a person's keys.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::super::keymap::KeyMap;
use super::super::{App, Effect, Msg, Settings, update};
use crate::cloud::{Answer, CloudResult, Op, PollKey, Reply, Request};
use crate::domain::*;

pub(crate) fn env(app: &str, name: &str, status: EnvStatus, version: &str) -> Environment {
    Environment {
        env: EnvRef {
            app: app.into(),
            name: name.into(),
            id: format!("e-{name}"),
        },
        status,
        health: HealthColor::Green,
        health_status: Some(HealthStatus::Ok),
        version: Some(version.into()),
        tier: Tier::Web,
        cname: Some(format!("{name}.example.com")),
        abortable: false,
        updated: 0,
        created: 0,
        platform: "Node.js 20".into(),
        deployment_policy: Some("Rolling".into()),
    }
}

/// An app that has read `envs` and selected the first.
pub(crate) fn app_with(envs: Vec<Environment>, read_only: bool) -> App {
    let settings = Settings {
        read_only,
        ..Settings::default()
    };
    let mut app = App::new(
        settings,
        KeyMap::default(),
        CloudContext::default(),
        1_000_000,
    );
    let fx = reply(
        &mut app,
        PollKey::Environments,
        Ok(Answer::Environments(envs)),
    );
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Poll(Request::Events { .. }))),
        "the first environment is selected and read: {fx:?}"
    );
    app
}

/// A key typed by a person: the screen is drawn before it.
pub(crate) fn key(app: &mut App, c: char) -> Vec<Effect> {
    code(app, KeyCode::Char(c))
}

pub(crate) fn code(app: &mut App, k: KeyCode) -> Vec<Effect> {
    app.drawn();
    typed_ahead(app, k)
}

/// Keys typed ahead, before the screen shows the dialog.
pub(crate) fn typed_ahead(app: &mut App, k: KeyCode) -> Vec<Effect> {
    let now = app.now;
    update(app, Msg::Key(KeyEvent::new(k, KeyModifiers::NONE)), now)
}

/// The request the app would send for `key` (environments by the names the app knows).
pub(crate) fn request(app: &App, key: PollKey) -> Request {
    let env = |n: &str| {
        app.account
            .envs
            .get(n)
            .map(|e| e.env.clone())
            .unwrap_or_else(|| EnvRef {
                app: "storefront".into(),
                name: n.into(),
                id: format!("e-{n}"),
            })
    };
    match key {
        PollKey::Environments => Request::Environments,
        PollKey::AccountEvents => Request::AccountEvents { since: None },
        PollKey::Events(n) => Request::Events {
            env: env(&n),
            since: None,
        },
        PollKey::OlderEvents(n) => Request::OlderEvents {
            env: env(&n),
            before: 0,
        },
        PollKey::StackEvents(n) => Request::StackEvents {
            env: env(&n),
            since: None,
        },
        PollKey::Health(n) => Request::Health { env: env(&n) },
        PollKey::Versions(a) => Request::Versions { app: a },
        PollKey::History(n) => Request::History { env: env(&n) },
        PollKey::LogGroups(n) => Request::LogGroups { env: env(&n) },
        PollKey::Config(n) => Request::Config { env: env(&n) },
        PollKey::LogGroupSizes(n) => Request::LogGroupSizes { env: env(&n) },
    }
}

/// The answer to a read of the current context arrives.
pub(crate) fn reply(app: &mut App, key: PollKey, result: CloudResult<Answer>) -> Vec<Effect> {
    let epoch = app.account.epoch;
    reply_in(app, epoch, key, result)
}

/// The answer to a read of context `epoch` arrives.
pub(crate) fn reply_in(
    app: &mut App,
    epoch: u64,
    key: PollKey,
    result: CloudResult<Answer>,
) -> Vec<Effect> {
    let now = app.now;
    let request = request(app, key);
    update(
        app,
        Msg::Cloud {
            epoch,
            reply: Reply { request, result },
        },
        now,
    )
}

/// `n` ticks 250 ms apart from `from`: what they asked for, together.
pub(crate) fn ticks(app: &mut App, from: crate::domain::Millis, n: i64) -> Vec<Effect> {
    (0..n)
        .flat_map(|i| update(app, Msg::Tick, from + i * 250))
        .collect()
}

pub(crate) fn executed(fx: &[Effect]) -> Vec<Op> {
    fx.iter()
        .filter_map(|e| {
            if let Effect::Execute { op, .. } = e {
                Some(op.clone())
            } else {
                None
            }
        })
        .collect()
}

pub(crate) fn prod() -> Vec<Environment> {
    vec![
        env(
            "storefront",
            "storefront-prod",
            EnvStatus::Ready,
            "v-broken",
        ),
        env(
            "storefront",
            "storefront-staging",
            EnvStatus::Ready,
            "v1.4.4",
        ),
    ]
}

/// The storefront application's versions arrive.
pub(crate) fn versions_arrive(app: &mut App, labels: &[&str]) {
    let versions = labels
        .iter()
        .map(|l| AppVersion {
            app: "storefront".into(),
            label: l.to_string(),
            description: None,
            created: 0,
            status: "Processed".into(),
        })
        .collect();
    reply(
        app,
        PollKey::Versions("storefront".into()),
        Ok(Answer::Versions(versions)),
    );
}

/// storefront-prod's deployment history arrives, newest first.
pub(crate) fn history_arrives(app: &mut App, versions: &[&str]) {
    let n = versions.len() as i64;
    let history = versions
        .iter()
        .enumerate()
        .map(|(i, v)| DeployRecord {
            version: v.to_string(),
            ts: n - i as i64,
        })
        .collect();
    reply(
        app,
        PollKey::History("storefront-prod".into()),
        Ok(Answer::History(history)),
    );
}

/// An instance of `status` with `cpu` % CPU.
pub(crate) fn instance(id: &str, status: HealthStatus, cpu: f64) -> InstanceHealth {
    InstanceHealth {
        id: id.into(),
        color: status.color(),
        status,
        causes: Vec::new(),
        metrics: None,
        cpu_pct: Some(cpu),
        load1: None,
        deployment: None,
        az: None,
        instance_type: None,
        launched: None,
    }
}

/// The selected environment's health arrives, enhanced, with these instances.
pub(crate) fn health_arrives(app: &mut App, instances: Vec<InstanceHealth>) {
    let name = app
        .account
        .selected
        .clone()
        .expect("a selected environment");
    let snap = HealthSnapshot {
        env: EnvHealth {
            enhanced: true,
            status: Some(HealthStatus::Ok),
            color: HealthColor::Green,
            causes: Vec::new(),
            counts: InstanceCounts::default(),
            metrics: None,
            refreshed: None,
        },
        instances,
    };
    reply(app, PollKey::Health(name), Ok(Answer::Health(snap)));
}

/// A person types `text` at the keyboard (each char a key).
pub(crate) fn typed(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| key(app, c)).collect()
}

/// The instance under the health pane's cursor, in the order shown.
pub(crate) fn instance_at_cursor(app: &App) -> Option<String> {
    let acc = &app.account;
    let snap = acc.health.get(acc.selected.as_ref()?)?;
    let order = crate::app::sort::instance_order(&snap.instances, app.view.instance_sort);
    let i = *order.get(acc.health_cursor)?;
    Some(snap.instances[i].id.clone())
}

/// The text of the message in the header, or "" when there is none.
pub(crate) fn flash_text(app: &App) -> String {
    app.view
        .flash
        .as_ref()
        .map_or_else(String::new, |f| f.text.clone())
}

/// Health of three instances arrives, listed out of name order: i-b (Ok, CPU 10), i-c (Severe,
/// CPU 50), i-a (Warning, CPU 90).
pub(crate) fn three_instances_arrive(app: &mut App) {
    use crate::domain::HealthStatus;
    health_arrives(
        app,
        vec![
            instance("i-b", HealthStatus::Ok, 10.0),
            instance("i-c", HealthStatus::Severe, 50.0),
            instance("i-a", HealthStatus::Warning, 90.0),
        ],
    );
}
