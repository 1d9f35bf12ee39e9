//! The triage view's keys: T and :why open it, it follows new lines, Enter shows a finding's
//! lines in the logs pane, U rolls back through the usual dialog, Esc closes.

use crossterm::event::KeyCode;

use super::super::modal::Modal;
use super::super::{App, Pane, Pending};
use super::support::*;
use crate::cloud::{Answer, PollKey};
use crate::domain::RawLogEvent;

const ERROR_LOG: &str = "/aws/elasticbeanstalk/storefront-prod/var/log/nginx/error.log";
const ACCESS_LOG: &str = "/aws/elasticbeanstalk/storefront-prod/var/log/nginx/access.log";
const REFUSED: &str = r#"2026/11/24 10:15:02 [error] 2345#2345: *9 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.1.5, server: , request: "GET /api/cart HTTP/1.1", upstream: "http://127.0.0.1:8080/api/cart", host: "shop""#;

fn line(ts: i64, group: &str, text: &str) -> RawLogEvent {
    RawLogEvent {
        id: None,
        ts,
        group: group.into(),
        stream: "i-0d6d4b3b2c1a0f9e8".into(),
        message: text.into(),
    }
}

fn streaming() -> App {
    let mut app = app_with(prod(), false);
    reply(
        &mut app,
        PollKey::LogGroups("storefront-prod".into()),
        Ok(Answer::LogGroups(vec![ACCESS_LOG.into(), ERROR_LOG.into()])),
    );
    app
}

fn findings(app: &App) -> Vec<String> {
    match &app.view.modal {
        Some(Modal::Triage(v)) => v.report.findings.iter().map(|f| f.text.clone()).collect(),
        other => panic!("the triage view is not open: {other:?}"),
    }
}

/// Moves `row` rows down the list the keys are on, presses Enter, and checks the view gave way
/// to the logs pane.
fn enter_on_row(app: &mut App, row: usize) {
    for _ in 0..row {
        code(app, KeyCode::Down);
    }
    code(app, KeyCode::Enter);
    assert!(app.view.modal.is_none());
    assert_eq!(app.view.focus, Pane::Logs);
}

#[test]
fn t_opens_the_view_and_it_follows_new_lines() {
    let mut app = streaming();
    app.logs.pane.ingest(vec![line(
        app.now,
        ACCESS_LOG,
        r#"1.2.3.4 - - [x] "GET / HTTP/1.1" 200 1 "-" "-""#,
    )]);
    key(&mut app, 'T');
    assert_eq!(
        findings(&app)[0].split(" in the last").next(),
        Some("no 5xx")
    );
    app.logs.pane.ingest(vec![
        line(
            app.now,
            ACCESS_LOG,
            r#"1.2.3.4 - - [x] "GET /api/cart HTTP/1.1" 502 1 "-" "-""#,
        ),
        line(app.now, ERROR_LOG, REFUSED),
    ]);
    // Any message brings the view up to date (the tick, in the running app).
    code(&mut app, KeyCode::Null);
    let f = findings(&app);
    assert!(f.iter().any(|t| t.contains("Connection refused")), "{f:?}");
    code(&mut app, KeyCode::Esc);
    assert!(app.view.modal.is_none());
}

#[test]
fn why_on_the_command_line_opens_it_too() {
    let mut app = streaming();
    key(&mut app, ':');
    for c in "why".chars() {
        key(&mut app, c);
    }
    code(&mut app, KeyCode::Enter);
    assert!(matches!(app.view.modal, Some(Modal::Triage(_))));
}

#[test]
fn enter_filters_the_logs_to_the_picked_finding() {
    let mut app = streaming();
    app.logs.pane.ingest(vec![
        line(
            app.now,
            ACCESS_LOG,
            r#"1.2.3.4 - - [x] "GET /api/cart HTTP/1.1" 502 1 "-" "-""#,
        ),
        line(app.now, ERROR_LOG, REFUSED),
    ]);
    key(&mut app, 'T');
    let i = findings(&app)
        .iter()
        .position(|t| t.contains("Connection refused"))
        .expect("finding");
    enter_on_row(&mut app, i);
    let q = app.logs.pane.search().query().map(|q| q.text().to_string());
    assert!(q.is_some_and(|q| q.contains("Connection refused")));
    assert!(app.logs.pane.filter_on());
    assert_eq!(app.logs.pane.search().hits().len(), 1);
}

