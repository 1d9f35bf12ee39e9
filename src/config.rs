//! The TOML config file: settings and sparse key overrides. A bad file never stops ebtui: what
//! cannot be read is reported and the defaults stand.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub read_only: bool,
    #[serde(default)]
    pub logs: LogsConfig,
    /// `[keys.<context>]` tables of `action = "key"` or `action = ["key", ...]`.
    #[serde(default)]
    pub keys: BTreeMap<String, BTreeMap<String, KeySpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsConfig {
    #[serde(default = "default_lines")]
    pub max_lines: usize,
    #[serde(default = "default_bytes")]
    pub max_bytes: usize,
    #[serde(default = "default_backfill")]
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

fn default_lines() -> usize {
    200_000
}
fn default_bytes() -> usize {
    256 * 1024 * 1024
}
fn default_backfill() -> i64 {
    15
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
        let mut out = Vec::new();
        for (ctx, table) in &self.keys {
            for (action, spec) in table {
                let keys = match spec {
                    KeySpec::One(k) => vec![k.clone()],
                    KeySpec::Many(ks) => ks.clone(),
                };
                out.push((ctx.clone(), action.clone(), keys));
            }
        }
        out
    }
}

pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "ebtui").map(|d| d.config_dir().join("config.toml"))
}

/// Read the config. A missing default file is fine; a missing explicit file, unreadable or
/// invalid TOML yields the defaults and a warning.
pub fn load(explicit: Option<&Path>) -> (Config, Vec<String>) {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => match default_path() {
            Some(p) if p.exists() => p,
            _ => return (Config::default(), vec![]),
        },
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text, &path),
        Err(e) => (
            Config::default(),
            vec![format!("config {}: {e}; using defaults", path.display())],
        ),
    }
}

pub fn parse(text: &str, path: &Path) -> (Config, Vec<String>) {
    match toml::from_str::<Config>(text) {
        Ok(c) => {
            let mut warnings = Vec::new();
            if c.logs.max_lines == 0 || c.logs.max_bytes == 0 {
                warnings.push(format!(
                    "config {}: logs.max_lines and logs.max_bytes must be above 0; using defaults",
                    path.display()
                ));
                return (
                    Config {
                        logs: LogsConfig::default(),
                        ..c
                    },
                    warnings,
                );
            }
            (c, warnings)
        }
        Err(e) => {
            let msg = e.message().to_string();
            (
                Config::default(),
                vec![format!("config {}: {msg}; using defaults", path.display())],
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_settings_and_sparse_keys() {
        let (c, w) = parse(
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
        );
        assert!(w.is_empty(), "{w:?}");
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
    fn bad_files_warn_and_keep_defaults() {
        let (c, w) = parse("read_only = [", Path::new("c.toml"));
        assert!(!c.read_only);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("c.toml"), "{w:?}");
        let (_, w) = parse("colour = 'red'", Path::new("c.toml"));
        assert!(w[0].contains("unknown field"), "{w:?}");
        let (c, w) = parse("[logs]\nmax_lines = 0", Path::new("c.toml"));
        assert_eq!(c.logs.max_lines, default_lines());
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn missing_explicit_file_warns() {
        let (_, w) = load(Some(Path::new("/nonexistent/ebtui.toml")));
        assert_eq!(w.len(), 1);
    }
}
