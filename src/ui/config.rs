//! The Config view: an overview of the environment's configuration, the properties with the
//! 4,096-byte meter (values masked unless revealed, which the title says), its secrets, and the
//! edit form's line editor and problems.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fmt::clip;
use super::modal::{centered, draw_box, typing};
use super::theme::Theme;
use crate::app::App;
use crate::app::config_view::{self, ConfigView, Line as EditLine, Reveal, Sort, setting};
use crate::domain::{EnvConfig, OptionSetting};
use crate::props::{self, Level, Property, Secret};

/// Secrets in environment variables: platform versions released on or after this day.
const SECRETS_FROM: &str = "2025-03-26";
const SECRETS_FROM_MS: i64 = 1_742_947_200_000;
/// What a masked value shows: the same for every value, so nothing of it leaks but its size.
const MASK: &str = "••••••••";

pub fn render(app: &App, view: &ConfigView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let r = centered(
        area,
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    );
    let state = match (&view.edit, &view.reveal) {
        (Some(_), _) => "editing, nothing sent yet",
        (None, Reveal::Hidden) => "values hidden",
        (None, Reveal::One(_)) => "one value SHOWN",
        (None, Reveal::All) => "values SHOWN",
    };
    let title = format!("Config {} · {state}", view.env_ref.name);
    let Some(cfg) = app.account.configs.get(&view.env) else {
        let why = app
            .account
            .errors
            .get(&crate::cloud::PollKey::Config(view.env.clone()))
            .cloned()
            .unwrap_or_else(|| "reading the configuration...".into());
        let lines = vec![
            Line::raw(why),
            Line::raw(""),
            Line::styled("Esc close", theme.dim),
        ];
        draw_box(frame, r, &title, theme, Paragraph::new(lines));
        return;
    };
    let (stored, stored_secrets) = props::from_settings(&cfg.settings);
    let shown: Vec<Property> = view.edit.as_ref().map_or(stored, |e| e.props.clone());
    let mut secrets: Vec<Secret> = view
        .edit
        .as_ref()
        .map_or(stored_secrets, |e| e.secrets.clone());
    secrets.sort_by(|a, b| a.name.cmp(&b.name));
    // In the edit, the cursor goes on past the properties into the secrets.
    let secret_cursor = view
        .edit
        .as_ref()
        .and_then(|_| view.cursor.checked_sub(shown.len()));
    let inner_h = r.height.saturating_sub(2) as usize;
    let mut lines = overview(cfg, theme);
    lines.push(meter(&shown, theme));
    let tail = footer(view, theme);
    let secret_lines = secrets_lines(cfg, &secrets, secret_cursor, theme);
    // What is left for the property rows, header included.
    let room = inner_h
        .saturating_sub(lines.len() + tail.len() + secret_lines.len())
        .max(3);
    lines.extend(property_rows(view, &shown, room, theme, r.width));
    lines.extend(secret_lines);
    lines.extend(tail);
    draw_box(frame, r, &title, theme, Paragraph::new(lines));
}

