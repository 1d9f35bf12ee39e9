//! The TOML config file: settings and sparse key overrides.
//!
//! The file fails closed: it applies whole or not at all. A file that does not parse, has a key
//! it does not know, a value of the wrong type or out of range, or a key override naming an
//! unknown action, context or key is an error that says where (file:line:column) and how to fix
//! it; ebtui then refuses to start (`ebtui --config FILE --check` reports the same without
//! starting). Whatever else is wrong, a `read_only = true` anywhere in the file is honoured
//! ([`ConfigError::read_only`]), and `--read-only` on the command line always wins.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};
use toml::Spanned;

use crate::app::keymap::{Action, KeyMap};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub read_only: bool,
    #[serde(default)]
    pub logs: LogsConfig,
    /// How an ended operation or an environment turning Degraded/Severe is announced beyond the
    /// status line: "none" (default), "bell", "osc9" or "osc777" (desktop notifications through
    /// the terminal).
    #[serde(default)]
    pub notify: Notify,
    /// The journal's size cap in MB (default 512): log lines go first, oldest first.
    #[serde(default = "default_journal_mb", deserialize_with = "above_zero_u64")]
    pub journal_max_mb: u64,
    /// What ebtui keeps when an operation fails: "logs" (default: the environment's CloudWatch
    /// log lines around the failure, when it streams them), "tail" (also Elastic Beanstalk's tail
    /// logs of the instances when it does not: a RequestEnvironmentInfo, sent without asking,
    /// this setting being the standing consent; refused in read-only mode), or "off".
    #[serde(default)]
    pub capture_on_failure: CaptureOnFailure,
    /// `[keys.<context>]` tables of `action = "key"` or `action = ["key", ...]`.
    #[serde(default)]
    pub keys: BTreeMap<String, BTreeMap<String, Spanned<KeySpec>>>,
    /// `theme = "light"`, or `[theme]` with `name` and a `[theme.colors]` table of role overrides
    /// (`config_theme.rs`). Checked whole by `parse`.
    #[serde(default)]
    pub theme: Option<crate::config_theme::ThemeConfig>,
    /// Mouse capture (click, wheel): on unless `mouse = false` (or `--no-mouse`).
    #[serde(default)]
    pub mouse: Option<bool>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            read_only: false,
            logs: LogsConfig::default(),
            notify: Notify::default(),
            journal_max_mb: default_journal_mb(),
            capture_on_failure: CaptureOnFailure::default(),
            keys: BTreeMap::new(),
            theme: None,
            mouse: None,
        }
    }
}

/// What is kept when an operation fails (`capture_on_failure`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaptureOnFailure {
    /// Nothing is captured.
    Off,
    /// CloudWatch log lines around the failure, when the environment streams them (reads only).
    #[default]
    Logs,
    /// As `Logs`, else Elastic Beanstalk's tail logs of the instances (RequestEnvironmentInfo:
    /// a write, consented to by this setting).
    Tail,
}

/// How notifications reach the person beyond the status line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Notify {
    #[default]
    None,
    /// The terminal bell.
    Bell,
    /// OSC 9 (iTerm2, WezTerm, Windows Terminal, kitty...).
    Osc9,
    /// OSC 777 (urxvt, foot, VTE-based terminals).
    Osc777,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsConfig {
    #[serde(default = "default_lines", deserialize_with = "above_zero")]
    pub max_lines: usize,
    #[serde(default = "default_bytes", deserialize_with = "above_zero")]
    pub max_bytes: usize,
    #[serde(default = "default_backfill", deserialize_with = "not_negative")]
    pub backfill_minutes: i64,
}

impl Default for LogsConfig {
    fn default() -> Self {
        Self {
            max_lines: default_lines(),
            max_bytes: default_bytes(),
            backfill_minutes: default_backfill(),
        }
    }
}

fn default_journal_mb() -> u64 {
    512
}

fn above_zero_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let n = u64::deserialize(d)?;
    if n == 0 {
        return Err(serde::de::Error::custom("must be at least 1"));
    }
    Ok(n)
}

fn default_lines() -> usize {
    200_000
}
fn default_bytes() -> usize {
    256 * 1024 * 1024
}
fn default_backfill() -> i64 {
    15
}

