//! Keys: what is typed into an input (a filter, a search, the command line, a typed
//! confirmation), the command line's commands, and the panes' actions. Keys while a dialog is
//! open go to `modal`.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use tui_input::backend::crossterm::to_input_request;

use super::super::intents;
use super::super::keymap::{Action, Context, Key};
use super::super::modal::Modal;
use super::super::{App, Effect, Level, Pane};
use super::{logs, modal, select};

pub(super) fn on_key(app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) {
    if k.kind == KeyEventKind::Release {
        return;
    }
    // Ctrl-C quits from anywhere, even while typing or in a dialog.
    if k.modifiers.contains(KeyModifiers::CONTROL)
        && app.keymap.lookup(Context::Global, Key::from_event(&k)) == Some(Action::Quit)
    {
        quit(app, fx);
        return;
    }
    if text_input(app, k, fx) {
        app.view.dirty = true;
        return;
    }
    let key = Key::from_event(&k);
    let ctx = app.key_context();
    // '?' closes help as it opened it.
    if matches!(app.view.modal, Some(Modal::Help { .. }))
        && app.keymap.lookup(Context::Global, key) == Some(Action::Help)
    {
        app.view.modal = None;
        app.view.dirty = true;
        return;
    }
    let Some(action) = app.keymap.lookup(ctx, key) else {
        return;
    };
    app.view.dirty = true;
    if ctx == Context::Modal {
        modal::modal_action(app, action, fx);
    } else {
        pane_action(app, action, fx);
    }
}

pub(super) fn on_paste(app: &mut App, text: &str) {
    // The Config view's edit takes a whole pasted `.env` block, line breaks included.
    if super::config::on_paste(app, text) {
        app.view.dirty = true;
        return;
    }
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    let label = app
        .account
        .ship
        .as_mut()
        .filter(|s| s.stage == super::super::ship::Stage::Review && !s.files_open)
        .map(|s| {
            s.problem = None;
            &mut s.label
        });
    let input = match &mut app.view.modal {
        Some(Modal::Ship) => label,
        Some(Modal::Command(i)) => Some(i),
        Some(Modal::Confirm {
            typed: Some((_, i)),
            ..
        }) => Some(i),
        _ if app.account.envs.editing => Some(&mut app.account.envs.filter),
        _ => None,
    };
    if let Some(i) = input {
        for c in text.chars() {
            i.handle(tui_input::InputRequest::InsertChar(c));
        }
        app.account.envs.refilter();
        app.view.dirty = true;
    } else if app.logs.pane.is_searching() {
        app.logs.pane.search_paste(&text);
        app.view.dirty = true;
    }
}

fn quit(app: &mut App, fx: &mut Vec<Effect>) {
    app.view.quit = true;
    fx.push(Effect::Quit);
}

/// Keys typed into an input. Returns whether the key was consumed.
fn text_input(app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
    let ev = Event::Key(k);
    match &mut app.view.modal {
        Some(Modal::Command(input)) => {
            match k.code {
                KeyCode::Enter => {
                    let line = input.value().trim().to_string();
                    app.view.modal = None;
                    run_command(app, &line, fx);
                }
                KeyCode::Esc => app.view.modal = None,
                _ => {
                    if let Some(r) = to_input_request(&ev) {
                        input.handle(r);
                    }
                }
            }
            return true;
        }
        Some(Modal::Ship) => {
            super::ship::on_key(app, k, fx);
            return true;
        }
        Some(Modal::Config(_)) => {
            super::config::on_key(app, k, fx);
            return true;
        }
        Some(Modal::Triage(_)) => {
            super::triage::on_key(app, k, fx);
            return true;
        }
        Some(Modal::Confirm {
            typed: Some((_, input)),
            ..
        }) if !matches!(k.code, KeyCode::Enter | KeyCode::Esc) => {
            if let Some(r) = to_input_request(&ev) {
                input.handle(r);
            }
            return true;
        }
        _ => {}
    }
    if app.view.modal.is_none() && app.account.envs.editing {
        envs_filter_key(app, k, fx);
        return true;
    }
    if app.view.modal.is_none() && app.logs.pane.is_searching() {
        app.logs.pane.search_input(k);
        return true;
    }
    false
}