fn overview<'a>(cfg: &EnvConfig, theme: &Theme) -> Vec<Line<'a>> {
    let s = &cfg.settings;
    let get = |ns: &str, name: &str| setting(s, ns, name).map(str::to_string);
    let mut out = Vec::new();
    let platform = match &cfg.platform {
        Some(p) => {
            let state = p
                .branch_state
                .clone()
                .unwrap_or_else(|| "state unknown".into());
            let bad = matches!(state.as_str(), "Deprecated" | "Retired");
            let text = format!(
                "{} · {} · branch {state}",
                p.branch
                    .clone()
                    .or_else(|| cfg.solution_stack.clone())
                    .unwrap_or_default(),
                p.version.clone().unwrap_or_default()
            );
            (text, if bad { theme.warn } else { Style::default() })
        }
        None => (
            format!(
                "{}{}",
                cfg.solution_stack.clone().unwrap_or_else(|| "-".into()),
                cfg.platform_error
                    .as_ref()
                    .map(|e| format!(" · lifecycle unknown: {e}"))
                    .unwrap_or_default()
            ),
            theme.dim,
        ),
    };
    out.push(kv("Platform", platform.0, platform.1, theme));
    let types = get("aws:ec2:instances", "InstanceTypes")
        .or_else(|| get("aws:autoscaling:launchconfiguration", "InstanceType"))
        .unwrap_or_else(|| "-".into());
    let cap = match (
        get("aws:autoscaling:asg", "MinSize"),
        get("aws:autoscaling:asg", "MaxSize"),
    ) {
        (Some(a), Some(b)) => format!("{a}–{b} instances"),
        _ => "capacity -".into(),
    };
    let cmd = "aws:elasticbeanstalk:command";
    let policy = get(cmd, "DeploymentPolicy").unwrap_or_else(|| "-".into());
    let batch = match (get(cmd, "BatchSizeType"), get(cmd, "BatchSize")) {
        (Some(t), Some(n)) if t == "Percentage" => format!("{n} % batches"),
        (_, Some(n)) => format!("{n} per batch"),
        _ => String::new(),
    };
    let timeout = get(cmd, "Timeout").map_or(String::new(), |t| format!(" · timeout {t} s"));
    out.push(kv(
        "Capacity",
        format!("{types} · {cap} · {policy} {batch}{timeout}"),
        Style::default(),
        theme,
    ));
    let health = get("aws:elasticbeanstalk:healthreporting:system", "SystemType")
        .unwrap_or_else(|| "-".into());
    let check = get(
        "aws:elasticbeanstalk:application",
        "Application Healthcheck URL",
    )
    .filter(|v| !v.is_empty())
    .unwrap_or_else(|| "/".into());
    let managed = match get(
        "aws:elasticbeanstalk:managedactions",
        "ManagedActionsEnabled",
    ) {
        Some(v) if v == "true" => format!(
            "managed updates on ({})",
            get("aws:elasticbeanstalk:managedactions", "PreferredStartTime").unwrap_or_default()
        ),
        Some(_) => "managed updates off".into(),
        None => "managed updates -".into(),
    };
    out.push(kv(
        "Health",
        format!("{health} health · check {check} · {managed}"),
        Style::default(),
        theme,
    ));
    out.push(logs_line(s, theme));
    out
}

fn logs_line<'a>(s: &[OptionSetting], theme: &Theme) -> Line<'a> {
    let ns = config_view::LOGS_NS;
    match config_view::streams_logs(s) {
        Some(true) => kv(
            "Logs",
            format!(
                "streamed to CloudWatch · kept {} days · {}",
                setting(s, ns, "RetentionInDays").unwrap_or("?"),
                if setting(s, ns, "DeleteOnTerminate") == Some("true") {
                    "deleted on terminate"
                } else {
                    "kept on terminate"
                }
            ),
            theme.ok,
            theme,
        ),
        _ => kv(
            "Logs",
            "NOT streamed to CloudWatch: lost when instances go (L turns streaming on)".into(),
            theme.warn,
            theme,
        ),
    }
}

/// "Properties  3,412 / 4,096 bytes  [██████░░]  83 %", coloured by how full.
fn meter<'a>(shown: &[Property], theme: &Theme) -> Line<'a> {
    let used = props::bytes(shown);
    let style = match props::level(used) {
        Level::Ok => theme.ok,
        Level::Warn => theme.warn,
        Level::Danger | Level::Over => theme.error,
    };
    let pct = used * 100 / props::LIMIT;
    let cells = 24;
    let full = (used * cells / props::LIMIT).min(cells);
    Line::from(vec![
        Span::styled(format!("{:<11}", "Properties"), theme.header),
        Span::styled(
            format!(
                "{} / {} bytes ",
                config_view::thousands(used),
                config_view::thousands(props::LIMIT)
            ),
            style,
        ),
        Span::styled("█".repeat(full), style),
        Span::styled("░".repeat(cells - full), theme.dim),
        Span::styled(format!(" {pct} %"), style),
        Span::styled(format!("  {} properties", shown.len()), theme.dim),
    ])
}