fn above_zero<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    let n = usize::deserialize(d)?;
    if n == 0 {
        return Err(serde::de::Error::custom("must be above 0"));
    }
    Ok(n)
}

fn not_negative<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = i64::deserialize(d)?;
    if n < 0 {
        return Err(serde::de::Error::custom("must be 0 or more"));
    }
    Ok(n)
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum KeySpec {
    One(String),
    Many(Vec<String>),
}

impl Config {
    /// The key overrides as (context, action, keys) triples for `KeyMap::with_overrides`.
    pub fn key_overrides(&self) -> Vec<(String, String, Vec<String>)> {
        self.key_entries()
            .map(|(_, entry)| entry)
            .collect::<Vec<_>>()
    }

    fn key_entries(&self) -> impl Iterator<Item = (Range<usize>, (String, String, Vec<String>))> {
        self.keys.iter().flat_map(|(ctx, table)| {
            table.iter().map(move |(action, spec)| {
                let keys = match spec.get_ref() {
                    KeySpec::One(k) => vec![k.clone()],
                    KeySpec::Many(ks) => ks.clone(),
                };
                (spec.span(), (ctx.clone(), action.clone(), keys))
            })
        })
    }

    /// The key map with this file's overrides, every one of them valid (checked by `parse`).
    pub fn keymap(&self) -> KeyMap {
        KeyMap::default().with_overrides(&self.key_overrides()).0
    }
}

/// One thing wrong in a config file, with where it is (1-based line and column, when known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

/// Why a config file cannot be used. Its `Display` is one line: the file (with line and column),
/// what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub kind: ErrorKind,
    /// The file says `read_only = true` somewhere (even in a part that does not parse): anything
    /// that runs despite the error must refuse writes.
    pub read_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// `--config FILE` names a file that does not exist.
    Missing,
    /// The file exists but cannot be read.
    Unreadable(String),
    /// The file was read; these are what is wrong with it (at least one).
    Invalid(Vec<Problem>),
}

impl ConfigError {
    /// One line per problem, each naming the file, line and column.
    pub fn lines(&self) -> Vec<String> {
        let path = self.path.display();
        match &self.kind {
            ErrorKind::Missing => vec![format!(
                "config {path}: no such file; give an existing file to --config, or leave --config out to use the defaults"
            )],
            ErrorKind::Unreadable(e) => vec![format!("config {path}: cannot read it: {e}")],
            ErrorKind::Invalid(problems) => problems
                .iter()
                .map(|p| match (p.line, p.column) {
                    (Some(l), Some(c)) => format!("config {path}:{l}:{c}: {}", p.message),
                    (Some(l), None) => format!("config {path}:{l}: {}", p.message),
                    _ => format!("config {path}: {}", p.message),
                })
                .collect(),
        }
    }
}

impl fmt::Display for ConfigError {
    /// The first problem, a count of the others, and the fix: one line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines = self.lines();
        write!(f, "{}", lines.first().map(String::as_str).unwrap_or(""))?;
        if lines.len() > 1 {
            let n = lines.len() - 1;
            write!(
                f,
                " (and {n} more problem{})",
                if n == 1 { "" } else { "s" }
            )?;
        }
        if matches!(self.kind, ErrorKind::Invalid(_)) {
            write!(
                f,
                "; fix the file and check it with `ebtui --config {} --check`",
                self.path.display()
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// A config that can be used whole: the file it came from (`None`: no file, the defaults).
#[derive(Debug, Default)]
pub struct Loaded {
    pub path: Option<PathBuf>,
    pub config: Config,
}

/// Whether writes are refused: `--read-only` always wins; then the file's `read_only`, honoured
/// even when the file has errors.
pub fn read_only(cli_flag: bool, loaded: &Result<Loaded, ConfigError>) -> bool {
    cli_flag
        || match loaded {
            Ok(l) => l.config.read_only,
            Err(e) => e.read_only,
        }
}

pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "ebtui").map(|d| d.config_dir().join("config.toml"))
}

/// Read the config. No file at the default path means the defaults; a missing `--config FILE`,
/// an unreadable file or anything wrong in it is an error.
pub fn load(explicit: Option<&Path>) -> Result<Loaded, ConfigError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => match default_path() {
            Some(p) if p.exists() => p,
            _ => return Ok(Loaded::default()),
        },
    };
    let text = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| ConfigError {
            path: path.clone(),
            kind: ErrorKind::Invalid(vec![Problem {
                line: None,
                column: None,
                message: "not UTF-8 text; save the file as UTF-8".into(),
            }]),
            read_only: false,
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ConfigError {
                path,
                kind: ErrorKind::Missing,
                read_only: false,
            });
        }
        Err(e) => {
            return Err(ConfigError {
                path,
                kind: ErrorKind::Unreadable(e.to_string()),
                read_only: false,
            });
        }
    };
    parse(&text, &path).map(|config| Loaded {
        path: Some(path),
        config,
    })
}

