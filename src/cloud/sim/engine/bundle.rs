//! The engine's lines for a version made from an uploaded bundle: the hooks the bundle brings,
//! its dependencies by what sits at its root, or the failure when nothing at the root can run.

use crate::domain::Tier;

use super::super::contents::Contents;
use super::{Outcome, Plan, flip, npm_install, stage};

/// A version from an uploaded bundle: the hooks it brings, its dependencies by what sits at its
/// root, then the switch; or, with nothing at the root, no Procfile can be made.
pub(super) fn deploy(
    p: &mut Plan,
    tier: Tier,
    version: &str,
    outcome: Outcome,
    c: &Contents,
) -> Option<String> {
    stage(p, version);
    p.engine(
        0.12,
        "INFO",
        "Executing instruction: RunAppDeployPreBuildHooks",
    );
    hooks(p, c, "prebuild", 0.12);
    if outcome == Outcome::NoApplication {
        p.engine(
            0.14,
            "INFO",
            "Executing instruction: Install customer specified node.js version",
        );
        p.engine(
            0.15,
            "INFO",
            "Executing instruction: Use NPM to install dependencies",
        );
        p.engine(0.16, "INFO", "Executing instruction: check Procfile");
        // The closest plausible wording: the engine's line for this failure was not found in
        // published logs; the event it sends (`Outcome::event`) is the real one.
        return Some(
            "An error occurred during execution of command [app-deploy] - [check Procfile]. Stop running the command. Error: there is no Procfile and no 'package.json', 'server.js' or 'app.js' at the root of the source bundle".into(),
        );
    }
    if c.has("package.json") {
        npm_install(p, version);
    } else if c.has("requirements.txt") {
        pip_install(p);
    }
    flip(p, tier);
    p.engine(
        0.80,
        "INFO",
        "Executing instruction: RunAppDeployPostDeployHooks",
    );
    hooks(p, c, "postdeploy", 0.80);
    None
}

/// The platform hooks a bundle brings for `stage` (`.platform/hooks/<stage>/`), run in name order.
fn hooks(p: &mut Plan, c: &Contents, stage: &str, f: f64) {
    let dir = format!(".platform/hooks/{stage}/");
    let names = c.in_dir(&dir);
    if names.is_empty() {
        // What the engine of Amazon Linux 2 and 2023 platforms logs for a stage without hooks.
        p.engine(f, "INFO", format!("The dir {dir} does not exist"));
        return;
    }
    p.engine(f, "INFO", format!("Executing platform hooks in {dir}"));
    p.engine(
        f,
        "INFO",
        format!(
            "Following platform hooks will be executed in order: [{}]",
            names.join(" ")
        ),
    );
    for name in names {
        p.engine(f, "INFO", format!("Running platform hook: {dir}{name}"));
        p.hook(f, "INFO", format!("Running command {dir}{name}"));
    }
}

/// pip installs `requirements.txt` into the platform's virtual environment (the Python
/// platform's engine lines; the bundle's data is not kept, so the packages go unnamed).
fn pip_install(p: &mut Plan) {
    p.engine(0.14, "INFO", "Executing instruction: InstallDependency");
    p.engine(
        0.15,
        "INFO",
        "installing dependencies with requirements.txt by using Pip",
    );
    p.engine(
        0.16,
        "INFO",
        "Running command /bin/sh -c /var/app/venv/staging-LQM1lest/bin/pip install -r requirements.txt",
    );
}
