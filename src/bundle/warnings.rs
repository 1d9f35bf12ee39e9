//! Warnings that do not depend on the environment: files that look like secrets, and a bundle
//! whose files all sit in one folder. And how warnings and rules read in the dialog.

use std::fmt;

use super::{Entry, Rules, Warning};

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::Secret { path } => write!(
                f,
                "{path} looks like a secret (a key, credentials or .env): leave it out with \
                 .ebignore unless it is meant to ship"
            ),
            Warning::OneTopFolder { folder } => write!(
                f,
                "every file is inside {folder}/: Elastic Beanstalk looks for the application at \
                 the root of the bundle, so bundle {folder} itself"
            ),
            Warning::Missing { platform, expected } => write!(
                f,
                "{platform} expects {} at the root of the bundle, and there is none",
                one_of(expected)
            ),
        }
    }
}

/// `a`, `a or b`, `a, b or c`.
fn one_of(names: &[String]) -> String {
    match names {
        [] => "a file".into(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

impl Rules {
    /// How the files were chosen, for the dialog.
    pub fn describe(&self) -> &'static str {
        match self {
            Rules::Archive => "archive as is",
            Rules::EbIgnore => ".ebignore",
            Rules::GitHead => "git HEAD (committed files only)",
            Rules::Whole => "whole directory",
        }
    }
}

/// Secrets, then one top-level folder.
pub(super) fn general(entries: &[Entry]) -> Vec<Warning> {
    let mut out: Vec<Warning> = entries
        .iter()
        .filter(|e| !e.symlink && looks_secret(&e.path))
        .map(|e| Warning::Secret {
            path: e.path.clone(),
        })
        .collect();
    out.extend(one_top_folder(entries));
    out
}

/// `.env` and `.env.*` (but not the templates meant to be shared), private keys and certificates
/// (`*.pem`, `*.key`, `id_rsa` and kin), AWS-style `credentials`, at any depth.
fn looks_secret(path: &str) -> bool {
    const KEYS: &[&str] = &["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "credentials"];
    const TEMPLATES: &[&str] = &[".example", ".sample", ".template", ".dist"];
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    if lower == ".env" {
        return true;
    }
    if lower.starts_with(".env.") {
        return !TEMPLATES.iter().any(|t| lower.ends_with(t));
    }
    KEYS.contains(&name) || lower.ends_with(".pem") || lower.ends_with(".key")
}

/// Every entry under one and the same top-level folder.
fn one_top_folder(entries: &[Entry]) -> Option<Warning> {
    let mut tops = entries
        .iter()
        .map(|e| e.path.split_once('/').map(|(t, _)| t));
    let first = tops.next()??;
    tops.all(|t| t == Some(first))
        .then(|| Warning::OneTopFolder {
            folder: first.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> Entry {
        Entry {
            path: path.into(),
            size: 1,
            symlink: false,
        }
    }

    #[test]
    fn secrets_by_name_at_any_depth() {
        for p in [
            ".env",
            "config/.env.production",
            "deploy/server.pem",
            "a/b/id_ed25519",
            ".aws/credentials",
            "tls/site.KEY",
        ] {
            assert!(looks_secret(p), "{p}");
        }
        for p in [
            ".env.example",
            "envs.txt",
            "id_rsa.pub",
            "keys.py",
            "credentials.md",
        ] {
            assert!(!looks_secret(p), "{p}");
        }
    }

    #[test]
    fn one_folder_is_flagged_two_are_not() {
        let one = [entry("app/a.py"), entry("app/b/c.py")];
        assert_eq!(
            one_top_folder(&one),
            Some(Warning::OneTopFolder {
                folder: "app".into()
            })
        );
        assert_eq!(one_top_folder(&[entry("app/a.py"), entry("x.py")]), None);
        assert_eq!(one_top_folder(&[entry("a/x"), entry("b/y")]), None);
        assert_eq!(one_top_folder(&[]), None);
    }

    #[test]
    fn warnings_read_as_sentences() {
        let w = Warning::Missing {
            platform: "Python".into(),
            expected: vec!["application.py".into(), "Procfile".into()],
        };
        assert_eq!(
            w.to_string(),
            "Python expects application.py or Procfile at the root of the bundle, and there is none"
        );
        assert_eq!(one_of(&["a".into(), "b".into(), "c".into()]), "a, b or c");
    }
}