/// A key typed into the environments filter.
fn envs_filter_key(app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) {
    let envs = &mut app.account.envs;
    match k.code {
        KeyCode::Enter => {
            // The write keys act on the selection: make it the row the filter left in view.
            envs.editing = false;
            envs.refilter();
            if let Some(name) = envs.cursor.clone() {
                select::select(app, &name, fx);
            }
            return;
        }
        KeyCode::Esc => {
            envs.editing = false;
            envs.filter.reset();
        }
        _ => {
            if let Some(r) = to_input_request(&Event::Key(k)) {
                envs.filter.handle(r);
            }
        }
    }
    envs.refilter();
}

fn run_command(app: &mut App, line: &str, fx: &mut Vec<Effect>) {
    let mut words = line.split_whitespace();
    let cmd = words.next().unwrap_or("");
    let arg = words.next();
    match (cmd, arg) {
        ("q" | "quit" | "q!", _) => quit(app, fx),
        ("env" | "e", Some(name)) => {
            if app.account.envs.get(name).is_some() {
                app.account.envs.filter.reset();
                select::select(app, name, fx);
            } else {
                app.flash(Level::Warn, format!("no environment named {name}"));
            }
        }
        ("profile", Some(p)) => fx.push(Effect::SwitchContext {
            profile: Some(p.to_string()),
            region: None,
        }),
        ("region", Some(r)) => fx.push(Effect::SwitchContext {
            profile: None,
            region: Some(r.to_string()),
        }),
        ("help", _) => app.view.modal = Some(Modal::Help { scroll: 0 }),
        ("budget", _) => app.view.modal = Some(Modal::Budget),
        ("history" | "o", _) => open_history(app),
        ("why" | "triage", _) => super::triage::open(app),
        // The rest of the line is the path: a directory's name may hold spaces.
        ("deploy", Some(_)) => {
            let path = line.trim_start()[cmd.len()..].trim();
            super::ship::start(app, Some(path), fx)
        }
        ("deploy", None) => super::ship::start(app, None, fx),
        ("config", _) => super::config::open(app, fx),
        ("journal", arg) => super::journal::command(app, arg, fx),
        ("report", _) => super::report::command(app, fx),
        ("props-import", file) => super::config::import(app, file, fx),
        ("props-export", _) => {
            let args: Vec<&str> = line.split_whitespace().skip(1).collect();
            super::config::export(app, &args, fx)
        }
        ("", _) => {}
        ("env" | "e" | "profile" | "region", None) => {
            app.flash(Level::Warn, format!(":{cmd} needs a name"))
        }
        _ => app.flash(
            Level::Warn,
            format!(
                "unknown command :{cmd} (try :env NAME, :deploy [PATH], :config, :props-import FILE, :props-export FILE [--values], :history, :why, :journal [stats], :report, :budget, :profile NAME, :region NAME, :q)"
            ),
        ),
    }
}

/// `o`: the selected environment's operations.
fn open_history(app: &mut App) {
    match app.account.selected.clone() {
        Some(env) => {
            app.view.modal = Some(Modal::History {
                env,
                cursor: 0,
                open: None,
                scroll: 0,
            })
        }
        None => app.flash(Level::Warn, "select an environment first"),
    }
}

fn pane_action(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let view = &mut app.view;
    match action {
        Action::Quit => quit(app, fx),
        Action::Help => view.modal = Some(Modal::Help { scroll: 0 }),
        Action::FocusNext | Action::FocusPrev => {
            let i = Pane::ALL.iter().position(|p| *p == view.focus).unwrap_or(0);
            let n = Pane::ALL.len();
            view.focus = Pane::ALL[if action == Action::FocusNext {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            }];
        }
        Action::FocusEnvs => view.focus = Pane::Envs,
        Action::FocusTimeline => view.focus = Pane::Timeline,
        Action::FocusHealth => view.focus = Pane::Health,
        Action::FocusLogs => view.focus = Pane::Logs,
        Action::Zoom => view.zoom = !view.zoom,
        Action::Command => view.modal = Some(Modal::Command(Default::default())),
        Action::History => open_history(app),
        Action::Config => super::config::open(app, fx),
        Action::SsoLogin => super::sso::start(app, fx),
        Action::Triage => super::triage::open(app),
        Action::Deploy
        | Action::Rollback
        | Action::Rebuild
        | Action::Abort
        | Action::Restart
        | Action::Swap => fx.extend(intents::start(app, action)),
        _ => match view.focus {
            Pane::Envs => envs_action(app, action, fx),
            Pane::Timeline => timeline_action(app, action, fx),
            Pane::Health => health_action(app, action),
            Pane::Logs => logs::logs_action(app, action, fx),
        },
    }
}

