//! End to end: searching and filtering the logs pane of the demo's broken environment, in a
//! pseudo-terminal. Every wait is for a condition on the screen.

mod common;

use std::time::Duration;

use common::pty::{Tui, env_row, env_selected};
use regex::Regex;

const LONG: Duration = Duration::from_secs(90);
const KEY: Duration = Duration::from_secs(20);
const ENV: &str = "storefront-prod";

/// One item of the logs pane, as read back from the screen.
#[derive(Debug, PartialEq)]
enum Item {
    /// A log line (its wrapped rows joined).
    Line(String),
    /// The `--` between two groups of matches in filter mode.
    Separator,
}

/// The zoomed pane's rows between its top and bottom borders, without the side borders. The
/// screen is: header, top border, body, bottom border, status line.
fn body_rows(screen: &str) -> Vec<&str> {
    let lines: Vec<&str> = screen.lines().collect();
    let body = lines
        .get(2..lines.len().saturating_sub(2))
        .unwrap_or_default();
    body.iter()
        .map(|l| l.trim_start_matches('│').trim_end_matches('│'))
        .collect()
}

/// The pane's lines. With timestamps and the instance column off, a line's first row starts
/// (after the one-cell selection marker) with its group tag, and wrapped rows are indented. A
/// fragment at the top (its first rows scrolled off) and a last line that may continue below the
/// pane are left out: their text is incomplete.
fn items(screen: &str) -> Vec<Item> {
    let rows = body_rows(screen);
    let mut items = Vec::new();
    let mut last_row_of_current = 0;
    let mut current: Option<String> = None;
    for (i, row) in rows.iter().enumerate() {
        if row.trim() == "--" {
            items.extend(current.take().map(Item::Line));
            items.push(Item::Separator);
        } else if row.chars().nth(1).is_some_and(|c| !c.is_whitespace()) {
            items.extend(current.take().map(Item::Line));
            current = Some(
                row.chars()
                    .skip(1)
                    .collect::<String>()
                    .trim_end()
                    .to_string(),
            );
            last_row_of_current = i;
        } else if !row.trim().is_empty()
            && let Some(text) = current.as_mut()
        {
            text.push_str(row.trim());
            last_row_of_current = i;
        }
    }
    if let Some(text) = current
        && last_row_of_current + 1 < rows.len()
    {
        items.push(Item::Line(text));
    }
    items
}

/// `(k, N)` from the bottom title's `/502 k/N matches` (`k` is absent before a hit is chosen).
fn match_count(screen: &str) -> Option<(Option<usize>, usize)> {
    let re = Regex::new(r"/502 (?:(\d+)/)?(\d+) matches").ok()?;
    let caps = re.captures(screen)?;
    let k = caps.get(1).and_then(|m| m.as_str().parse().ok());
    let n = caps.get(2)?.as_str().parse().ok()?;
    Some((k, n))
}

fn current_hit(screen: &str) -> Option<usize> {
    match_count(screen).and_then(|(k, _)| k)
}

/// The current match `k` once it satisfies `pred` and has settled (the title is redrawn in
/// pieces, and a half-written number must not be read).
fn settled_hit(tui: &Tui, what: &str, pred: impl Fn(usize) -> bool) -> usize {
    let screen = tui.wait_stable(
        what,
        |s| current_hit(s).is_some_and(&pred),
        current_hit,
        KEY,
    );
    current_hit(&screen).unwrap_or_default()
}

/// The context shown around matches in filter mode, from the title's `filter ±C`.
fn filter_context(screen: &str) -> Option<usize> {
    let re = Regex::new(r"filter ±(\d+)").ok()?;
    re.captures(screen)?.get(1)?.as_str().parse().ok()
}

/// Checks what filter mode shows: some matches, and around them at most `c` lines of context on
/// each side (so at most `2c` non-matching lines in a row between two matches); groups are
/// separated by `--`.
fn check_filtered(items: &[Item], c: usize) -> Result<(), String> {
    let hits = items
        .iter()
        .filter(|i| matches!(i, Item::Line(t) if t.contains("502")))
        .count();
    if hits == 0 {
        return Err("no matching line is shown".into());
    }
    for (g, group) in items.split(|i| *i == Item::Separator).enumerate() {
        let is_hit: Vec<bool> = group
            .iter()
            .map(|i| matches!(i, Item::Line(t) if t.contains("502")))
            .collect();
        if is_hit.is_empty() {
            continue;
        }
        let Some(first) = is_hit.iter().position(|h| *h) else {
            // A group cut by the pane's edge may show context only, never more than `c` lines.
            if is_hit.len() > c {
                return Err(format!("group {g}: {} lines without a match", is_hit.len()));
            }
            continue;
        };
        let last = is_hit.iter().rposition(|h| *h).unwrap_or(first);
        if first > c || is_hit.len() - 1 - last > c {
            return Err(format!(
                "group {g}: more than {c} context lines before or after its matches ({is_hit:?})"
            ));
        }
        let longest_gap = is_hit[first..=last]
            .split(|h| *h)
            .map(<[bool]>::len)
            .max()
            .unwrap_or(0);
        if longest_gap > 2 * c {
            return Err(format!(
                "group {g}: {longest_gap} non-matching lines between two matches ({is_hit:?})"
            ));
        }
    }
    Ok(())
}

