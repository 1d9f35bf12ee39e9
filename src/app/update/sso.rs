//! Logging in to AWS SSO from inside: the key asks the runtime to suspend the UI and run
//! `aws sso login` (`Effect::SsoLogin`); the runtime refuses in the demo and when `aws` is not
//! installed, and says so in `Msg::LoggedIn`. Nothing runs from here.

use super::super::{App, Effect, Level};

/// The trouble the header shows when reads fail for an expired SSO session; it offers the key.
pub const SSO_EXPIRED: &str = "SSO session expired";

/// Whether a credentials error is the SSO session's (the AWS layer names `aws sso login`).
pub(super) fn is_sso_expired(message: &str) -> bool {
    message.contains("aws sso login")
}

pub(super) fn start(app: &mut App, fx: &mut Vec<Effect>) {
    let profile = app.account.ctx.profile.clone();
    app.flash(Level::Info, format!("aws sso login --profile {profile}..."));
    fx.push(Effect::SsoLogin { profile });
}

pub(super) fn on_logged_in(
    app: &mut App,
    profile: &str,
    result: Result<(), String>,
    fx: &mut Vec<Effect>,
) {
    match result {
        Ok(()) => {
            app.flash(
                Level::Info,
                format!("logged in with profile {profile}: reading again"),
            );
            if app.account.trouble.take().is_some() {
                app.view.dirty = true;
            }
            app.account.schedule.retry_unreachable();
            super::polls::poll_due(app, fx);
        }
        Err(e) => app.flash(Level::Error, e),
    }
    // The terminal was someone else's meanwhile: everything is drawn again.
    app.view.dirty = true;
}
