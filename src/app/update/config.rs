//! The Config view's keys and messages: open it (`E`, `:config`), reveal and sort, edit the
//! properties in a working copy (add, change, rename, delete, paste a `.env` block,
//! `:props-import`), export them (`:props-export`), and apply the diff as one confirmed
//! `Op::Configure`; turn log streaming on (`L`).

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

use super::super::config_view::{self, ConfigView, Edit, Line, Reveal, Row, Sort};
use super::super::modal::Modal;
use super::super::{App, Effect, Level};
use crate::cloud::PollKey;
use crate::domain::EnvStatus;
use crate::props::{self, Property, Secret, dotenv, escape};

/// `E` / `:config`: the selected environment's configuration, read afresh.
pub(in crate::app) fn open(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(env) = app.selected_env().cloned() else {
        app.flash(Level::Warn, "select an environment first");
        return;
    };
    let key = app.account.envs.key_of(&env);
    app.view.modal = Some(Modal::Config(ConfigView::new(key.clone(), env.env.clone())));
    super::polls::force(app, PollKey::Config(key), fx);
}

/// The properties of the environment as last read, if read.
fn current(app: &App, env: &str) -> Option<Vec<Property>> {
    app.account
        .configs
        .get(env)
        .map(|c| props::from_settings(&c.settings).0)
}

/// Keys while the view is open: it takes them all (a line being typed takes text).
pub(super) fn on_key(app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(Modal::Config(mut view)) = app.view.modal.take() else {
        return;
    };
    app.view.dirty = true;
    if let Some(input) = view.command.take() {
        return command_key(app, view, input, k, fx);
    }
    let typing = matches!(
        view.edit.as_ref().and_then(|e| e.line.as_ref()),
        Some(Line::Add(_) | Line::Change { .. } | Line::AddSecret(_) | Line::ChangeSecret { .. })
    );
    if typing {
        line_key(app, &mut view, k);
        app.view.modal = Some(Modal::Config(view));
        return;
    }
    if let Some(Edit { line, .. }) = view.edit.as_mut() {
        // Problems stay until the next key.
        if matches!(line, Some(Line::Problems(_))) {
            *line = None;
        }
    }
    let n = current(app, &view.env).map_or(0, |p| p.len());
    let n = view.edit.as_ref().map_or(n, |e| e.rows());
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    match k.code {
        KeyCode::Char('s') if ctrl && view.edit.is_some() => {
            return super::config_write::apply(app, view, fx);
        }
        KeyCode::Esc | KeyCode::Char('q') => {
            if view.edit.take().is_some_and(|e| e.changed()) {
                app.flash(Level::Info, "edits discarded: nothing was sent");
            } else if view.edit.is_none() && k.code == KeyCode::Esc {
                return; // closed
            }
        }
        KeyCode::Down | KeyCode::Char('j') => {
            view.cursor = (view.cursor + 1).min(n.saturating_sub(1))
        }
        KeyCode::Up | KeyCode::Char('k') => view.cursor = view.cursor.saturating_sub(1),
        KeyCode::PageDown => view.cursor = (view.cursor + 10).min(n.saturating_sub(1)),
        KeyCode::PageUp => view.cursor = view.cursor.saturating_sub(10),
        KeyCode::Char('v') => toggle_one(app, &mut view),
        KeyCode::Char('V') => {
            view.reveal = match view.reveal {
                Reveal::All => Reveal::Hidden,
                _ => Reveal::All,
            }
        }
        KeyCode::Char('s') => {
            view.sort = match view.sort {
                Sort::Name => Sort::Size,
                Sort::Size => Sort::Name,
            }
        }
        KeyCode::Char('e') if view.edit.is_none() => start_edit(app, &mut view),
        KeyCode::Char('a') if view.edit.is_some() => {
            if let Some(e) = view.edit.as_mut() {
                e.line = Some(Line::Add(Input::default()));
            }
        }
        KeyCode::Char('A') if view.edit.is_some() => {
            if let Some(e) = view.edit.as_mut() {
                e.line = Some(Line::AddSecret(Input::default()));
            }
        }
        KeyCode::Enter if view.edit.is_some() => change_selected(app, &mut view),
        KeyCode::Char('d') | KeyCode::Delete if view.edit.is_some() => {
            delete_selected(app, &mut view)
        }
        KeyCode::Char('w') if view.edit.is_some() => {
            return super::config_write::apply(app, view, fx);
        }
        KeyCode::Char('L') => return super::config_write::log_streaming(app, view),
        KeyCode::Char(':') => view.command = Some(Input::default()),
        _ => {}
    }
    app.view.modal = Some(Modal::Config(view));
}