/// Search the broken environment's logs for 502, step through the matches, then show only the
/// matches with their context.
#[test]
fn search_502_then_filter_with_context() {
    let mut tui = Tui::spawn(
        &["--demo", "bad-deploy", "--demo-speed", "20"],
        &[],
        160,
        48,
    );
    tui.expect(
        "storefront-prod in the table",
        |s| env_row(s, ENV).is_some(),
        LONG,
    );
    tui.send(&format!(":env {ENV}\r"));
    tui.expect("storefront-prod selected", |s| env_selected(s, ENV), KEY);

    // Focus and zoom the logs; wrap long lines and drop the time and instance columns, so each
    // line's whole text is on screen and nothing but the text can contain "502".
    tui.send("4");
    tui.send("z");
    tui.expect(
        "the logs pane zoomed",
        |s| env_row(s, ENV).is_none() && s.contains(" logs"),
        KEY,
    );
    tui.send("w");
    tui.expect(
        "wrap on",
        |s| s.lines().nth(1).is_some_and(|t| t.contains("wrap")),
        KEY,
    );
    tui.send("t");
    tui.send("i");
    tui.expect(
        "502 responses in the logs, without the time column",
        |s| {
            s.contains(" 502 ")
                && !Regex::new(r"│.\d\d:\d\d:\d\d\.\d{3} ").is_ok_and(|re| re.is_match(s))
        },
        LONG,
    );

    tui.send("/");
    tui.send("502");
    tui.send("\r");
    let screen = tui.expect(
        "a match count for /502",
        |s| match_count(s).is_some_and(|(_, n)| n > 0),
        KEY,
    );
    let (_, n) = match_count(&screen).unwrap_or_default();
    assert!(n > 0, "no matches counted");

    // n selects a match (k/N appears), n again moves to the next one, N back.
    tui.send("n");
    let k1 = settled_hit(&tui, "a current match k/N after n", |_| true);
    tui.send("n");
    let k2 = settled_hit(&tui, "n to move to another match", |k| k != k1);
    assert!(
        k2 == k1 + 1 || k2 == 1,
        "n went from match {k1} to {k2}, not the next one"
    );
    tui.send("N");
    let k3 = settled_hit(&tui, "N to move back", |k| k != k2);
    assert_eq!(k3, k1, "N after n did not return to match {k1}");

    // Filter mode: only matches and their context; the title says so.
    tui.send("&");
    let screen = tui.wait_stable(
        "the filter in the title",
        |s| filter_context(s).is_some() && !items(s).is_empty(),
        |s| body_rows(s).join("\n"),
        KEY,
    );
    let c = filter_context(&screen).unwrap_or_default();
    let shown = items(&screen);
    if let Err(e) = check_filtered(&shown, c) {
        panic!("filter mode shows more than matches with ±{c} lines of context: {e}\n{screen}");
    }

    tui.send("q");
    let status = tui
        .wait_exit(Duration::from_secs(20))
        .unwrap_or_else(|| panic!("no exit after q:\n{}", tui.screen()));
    assert!(status.success(), "exit status {status}");
    tui.assert_terminal_restored();
}

/// The screen readers above, on hand-written screens.
mod reading {
    use super::*;

    fn screen(body: &[&str]) -> String {
        let mut lines = vec!["header", "┌ logs ┐"];
        lines.extend(body);
        lines.extend(["└ /502 3/40 matches · filter ±2 ┘", "status"]);
        lines.join("\n")
    }

    #[test]
    fn rows_become_lines_and_separators() {
        let s = screen(&[
            "│ access 1.2.3.4 GET / 200 │",
            "│ error  upstream failed   │",
            "│        and continued 502 │",
            "│--                        │",
            "│ access GET /x 502 1      │",
            "│        cut at the edge   │",
        ]);
        assert_eq!(
            items(&s),
            vec![
                Item::Line("access 1.2.3.4 GET / 200".into()),
                Item::Line("error  upstream failedand continued 502".into()),
                Item::Separator,
            ]
        );
        assert_eq!(match_count(&s), Some((Some(3), 40)));
        assert_eq!(filter_context(&s), Some(2));
    }

    #[test]
    fn filter_check_accepts_context_and_rejects_long_runs() {
        let l = |t: &str| Item::Line(t.into());
        let ok = [
            l("a"),
            l("b"),
            l("x 502"),
            l("c"),
            Item::Separator,
            l("d"),
            l("502"),
            l("502"),
            l("e"),
            l("f"),
        ];
        assert_eq!(check_filtered(&ok, 2), Ok(()));
        let too_much_before = [l("a"), l("b"), l("c"), l("502")];
        assert!(check_filtered(&too_much_before, 2).is_err());
        let long_gap = [l("502"), l("a"), l("b"), l("c"), l("d"), l("e"), l("502")];
        assert!(check_filtered(&long_gap, 2).is_err());
        assert!(check_filtered(&[l("a")], 2).is_err(), "no match at all");
    }
}
