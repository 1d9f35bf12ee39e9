//! The deploy dialog for the code in a directory: what will ship (source, rules, files, size,
//! the largest files, warnings, the label to edit), then the three writes with the upload's
//! progress bar (bytes, rate, time left).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::modal::{centered, draw_box, typing};
use super::theme::Theme;
use crate::app::App;
use crate::app::ship::{Ship, Stage, human_bytes};
use crate::bundle::{Bundle, Rules};

pub fn render(app: &App, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some(ship) = app.account.ship.as_ref() else {
        return;
    };
    let title = format!("Deploy {} to {}", inert(&shown(ship)), ship.env.name);
    let w = area.width.saturating_sub(4).min(90);
    let max_h = area.height.saturating_sub(2).max(3);
    let inner_w = w.saturating_sub(2).max(1) as usize;
    let mut lines = match (&ship.stage, &ship.bundle) {
        (Stage::Bundling, _) => vec![
            Line::raw(format!(
                "Bundling {} ...",
                inert(&ship.path.display().to_string())
            )),
            Line::raw(""),
            Line::styled("Esc cancel", theme.dim),
        ],
        (Stage::Review, Some(b)) if ship.files_open => files(b, theme),
        (Stage::Review, Some(b)) => {
            let (body, foot) = review(ship, b, theme);
            fit(
                body,
                foot,
                ship.scroll,
                inner_w,
                max_h.saturating_sub(2) as usize,
                theme,
            )
        }
        (stage, _) => steps(ship, stage, theme, w),
    };
    if let (Stage::Review, true) = (&ship.stage, ship.files_open) {
        let skip = (ship.scroll as usize).min(lines.len().saturating_sub(1));
        lines.drain(..skip);
    }
    let rows: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_w))
        .sum();
    let r = centered(area, w, (rows as u16 + 2).min(max_h));
    draw_box(
        frame,
        r,
        &title,
        theme,
        Paragraph::new(lines).wrap(Wrap { trim: false }),
    );
}

/// A path, a file name or an error naming one, as the terminal may show it: file names are
/// anyone's (a repository's author chooses them) and may hold escape sequences, controls, bidi
/// or invisible characters; they are drawn inert, as AWS's text is (`logs::sanitize`).
fn inert(s: &str) -> String {
    crate::logs::sanitize(s).into_owned()
}

fn shown(ship: &Ship) -> String {
    let name = ship
        .path
        .file_name()
        .map(|n| n.to_string_lossy().to_string());
    name.unwrap_or_else(|| ship.path.display().to_string())
}

/// Rows a line takes, wrapped at `width`.
fn rows_of(line: &Line<'_>, width: usize) -> usize {
    line.width().max(1).div_ceil(width)
}

/// The summary in `room` rows: the footer (the label, the steps, the keys) always shows, since
/// Enter ships what it says; the body above it scrolls (↑↓) when it does not fit, and says so.
fn fit<'a>(
    body: Vec<Line<'a>>,
    foot: Vec<Line<'a>>,
    scroll: u16,
    width: usize,
    room: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let foot_rows: usize = foot.iter().map(|l| rows_of(l, width)).sum();
    let body_rows: usize = body.iter().map(|l| rows_of(l, width)).sum();
    if body_rows + foot_rows <= room {
        return body.into_iter().chain(foot).collect();
    }
    let total = body.len();
    // One row for the line that says what is out of view.
    let left = room.saturating_sub(foot_rows + 1);
    // Scrolled to the end, the last lines fill the room rather than leave it empty.
    let mut last_page = 0;
    let mut tail_rows = 0;
    for line in body.iter().rev() {
        tail_rows += rows_of(line, width);
        if tail_rows > left {
            break;
        }
        last_page += 1;
    }
    let skip = (scroll as usize).min(total.saturating_sub(last_page.max(1)));
    let mut out = Vec::new();
    let mut used = 0;
    for line in body.into_iter().skip(skip) {
        let r = rows_of(&line, width);
        if used + r > left {
            break;
        }
        used += r;
        out.push(line);
    }
    let below = total - skip - out.len();
    out.push(Line::styled(
        format!("  ↑↓ scroll: {skip} line(s) above, {below} below"),
        theme.dim,
    ));
    out.extend(foot);
    out
}

/// The summary: what ships, from where, by which rules, and what to look at first (the body),
/// and the label to edit, the steps and the keys (the footer).
fn review<'a>(ship: &'a Ship, b: &'a Bundle, theme: &Theme) -> (Vec<Line<'a>>, Vec<Line<'a>>) {
    let mut out = vec![kv(
        "Source",
        format!(
            "{} · {}",
            inert(&b.source.display().to_string()),
            b.rules.describe()
        ),
        theme,
    )];
    if let Some(g) = &b.git {
        let at = match &g.branch {
            Some(br) => inert(&format!("{br} @ {}", g.commit)),
            None => inert(&format!("detached HEAD @ {}", g.commit)),
        };
        out.push(kv("Commit", at, theme));
        if b.rules == Rules::GitHead && g.uncommitted > 0 {
            out.push(Line::styled(
                format!(
                    "         {} uncommitted change(s) are not included (commit them, or add an .ebignore)",
                    g.uncommitted
                ),
                theme.warn,
            ));
        }
    }
    out.push(kv(
        "Bundle",
        format!(
            "{} files · {} · zip {}",
            b.entries.len(),
            human_bytes(b.content_bytes),
            human_bytes(b.zip_bytes)
        ),
        theme,
    ));
    let largest: Vec<String> = b
        .largest(5)
        .into_iter()
        .map(|e| format!("{} {}", inert(&e.path), human_bytes(e.size)))
        .collect();
    out.push(kv("Largest", largest.join(" · "), theme));
    for w in &ship.warnings {
        out.push(Line::styled(
            format!("  ! {}", inert(&w.to_string())),
            theme.warn,
        ));
    }
    let body = std::mem::take(&mut out);
    out.push(Line::raw(""));
    out.push(typing(
        Span::styled(format!("{:<9}", "Label"), theme.header),
        &ship.label,
        theme,
    ));
    if let Some(p) = &ship.problem {
        out.push(Line::styled(format!("  {p}"), theme.error));
    }
    out.push(kv(
        "Steps",
        format!(
            "upload to S3 · create version (processed) · deploy to {}",
            ship.env.name
        ),
        theme,
    ));
    out.push(Line::raw(""));
    out.push(Line::styled(
        "Enter deploy · Tab list files · type to edit the label · Esc cancel",
        theme.dim,
    ));
    (body, out)
}

