//! The log stream: pushed-down searches, the group picker.

use crossterm::event::KeyCode;

use super::super::log_session::Stream;
use super::super::modal::Modal;
use super::super::update::filter_pattern;
use super::super::{Effect, Msg, update};
use super::support::*;
use crate::cloud::{Answer, PollKey};

#[test]
fn filter_patterns_for_pushed_down_searches() {
    assert_eq!(filter_pattern("502", false), "\"502\"");
    assert_eq!(
        filter_pattern("connect failed", false),
        "\"connect failed\""
    );
    assert_eq!(filter_pattern(" 50[0-9] ", false), "% 50[0-9] %");
    // An invalid regex is searched literally, as in the pane.
    assert_eq!(filter_pattern("(oops", true), "\"(oops\"");
    assert_eq!(filter_pattern("say \"(hi\"", true), "%say \"\\(hi\"%");
}

#[test]
fn search_back_pushes_the_query_down_and_esc_returns_to_live() {
    let mut app = app_with(prod(), false);
    let groups = vec![
        "/aws/elasticbeanstalk/storefront-prod/var/log/nginx/access.log".to_string(),
        "/aws/elasticbeanstalk/storefront-prod/var/log/nginx/error.log".to_string(),
        "/aws/elasticbeanstalk/storefront-prod/var/log/web.stdout.log".to_string(),
    ];
    let fx = reply(
        &mut app,
        PollKey::LogGroups("storefront-prod".into()),
        Ok(Answer::LogGroups(groups)),
    );
    match fx.iter().find(|e| matches!(e, Effect::Tail { .. })) {
        Some(Effect::Tail { target, .. }) => {
            assert_eq!(
                target.groups.len(),
                2,
                "opens on the nginx logs: {target:?}"
            );
            assert!(target.groups.iter().all(|g| g.contains("nginx")));
        }
        other => panic!("expected a tail, got {other:?}"),
    }
    key(&mut app, '4');
    // Without a query, F says what to do.
    assert!(key(&mut app, 'F').is_empty());
    app.logs.pane.set_query("502");
    let fx = key(&mut app, 'F');
    match &fx[..] {
        [Effect::SearchLogs { search, .. }] => {
            assert_eq!(search.pattern, "\"502\"");
            assert_eq!(search.end - search.start, 6 * 3_600_000);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(app.logs.stream(), Stream::SearchBack);
    let fx = code(&mut app, KeyCode::Esc);
    assert_eq!(fx.first(), Some(&Effect::StopTail));
    assert!(fx.iter().any(|e| matches!(e, Effect::Tail { .. })));
    assert_eq!(app.logs.stream(), Stream::Live);
}

const ERROR_LOG: &str = "/aws/elasticbeanstalk/storefront-prod/var/log/nginx/error.log";
const ACCESS_LOG: &str = "/aws/elasticbeanstalk/storefront-prod/var/log/nginx/access.log";
const STDOUT_LOG: &str = "/aws/elasticbeanstalk/storefront-prod/var/log/web.stdout.log";

/// storefront-prod streams three groups; the pane opens on the two nginx ones.
fn streaming_app() -> crate::app::App {
    let mut app = app_with(prod(), false);
    let groups = vec![ACCESS_LOG.into(), ERROR_LOG.into(), STDOUT_LOG.into()];
    let fx = reply(
        &mut app,
        PollKey::LogGroups("storefront-prod".into()),
        Ok(Answer::LogGroups(groups)),
    );
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Tail { .. })),
        "{fx:?}"
    );
    key(&mut app, '4');
    app
}

fn tail_groups(fx: &[Effect]) -> Option<Vec<String>> {
    fx.iter().find_map(|e| match e {
        Effect::Tail { target, .. } => Some(target.groups.clone()),
        _ => None,
    })
}

#[test]
fn a_cancelled_group_picker_changes_nothing_that_follows() {
    let mut app = streaming_app();
    assert_eq!(app.logs.pane.streamed_groups(), [ACCESS_LOG, ERROR_LOG]);
    key(&mut app, 'l');
    assert!(matches!(app.view.modal, Some(Modal::LogGroups)));
    // Check web.stdout.log, then cancel.
    code(&mut app, KeyCode::Down);
    code(&mut app, KeyCode::Down);
    key(&mut app, ' ');
    assert!(code(&mut app, KeyCode::Esc).is_empty());
    assert!(app.view.modal.is_none(), "Esc closes the picker");
    assert!(!app.logs.pane.group_picker().is_open());
    // Reloading further back uses the groups streamed, not the cancelled edit.
    let fx = key(&mut app, '2');
    assert_eq!(
        tail_groups(&fx),
        Some(vec![ACCESS_LOG.to_string(), ERROR_LOG.to_string()])
    );
    // And the next picker opens on the streamed selection.
    key(&mut app, 'l');
    let checked: Vec<&str> = app
        .logs
        .pane
        .group_picker()
        .entries()
        .filter(|(_, on)| *on)
        .map(|(g, _)| g)
        .collect();
    assert_eq!(checked, [ACCESS_LOG, ERROR_LOG]);
}

