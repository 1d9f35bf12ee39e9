//! What the Elastic Beanstalk platform engine writes to `eb-engine.log` and `eb-hooks.log` while
//! it bootstraps an instance, deploys the application or restarts the app server.
//!
//! These lines are written once, when the step that starts the work runs, with timestamps spread
//! over the work's duration (an abort removes the ones that had not happened yet).

mod bundle;

use std::sync::Arc;

use crate::domain::{Millis, Tier};

use super::contents::Contents;
use super::model::{ACCOUNT, Env, LogFile, REGION, Version};
use super::rng::{hash_str, mix, stream};
use super::timefmt::engine_time;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok,
    /// The post-deploy smoke test cannot reach the application (it crash-loops).
    PostDeployHookFails,
    /// The pre-build hook cannot authenticate to the private npm registry.
    PrebuildHookFails,
    /// `npm install` cannot resolve a dependency the new build asks for.
    InstallFails,
    /// The bundle's files sit one folder down: there is nothing at the root to run.
    NoApplication,
}

impl Outcome {
    /// The deployment stopped before the new version was switched in (FlipApplication): the
    /// instance runs what it ran before, or nothing on a first boot.
    pub(crate) fn before_flip(&self) -> bool {
        matches!(
            self,
            Outcome::PrebuildHookFails | Outcome::InstallFails | Outcome::NoApplication
        )
    }

    /// How every deployment of `v` fails on the first instances it reaches, before the switch,
    /// if it does: what it is made of cannot be installed or run.
    pub(crate) fn early(v: &Version) -> Option<Outcome> {
        if v.install_fails {
            Some(Outcome::InstallFails)
        } else if v.in_one_folder() {
            Some(Outcome::NoApplication)
        } else {
            None
        }
    }

