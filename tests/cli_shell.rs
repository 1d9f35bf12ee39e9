//! Shell integration from the built binary: completion scripts, the manual page, `--version`
//! with the commit, and an unsupported shell told in one line naming the choices.

use std::process::{Command, Output};

fn ebtui(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ebtui"))
        .args(args)
        .env_remove("AWS_PROFILE")
        .output()
        .expect("run ebtui")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn completion_scripts_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _ebtui"),
        ("zsh", "#compdef ebtui"),
        ("fish", "complete -c ebtui"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let o = ebtui(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let text = stdout(&o);
        assert!(text.contains(marker), "{shell}: no {marker:?}");
        // The subcommands and their flags are completed too.
        assert!(text.contains("deploy"), "{shell}");
        assert!(text.contains("rollback-on-failure"), "{shell}");
    }
}

#[test]
fn an_unsupported_shell_is_one_line_naming_the_choices() {
    let o = ebtui(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("use one of bash, elvish, fish, powershell, zsh"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn the_manual_page_is_roff_with_the_flags() {
    let o = ebtui(&["man"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(text.contains(".TH ebtui 1"), "{text}");
    for flag in ["\\-\\-read\\-only", "\\-\\-demo", "\\-\\-app\\-dir"] {
        assert!(text.contains(flag), "no {flag} in the page");
    }
}

#[test]
fn the_version_names_the_commit() {
    let o = ebtui(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    let want = format!("ebtui {} (", env!("CARGO_PKG_VERSION"));
    assert!(text.starts_with(&want), "{text}");
    let commit = text[want.len()..].trim_end().trim_end_matches(')');
    // `git describe` of the checkout ("2db005fcf", "v0.2.0-3-g2db005fcf", "-dirty"), or "unknown"
    // for a build from a source without git.
    assert!(!commit.is_empty() && !commit.contains(' '), "{text}");
}
