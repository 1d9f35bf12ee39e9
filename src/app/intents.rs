//! What the write keys mean: each builds the operation and opens its confirmation, or says why it
//! cannot. This is the one path to a write: `--read-only` refuses here, before any dialog opens.

use super::keymap::Action;
use super::modal::{Modal, PickItem, PickPurpose};
use super::{App, Level, Pending};
use crate::cloud::{Op, RollbackVia};
use crate::domain::{EnvStatus, Environment, Tier};

/// Start a write intent. Returns the effects to emit (a poll the dialog waits on).
pub fn start(app: &mut App, action: Action) -> Vec<super::Effect> {
    let verb = match action {
        Action::Deploy => "deploy",
        Action::Rollback => "roll back",
        Action::Rebuild => "rebuild",
        Action::Abort => "abort",
        Action::Restart => "restart app servers",
        Action::Swap => "swap CNAMEs",
        _ => return vec![],
    };
    if app.settings.read_only {
        app.flash(
            Level::Warn,
            format!("read-only mode: {verb} refused (ebtui was started with --read-only)"),
        );
        return vec![];
    }
    let Some(env) = app.selected_env().cloned() else {
        app.flash(
            Level::Warn,
            format!("select an environment to {verb} first"),
        );
        return vec![];
    };
    if env.status == EnvStatus::Terminated {
        app.flash(
            Level::Warn,
            format!("{} is terminated: nothing to {verb}", env.env.name),
        );
        return vec![];
    }
    let mut effects = Vec::new();
    match action {
        Action::Deploy => {
            let items = version_items(app, &env);
            let loading = items.is_none();
            // Always refresh (a version CI uploaded a minute ago must be there); the cached
            // list shows meanwhile.
            if app.account.schedule.force(
                app.now,
                crate::cloud::PollKey::Versions(env.env.app.clone()),
            ) {
                effects.push(super::Effect::Poll(crate::cloud::Request::Versions {
                    app: env.env.app.clone(),
                }));
            }
            app.view.modal = Some(Modal::Pick {
                title: format!(
                    "Deploy to {} (running {})",
                    env.env.name,
                    env.version.as_deref().unwrap_or("-")
                ),
                purpose: PickPurpose::DeployVersion {
                    env: env.env.name.clone(),
                },
                items: items.unwrap_or_default(),
                cursor: 0,
                loading,
            });
        }
        Action::Rollback => {
            if let Some(e) = rollback(app, &env) {
                effects.extend(e);
            }
        }
        Action::Rebuild => {
            let lines = vec![
                format!(
                    "RebuildEnvironment terminates and replaces every resource of {}:",
                    env.env.name
                ),
                "instances, load balancer and Auto Scaling group are recreated.".into(),
                "The environment is unavailable while it rebuilds.".into(),
            ];
            app.view.modal = Some(Modal::confirm(
                Op::Rebuild {
                    env: env.env.clone(),
                },
                lines,
                Some(env.env.name.clone()),
            ));
        }
        Action::Abort => {
            if !env.abortable {
                app.flash(
                    Level::Warn,
                    format!(
                        "nothing to abort: {} has no abortable update in progress",
                        env.env.name
                    ),
                );
                return vec![];
            }
            let lines = vec![
                format!(
                    "AbortEnvironmentUpdate stops the update of {} ({})",
                    env.env.name,
                    env.status.as_str()
                ),
                "and returns its instances to the version and configuration they ran before."
                    .into(),
            ];
            app.view.modal = Some(Modal::confirm(
                Op::Abort {
                    env: env.env.clone(),
                },
                lines,
                None,
            ));
        }
        Action::Restart => {
            let lines = vec![format!(
                "RestartAppServer restarts the application server on every instance of {}.",
                env.env.name
            )];
            app.view.modal = Some(Modal::confirm(
                Op::RestartAppServer {
                    env: env.env.clone(),
                },
                lines,
                None,
            ));
        }
        Action::Swap => {
            let items: Vec<PickItem> = app
                .account
                .envs
                .all
                .iter()
                .filter(|o| {
                    o.env.app == env.env.app && o.env.name != env.env.name && o.tier == Tier::Web
                })
                .map(|o| PickItem {
                    value: o.env.name.clone(),
                    label: o.env.name.clone(),
                    detail: format!(
                        "{} · {} · {}",
                        o.status.as_str(),
                        o.version.as_deref().unwrap_or("-"),
                        o.cname.as_deref().unwrap_or("no CNAME")
                    ),
                })
                .collect();
            if env.tier != Tier::Web || items.is_empty() {
                app.flash(
                    Level::Warn,
                    format!(
                        "no environment of {} to swap CNAMEs with {}",
                        env.env.app, env.env.name
                    ),
                );
                return vec![];
            }
            app.view.modal = Some(Modal::Pick {
                title: format!("Swap CNAMEs of {} with", env.env.name),
                purpose: PickPurpose::SwapWith {
                    env: env.env.name.clone(),
                },
                items,
                cursor: 0,
                loading: false,
            });
        }
        _ => {}
    }
    effects
}

fn version_items(app: &App, env: &Environment) -> Option<Vec<PickItem>> {
    let versions = app.account.versions.get(&env.env.app)?;
    Some(
        versions
            .iter()
            .map(|v| {
                let running = env.version.as_deref() == Some(v.label.as_str());
                PickItem {
                    value: v.label.clone(),
                    label: if running {
                        format!("{} (running)", v.label)
                    } else {
                        v.label.clone()
                    },
                    detail: format!("{} · {}", v.status, v.description.as_deref().unwrap_or("")),
                }
            })
            .collect(),
    )
}