/// `Tab`: every file, largest marked by its size.
fn files<'a>(b: &'a Bundle, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = vec![Line::styled(
        format!(
            "{} files ({}) · ↑↓ scroll · Tab back",
            b.entries.len(),
            human_bytes(b.content_bytes)
        ),
        theme.dim,
    )];
    for e in &b.entries {
        let link = if e.symlink { " (symlink)" } else { "" };
        out.push(Line::from(vec![
            Span::styled(format!("{:>10} ", human_bytes(e.size)), theme.dim),
            Span::raw(format!("{}{link}", inert(&e.path))),
        ]));
    }
    out
}

/// The writes, in order, with where each one is.
fn steps<'a>(ship: &'a Ship, stage: &Stage, theme: &Theme, width: u16) -> Vec<Line<'a>> {
    let label = inert(ship.label.value().trim());
    let (upload, create, deploy) = match stage {
        Stage::Uploading { .. } => (Mark::Now, Mark::Later, Mark::Later),
        Stage::Creating { .. } => (Mark::Done, Mark::Now, Mark::Later),
        Stage::Deploying => (Mark::Done, Mark::Done, Mark::Done),
        _ => (Mark::Later, Mark::Later, Mark::Later),
    };
    let mut out = vec![step(upload, "Upload the bundle to S3", theme)];
    if upload == Mark::Now {
        out.push(bar(ship, width.saturating_sub(6), theme));
        out.push(Line::styled(format!("   {}", rate_line(ship)), theme.dim));
    } else if ship.existed {
        out.push(Line::styled(
            "   already there (same label and size): nothing sent",
            theme.dim,
        ));
    }
    match stage {
        Stage::Creating { source, .. } => {
            out.push(step(
                create,
                &format!("Create version {label} (processing...)"),
                theme,
            ));
            out.push(Line::styled(
                format!("   from s3://{}/{}", source.bucket, source.key),
                theme.dim,
            ));
        }
        _ => out.push(step(create, &format!("Create version {label}"), theme)),
    }
    out.push(step(
        deploy,
        &format!("Deploy {label} to {}", ship.env.name),
        theme,
    ));
    out.push(Line::raw(""));
    match stage {
        Stage::Stopped(why) => {
            out.push(Line::styled(inert(why), theme.error));
            out.push(Line::styled("Esc close", theme.dim));
        }
        Stage::Uploading { .. } => out.push(Line::styled(
            "Esc cancel the upload (nothing is left in S3)",
            theme.dim,
        )),
        Stage::Creating { .. } => out.push(Line::styled(
            "Esc close (processing goes on; the deploy follows)",
            theme.dim,
        )),
        _ => out.push(Line::styled("Esc close", theme.dim)),
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Done,
    Now,
    Later,
}

fn step<'a>(mark: Mark, text: &str, theme: &Theme) -> Line<'a> {
    let (sym, style) = match mark {
        Mark::Done => ("✓", theme.ok),
        Mark::Now => ("▶", theme.info),
        Mark::Later => ("·", theme.dim),
    };
    Line::from(vec![
        Span::styled(format!(" {sym} "), style),
        Span::raw(text.to_string()),
    ])
}

/// `[█████░░░░░]  42 %  3.1 MB / 7.4 MB`
fn bar<'a>(ship: &Ship, width: u16, theme: &Theme) -> Line<'a> {
    let (sent, total) = ship.progress.map_or((0, 0), |p| (p.sent, p.total));
    let frac = if total == 0 {
        0.0
    } else {
        (sent as f64 / total as f64).clamp(0.0, 1.0)
    };
    let text = format!(
        " {:>3} %  {} / {}",
        (frac * 100.0).floor() as u64,
        human_bytes(sent),
        human_bytes(total)
    );
    let cells = (width as usize)
        .saturating_sub(text.chars().count() + 5)
        .clamp(4, 50);
    let full = (frac * cells as f64).round() as usize;
    Line::from(vec![
        Span::raw("   ["),
        Span::styled("█".repeat(full), theme.info),
        Span::styled("░".repeat(cells - full), theme.dim),
        Span::raw("]"),
        Span::raw(text),
    ])
}

fn rate_line(ship: &Ship) -> String {
    match (ship.rate(), ship.eta_secs()) {
        (Some(r), Some(eta)) => format!("{}/s · about {} left", human_bytes(r as u64), secs(eta)),
        (Some(r), None) => format!("{}/s", human_bytes(r as u64)),
        _ => "measuring the rate...".into(),
    }
}

fn secs(s: u64) -> String {
    if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

fn kv<'a>(key: &str, value: String, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{key:<9}"), theme.header),
        Span::raw(value),
    ])
}