#[test]
fn u_rolls_back_through_the_usual_path_and_never_writes_itself() {
    let mut app = streaming();
    key(&mut app, 'T');
    let fx = key(&mut app, 'U');
    assert!(
        !fx.iter()
            .any(|e| matches!(e, crate::app::Effect::Execute { .. })),
        "{fx:?}"
    );
    let asked = matches!(app.view.modal, Some(Modal::Confirm { .. }))
        || matches!(app.account.pending, Some(Pending::Rollback(_)));
    assert!(asked, "the rollback dialog (or its history read) follows U");
}

#[test]
fn six_asks_logs_insights_for_the_six_hours_and_draws_its_5xx() {
    use crate::logs::insights_query::MinuteCount;
    let mut app = streaming();
    key(&mut app, 'T');
    let fx = key(&mut app, '6');
    let query = fx
        .iter()
        .find_map(|e| match e {
            super::super::Effect::TriageMinutes { query, .. } => Some(query.clone()),
            _ => None,
        })
        .expect("a Logs Insights stats query");
    assert_eq!(
        query.groups,
        vec![ACCESS_LOG.to_string()],
        "the access log only"
    );
    assert_eq!(query.end - query.start, 6 * 3_600_000);
    assert!(
        query.query.contains("stats count(*) by bin(1m), status"),
        "{}",
        query.query
    );
    assert!(matches!(
        &app.view.modal,
        Some(Modal::Triage(v)) if v.wide == Some(super::super::modal::Wide::Asking)
    ));
    let minute = (app.now - 2 * 3_600_000).div_euclid(60_000) * 60_000;
    let counted = vec![
        MinuteCount {
            minute,
            key: "200".into(),
            count: 900,
        },
        MinuteCount {
            minute,
            key: "502".into(),
            count: 40,
        },
        MinuteCount {
            minute: minute + 60_000,
            key: "504".into(),
            count: 2,
        },
    ];
    let (now, epoch) = (app.now, app.account.epoch);
    super::super::update(
        &mut app,
        super::super::Msg::TriageMinutes {
            epoch,
            env: "storefront-prod".into(),
            result: Ok(counted),
        },
        now,
    );
    let Some(Modal::Triage(v)) = &app.view.modal else {
        panic!("closed")
    };
    assert_eq!(v.report.series.source, "Logs Insights, 6 h");
    assert_eq!(
        v.report.series.counts.iter().sum::<u64>(),
        42,
        "only the 5xx"
    );
    assert_eq!(v.report.series.counts.len(), 361);
    // Again: back to the buffer's own minutes.
    key(&mut app, '6');
    let Some(Modal::Triage(v)) = &app.view.modal else {
        panic!("closed")
    };
    assert_eq!(v.wide, None);
    assert_ne!(v.report.series.source, "Logs Insights, 6 h");
}

#[test]
fn six_without_an_access_log_in_cloudwatch_says_so() {
    let mut app = app_with(prod(), false);
    key(&mut app, 'T');
    let fx = key(&mut app, '6');
    assert!(
        !fx.iter()
            .any(|e| matches!(e, super::super::Effect::TriageMinutes { .. }))
    );
    assert!(matches!(
        &app.view.modal,
        Some(Modal::Triage(v)) if matches!(&v.wide, Some(super::super::modal::Wide::Failed(w)) if w.contains("no access log"))
    ));
}

