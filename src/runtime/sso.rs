//! `aws sso login` in the foreground, from inside the UI: the terminal is handed to the AWS CLI
//! (the shell's screen, cooked mode, no mouse, ebtui's own key reader stopped so it takes no
//! keystroke meant for the child), taken back when it ends, and the cloud is rebuilt with the
//! new credentials in the same context, so everything on screen stays.

use std::path::{Path, PathBuf};

use super::terminal::{self, Tui};

/// Where `aws` is on PATH, if it is.
pub fn find_aws() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("aws"))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// What to do when `aws` cannot be run from here.
pub fn by_hand(profile: &str) -> String {
    format!(
        "aws (the AWS CLI) is not on PATH: run `aws sso login --profile {profile}` in another terminal, then `:profile {profile}`"
    )
}

/// Run `aws sso login --profile <profile>` on the terminal and take the terminal back. The
/// caller has stopped reading keys. `Err` says why the login did not happen.
pub async fn run(term: &mut Tui, aws: &Path, profile: &str, mouse: bool) -> Result<(), String> {
    terminal::suspend(&format!(
        "ebtui: aws sso login --profile {profile} (ebtui comes back when it ends)"
    ));
    let status = tokio::process::Command::new(aws)
        .args(["sso", "login", "--profile", profile])
        .stdin(std::process::Stdio::inherit())
        .stdout(std::process::Stdio::inherit())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true)
        .status()
        .await;
    // A full redraw without `Terminal::clear`, which asks the terminal where its cursor is
    // (an answer that may never come while the key reader is being replaced): the screen is
    // cleared by `resume`, and both of ratatui's buffers emptied, so the next frame draws every
    // cell that is not blank.
    let back = terminal::resume(mouse).map(|()| {
        term.swap_buffers();
        term.swap_buffers();
    });
    if let Err(e) = back {
        return Err(format!("could not take the terminal back: {e}"));
    }
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!(
            "aws sso login --profile {profile} failed ({s}); its output is on the shell's screen"
        )),
        Err(e) => Err(format!("could not run {}: {e}", aws.display())),
    }
}
