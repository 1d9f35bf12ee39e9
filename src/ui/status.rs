//! The header (where you are) and the status line (what happened, what you can press).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use crate::app::keymap::{Action, Context};
use crate::app::{App, Level};

pub fn header(app: &App, frame: &mut Frame, area: Rect, theme: &Theme) {
    let c = &app.account.ctx;
    let mut spans = vec![
        Span::styled(
            " ebtui ",
            theme
                .border_focused
                .add_modifier(ratatui::style::Modifier::REVERSED),
        ),
        Span::raw(" "),
        Span::styled(c.profile.clone(), theme.title),
        Span::styled(" · ", theme.dim),
        Span::raw(c.region.clone()),
    ];
    if let Some(a) = &c.account {
        spans.push(Span::styled(" · ", theme.dim));
        spans.push(Span::raw(a.clone()));
    }
    if let Some(n) = &c.note {
        spans.push(Span::styled(format!(" · {n}"), theme.dim));
    }
    if app.settings.read_only {
        spans.push(Span::styled(" [READ-ONLY]", theme.warn));
    }
    let mut right = Vec::new();
    // Until AWS answers, the screen is what the journal held: say how old.
    if let Some(at) = app.account.journal.loaded_at {
        right.push(Span::styled(
            format!("from the journal, {} old ", super::fmt::ago(app.now, at)),
            theme.warn,
        ));
    }
    if let Some(note) = &app.account.journal.note {
        right.push(Span::styled(
            format!("{} ", super::fmt::clip(note, 40)),
            theme.warn,
        ));
    }
    // An expired SSO session is fixed from here: the key that logs in comes first, the time only
    // when there is room.
    let login = app
        .keymap
        .keys_for(Context::Global, Action::SsoLogin)
        .first()
        .map(|k| format!("{k} logs in"));
    if let Some((since, what)) = &app.account.trouble {
        let text = match &login {
            Some(k) if what == crate::app::SSO_EXPIRED => {
                format!("⚠ {what} · {k} · since {} ", super::fmt::hms(*since))
            }
            _ => format!("⚠ {what} since {} ", super::fmt::hms(*since)),
        };
        right.push(Span::styled(text, theme.error));
    }
    for (api, until) in app.account.schedule.backing_off(app.now) {
        right.push(Span::styled(
            format!(
                "throttled {api:?}: backing off {}s ",
                (until - app.now + 999) / 1000
            ),
            theme.warn,
        ));
    }
    if let Some(r) = app.account.calls.per_minute() {
        right.push(Span::styled(format!("{r} API calls/min "), theme.dim));
    }
    let left_w: usize = spans.iter().map(|s| s.width()).sum();
    // What does not fit goes from the end (calls per minute first): the trouble and its key
    // stay longest.
    let fits = |right: &[Span]| {
        left_w + right.iter().map(|s| s.width()).sum::<usize>() < area.width as usize
    };
    while !right.is_empty() && !fits(&right) {
        right.pop();
    }
    if right.is_empty()
        && let (Some((_, what)), Some(k)) = (&app.account.trouble, &login)
        && what == crate::app::SSO_EXPIRED
    {
        right.push(Span::styled(format!("⚠ SSO expired · {k} "), theme.error));
        if !fits(&right) {
            right.clear();
        }
    }
    let right_w: usize = right.iter().map(|s| s.width()).sum();
    if left_w + right_w < area.width as usize {
        spans.push(Span::raw(
            " ".repeat(area.width as usize - left_w - right_w),
        ));
        spans.extend(right);
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn footer(app: &App, frame: &mut Frame, area: Rect, theme: &Theme) {
    let mut spans = Vec::new();
    if let Some(f) = &app.view.flash {
        let style = match f.level {
            Level::Info => theme.info,
            Level::Warn => theme.warn,
            Level::Error => theme.error,
        };
        spans.push(Span::styled(f.text.clone(), style));
    } else if let Some(line) = app.account.ship.as_ref().and_then(|s| s.status_line()) {
        spans.push(Span::styled(line, theme.warn));
    } else if let Some(t) = app
        .account
        .selected
        .as_deref()
        .and_then(|s| app.account.op_for(s))
    {
        spans.push(Span::styled(
            format!("{}: {}", t.env, t.summary(app.now)),
            if t.is_active() { theme.warn } else { theme.dim },
        ));
    } else {
        spans.push(Span::styled(hints(app), theme.dim));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Key hints for the focused pane, from the keymap.
fn hints(app: &App) -> String {
    let ctx = app.key_context();
    let key = |a: Action| {
        app.keymap
            .keys_for(ctx, a)
            .into_iter()
            .next()
            .or_else(|| app.keymap.keys_for(Context::Global, a).into_iter().next())
            .map(|k| k.to_string())
    };
    let mut items: Vec<(Action, &str)> = vec![(Action::Help, "help")];
    items.extend(match ctx {
        Context::Envs => vec![(Action::Select, "select"), (Action::Search, "filter")],
        Context::Logs => vec![
            (Action::Search, "search"),
            (Action::Preset5xx, "5xx"),
            (Action::FilterMatches, "only matches"),
            (Action::Groups, "groups"),
        ],
        _ => vec![(Action::Follow, "follow")],
    });
    items.extend([
        (Action::Deploy, "deploy"),
        (Action::Rollback, "roll back"),
        (Action::Zoom, "zoom"),
        (Action::Quit, "quit"),
    ]);
    items
        .iter()
        .filter_map(|(a, label)| key(*a).map(|k| format!("{k} {label}")))
        .collect::<Vec<_>>()
        .join(" · ")
}