#[test]
fn a_confirmed_group_picker_restarts_the_stream_with_its_groups() {
    let mut app = streaming_app();
    key(&mut app, 'l');
    key(&mut app, ' '); // access.log off
    code(&mut app, KeyCode::Down);
    code(&mut app, KeyCode::Down);
    key(&mut app, ' '); // web.stdout.log on
    let before = app.logs.stream();
    let fx = code(&mut app, KeyCode::Enter);
    assert!(app.view.modal.is_none());
    assert_eq!(before, Stream::Live);
    assert_eq!(
        tail_groups(&fx),
        Some(vec![ERROR_LOG.to_string(), STDOUT_LOG.to_string()])
    );
    assert_eq!(app.logs.pane.streamed_groups(), [ERROR_LOG, STDOUT_LOG]);
    // Confirming an unchanged selection restarts nothing.
    key(&mut app, 'l');
    assert!(tail_groups(&code(&mut app, KeyCode::Enter)).is_none());
}

#[test]
fn the_group_picker_refuses_an_empty_selection() {
    let mut app = streaming_app();
    key(&mut app, 'l');
    key(&mut app, ' ');
    code(&mut app, KeyCode::Down);
    key(&mut app, ' ');
    let fx = code(&mut app, KeyCode::Enter);
    assert!(fx.is_empty(), "{fx:?}");
    assert!(
        matches!(app.view.modal, Some(Modal::LogGroups)),
        "stays open"
    );
    assert_eq!(app.logs.pane.streamed_groups(), [ACCESS_LOG, ERROR_LOG]);
}

#[test]
fn a_stream_of_an_older_generation_is_ignored_and_endings_are_worded_by_the_app() {
    let mut app = streaming_app();
    let now = app.now;
    // Environments without CloudWatch streaming: l asks for EB's tail logs, a write behind the
    // confirmation, then collects them.
    app.account
        .log_groups
        .insert("storefront-prod".into(), vec![]);
    let fx = key(&mut app, 'l');
    assert!(
        fx.iter().all(|e| matches!(e, Effect::Poll(_))),
        "only the log groups read again: {fx:?}"
    );
    assert!(matches!(app.view.modal, Some(Modal::Confirm { .. })));
    let fx = key(&mut app, 'y');
    let op_id = match &fx[..] {
        [Effect::Execute { op_id, op }] => {
            assert!(
                matches!(op, crate::cloud::Op::RequestTailLogs { .. }),
                "{op:?}"
            );
            *op_id
        }
        other => panic!("{other:?}"),
    };
    assert!(
        app.account.op_for("storefront-prod").is_none(),
        "not an operation on the environment"
    );
    let fx = update(
        &mut app,
        Msg::OpDone {
            epoch: 0,
            op_id,
            result: Ok(Default::default()),
        },
        now,
    );
    let tail = match &fx[..] {
        [Effect::EbTail { tail, .. }] => *tail,
        other => panic!("{other:?}"),
    };
    assert_eq!(app.logs.stream(), Stream::EbSnapshot);
    let line = crate::domain::RawLogEvent {
        id: Some("1".into()),
        ts: now,
        group: "eb".into(),
        stream: "i-1".into(),
        message: "GET / 502".into(),
    };
    // A line of the stream before is dropped.
    update(
        &mut app,
        Msg::Tail {
            epoch: 0,
            tail: tail - 1,
            event: crate::cloud::TailEvent::Events(vec![line.clone()]),
        },
        now,
    );
    assert_eq!(app.logs.pane.buffer().len(), 0);
    update(
        &mut app,
        Msg::Tail {
            epoch: 0,
            tail,
            event: crate::cloud::TailEvent::Events(vec![line]),
        },
        now,
    );
    update(
        &mut app,
        Msg::TailEnded {
            epoch: 0,
            tail,
            error: None,
        },
        now,
    );
    assert_eq!(app.logs.pane.buffer().len(), 1);
    assert_eq!(
        app.logs.pane.status(),
        "Elastic Beanstalk tail logs: 1 lines (a snapshot, not live)"
    );
}