    /// The event Elastic Beanstalk adds before "Instance deployment failed." for this failure.
    /// For a missing application on the Node.js platform (the account's), its text as an
    /// Amazon Linux 2 Node.js environment reported it (quoted in udacity/cloud-developer pull
    /// request 353, 2021); the Amazon Linux 2023 platform shares that engine.
    pub(crate) fn event(&self) -> Option<&'static str> {
        match self {
            Outcome::NoApplication => Some(NO_PROCFILE),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum EngineScript {
    /// First boot of a new instance: platform bootstrap, then the application deploy.
    Bootstrap {
        version: String,
        outcome: Outcome,
        /// The files of a version made from an uploaded bundle (its hooks, its dependencies);
        /// `None` for the account's own builds, with the storefront's hooks.
        bundle: Option<Arc<Contents>>,
    },
    AppDeploy {
        version: String,
        outcome: Outcome,
        bundle: Option<Arc<Contents>>,
    },
    Restart,
    /// New configuration settings: the application restarts with them.
    ConfigDeploy,
}

impl EngineScript {
    pub(crate) fn bootstrap(v: &Version, outcome: Outcome) -> EngineScript {
        EngineScript::Bootstrap {
            version: v.label.clone(),
            outcome,
            bundle: v.contents(),
        }
    }

    pub(crate) fn app_deploy(v: &Version, outcome: Outcome) -> EngineScript {
        EngineScript::AppDeploy {
            version: v.label.clone(),
            outcome,
            bundle: v.contents(),
        }
    }

    /// How the script ends (a restart always succeeds).
    pub(crate) fn outcome(&self) -> Outcome {
        match self {
            EngineScript::Bootstrap { outcome, .. } | EngineScript::AppDeploy { outcome, .. } => {
                *outcome
            }
            EngineScript::Restart | EngineScript::ConfigDeploy => Outcome::Ok,
        }
    }
}

const POSTDEPLOY_HOOK: &str = ".platform/hooks/postdeploy/01_smoke_test.sh";
const PREBUILD_HOOK: &str = ".platform/hooks/prebuild/01_npmrc.sh";
const CURL_REFUSED: &str =
    "curl: (7) Failed to connect to 127.0.0.1 port 8080 after 0 ms: Couldn't connect to server";
const NO_TOKEN: &str = "NPM_TOKEN is not set; cannot authenticate to npm.pkg.github.com";
const NO_MATCH: &str = "npm ERR! notarget No matching version found for @storefront/ui@^3.2.0.";
const NO_PROCFILE: &str = "Instance deployment failed to generate a 'Procfile' for Node.js. Provide one of these files: 'package.json', 'server.js', or 'app.js'. The deployment failed.";

/// The lines being planned: (fraction of the duration, file, level, text).
#[derive(Default)]
struct Plan(Vec<(f64, LogFile, &'static str, String)>);

impl Plan {
    /// A line of `eb-engine.log` at fraction `f` of the duration.
    fn engine(&mut self, f: f64, level: &'static str, text: impl Into<String>) {
        self.0.push((f, LogFile::Engine, level, text.into()));
    }
    /// A line of `eb-hooks.log` at fraction `f` of the duration.
    fn hook(&mut self, f: f64, level: &'static str, text: impl Into<String>) {
        self.0.push((f, LogFile::Hooks, level, text.into()));
    }
}

/// The lines of one script for one instance: (offset from `at`, file, full text with timestamp).
pub(crate) fn lines(
    script: &EngineScript,
    env: &Env,
    instance: &str,
    at: Millis,
    duration: Millis,
) -> Vec<(Millis, LogFile, String)> {
    let mut p = Plan::default();
    let (command, version, bundle) = match script {
        EngineScript::Restart => ("restart-app-server", None, None),
        EngineScript::ConfigDeploy => ("config-deploy", None, None),
        EngineScript::Bootstrap {
            version, bundle, ..
        }
        | EngineScript::AppDeploy {
            version, bundle, ..
        } => ("app-deploy", Some(version.as_str()), bundle.as_deref()),
    };
    preamble(&mut p, script, env, command);
    let outcome = script.outcome();
    let failed = match (version, bundle) {
        (Some(version), Some(bundle)) => bundle::deploy(&mut p, env.tier, version, outcome, bundle),
        (Some(version), None) => app_deploy(&mut p, env.tier, version, outcome),
        (None, _) => {
            restart(&mut p);
            None
        }
    };
    result(&mut p, failed, version.is_some(), at + duration, command);
    stamp(p, instance, at, duration)
}

/// The engine starts, (on first boot) bootstraps the instance, and takes the command.
fn preamble(p: &mut Plan, script: &EngineScript, env: &Env, command: &str) {
    let stack_arn = format!(
        "arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{}/{}",
        env.stack_name(),
        stream(hash_str(&env.id)).uuid()
    );
    p.engine(0.0, "INFO", "Starting...");
    p.engine(0.0, "INFO", "Starting EBPlatform-PlatformEngine");
    p.engine(0.0, "INFO", "reading event message file");
    if let EngineScript::Bootstrap { .. } = script {
        p.engine(0.01, "INFO", "no eb envbundle found");
        p.engine(0.01, "INFO", "Engine received EB command userdata-exec");
        p.engine(0.01, "INFO", "Executing instruction: SyncClock");
        p.engine(0.01, "INFO", "Running command /bin/sh -c chronyc tracking");
        p.engine(0.02, "INFO", "Executing instruction: configureOSSettings");
        p.engine(
            0.02,
            "INFO",
            "Executing instruction: configure log streaming",
        );
        p.engine(0.03, "INFO", "Executing instruction: start healthd");
    } else {
        p.engine(0.01, "INFO", "Engine received EB command cfn-hup-exec");
    }
    p.engine(
        0.035,
        "INFO",
        format!(
            "Running command: /opt/aws/bin/cfn-get-metadata -s {stack_arn} -r AWSEBAutoScalingGroup --region {REGION} --key AWS::ElasticBeanstalk::Ext"
        ),
    );
    p.engine(
        0.04,
        "INFO",
        format!("checking whether command {command} is applicable to this instance..."),
    );
    p.engine(
        0.04,
        "INFO",
        "this command is applicable to the instance, thus instance should execute command",
    );
    p.engine(0.04, "INFO", format!("Engine command: ({command})"));
}

/// Download, pre-build hook, install, flip, post-deploy hook; the error of the hook that failed,
/// if one did (the rest of the deployment then does not run).
fn app_deploy(p: &mut Plan, tier: Tier, version: &str, outcome: Outcome) -> Option<String> {
    stage(p, version);
    p.engine(
        0.12,
        "INFO",
        "Executing instruction: RunAppDeployPreBuildHooks",
    );
    p.engine(
        0.12,
        "INFO",
        "Executing platform hooks in .platform/hooks/prebuild/",
    );
    p.engine(
        0.12,
        "INFO",
        "Following platform hooks will be executed in order: [01_npmrc.sh]",
    );
    p.engine(
        0.12,
        "INFO",
        format!("Running platform hook: {PREBUILD_HOOK}"),
    );
    p.hook(0.12, "INFO", format!("Running command {PREBUILD_HOOK}"));
    if outcome == Outcome::PrebuildHookFails {
        p.hook(
            0.13,
            "INFO",
            "writing /var/app/staging/.npmrc for @storefront scope",
        );
        p.hook(0.13, "ERROR", NO_TOKEN);
        return Some(format!(
            "An error occurred during execution of command [app-deploy] - [RunAppDeployPreBuildHooks]. Stop running the command. Error: Command {PREBUILD_HOOK} failed with error exit status 1. Stderr:{NO_TOKEN}"
        ));
    }
    p.hook(
        0.13,
        "INFO",
        "wrote /var/app/staging/.npmrc for @storefront scope",
    );
    if outcome == Outcome::InstallFails {
        return Some(install_fails(p));
    }
    npm_install(p, version);
    flip(p, tier);
    postdeploy(p, outcome)
}

/// The source bundle is downloaded from the storage bucket and extracted to staging.
fn stage(p: &mut Plan, version: &str) {
    p.engine(0.05, "INFO", "Downloading EB Application...");
    p.engine(
        0.05,
        "INFO",
        format!(
            "Region and Bucket info from EB metadata: {REGION}, elasticbeanstalk-{REGION}-{ACCOUNT}"
        ),
    );
    p.engine(
        0.06,
        "INFO",
        format!("application version label is {version}"),
    );
    p.engine(0.08, "INFO", "Download app version file succeeded");
    p.engine(0.09, "INFO", "Executing instruction: StageApplication");
    p.engine(
        0.10,
        "INFO",
        "extracting /opt/elasticbeanstalk/deployment/app_source_bundle to /var/app/staging/",
    );
}

/// `npm install` gives up on a dependency the build asks for; its error.
fn install_fails(p: &mut Plan) -> String {
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
    p.engine(0.15, "INFO", "use npm to install dependencies");
    p.engine(
        0.16,
        "INFO",
        "Running command /bin/sh -c npm --omit=dev install",
    );
    p.engine(0.40, "ERROR", "npm ERR! code ETARGET");
    p.engine(0.40, "ERROR", NO_MATCH);
    p.engine(
        0.40,
        "ERROR",
        "npm ERR! notarget In most cases you or one of your dependencies are requesting",
    );
    p.engine(
        0.40,
        "ERROR",
        "npm ERR! notarget a package version that doesn't exist.",
    );
    format!(
        "An error occurred during execution of command [app-deploy] - [Use NPM to install dependencies]. Stop running the command. Error: Command /bin/sh -c npm --omit=dev install failed with error exit status 1. Stderr:npm ERR! code ETARGET {NO_MATCH}"
    )
}

/// npm installs the dependencies of `package.json`.
fn npm_install(p: &mut Plan, version: &str) {
    let packages = 300 + mix(hash_str(version), 7) % 250;
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
    p.engine(0.15, "INFO", "use npm to install dependencies");
    p.engine(
        0.16,
        "INFO",
        "Running command /bin/sh -c npm --omit=dev install",
    );
    p.engine(
        0.55,
        "INFO",
        format!(
            "added {packages} packages, and audited {} packages in 14s",
            packages + 1
        ),
    );
    p.engine(0.56, "INFO", "found 0 vulnerabilities");
}

/// The proxy and daemons reconfigured, and the new version made current.
fn flip(p: &mut Plan, tier: Tier) {
    p.engine(0.60, "INFO", "Executing instruction: check Procfile");
    p.engine(0.61, "INFO", "Executing instruction: configure X-Ray");
    p.engine(0.61, "INFO", "X-Ray is not enabled.");
    if tier == Tier::Web {
        p.engine(
            0.62,
            "INFO",
            "Executing instruction: configure proxy server",
        );
        p.engine(
            0.63,
            "INFO",
            "Executing instruction: configure healthd specific proxy conf",
        );
    }
    p.engine(
        0.65,
        "INFO",
        "Executing instruction: configure log streaming",
    );
    p.engine(
        0.67,
        "INFO",
        "Executing instruction: RunAppDeployPreDeployHooks",
    );
    p.engine(0.68, "INFO", "Executing instruction: stop X-Ray");
    if tier == Tier::Web {
        p.engine(0.69, "INFO", "Executing instruction: stop proxy");
    }
    p.engine(0.70, "INFO", "Executing instruction: FlipApplication");
    p.engine(0.71, "INFO", "Fetching environment variables...");
    p.engine(0.72, "INFO", "Executing instruction: start X-Ray");
    if tier == Tier::Web {
        p.engine(
            0.73,
            "INFO",
            "Executing instruction: start proxy with new configuration",
        );
    } else {
        p.engine(0.73, "INFO", "Executing instruction: configureSqsd");
        p.engine(0.74, "INFO", "Executing instruction: startSqsd");
    }
    p.engine(0.76, "INFO", "Executing instruction: Track pids in healthd");
}

/// The post-deploy smoke test; its error if the application does not answer.
fn postdeploy(p: &mut Plan, outcome: Outcome) -> Option<String> {
    p.engine(
        0.80,
        "INFO",
        "Executing instruction: RunAppDeployPostDeployHooks",
    );
    p.engine(
        0.80,
        "INFO",
        "Executing platform hooks in .platform/hooks/postdeploy/",
    );
    p.engine(
        0.80,
        "INFO",
        "Following platform hooks will be executed in order: [01_smoke_test.sh]",
    );
    p.engine(
        0.81,
        "INFO",
        format!("Running platform hook: {POSTDEPLOY_HOOK}"),
    );
    p.hook(0.81, "INFO", format!("Running command {POSTDEPLOY_HOOK}"));
    if outcome != Outcome::PostDeployHookFails {
        p.hook(
            0.84,
            "INFO",
            "smoke test: GET http://127.0.0.1:8080/healthz -> 200 (attempt 1/3)",
        );
        return None;
    }
    for (n, f) in [(1, 0.83), (2, 0.86), (3, 0.89)] {
        p.hook(
            f,
            "INFO",
            format!("smoke test: GET http://127.0.0.1:8080/healthz (attempt {n}/3)"),
        );
        p.hook(f, "ERROR", CURL_REFUSED);
    }
    p.hook(0.90, "ERROR", "smoke test failed after 3 attempts");
    Some(format!(
        "An error occurred during execution of command [app-deploy] - [RunAppDeployPostDeployHooks]. Stop running the command. Error: Command {POSTDEPLOY_HOOK} failed with error exit status 7. Stderr:{CURL_REFUSED}"
    ))
}

/// RestartAppServer: the application server restarts, nothing is deployed.
fn restart(p: &mut Plan) {
    p.engine(0.10, "INFO", "Executing instruction: RestartAppServer");
    p.engine(
        0.15,
        "INFO",
        "Running command /bin/sh -c systemctl restart web.service",
    );
    p.engine(0.80, "INFO", "Executing instruction: Track pids in healthd");
}

/// The engine's verdict and its CommandService response (which carries the event Elastic
/// Beanstalk shows), at the end of the duration.
fn result(p: &mut Plan, failed: Option<String>, deployed: bool, end_ms: Millis, command: &str) {
    match failed {
        Some(why) => {
            p.engine(0.92, "ERROR", why);
            p.engine(0.93, "INFO", "Executing cleanup logic");
            p.engine(0.94, "INFO", format!(
                    "CommandService Response: {{\"status\":\"FAILURE\",\"api_version\":\"1.0\",\"results\":[{{\"status\":\"FAILURE\",\"msg\":\"Engine execution has encountered an error.\",\"returncode\":1,\"events\":[{{\"msg\":\"Instance deployment failed. For details, see 'eb-engine.log'.\",\"timestamp\":{end_ms},\"severity\":\"ERROR\"}}]}}]}}"
                ),
            );
        }
        None => {
            p.engine(0.95, "INFO", "Executing cleanup logic");
            let msg = if deployed {
                "Instance deployment completed successfully."
            } else {
                "Restarted the application server."
            };
            p.engine(0.96, "INFO", format!(
                    "CommandService Response: {{\"status\":\"SUCCESS\",\"api_version\":\"1.0\",\"results\":[{{\"status\":\"SUCCESS\",\"msg\":\"Engine execution has succeeded.\",\"returncode\":0,\"events\":[{{\"msg\":\"{msg}\",\"timestamp\":{end_ms},\"severity\":\"INFO\"}}]}}]}}"
                ),
            );
        }
    }
    p.engine(
        1.0,
        "INFO",
        format!("Platform Engine finished execution on command: {command}"),
    );
}

/// Timestamps for the planned lines: offsets within the duration, with sub-millisecond digits.
fn stamp(p: Plan, instance: &str, at: Millis, duration: Millis) -> Vec<(Millis, LogFile, String)> {
    // Microseconds vary per line like the real engine's, from a pure stream so reruns agree.
    // Lines planned for the same millisecond keep their order in the sub-millisecond digits.
    let mut jitter = stream(mix(hash_str(instance), at as u64));
    let mut last = (Millis::MIN, 0i64);
    p.0.into_iter()
        .map(|(f, file, level, text)| {
            let offset = ((duration as f64) * f).round() as Millis;
            let micros = if offset == last.0 {
                (last.1 + 1 + jitter.below(40) as i64).min(999)
            } else {
                jitter.below(600) as i64
            };
            last = (offset, micros);
            let stamp = engine_time(at + offset, micros);
            (offset, file, format!("{stamp} [{level}] {text}"))
        })
        .collect()
}