/// Parse and check a whole file: TOML, the settings, and every key override.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let fail = |problems: Vec<Problem>| ConfigError {
        path: path.to_path_buf(),
        kind: ErrorKind::Invalid(problems),
        read_only: asks_read_only(text),
    };
    let config = toml::from_str::<Config>(text).map_err(|e| {
        let (line, column) = match e.span() {
            Some(span) => {
                let (l, c) = line_col(text, span.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        fail(vec![Problem {
            line,
            column,
            message: with_suggestion(e.message().trim()),
        }])
    })?;
    let mut problems = key_problems(&config, text);
    problems.extend(crate::config_theme::problems(&config, text));
    if !problems.is_empty() {
        return Err(fail(problems));
    }
    Ok(config)
}

/// Every key override checked on its own against the default key map, so each problem keeps
/// the line it is on.
fn key_problems(config: &Config, text: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    for (span, entry) in config.key_entries() {
        let (_, warnings) = KeyMap::default().with_overrides(std::slice::from_ref(&entry));
        let (line, column) = line_col(text, span.start);
        for w in warnings {
            let w = w.strip_prefix("config: ").unwrap_or(&w).to_string();
            let hint = if Action::from_id(&entry.1).is_none() {
                let ids: Vec<&str> = Action::ALL.iter().map(|a| a.id()).collect();
                match closest(&entry.1, &ids) {
                    Some(best) => format!(" (did you mean `{best}`?)"),
                    None => "; the names are those of the help screen (`?`)".into(),
                }
            } else {
                String::new()
            };
            out.push(Problem {
                line: Some(line),
                column: Some(column),
                message: format!("{w}{hint}"),
            });
        }
    }
    out
}

/// Whether a `read_only = true` appears anywhere in the text, outside comments: under any table,
/// quoted or not, even in a file that does not parse.
pub fn asks_read_only(text: &str) -> bool {
    let re =
        regex::Regex::new(r#"(^|[\s{,."'])read_only["']?\s*=\s*true\b"#).expect("a valid pattern");
    text.lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .any(|l| re.is_match(l))
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// serde's "unknown field `x`, expected one of `a`, `b`" with "(did you mean `a`?)" when a
/// known name is close to the unknown one.
fn with_suggestion(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_string();
    };
    let Some((unknown, expected)) = rest.split_once('`') else {
        return message.to_string();
    };
    let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    match closest(unknown, &known) {
        Some(best) => format!("{message} (did you mean `{best}`?)"),
        None => message.to_string(),
    }
}

/// The known name nearest to `word`, if near enough to be a typo.
fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    known
        .iter()
        .map(|k| (edit_distance(word, k), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(r: Result<Config, ConfigError>) -> ConfigError {
        r.expect_err("the file should be refused")
    }

    #[test]
    fn reads_settings_and_sparse_keys() {
        let c = parse(
            r#"
read_only = true
[logs]
max_lines = 5000
[keys.global]
quit = "ctrl-q"
[keys.logs]
errors_5xx = ["x", "E"]
"#,
            Path::new("c.toml"),
        )
        .expect("a valid file");
        assert!(c.read_only);
        assert_eq!(c.logs.max_lines, 5000);
        assert_eq!(c.logs.max_bytes, default_bytes());
        let mut o = c.key_overrides();
        o.sort();
        assert_eq!(
            o[0],
            ("global".into(), "quit".into(), vec!["ctrl-q".into()])
        );
        assert_eq!(
            o[1],
            (
                "logs".into(),
                "errors_5xx".into(),
                vec!["x".into(), "E".into()]
            )
        );
    }

    #[test]
    fn a_typo_refuses_the_file_and_keeps_read_only() {
        let text = "read_only = true\n\n[logs]\nbackfill_minute = 30\n";
        let e = problems(parse(text, Path::new("c.toml")));
        assert!(e.read_only, "read_only = true must hold despite the typo");
        let line = e.to_string();
        assert!(
            line.starts_with("config c.toml:4:1: unknown field `backfill_minute`"),
            "{line}"
        );
        assert!(
            line.contains("(did you mean `backfill_minutes`?)"),
            "{line}"
        );
        assert!(line.contains("--check"), "{line}");
        assert!(!line.contains('\n'), "one line: {line}");
        let loaded = Err(e);
        assert!(read_only(false, &loaded));
    }

    #[test]
    fn a_wrong_type_refuses_the_file() {
        let e = problems(parse("read_only = \"yes\"\n", Path::new("c.toml")));
        assert!(!e.read_only);
        let line = e.to_string();
        assert!(line.starts_with("config c.toml:1:13: "), "{line}");
        assert!(line.contains("expected a boolean"), "{line}");
        let e = problems(parse("[logs]\nmax_lines = 0", Path::new("c.toml")));
        assert!(
            e.to_string().contains("c.toml:2:13: must be above 0"),
            "{e}"
        );
        let e = problems(parse("[logs]\nbackfill_minutes = -5", Path::new("c.toml")));
        assert!(e.to_string().contains("must be 0 or more"), "{e}");
    }

    #[test]
    fn broken_toml_refuses_the_file_and_still_honours_read_only() {
        let e = problems(parse("read_only = true\ncolour = [", Path::new("c.toml")));
        assert!(e.read_only);
        assert!(e.to_string().starts_with("config c.toml:2:"), "{e}");
        // Under a table it does not belong to, quoted, or in an inline table: still honoured.
        for text in [
            "[log]\nread_only = true",
            "\"read_only\" = true\nx = 1",
            "logs = { read_only = true }",
            "[logs]\nread_only=true # yes",
        ] {
            let e = problems(parse(text, Path::new("c.toml")));
            assert!(e.read_only, "{text:?}");
        }
        for text in ["# read_only = true\nx = 1", "read_only = false\nx = 1"] {
            let e = problems(parse(text, Path::new("c.toml")));
            assert!(!e.read_only, "{text:?}");
        }
    }

    #[test]
    fn the_command_line_flag_always_wins() {
        let ok = parse("read_only = false", Path::new("c.toml"))
            .map(|config| Loaded { path: None, config });
        assert!(read_only(true, &ok));
        assert!(!read_only(false, &ok));
        let bad =
            parse("oops = 1", Path::new("c.toml")).map(|config| Loaded { path: None, config });
        assert!(read_only(true, &bad));
        assert!(!read_only(false, &bad));
    }

    #[test]
    fn key_overrides_are_checked_whole() {
        let text = "[keys.logs]\nerrors5xx = \"E\"\n[keys.global]\nquit = \"ctrl-q\"\n[keys.nowhere]\nquit = \"Q\"\n";
        let e = problems(parse(text, Path::new("c.toml")));
        let lines = e.lines();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines.iter().any(
                |l| l.starts_with("config c.toml:2:13: unknown action 'errors5xx'")
                    && l.contains("(did you mean `errors_5xx`?)")
            ),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("config c.toml:6:8: unknown key context 'nowhere'")),
            "{lines:?}"
        );
        assert!(e.to_string().contains("(and 1 more problem)"), "{e}");
        let e = problems(parse(
            "[keys.global]\nquit = \"ctrl-\"\n",
            Path::new("c.toml"),
        ));
        assert!(e.to_string().contains("cannot read key 'ctrl-'"), "{e}");
    }

    #[test]
    fn missing_default_file_is_the_defaults_but_a_missing_explicit_file_is_an_error() {
        let e = load(Some(Path::new("/nonexistent/ebtui.toml"))).expect_err("missing");
        assert_eq!(e.kind, ErrorKind::Missing);
        assert!(e.to_string().contains("no such file"), "{e}");
    }

    #[test]
    fn suggestions_only_for_near_names() {
        assert_eq!(
            closest("backfill_minute", &["max_lines", "backfill_minutes"]),
            Some("backfill_minutes")
        );
        assert_eq!(closest("colour", &["read_only", "logs", "keys"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