/// A key while `:` is typed in the view. Enter runs the line; the view stays open around it.
fn command_key(
    app: &mut App,
    mut view: ConfigView,
    mut input: Input,
    k: KeyEvent,
    fx: &mut Vec<Effect>,
) {
    match k.code {
        KeyCode::Esc => {}
        KeyCode::Enter => {
            let line = input.value().trim().to_string();
            let mut words = line.split_whitespace();
            let cmd = words.next().unwrap_or("");
            let args: Vec<&str> = words.collect();
            app.view.modal = Some(Modal::Config(view));
            match cmd {
                "props-import" => import(app, args.first().copied(), fx),
                "props-export" => export(app, &args, fx),
                "" => {}
                _ => app.flash(
                    Level::Warn,
                    format!(
                        "in the Config view: :props-import FILE, :props-export FILE [--values] (not :{cmd})"
                    ),
                ),
            }
            return;
        }
        _ => {
            if let Some(r) = to_input_request(&Event::Key(k)) {
                input.handle(r);
            }
            view.command = Some(input);
        }
    }
    app.view.modal = Some(Modal::Config(view));
}

fn toggle_one(app: &App, view: &mut ConfigView) {
    let props = view
        .edit
        .as_ref()
        .map(|e| e.props.clone())
        .or_else(|| current(app, &view.env))
        .unwrap_or_default();
    let shown = config_view::ordered(&props, view.sort);
    if let Some(p) = shown.get(view.cursor) {
        view.reveal = match &view.reveal {
            Reveal::One(k) if *k == p.key => Reveal::Hidden,
            _ => Reveal::One(p.key.clone()),
        };
    }
}

/// `e`: a working copy of the properties. Refused, with Elastic Beanstalk's rule, while the
/// environment is not Ready, and until the configuration has been read.
fn start_edit(app: &mut App, view: &mut ConfigView) {
    let Some(props) = current(app, &view.env) else {
        app.flash(Level::Warn, "the configuration is still being read");
        return;
    };
    if app.settings.read_only {
        app.flash(
            Level::Warn,
            "read-only mode: editing properties refused (ebtui was started with --read-only)",
        );
        return;
    }
    if let Some(why) = not_ready(app, &view.env) {
        app.flash(Level::Warn, why);
        return;
    }
    let secrets = app
        .account
        .configs
        .get(&view.env)
        .map(|c| props::from_settings(&c.settings).1)
        .unwrap_or_default();
    view.edit = Some(Edit::new(props, secrets));
}

/// Why the environment cannot take a configuration change now (Elastic Beanstalk's rule).
pub(super) fn not_ready(app: &App, env: &str) -> Option<String> {
    let e = app.account.envs.get(env)?;
    (e.status != EnvStatus::Ready).then(|| {
        format!(
            "{} is {}: Elastic Beanstalk changes the configuration only of a Ready environment; wait for it to finish",
            e.env.name,
            e.status.as_str()
        )
    })
}

