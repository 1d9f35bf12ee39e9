//! Keys, focus, the command line and the environments filter.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::super::{Effect, Msg, Pane, update};
use super::support::*;

#[test]
fn keys_that_mean_nothing_here_do_nothing() {
    let mut app = app_with(prod(), false);
    let before = (app.view.focus, app.view.zoom, app.account.selected.clone());
    for c in ['n', 'N', '&', 'x', 'Q', '%'] {
        assert!(key(&mut app, c).is_empty(), "{c}");
    }
    assert!(app.view.modal.is_none());
    assert_eq!(
        before,
        (app.view.focus, app.view.zoom, app.account.selected.clone())
    );
}

#[test]
fn focus_zoom_and_quit() {
    let mut app = app_with(prod(), false);
    key(&mut app, '4');
    assert_eq!(app.view.focus, Pane::Logs);
    code(&mut app, KeyCode::Tab);
    assert_eq!(app.view.focus, Pane::Envs);
    key(&mut app, 'z');
    assert!(app.view.zoom && !app.visible(Pane::Health));
    let fx = key(&mut app, 'q');
    assert_eq!(fx, vec![Effect::Quit]);
}

#[test]
fn command_line_selects_an_environment() {
    let mut app = app_with(prod(), false);
    key(&mut app, ':');
    for c in "env storefront-staging".chars() {
        key(&mut app, c);
    }
    let fx = code(&mut app, KeyCode::Enter);
    assert_eq!(app.account.selected.as_deref(), Some("storefront-staging"));
    assert!(fx.contains(&Effect::StopTail));
}

#[test]
fn ctrl_c_quits_even_while_typing() {
    let mut app = app_with(prod(), false);
    key(&mut app, ':');
    let now = app.now;
    let fx = update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        now,
    );
    assert_eq!(fx, vec![Effect::Quit]);
}

#[test]
fn the_filter_selects_the_row_it_leaves_in_view() {
    let mut app = app_with(prod(), false);
    assert_eq!(app.account.selected.as_deref(), Some("storefront-prod"));
    key(&mut app, '/');
    for c in "staging".chars() {
        key(&mut app, c);
    }
    code(&mut app, KeyCode::Enter);
    assert_eq!(app.account.selected.as_deref(), Some("storefront-staging"));
}

#[test]
fn o_lists_the_operations_and_enter_opens_one() {
    use super::super::modal::Modal;
    use crate::cloud::{Answer, PollKey};
    use crate::domain::{EnvEvent, Severity};
    let mut app = app_with(prod(), false);
    let ev = |ts: i64, rid: &str, msg: &str| EnvEvent {
        ts,
        env: "storefront-prod".into(),
        severity: Severity::Info,
        message: msg.into(),
        version: Some("v1".into()),
        request_id: Some(rid.into()),
    };
    reply(
        &mut app,
        PollKey::AccountEvents,
        Ok(Answer::Events(vec![
            ev(1, "r1", "Environment update is starting."),
            ev(2, "r1", "Failed to deploy application."),
            ev(3, "r2", "restartAppServer is starting."),
            ev(4, "r2", "restartAppServer completed successfully."),
        ])),
    );
    key(&mut app, 'o');
    assert!(matches!(
        app.view.modal,
        Some(Modal::History {
            cursor: 0,
            open: None,
            ..
        })
    ));
    // Newest first: the restart, then the failed deploy.
    code(&mut app, KeyCode::Down);
    code(&mut app, KeyCode::Enter);
    match &app.view.modal {
        Some(Modal::History { open, .. }) => assert_eq!(open.as_deref(), Some("r1")),
        other => panic!("{:?}", other.is_some()),
    }
    code(&mut app, KeyCode::Esc);
    assert!(matches!(
        app.view.modal,
        Some(Modal::History { open: None, .. })
    ));
    code(&mut app, KeyCode::Esc);
    assert!(app.view.modal.is_none());
    let ops = app.account.ledger.of("storefront-prod");
    assert_eq!(ops.len(), 2);
    assert_eq!(ops[0].told, Some(super::super::ledger::Outcome::Failed));
}

#[test]
fn scrolling_back_past_the_oldest_event_reads_older_ones_until_there_are_none() {
    use crate::cloud::{Answer, PollKey, Request};
    use crate::domain::{EnvEvent, Severity};
    let mut app = app_with(prod(), false);
    let ev = |ts: i64| EnvEvent {
        ts,
        env: "storefront-prod".into(),
        severity: Severity::Info,
        message: format!("event {ts}"),
        version: None,
        request_id: None,
    };
    reply(
        &mut app,
        PollKey::AccountEvents,
        Ok(Answer::Events(vec![ev(500_000), ev(600_000)])),
    );
    key(&mut app, '2');
    let fx = key(&mut app, 'g');
    assert!(
        fx.iter().any(|e| matches!(
            e,
            Effect::Poll(Request::OlderEvents {
                before: 500_000,
                ..
            })
        )),
        "{fx:?}"
    );
    reply(
        &mut app,
        PollKey::OlderEvents("storefront-prod".into()),
        Ok(Answer::Events(vec![])),
    );
    assert!(
        app.view
            .flash
            .as_ref()
            .is_some_and(|f| f.text.contains("no older events"))
    );
    let fx = key(&mut app, 'g');
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::Poll(Request::OlderEvents { .. }))),
        "the history ended: {fx:?}"
    );
}