#[test]
fn tab_then_enter_shows_only_the_picked_instances_5xx_in_the_logs() {
    const OTHER: &str = "i-04558569aa11bb22c";
    let mut app = streaming();
    let now = app.now;
    let on = |stream: &str, text: &str| RawLogEvent {
        stream: stream.into(),
        ..line(now, ACCESS_LOG, text)
    };
    let batch = vec![
        on(OTHER, r#"1.2.3.4 - - [x] "GET / HTTP/1.1" 502 1 "-" "-""#),
        line(
            now,
            ACCESS_LOG,
            r#"1.2.3.4 - - [x] "GET / HTTP/1.1" 200 1 "-" "-""#,
        ),
        line(
            now,
            ACCESS_LOG,
            r#"1.2.3.4 - - [x] "GET /a HTTP/1.1" 502 1 "-" "-""#,
        ),
        on(OTHER, r#"1.2.3.4 - - [x] "GET /b HTTP/1.1" 502 1 "-" "-""#),
        line(now, ERROR_LOG, REFUSED),
    ];
    app.logs.pane.ingest(batch);
    key(&mut app, 'T');
    code(&mut app, KeyCode::Tab);
    let Some(Modal::Triage(v)) = &app.view.modal else {
        panic!("open");
    };
    assert!(v.on_instances);
    // The busiest instance comes first; the second row is the other one.
    let rows: Vec<&str> = v
        .report
        .by_instance
        .iter()
        .map(|r| r.label.as_str())
        .collect();
    let pick = rows
        .iter()
        .position(|r| *r == "i-0d6d4b3b2c1a0f9e8")
        .expect("row");
    enter_on_row(&mut app, pick);
    let pane = &app.logs.pane;
    assert_eq!(pane.scope(), Some("i-0d6d4b3b2c1a0f9e8"));
    // Its 502 and its upstream error, not the other instance's 502s nor its own 200.
    let shown: Vec<String> = pane.visible_text();
    assert_eq!(shown.len(), 3, "{shown:?}");
    assert!(
        shown
            .iter()
            .all(|l| !l.contains("GET /b") && !l.contains("\"GET / HTTP/1.1\" 502"))
    );
    assert_eq!(
        pane.search().hits().len(),
        2,
        "the 502 and the refused connect"
    );
    // The picked instance's lines arriving later are searched within the scope too.
    let more = vec![
        on(OTHER, r#"1.2.3.4 - - [x] "GET /c HTTP/1.1" 502 1 "-" "-""#),
        line(
            now,
            ACCESS_LOG,
            r#"1.2.3.4 - - [x] "GET /d HTTP/1.1" 503 1 "-" "-""#,
        ),
    ];
    app.logs.pane.ingest(more);
    assert_eq!(app.logs.pane.search().hits().len(), 3);
    assert!(
        app.logs
            .pane
            .visible_text()
            .iter()
            .any(|l| l.contains("GET /d"))
    );
}

#[test]
fn lines_without_an_instance_cannot_be_narrowed_to_one() {
    let mut app = streaming();
    app.logs.pane.ingest(vec![RawLogEvent {
        stream: "web".into(),
        ..line(
            app.now,
            ACCESS_LOG,
            r#"1.2.3.4 - - [x] "GET / HTTP/1.1" 502 1 "-" "-""#,
        )
    }]);
    key(&mut app, 'T');
    code(&mut app, KeyCode::Tab);
    code(&mut app, KeyCode::Enter);
    assert!(
        matches!(app.view.modal, Some(Modal::Triage(_))),
        "the view stays"
    );
    assert_eq!(app.logs.pane.scope(), None);
    assert!(
        flash_text(&app).contains("name no instance"),
        "{}",
        flash_text(&app)
    );
}

#[test]
fn the_picked_instance_stays_picked_when_new_lines_reorder_the_table() {
    const OTHER: &str = "i-04558569aa11bb22c";
    let mut app = streaming();
    let now = app.now;
    let on = |stream: &str| RawLogEvent {
        stream: stream.into(),
        ..line(
            now,
            ACCESS_LOG,
            r#"1.2.3.4 - - [x] "GET / HTTP/1.1" 502 1 "-" "-""#,
        )
    };
    app.logs
        .pane
        .ingest(vec![on(OTHER), on(OTHER), on("i-0d6d4b3b2c1a0f9e8")]);
    key(&mut app, 'T');
    code(&mut app, KeyCode::Tab);
    code(&mut app, KeyCode::Down);
    let picked = |app: &App| match &app.view.modal {
        Some(Modal::Triage(v)) => v.report.by_instance[v.instance_cursor].label.clone(),
        _ => panic!("open"),
    };
    assert_eq!(picked(&app), "i-0d6d4b3b2c1a0f9e8");
    // Now the picked instance has the most 5xx and moves to the top row.
    app.logs
        .pane
        .ingest((0..3).map(|_| on("i-0d6d4b3b2c1a0f9e8")).collect());
    code(&mut app, KeyCode::Null);
    assert_eq!(picked(&app), "i-0d6d4b3b2c1a0f9e8");
}