fn change_selected(_app: &mut App, view: &mut ConfigView) {
    let Some(e) = view.edit.as_mut() else { return };
    match e.row(view.sort, view.cursor) {
        Some(Row::Property(key)) => {
            let value = e
                .props
                .iter()
                .find(|p| p.key == key)
                .map(|p| p.value.clone())
                .unwrap_or_default();
            // Editing shows the value being edited: it is on screen because the user asked.
            let text = dotenv::render(
                &escape::to_plain(&[Property::new(key.clone(), value)]),
                true,
            );
            e.line = Some(Line::Change {
                input: Input::new(text.trim_end().to_string()),
                key,
            });
        }
        Some(Row::Secret(name)) => {
            let value = e
                .secrets
                .iter()
                .find(|s| s.name == name)
                .map(|s| s.value())
                .unwrap_or_default();
            e.line = Some(Line::ChangeSecret {
                input: Input::new(format!("{name}={value}")),
                name,
            });
        }
        None => {}
    }
}

fn delete_selected(_app: &mut App, view: &mut ConfigView) {
    let Some(e) = view.edit.as_mut() else { return };
    match e.row(view.sort, view.cursor) {
        Some(Row::Property(key)) => e.props.retain(|p| p.key != key),
        Some(Row::Secret(name)) => e.secrets.retain(|s| s.name != name),
        None => {}
    }
    view.cursor = view.cursor.min(e.rows().saturating_sub(1));
}

/// A key while a `KEY=value` line is typed: Enter takes it (parsed as one `.env` line), Esc
/// drops it.
fn line_key(app: &mut App, view: &mut ConfigView, k: KeyEvent) {
    let Some(e) = view.edit.as_mut() else { return };
    let Some(line) = e.line.take() else { return };
    let (input, replacing) = match line {
        Line::Add(i) => (i, None),
        Line::Change { key, input } => (input, Some(key)),
        Line::AddSecret(i) => return secret_line_key(app, e, i, None, k),
        Line::ChangeSecret { name, input } => return secret_line_key(app, e, input, Some(name), k),
        other => {
            e.line = Some(other);
            return;
        }
    };
    match k.code {
        KeyCode::Esc => {}
        // Typed as the application sees the value; stored escaped, as Elastic Beanstalk keeps it.
        KeyCode::Enter => match dotenv::parse(input.value()).map(|p| escape::to_stored(&p)) {
            Ok(parsed) if parsed.len() == 1 => {
                let p = parsed
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| Property::new("", ""));
                if let Some(old) = replacing {
                    e.props.retain(|q| q.key != old);
                }
                e.upsert(p);
            }
            Ok(_) => {
                app.flash(Level::Warn, "type one KEY=value");
                e.line = Some(restore(input, replacing));
            }
            Err(problems) => {
                let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
                app.flash(Level::Warn, text.join("; "));
                e.line = Some(restore(input, replacing));
            }
        },
        _ => {
            let mut input = input;
            if let Some(r) = to_input_request(&Event::Key(k)) {
                input.handle(r);
            }
            e.line = Some(restore(input, replacing));
        }
    }
}

/// A key while a `NAME=ARN[:jsonKey]` secret line is typed: Enter takes it once the ARN has the
/// shape Elastic Beanstalk accepts (Secrets Manager or SSM Parameter Store).
fn secret_line_key(
    app: &mut App,
    e: &mut Edit,
    mut input: Input,
    replacing: Option<String>,
    k: KeyEvent,
) {
    let keep = |input: Input, replacing: Option<String>| match replacing {
        Some(name) => Line::ChangeSecret { name, input },
        None => Line::AddSecret(input),
    };
    match k.code {
        KeyCode::Esc => {}
        KeyCode::Enter => {
            let text = input.value().trim().to_string();
            let parsed = match text.split_once('=') {
                Some((name, value)) if !name.trim().is_empty() => {
                    Secret::parse(name.trim(), value.trim()).map_err(|e| e.to_string())
                }
                _ => Err("type NAME=ARN, e.g. DB_PASSWORD=arn:aws:secretsmanager:...".into()),
            };
            match parsed {
                Ok(secret) => {
                    if let Some(old) = replacing {
                        e.secrets.retain(|s| s.name != old);
                    }
                    e.upsert_secret(secret);
                }
                Err(why) => {
                    app.flash(Level::Warn, format!("secret: {why}"));
                    e.line = Some(keep(input, replacing));
                }
            }
        }
        _ => {
            if let Some(r) = to_input_request(&Event::Key(k)) {
                input.handle(r);
            }
            e.line = Some(keep(input, replacing));
        }
    }
}

