//! What the write keys mean: each builds the operation and opens its confirmation, or says why it
//! cannot. This is the one path to a write: `--read-only` refuses here, before any dialog opens.

use super::keymap::Action;
use super::ledger::{rollback, span};
use super::modal::{Modal, PickItem, PickPurpose};
use super::{App, Effect, Level, Pending};
use crate::cloud::{Op, PollKey, RollbackVia};
use crate::domain::{EnvStatus, Environment, Tier};

/// `l` on an environment that does not stream to CloudWatch: ask its instances for their last
/// log lines (RequestEnvironmentInfo, a write), behind the confirmation.
pub fn request_tail_logs(app: &mut App) -> Vec<Effect> {
    if app.settings.read_only {
        app.flash(
            Level::Warn,
            "read-only mode: requesting tail logs refused (RequestEnvironmentInfo is a write)",
        );
        return vec![];
    }
    let Some(env) = app.selected_env().cloned() else {
        return vec![];
    };
    if env.status == EnvStatus::Terminated {
        app.flash(
            Level::Warn,
            format!("{} is terminated: no instances to ask", env.env.name),
        );
        return vec![];
    }
    let lines = vec![
        format!(
            "RequestEnvironmentInfo asks every instance of {} to upload the last 100 lines",
            env.env.name
        ),
        "of each log to Elastic Beanstalk's S3 bucket; ebtui then collects them.".into(),
        "A snapshot, not live: streaming to CloudWatch Logs keeps logs when instances go.".into(),
    ];
    app.view.modal = Some(Modal::confirm(
        Op::RequestTailLogs {
            env: env.env.clone(),
        },
        lines,
        None,
    ));
    vec![]
}

/// Start a write intent. Returns the effects to emit (a poll the dialog waits on).
pub fn start(app: &mut App, action: Action) -> Vec<Effect> {
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
    match action {
        Action::Deploy => return deploy(app, &env),
        Action::Rollback => return rollback(app, &env),
        Action::Rebuild => rebuild(app, &env),
        Action::Abort => abort(app, &env),
        Action::Restart => restart(app, &env),
        Action::Swap => swap(app, &env),
        _ => {}
    }
    vec![]
}

/// `D`: the version picker; versions are read again (a version CI uploaded a minute ago must
/// be there) and the cached list shows meanwhile.
fn deploy(app: &mut App, env: &Environment) -> Vec<Effect> {
    let mut effects = Vec::new();
    let items = version_items(app, env);
    let loading = items.is_none();
    super::update::force_read(app, PollKey::Versions(env.env.app.clone()), &mut effects);
    app.view.modal = Some(Modal::Pick {
        title: format!(
            "Deploy to {} (running {})",
            env.env.name,
            env.version.as_deref().unwrap_or("-")
        ),
        purpose: PickPurpose::DeployVersion {
            env: app.account.envs.key_of(env),
        },
        cursor: first_version(items.as_deref()),
        items: items.unwrap_or_default(),
        loading,
    });
    effects
}

