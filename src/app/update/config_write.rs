//! The Config view's writes: the edit's diff, checked, as one confirmed `Op::Configure`; and
//! log streaming turned on. Each ends in a `Modal::Confirm`, so the write gate stays the one in
//! `update/ops.rs`.

use super::super::config_view::{self, ConfigView, Line};
use super::super::modal::{Modal, PickItem, PickPurpose};
use super::super::{App, Effect, Level};
use super::config::not_ready;
use crate::cloud::Op;
use crate::domain::OptionKey;
use crate::props;

/// Apply the working copy: validated first (nothing is sent while anything is wrong, over the
/// limit included, with what to move to secrets), then one confirmation showing the diff.
pub(super) fn apply(app: &mut App, mut view: ConfigView, _fx: &mut Vec<Effect>) {
    let Some(e) = view.edit.as_mut() else {
        app.view.modal = Some(Modal::Config(view));
        return;
    };
    if !e.changed() {
        app.flash(Level::Info, "nothing changed");
        app.view.modal = Some(Modal::Config(view));
        return;
    }
    let secrets = e.secrets.clone();
    let diff = props::diff(&e.original, &e.props);
    let secrets_diff = props::diff(&e.original_secrets, &e.secrets);
    // Only what is sent is judged (and the total): a value Elastic Beanstalk holds already and
    // that this change leaves alone is not ours to refuse.
    let touched: std::collections::HashSet<String> = diff
        .added
        .iter()
        .map(|p| p.key.clone())
        .chain(diff.changed.iter().map(|c| c.new.key.clone()))
        .chain(secrets_diff.added.iter().map(|s| s.name.clone()))
        .chain(secrets_diff.changed.iter().map(|c| c.new.name.clone()))
        .collect();
    let problems: Vec<props::Problem> = props::validate(&e.props, &secrets)
        .into_iter()
        .filter(|p| p.key.as_ref().is_none_or(|k| touched.contains(k)))
        .collect();
    if problems.iter().any(|p| p.is_error()) {
        let mut shown: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        let over = props::meter::over_by(&e.props);
        if over > 0 {
            let moves = props::proposals(&e.props, over);
            let freed: usize = moves.iter().map(|(_, b)| b).sum();
            let keys: Vec<&str> = moves.iter().map(|(k, _)| k.as_str()).collect();
            shown.push(format!(
                "move {} to secrets (Secrets Manager or Parameter Store): that frees {freed} bytes",
                keys.join(", ")
            ));
        }
        e.line = Some(Line::Problems(shown));
        app.view.modal = Some(Modal::Config(view));
        return;
    }
    if let Some(why) = not_ready(app, &view.env) {
        app.flash(Level::Warn, why);
        app.view.modal = Some(Modal::Config(view));
        return;
    }
    let (mut set, mut remove) = props::to_update(&diff);
    let (set_secrets, remove_secrets) = props::to_update(&secrets_diff);
    set.extend(set_secrets);
    remove.extend(remove_secrets);
    let total = props::bytes(&e.props);
    let mut lines = vec![format!(
        "UpdateEnvironment {}: environment properties",
        view.env_ref.name
    )];
    for p in &diff.added {
        lines.push(format!("  + {} = ••••", p.key));
    }
    for c in &diff.changed {
        if c.old.key == c.new.key {
            lines.push(format!("  ~ {} = •••• (changed)", c.new.key));
        }
    }
    for p in &diff.removed {
        lines.push(format!("  - {}", p.key));
    }
    for s in &secrets_diff.added {
        lines.push(format!("  + secret {} from {}", s.name, s.value()));
    }
    for c in &secrets_diff.changed {
        lines.push(format!("  ~ secret {} from {}", c.new.name, c.new.value()));
    }
    for s in &secrets_diff.removed {
        lines.push(format!("  - secret {}", s.name));
    }
    lines.push(format!(
        "{} -> {} / {} bytes",
        config_view::thousands(props::bytes(&e.original)),
        config_view::thousands(total),
        config_view::thousands(props::LIMIT)
    ));
    for p in problems {
        // Warnings do not block: a value Elastic Beanstalk already holds may look like this.
        lines.push(format!("  ! {p}"));
    }
    lines.push("All instances restart their application.".into());
    let what = format!(
        "{} added, {} changed, {} removed",
        diff.added.len() + secrets_diff.added.len(),
        diff.changed.len() + secrets_diff.changed.len(),
        diff.removed.len() + secrets_diff.removed.len()
    );
    let op = Op::Configure {
        env: view.env_ref.clone(),
        set,
        remove: remove
            .into_iter()
            .map(|(namespace, name)| OptionKey { namespace, name })
            .collect(),
        what: format!("properties ({what})"),
    };
    app.view.modal = Some(Modal::confirm(op, lines, None));
}

/// `L`: turn instance log streaming on, retention and delete-on-terminate picked first.
pub(super) fn log_streaming(app: &mut App, view: ConfigView) {
    if app.settings.read_only {
        app.flash(
            Level::Warn,
            "read-only mode: turning log streaming on refused (ebtui was started with --read-only)",
        );
        app.view.modal = Some(Modal::Config(view));
        return;
    }
    if let Some(why) = not_ready(app, &view.env) {
        app.flash(Level::Warn, why);
        app.view.modal = Some(Modal::Config(view));
        return;
    }
    let env = view.env.clone();
    open_log_streaming_picker(app, env);
}

/// The retention picker of log streaming, for `env` (also from the logs pane).
pub(in crate::app) fn open_log_streaming_picker(app: &mut App, env: String) {
    let items = [
        (7, false),
        (30, false),
        (90, false),
        (365, false),
        (7, true),
        (30, true),
    ]
    .iter()
    .map(|(days, delete)| PickItem {
        value: format!("{days}:{delete}"),
        label: format!("keep {days} days"),
        detail: if *delete {
            "deleted when the environment is terminated".into()
        } else {
            "kept after the environment is terminated".into()
        },
    })
    .collect();
    app.view.modal = Some(Modal::Pick {
        title: format!("Stream {env}'s instance logs to CloudWatch"),
        purpose: PickPurpose::LogStreaming { env },
        items,
        cursor: 0,
        loading: false,
    });
}

/// A retention was picked: the confirmation of the configuration change.
pub(in crate::app) fn log_streaming_picked(app: &mut App, env: &str, value: &str) {
    let Some(e) = app.account.envs.get(env).cloned() else {
        return;
    };
    let (days, delete) = value
        .split_once(':')
        .map(|(d, x)| (d.parse().unwrap_or(7), x == "true"))
        .unwrap_or((7, false));
    let lines = vec![
        format!(
            "UpdateEnvironment {}: stream the instances' logs to CloudWatch Logs",
            e.env.name
        ),
        format!(
            "keep {days} days; {}",
            if delete {
                "delete them when the environment is terminated"
            } else {
                "keep them after the environment is terminated"
            }
        ),
        "CloudWatch Logs charges for what is stored; the log groups appear once the update ends."
            .into(),
    ];
    let op = Op::Configure {
        env: e.env.clone(),
        set: config_view::log_streaming_on(days, delete),
        remove: Vec::new(),
        what: "log streaming on".into(),
    };
    app.view.modal = Some(Modal::confirm(op, lines, None));
}