fn restore(input: Input, replacing: Option<String>) -> Line {
    match replacing {
        Some(key) => Line::Change { key, input },
        None => Line::Add(input),
    }
}

/// A pasted block while editing: `.env` lines added or replacing by key; a bad line stops it all.
pub(super) fn on_paste(app: &mut App, text: &str) -> bool {
    let Some(Modal::Config(view)) = app.view.modal.as_mut() else {
        return false;
    };
    let Some(e) = view.edit.as_mut() else {
        app.flash(Level::Info, "press e to edit, then paste a .env block");
        return true;
    };
    if let Some(
        Line::Add(i)
        | Line::Change { input: i, .. }
        | Line::AddSecret(i)
        | Line::ChangeSecret { input: i, .. },
    ) = e.line.as_mut()
    {
        for c in text.chars().filter(|c| !c.is_control()) {
            i.handle(tui_input::InputRequest::InsertChar(c));
        }
        return true;
    }
    merge(app, text, "pasted");
    true
}

/// Lines of `.env` text into the working copy; any bad line and nothing is taken.
fn merge(app: &mut App, text: &str, from: &str) {
    let Some(Modal::Config(view)) = app.view.modal.as_mut() else {
        return;
    };
    let Some(e) = view.edit.as_mut() else { return };
    match dotenv::parse(text).map(|p| escape::to_stored(&p)) {
        Ok(parsed) => {
            let n = parsed.len();
            for p in parsed {
                e.upsert(p);
            }
            app.flash(
                Level::Info,
                format!("{n} properties {from} into the edit (not sent)"),
            );
        }
        Err(problems) => {
            e.line = Some(Line::Problems(
                problems.iter().map(|p| format!("{from}: {p}")).collect(),
            ));
            app.flash(Level::Warn, format!("nothing {from}: fix the lines shown"));
        }
    }
}

/// `:props-import FILE`: read the file (the runtime does), then merge it into the edit.
pub(in crate::app) fn import(app: &mut App, path: Option<&str>, fx: &mut Vec<Effect>) {
    let Some(path) = path else {
        app.flash(Level::Warn, ":props-import needs a file (a .env)");
        return;
    };
    let editing = matches!(&app.view.modal, Some(Modal::Config(v)) if v.edit.is_some());
    if !editing {
        app.flash(
            Level::Warn,
            "open the Config view (E) and press e to edit first: an import goes into the edit",
        );
        return;
    }
    fx.push(Effect::ReadFile(path.into()));
}

/// The file of `:props-import` was read (or not).
pub(super) fn on_file(app: &mut App, path: &str, result: Result<String, String>) {
    match result {
        Ok(text) => merge(app, &text, &format!("imported from {path}")),
        Err(e) => app.flash(Level::Error, format!("cannot import {path}: {e}")),
    }
}

/// `:props-export FILE [--values]`: the properties as `.env`, values only when asked for, to a
/// new owner-only file.
pub(in crate::app) fn export(app: &mut App, args: &[&str], fx: &mut Vec<Effect>) {
    let with_values = args.contains(&"--values");
    let Some(path) = args.iter().find(|a| !a.starts_with("--")) else {
        app.flash(
            Level::Warn,
            ":props-export needs a file, e.g. :props-export prod.env [--values]",
        );
        return;
    };
    let env = match &app.view.modal {
        Some(Modal::Config(v)) => v.env.clone(),
        _ => match app.account.selected.clone() {
            Some(e) => e,
            None => return app.flash(Level::Warn, "select an environment first"),
        },
    };
    let Some(props) = current(app, &env) else {
        app.flash(
            Level::Warn,
            "open the Config view (E) first: the properties are not read yet",
        );
        return;
    };
    fx.push(Effect::SaveFile {
        path: path.to_string(),
        contents: dotenv::render(&escape::to_plain(&props), with_values),
    });
}