pub(super) fn envs_action(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let envs = &mut app.account.envs;
    match action {
        Action::Up => envs.move_by(-1),
        Action::Down => envs.move_by(1),
        Action::PageUp => envs.move_by(-10),
        Action::PageDown => envs.move_by(10),
        Action::Top => envs.move_to(false),
        Action::Bottom => envs.move_to(true),
        Action::Select => {
            if let Some(name) = envs.cursor.clone() {
                select::select(app, &name, fx);
            }
        }
        Action::Search => envs.editing = true,
        // The cursor is a key: it stays on its environment wherever the sort puts it.
        Action::SortNext => envs.sort = envs.sort.moved(1),
        Action::SortPrev => envs.sort = envs.sort.moved(-1),
        Action::SortReverse => envs.sort.reverse = !envs.sort.reverse,
        Action::Cancel if app.view.zoom => app.view.zoom = false,
        Action::Cancel => {
            envs.filter.reset();
            envs.refilter();
        }
        _ => {}
    }
}

pub(super) fn timeline_action(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let acc = &mut app.account;
    let Some(key) = acc.selected.clone() else {
        return;
    };
    let Some(t) = acc.timelines.get_mut(&key) else {
        return;
    };
    match action {
        Action::Up => t.scroll(-1),
        Action::Down => t.scroll(1),
        Action::PageUp => t.scroll(-10),
        Action::PageDown => t.scroll(10),
        Action::Top => t.to_top(),
        Action::Bottom => t.to_bottom(),
        Action::Follow => t.toggle_follow(),
        Action::Cancel => {
            t.to_bottom();
            app.view.zoom = false;
        }
        _ => {}
    }
    // Scrolled back to the oldest row: read the environment's events from before it.
    let back = matches!(action, Action::Up | Action::PageUp | Action::Top);
    if back && t.at_top() && !t.older_exhausted {
        super::polls::force(app, crate::cloud::PollKey::OlderEvents(key), fx);
    }
}

pub(super) fn health_action(app: &mut App, action: Action) {
    if matches!(
        action,
        Action::SortNext | Action::SortPrev | Action::SortReverse
    ) {
        sort_instances(app, action);
        return;
    }
    let acc = &mut app.account;
    let n = acc
        .selected
        .as_ref()
        .and_then(|s| acc.health.get(s))
        .map_or(0, |h| h.instances.len());
    let max = n.saturating_sub(1);
    let cursor = acc.health_cursor;
    acc.health_cursor = match action {
        Action::Up => cursor.saturating_sub(1),
        Action::Down => (cursor + 1).min(max),
        Action::PageUp => cursor.saturating_sub(10),
        Action::PageDown => (cursor + 10).min(max),
        Action::Top => 0,
        Action::Bottom => max,
        Action::Cancel => {
            app.view.zoom = false;
            cursor
        }
        _ => cursor,
    };
}

/// Sort the instances table, keeping the cursor on the instance it was on.
fn sort_instances(app: &mut App, action: Action) {
    use super::super::sort::{InstSort, instance_order};
    let before = app.view.instance_sort;
    let after = match (action, before) {
        (Action::SortReverse, Some(s)) => InstSort {
            reverse: !s.reverse,
            ..s
        },
        (Action::SortPrev, s) => InstSort::moved(s, -1),
        (_, s) => InstSort::moved(s, 1),
    };
    app.view.instance_sort = Some(after);
    let acc = &mut app.account;
    let Some(snap) = acc.selected.as_ref().and_then(|s| acc.health.get(s)) else {
        return;
    };
    let was = instance_order(&snap.instances, before)
        .get(acc.health_cursor)
        .copied();
    if let Some(i) = was {
        let now = instance_order(&snap.instances, Some(after));
        acc.health_cursor = now.iter().position(|j| *j == i).unwrap_or(0);
    }
}