fn property_rows<'a>(
    view: &ConfigView,
    shown: &[Property],
    room: usize,
    theme: &Theme,
    width: u16,
) -> Vec<Line<'a>> {
    let order = config_view::ordered(shown, view.sort);
    let sorted = match view.sort {
        Sort::Name => "by name",
        Sort::Size => "by size",
    };
    let key_w = 28usize;
    let value_w = (width as usize).saturating_sub(key_w + 24).max(8);
    let mut out = vec![Line::styled(
        format!(
            "  {:<key_w$} {:<value_w$} {:>6} {:>6}",
            format!("KEY ({sorted})"),
            "VALUE",
            "BYTES",
            "SHARE"
        ),
        theme.header,
    )];
    let rows = room.saturating_sub(1).max(1);
    let first = view.cursor.saturating_sub(rows.saturating_sub(1));
    for (i, p) in order.iter().enumerate().skip(first).take(rows) {
        let bytes = props::meter::share(p);
        let value =
            if view.reveal.shows(&p.key) || view.edit.is_some() && view.reveal == Reveal::All {
                p.value.chars().take(value_w).collect::<String>()
            } else {
                MASK.to_string()
            };
        let mark = if i == view.cursor { "▶ " } else { "  " };
        let line = format!(
            "{mark}{:<key_w$} {:<value_w$} {:>6} {:>5.1}%",
            clip(&p.key, key_w),
            value,
            bytes,
            bytes as f64 * 100.0 / props::LIMIT as f64
        );
        out.push(if i == view.cursor {
            Line::styled(line, theme.selected)
        } else {
            Line::raw(line)
        });
    }
    if order.is_empty() {
        out.push(Line::styled("  (no properties)", theme.dim));
    }
    out
}

fn secrets_lines<'a>(
    cfg: &EnvConfig,
    secrets: &[Secret],
    cursor: Option<usize>,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let old_platform = cfg
        .platform
        .as_ref()
        .and_then(|p| p.created)
        .is_some_and(|c| c < SECRETS_FROM_MS);
    let mut out = vec![Line::from(vec![
        Span::styled(format!("{:<11}", "Secrets"), theme.header),
        Span::styled(
            format!(
                "{} from Secrets Manager / Parameter Store · platform versions from {SECRETS_FROM}",
                secrets.len()
            ),
            theme.dim,
        ),
    ])];
    if old_platform {
        out.push(Line::styled(
            format!("  ! this platform version is older than {SECRETS_FROM}: it does not resolve secrets; update the platform"),
            theme.warn,
        ));
    }
    for (i, s) in secrets.iter().enumerate() {
        let source = s.source().map_or("unknown source", |x| x.label());
        let key = s
            .json_key
            .as_ref()
            .map(|k| format!(" · key {k}"))
            .unwrap_or_default();
        let mark = if cursor == Some(i) { "▶ " } else { "  " };
        let line = format!(
            "{mark}{:<26} {source:<16} {}{key}",
            clip(&s.name, 26),
            s.arn
        );
        out.push(if cursor == Some(i) {
            Line::styled(line, theme.selected)
        } else {
            Line::raw(line)
        });
    }
    out
}

fn footer<'a>(view: &ConfigView, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    if let Some(i) = &view.command {
        out.push(typing(Span::styled(":", theme.warn), i, theme));
    }
    if let Some(e) = &view.edit {
        match &e.line {
            Some(EditLine::Add(i)) => out.push(typing(
                Span::styled("add KEY=value: ", theme.warn),
                i,
                theme,
            )),
            Some(EditLine::Change { key, input }) => out.push(typing(
                Span::styled(format!("change {key}: "), theme.warn),
                input,
                theme,
            )),
            Some(EditLine::AddSecret(i)) => out.push(typing(
                Span::styled("add secret NAME=ARN[:jsonKey]: ", theme.warn),
                i,
                theme,
            )),
            Some(EditLine::ChangeSecret { name, input }) => out.push(typing(
                Span::styled(format!("change secret {name}: "), theme.warn),
                input,
                theme,
            )),
            Some(EditLine::Problems(p)) => {
                for line in p.iter().take(6) {
                    out.push(Line::styled(format!("! {line}"), theme.error));
                }
            }
            None => {}
        }
        out.push(Line::styled(
            "a add · A add secret · Enter change · d delete · paste .env · v/V show · Ctrl-S apply · Esc discard",
            theme.dim,
        ));
    } else {
        out.push(Line::styled(
            "v show one · V show all · s sort · e edit · L log streaming · :props-export FILE · Esc close",
            theme.dim,
        ));
    }
    out
}

fn kv<'a>(key: &str, value: String, style: Style, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{key:<11}"), theme.header),
        Span::styled(value, style),
    ])
}