fn rebuild(app: &mut App, env: &Environment) {
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

fn abort(app: &mut App, env: &Environment) {
    if !env.abortable {
        app.flash(
            Level::Warn,
            format!(
                "nothing to abort: {} has no abortable update in progress",
                env.env.name
            ),
        );
        return;
    }
    let lines = vec![
        format!(
            "AbortEnvironmentUpdate stops the update of {} ({})",
            env.env.name,
            env.status.as_str()
        ),
        "and returns its instances to the version and configuration they ran before.".into(),
    ];
    app.view.modal = Some(Modal::confirm(
        Op::Abort {
            env: env.env.clone(),
        },
        lines,
        None,
    ));
}

fn restart(app: &mut App, env: &Environment) {
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

/// `W`: pick another web environment of the same application to swap CNAMEs with.
fn swap(app: &mut App, env: &Environment) {
    let items: Vec<PickItem> = app
        .account
        .envs
        .all
        .iter()
        .filter(|o| {
            o.env.app == env.env.app
                && o.env.name != env.env.name
                && o.tier == Tier::Web
                && o.status != EnvStatus::Terminated
        })
        .map(|o| PickItem {
            value: app.account.envs.key_of(o),
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
        return;
    }
    app.view.modal = Some(Modal::Pick {
        title: format!("Swap CNAMEs of {} with", env.env.name),
        purpose: PickPurpose::SwapWith {
            env: app.account.envs.key_of(env),
        },
        items,
        cursor: 0,
        loading: false,
    });
}

/// The deploy picker's first row: a new version from the code in `--app-dir`. Not a label
/// Elastic Beanstalk would accept ('/' is refused in labels), so it cannot collide with one.
const NEW_VERSION: &str = "/new-version-from-app-dir";

/// A directory as the picker names it: its last component (`.` for the current directory).
fn shown_dir(p: &std::path::Path) -> String {
    match p.file_name() {
        Some(n) => format!("{}/", n.to_string_lossy()),
        None => p.display().to_string(),
    }
}

/// The picker opens on the newest version (Enter deploys it, as before a directory could be
/// deployed); the new-version row is one Up away.
fn first_version(items: Option<&[PickItem]>) -> usize {
    usize::from(items.is_some_and(|i| i.len() > 1))
}

fn version_items(app: &App, env: &Environment) -> Option<Vec<PickItem>> {
    let versions = app.account.versions.get(&env.env.app)?;
    let new = PickItem {
        value: NEW_VERSION.to_string(),
        label: "+ new version".to_string(),
        detail: format!("bundle and deploy {}", shown_dir(&app.settings.app_dir)),
    };
    Some(
        std::iter::once(new)
            .chain(versions.iter().map(|v| {
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
            }))
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
    if let (
        Some(Modal::Pick {
            items,
            loading,
            cursor,
            ..
        }),
        Some(new),
    ) = (&mut app.view.modal, new)
    {
        if *loading {
            *cursor = first_version(Some(&new));
        }
        *items = new;
        *loading = false;
    }
}

/// A picked item in a picker becomes a confirmation.
pub fn picked(app: &mut App, purpose: PickPurpose, value: String, fx: &mut Vec<Effect>) {
    match purpose {
        PickPurpose::LogStreaming { env } => {
            super::update::log_streaming_picked(app, &env, &value);
        }
        PickPurpose::DeployVersion { .. } if value == NEW_VERSION => {
            super::update::ship_start(app, None, fx);
        }
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
fn rollback(app: &mut App, env: &Environment) -> Vec<Effect> {
    // The app knows the environment by its key (its name, unless a namesake replaced it).
    let name = app.account.envs.key_of(env);
    let current = env.version.clone();
    if env.abortable {
        rollback_by_abort(app, env);
        return vec![];
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
        return vec![];
    }
    let Some(history) = app.account.history.get(&name) else {
        return read_history_first(app, env);
    };
    let ops = app.account.ledger.of(&name);
    // After a failed immutable deploy the label is back on the old version: say so, since the
    // environment already runs what was good before the failure.
    let failed_last = rollback::failed_last_deploy(ops)
        .and_then(|o| o.version.clone())
        .filter(|v| Some(v.as_str()) != current.as_deref());
    let Some(target) = rollback::target(current.as_deref(), history, ops) else {
        app.flash(
            Level::Warn,
            format!("no known good version of {name} before the one it runs: pick one to deploy"),
        );
        return deploy(app, env);
    };
    let ago = span(app.now - target.deployed);
    let mut lines = vec![
        format!("{name} is Ready: its last good version will be DEPLOYED (UpdateEnvironment)."),
        format!(
            "from {} -> to {}",
            current.as_deref().unwrap_or("-"),
            target.version
        ),
        format!(
            "{} · deployed {ago} ago · succeeded · ran {}",
            target.version,
            span(target.ran)
        ),
    ];
    if let Some(v) = failed_last {
        lines.push(format!(
            "(the last deploy, of {v}, failed: {name} already runs {})",
            current.as_deref().unwrap_or("-")
        ));
    }
    let previous = target.version;
    app.view.modal = Some(Modal::confirm(
        Op::Rollback {
            env: env.env.clone(),
            from: current,
            via: RollbackVia::Deploy { version: previous },
        },
        lines,
        None,
    ));
    vec![]
}

/// During an abortable update a second UpdateEnvironment would be refused: abort it instead.
fn rollback_by_abort(app: &mut App, env: &Environment) {
    let current = env.version.clone();
    let lines = vec![
        format!(
            "{} is {}: an update is in progress.",
            env.env.name,
            env.status.as_str()
        ),
        "It will be ABORTED (AbortEnvironmentUpdate): the instances return to the previous version.".into(),
        format!(
            "from {} -> to the version that ran before",
            current.as_deref().unwrap_or("-")
        ),
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
}

/// The roll back target comes from the deployment history: read it, and finish when it arrives.
fn read_history_first(app: &mut App, env: &Environment) -> Vec<Effect> {
    // The app knows the environment by its key (its name, unless a namesake replaced it).
    let name = app.account.envs.key_of(env);
    app.account.pending = Some(Pending::Rollback(name.clone()));
    app.flash(
        Level::Info,
        format!("reading the deployment history of {name}..."),
    );
    let mut effects = Vec::new();
    super::update::force_read(app, PollKey::History(name), &mut effects);
    effects
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