/// Refresh an open deploy picker when its versions arrive.
pub fn versions_arrived(app: &mut App, app_name: &str) {
    let env = match &app.view.modal {
        Some(Modal::Pick {
            purpose: PickPurpose::DeployVersion { env },
            ..
        }) => env.clone(),
        _ => return,
    };
    let Some(e) = app.account.envs.get(&env).cloned() else {
        return;
    };
    if e.env.app != app_name {
        return;
    }
    let new = version_items(app, &e);
    if let (Some(Modal::Pick { items, loading, .. }), Some(new)) = (&mut app.view.modal, new) {
        *items = new;
        *loading = false;
    }
}

/// A picked item in a picker becomes a confirmation.
pub fn picked(app: &mut App, purpose: PickPurpose, value: String) {
    match purpose {
        PickPurpose::DeployVersion { env } => {
            let Some(e) = app.account.envs.get(&env).cloned() else {
                return;
            };
            let lines = vec![
                format!("UpdateEnvironment {} to version {}", env, value),
                format!(
                    "from {} -> to {}",
                    e.version.as_deref().unwrap_or("-"),
                    value
                ),
                format!(
                    "deployment policy: {}",
                    e.deployment_policy.as_deref().unwrap_or("as configured")
                ),
            ];
            app.view.modal = Some(Modal::confirm(
                Op::Deploy {
                    env: e.env.clone(),
                    version: value,
                },
                lines,
                None,
            ));
        }
        PickPurpose::SwapWith { env } => {
            let (Some(a), Some(b)) = (
                app.account.envs.get(&env).cloned(),
                app.account.envs.get(&value).cloned(),
            ) else {
                return;
            };
            let lines = vec![
                format!("SwapEnvironmentCNAMEs: {} <-> {}", a.env.name, b.env.name),
                format!(
                    "{} will answer on {}",
                    b.env.name,
                    a.cname.as_deref().unwrap_or("-")
                ),
                format!(
                    "{} will answer on {}",
                    a.env.name,
                    b.cname.as_deref().unwrap_or("-")
                ),
            ];
            app.view.modal = Some(Modal::confirm(
                Op::SwapCnames {
                    a: a.env.clone(),
                    b: b.env.clone(),
                },
                lines,
                Some(a.env.name.clone()),
            ));
        }
    }
}

/// Roll back, by Elastic Beanstalk's rules: during an abortable update, abort it (a second
/// UpdateEnvironment would be refused); once Ready, deploy the version that ran before the current
/// one, taken from the deployment history.
fn rollback(app: &mut App, env: &Environment) -> Option<Vec<super::Effect>> {
    let name = env.env.name.clone();
    let current = env.version.clone();
    if env.abortable {
        let lines = vec![
            format!("{} is {}: an update is in progress.", name, env.status.as_str()),
            "It will be ABORTED (AbortEnvironmentUpdate): the instances return to the previous version.".into(),
            format!("from {} -> to the version that ran before", current.as_deref().unwrap_or("-")),
        ];
        app.view.modal = Some(Modal::confirm(
            Op::Rollback {
                env: env.env.clone(),
                from: current,
                via: RollbackVia::Abort,
            },
            lines,
            None,
        ));
        return Some(vec![]);
    }
    if env.status != EnvStatus::Ready {
        app.flash(
            Level::Warn,
            format!(
                "{} is {} and its update cannot be aborted: roll back once it is Ready",
                name,
                env.status.as_str()
            ),
        );
        return None;
    }
    let Some(history) = app.account.history.get(&name) else {
        app.account.pending = Some(Pending::Rollback(name.clone()));
        app.flash(
            Level::Info,
            format!("reading the deployment history of {name}..."),
        );
        let mut effects = vec![];
        if app
            .account
            .schedule
            .force(app.now, crate::cloud::PollKey::History(name.clone()))
        {
            effects.push(super::Effect::Poll(crate::cloud::Request::History {
                env: env.env.clone(),
            }));
        }
        return Some(effects);
    };
    let previous = history
        .iter()
        .map(|r| &r.version)
        .find(|v| Some(v.as_str()) != current.as_deref())
        .cloned();
    let Some(previous) = previous else {
        app.flash(
            Level::Warn,
            format!("no earlier version in the deployment history of {name}: use D to pick one"),
        );
        return None;
    };
    let lines = vec![
        format!(
            "{} is Ready: the previous version will be DEPLOYED (UpdateEnvironment).",
            name
        ),
        format!(
            "from {} -> to {}",
            current.as_deref().unwrap_or("-"),
            previous
        ),
    ];
    app.view.modal = Some(Modal::confirm(
        Op::Rollback {
            env: env.env.clone(),
            from: current,
            via: RollbackVia::Deploy { version: previous },
        },
        lines,
        None,
    ));
    Some(vec![])
}

/// The deploy history arrived: finish a rollback that waited on it.
pub fn history_arrived(app: &mut App, env_name: &str) {
    if app.account.pending == Some(Pending::Rollback(env_name.to_string())) {
        app.account.pending = None;
        if app.view.modal.is_some() {
            // Never replace what the user is typing or reading: the next U has the history.
            app.flash(
                Level::Info,
                format!("deployment history of {env_name} read: press U again to roll back"),
            );
        } else if app.account.selected.as_deref() == Some(env_name)
            && let Some(env) = app.selected_env().cloned()
        {
            rollback(app, &env);
        }
    }
}