#[test]
fn requesting_tail_logs_is_refused_in_read_only_mode() {
    let mut app = app_with(prod(), true);
    app.account
        .log_groups
        .insert("storefront-prod".into(), vec![]);
    key(&mut app, '4');
    let fx = key(&mut app, 'l');
    assert!(fx.iter().all(|e| matches!(e, Effect::Poll(_))), "{fx:?}");
    assert!(app.view.modal.is_none());
    assert!(
        app.view
            .flash
            .as_ref()
            .is_some_and(|f| f.text.contains("read-only"))
    );
}

#[test]
fn a_live_stream_that_failed_is_resumed_and_keeps_its_lines() {
    let mut app = app_with(prod(), false);
    let fx = reply(
        &mut app,
        PollKey::LogGroups("storefront-prod".into()),
        Ok(Answer::LogGroups(vec![ERROR_LOG.into()])),
    );
    let tail = fx
        .iter()
        .find_map(|e| match e {
            Effect::Tail { tail, .. } => Some(*tail),
            _ => None,
        })
        .expect("a tail");
    let now = app.now;
    let line = crate::domain::RawLogEvent {
        id: Some("1".into()),
        ts: now - 1_000,
        group: ERROR_LOG.into(),
        stream: "i-1".into(),
        message: "connect() failed (111: Connection refused)".into(),
    };
    update(
        &mut app,
        Msg::Tail {
            epoch: 0,
            tail,
            event: crate::cloud::TailEvent::Events(vec![line]),
        },
        now,
    );
    update(
        &mut app,
        Msg::TailEnded {
            epoch: 0,
            tail,
            error: Some("AWS credentials expired".into()),
        },
        now,
    );
    assert!(
        app.logs.pane.status().contains("trying again"),
        "{}",
        app.logs.pane.status()
    );
    assert!(
        !update(&mut app, Msg::Tick, now + 2_000)
            .iter()
            .any(|e| matches!(e, Effect::Tail { .. })),
        "not at once"
    );
    let fx = update(&mut app, Msg::Tick, now + 6_000);
    let start = fx
        .iter()
        .find_map(|e| match e {
            Effect::Tail { target, .. } => Some(target.start),
            _ => None,
        })
        .expect("resumed");
    assert_eq!(start, now - 1_000, "from the newest line held");
    assert_eq!(app.logs.pane.buffer().len(), 1, "the lines stay");
}

/// `I`: the Insights dialog opens with the sizes asked, shows the cost of a range over 1 GB,
/// runs the translated query on y, streams its rows and progress into the pane, and Esc stops
/// it (the runtime's StopTail drops the query, which sends StopQuery) and returns to live.
#[test]
fn insights_shows_the_cost_first_streams_rows_and_esc_stops() {
    use crate::cloud::{GroupSize, InsightsEvent, InsightsProgress, InsightsRow, QueryStatus};
    let mut app = streaming_app();
    // Without a query, I says what to do.
    assert!(key(&mut app, 'I').is_empty());
    assert!(app.view.modal.is_none());
    app.logs.pane.set_query("timed out");
    let fx = key(&mut app, 'I');
    assert!(
        matches!(
            &fx[..],
            [Effect::Poll(crate::cloud::Request::LogGroupSizes { .. })]
        ),
        "{fx:?}"
    );
    // Nothing runs before the sizes are known.
    assert!(key(&mut app, 'y').is_empty());
    assert!(matches!(app.view.modal, Some(Modal::Insights(_))));
    let day = 86_400_000;
    let sizes = vec![
        GroupSize {
            name: ACCESS_LOG.into(),
            stored_bytes: 14 << 30,
            retention_days: Some(7),
            created: Some(app.now - 30 * day),
        },
        GroupSize {
            name: ERROR_LOG.into(),
            stored_bytes: 0,
            retention_days: Some(7),
            created: Some(app.now - 30 * day),
        },
    ];
    reply(
        &mut app,
        PollKey::LogGroupSizes("storefront-prod".into()),
        Ok(Answer::LogGroupSizes(sizes)),
    );
    let Some(Modal::Insights(ask)) = &app.view.modal else {
        panic!("the dialog stays open");
    };
    // A day of 2 GB a day: over 1 GB, so the dialog shows the cost.
    assert_eq!(ask.estimate(0, app.now), Some(2 << 30));
    assert!(ask.estimate(0, app.now).unwrap() > crate::logs::insights_query::CONFIRM_ABOVE);
    assert_eq!(
        crate::logs::insights_query::cost_words(2 << 30),
        "about $0.01, 2.0 GB"
    );
    let fx = key(&mut app, 'y');
    let (tail, query) = match &fx[..] {
        [Effect::Insights { tail, query }] => (*tail, query.clone()),
        other => panic!("{other:?}"),
    };
    assert!(app.view.modal.is_none());
    assert_eq!(query.end - query.start, day);
    assert_eq!(query.groups, [ACCESS_LOG, ERROR_LOG]);
    assert!(
        query.query.contains("filter @message like /(?i)timed out/"),
        "{}",
        query.query
    );
    assert_eq!(app.logs.stream(), Stream::Insights);
    let row = InsightsRow(vec![
        ("@timestamp".into(), "2026-11-30 12:00:05.000".into()),
        ("@message".into(), "upstream timed out".into()),
        ("@logStream".into(), "i-0abc".into()),
        ("@ptr".into(), "p1".into()),
    ]);
    let msg = |event| Msg::Insights {
        epoch: 0,
        tail,
        event,
    };
    let now = app.now;
    update(&mut app, msg(InsightsEvent::Rows(vec![row])), now);
    assert_eq!(app.logs.pane.buffer().len(), 1);
    let progress = InsightsProgress {
        status: QueryStatus::Running,
        records_matched: 1.0,
        records_scanned: 1_234_567.0,
        bytes_scanned: 1.5 * (1u64 << 30) as f64,
    };
    update(&mut app, msg(InsightsEvent::Progress(progress)), now);
    assert_eq!(
        app.logs.pane.status(),
        "Insights running: 1 matched · 1,234,567 records · 1.5 GB scanned · Esc stops"
    );
    let fx = code(&mut app, KeyCode::Esc);
    assert_eq!(fx.first(), Some(&Effect::StopTail));
    assert_eq!(app.logs.stream(), Stream::Live);
}

/// A search Insights cannot carry is refused with the reason before anything is asked.
#[test]
fn insights_refuses_what_it_cannot_translate() {
    let mut app = streaming_app();
    app.logs.pane.set_query(r"\p{Greek}");
    assert!(key(&mut app, 'I').is_empty());
    assert!(app.view.modal.is_none());
}

#[test]
fn o_narrows_the_pane_to_the_selected_lines_instance_and_back() {
    const A: &str = "i-0aaaaaaaaaaaaaaaa";
    const B: &str = "i-0bbbbbbbbbbbbbbbb";
    let group = "/aws/elasticbeanstalk/storefront-prod/var/log/nginx/access.log";
    let mut app = app_with(prod(), false);
    reply(
        &mut app,
        PollKey::LogGroups("storefront-prod".into()),
        Ok(Answer::LogGroups(vec![group.into()])),
    );
    let now = app.now;
    let line = |stream: &str, text: &str| crate::domain::RawLogEvent {
        id: None,
        ts: now,
        group: group.into(),
        stream: stream.into(),
        message: text.into(),
    };
    let lines = vec![
        line(A, "a one"),
        line(B, "b one"),
        line(A, "a two"),
        line(B, "b two"),
    ];
    app.logs.pane.ingest(lines);
    key(&mut app, '4');
    // Live: the newest line (B's) picks the instance.
    key(&mut app, 'O');
    assert_eq!(app.logs.pane.scope(), Some(B));
    assert!(flash_text(&app).contains(&format!("only {B}'s lines")));
    let text = app.logs.pane.visible_text();
    assert_eq!(text.len(), 2, "{text:?}");
    assert!(text.iter().all(|l| l.contains("b ")), "{text:?}");
    // A search keeps to the instance: hits are its lines only.
    app.logs.pane.set_query("one");
    assert_eq!(app.logs.pane.search().hits().len(), 1);
    // F reloads the same environment from further back: the scope stays.
    let fx = key(&mut app, 'F');
    assert!(fx.iter().any(|e| matches!(e, Effect::SearchLogs { .. })));
    assert_eq!(app.logs.pane.scope(), Some(B));
    // O again: every instance.
    key(&mut app, 'O');
    assert_eq!(app.logs.pane.scope(), None);
    assert!(flash_text(&app).contains("every instance"));
    // Another environment starts without the scope.
    app.logs.pane.ingest(vec![line(A, "a three")]);
    key(&mut app, 'O');
    assert_eq!(app.logs.pane.scope(), Some(A));
    app.logs
        .pane
        .reset_for("storefront-staging", vec![], vec![]);
    assert_eq!(app.logs.pane.scope(), None);
}

#[test]
fn o_with_no_line_says_to_pick_one() {
    let mut app = app_with(prod(), false);
    key(&mut app, '4');
    key(&mut app, 'O');
    assert_eq!(app.logs.pane.scope(), None);
    assert!(flash_text(&app).contains("no line selected"));
}
