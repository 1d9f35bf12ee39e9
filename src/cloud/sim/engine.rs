//! What the Elastic Beanstalk platform engine writes to `eb-engine.log` and `eb-hooks.log` while
//! it bootstraps an instance, deploys the application or restarts the app server.
//!
//! These lines are written once, when the step that starts the work runs, with timestamps spread
//! over the work's duration (an abort removes the ones that had not happened yet).

use crate::domain::{Millis, Tier};

use super::model::{ACCOUNT, Env, LogFile, REGION};
use super::rng::{hash_str, mix, stream};
use super::timefmt::engine_time;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok,
    /// The post-deploy smoke test cannot reach the application (it crash-loops).
    PostDeployHookFails,
    /// The pre-build hook cannot authenticate to the private npm registry.
    PrebuildHookFails,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum EngineScript {
    /// First boot of a new instance: platform bootstrap, then the application deploy.
    Bootstrap {
        version: String,
        outcome: Outcome,
    },
    AppDeploy {
        version: String,
        outcome: Outcome,
    },
    Restart,
}

impl EngineScript {
    /// How the script ends (a restart always succeeds).
    pub(crate) fn outcome(&self) -> Outcome {
        match self {
            EngineScript::Bootstrap { outcome, .. } | EngineScript::AppDeploy { outcome, .. } => {
                *outcome
            }
            EngineScript::Restart => Outcome::Ok,
        }
    }
}

const POSTDEPLOY_HOOK: &str = ".platform/hooks/postdeploy/01_smoke_test.sh";
const PREBUILD_HOOK: &str = ".platform/hooks/prebuild/01_npmrc.sh";
const CURL_REFUSED: &str =
    "curl: (7) Failed to connect to 127.0.0.1 port 8080 after 0 ms: Couldn't connect to server";
const NO_TOKEN: &str = "NPM_TOKEN is not set; cannot authenticate to npm.pkg.github.com";

/// The lines being planned: (fraction of the duration, file, level, text).
#[derive(Default)]
struct Plan(Vec<(f64, LogFile, &'static str, String)>);

impl Plan {
    fn e(&mut self, f: f64, level: &'static str, text: String) {
        self.0.push((f, LogFile::Engine, level, text));
    }
    fn h(&mut self, f: f64, level: &'static str, text: String) {
        self.0.push((f, LogFile::Hooks, level, text));
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
    let stack_arn = format!(
        "arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{}/{}",
        env.stack_name(),
        stream(hash_str(&env.id)).uuid()
    );
    p.e(0.0, "INFO", "Starting...".into());
    p.e(0.0, "INFO", "Starting EBPlatform-PlatformEngine".into());
    p.e(0.0, "INFO", "reading event message file".into());
    let (command, version, outcome) = match script {
        EngineScript::Restart => ("restart-app-server", None, Outcome::Ok),
        EngineScript::Bootstrap { version, outcome } => {
            ("app-deploy", Some(version.as_str()), *outcome)
        }
        EngineScript::AppDeploy { version, outcome } => {
            ("app-deploy", Some(version.as_str()), *outcome)
        }
    };
    if let EngineScript::Bootstrap { .. } = script {
        p.e(0.01, "INFO", "no eb envbundle found".into());
        p.e(
            0.01,
            "INFO",
            "Engine received EB command userdata-exec".into(),
        );
        p.e(0.01, "INFO", "Executing instruction: SyncClock".into());
        p.e(
            0.01,
            "INFO",
            "Running command /bin/sh -c chronyc tracking".into(),
        );
        p.e(
            0.02,
            "INFO",
            "Executing instruction: configureOSSettings".into(),
        );
        p.e(
            0.02,
            "INFO",
            "Executing instruction: configure log streaming".into(),
        );
        p.e(0.03, "INFO", "Executing instruction: start healthd".into());
    } else {
        p.e(
            0.01,
            "INFO",
            "Engine received EB command cfn-hup-exec".into(),
        );
    }
    p.e(
        0.035,
        "INFO",
        format!(
            "Running command: /opt/aws/bin/cfn-get-metadata -s {stack_arn} -r AWSEBAutoScalingGroup --region {REGION} --key AWS::ElasticBeanstalk::Ext"
        ),
    );
    p.e(
        0.04,
        "INFO",
        format!("checking whether command {command} is applicable to this instance..."),
    );
    p.e(
        0.04,
        "INFO",
        "this command is applicable to the instance, thus instance should execute command".into(),
    );
    p.e(0.04, "INFO", format!("Engine command: ({command})"));

    let mut failed: Option<String> = None;
    if let Some(version) = version {
        let packages = 300 + mix(hash_str(version), 7) % 250;
        p.e(0.05, "INFO", "Downloading EB Application...".into());
        p.e(0.05, "INFO", format!("Region and Bucket info from EB metadata: {REGION}, elasticbeanstalk-{REGION}-{ACCOUNT}"));
        p.e(
            0.06,
            "INFO",
            format!("application version label is {version}"),
        );
        p.e(0.08, "INFO", "Download app version file succeeded".into());
        p.e(
            0.09,
            "INFO",
            "Executing instruction: StageApplication".into(),
        );
        p.e(
            0.10,
            "INFO",
            "extracting /opt/elasticbeanstalk/deployment/app_source_bundle to /var/app/staging/"
                .into(),
        );
        p.e(
            0.12,
            "INFO",
            "Executing instruction: RunAppDeployPreBuildHooks".into(),
        );
        p.e(
            0.12,
            "INFO",
            "Executing platform hooks in .platform/hooks/prebuild/".into(),
        );
        p.e(
            0.12,
            "INFO",
            "Following platform hooks will be executed in order: [01_npmrc.sh]".into(),
        );
        p.e(
            0.12,
            "INFO",
            format!("Running platform hook: {PREBUILD_HOOK}"),
        );
        p.h(0.12, "INFO", format!("Running command {PREBUILD_HOOK}"));
        if outcome == Outcome::PrebuildHookFails {
            p.h(
                0.13,
                "INFO",
                "writing /var/app/staging/.npmrc for @storefront scope".into(),
            );
            p.h(0.13, "ERROR", NO_TOKEN.into());
            let why = format!(
                "An error occurred during execution of command [app-deploy] - [RunAppDeployPreBuildHooks]. Stop running the command. Error: Command {PREBUILD_HOOK} failed with error exit status 1. Stderr:{NO_TOKEN}"
            );
            failed = Some(why);
        } else {
            p.h(
                0.13,
                "INFO",
                "wrote /var/app/staging/.npmrc for @storefront scope".into(),
            );
            p.e(
                0.14,
                "INFO",
                "Executing instruction: Install customer specified node.js version".into(),
            );
            p.e(
                0.15,
                "INFO",
                "Executing instruction: Use NPM to install dependencies".into(),
            );
            p.e(0.15, "INFO", "use npm to install dependencies".into());
            p.e(
                0.16,
                "INFO",
                "Running command /bin/sh -c npm --omit=dev install".into(),
            );
            p.e(
                0.55,
                "INFO",
                format!(
                    "added {packages} packages, and audited {} packages in 14s",
                    packages + 1
                ),
            );
            p.e(0.56, "INFO", "found 0 vulnerabilities".into());
            p.e(0.60, "INFO", "Executing instruction: check Procfile".into());
            p.e(
                0.61,
                "INFO",
                "Executing instruction: configure X-Ray".into(),
            );
            p.e(0.61, "INFO", "X-Ray is not enabled.".into());
            if env.tier == Tier::Web {
                p.e(
                    0.62,
                    "INFO",
                    "Executing instruction: configure proxy server".into(),
                );
                p.e(
                    0.63,
                    "INFO",
                    "Executing instruction: configure healthd specific proxy conf".into(),
                );
            }
            p.e(
                0.65,
                "INFO",
                "Executing instruction: configure log streaming".into(),
            );
            p.e(
                0.67,
                "INFO",
                "Executing instruction: RunAppDeployPreDeployHooks".into(),
            );
            p.e(0.68, "INFO", "Executing instruction: stop X-Ray".into());
            if env.tier == Tier::Web {
                p.e(0.69, "INFO", "Executing instruction: stop proxy".into());
            }
            p.e(
                0.70,
                "INFO",
                "Executing instruction: FlipApplication".into(),
            );
            p.e(0.71, "INFO", "Fetching environment variables...".into());
            p.e(0.72, "INFO", "Executing instruction: start X-Ray".into());
            if env.tier == Tier::Web {
                p.e(
                    0.73,
                    "INFO",
                    "Executing instruction: start proxy with new configuration".into(),
                );
            } else {
                p.e(0.73, "INFO", "Executing instruction: configureSqsd".into());
                p.e(0.74, "INFO", "Executing instruction: startSqsd".into());
            }
            p.e(
                0.76,
                "INFO",
                "Executing instruction: Track pids in healthd".into(),
            );
            p.e(
                0.80,
                "INFO",
                "Executing instruction: RunAppDeployPostDeployHooks".into(),
            );
            p.e(
                0.80,
                "INFO",
                "Executing platform hooks in .platform/hooks/postdeploy/".into(),
            );
            p.e(
                0.80,
                "INFO",
                "Following platform hooks will be executed in order: [01_smoke_test.sh]".into(),
            );
            p.e(
                0.81,
                "INFO",
                format!("Running platform hook: {POSTDEPLOY_HOOK}"),
            );
            p.h(0.81, "INFO", format!("Running command {POSTDEPLOY_HOOK}"));
            if outcome == Outcome::PostDeployHookFails {
                for (n, f) in [(1, 0.83), (2, 0.86), (3, 0.89)] {
                    p.h(
                        f,
                        "INFO",
                        format!("smoke test: GET http://127.0.0.1:8080/healthz (attempt {n}/3)"),
                    );
                    p.h(f, "ERROR", CURL_REFUSED.into());
                }
                p.h(0.90, "ERROR", "smoke test failed after 3 attempts".into());
                let why = format!(
                    "An error occurred during execution of command [app-deploy] - [RunAppDeployPostDeployHooks]. Stop running the command. Error: Command {POSTDEPLOY_HOOK} failed with error exit status 7. Stderr:{CURL_REFUSED}"
                );
                failed = Some(why);
            } else {
                p.h(
                    0.84,
                    "INFO",
                    "smoke test: GET http://127.0.0.1:8080/healthz -> 200 (attempt 1/3)".into(),
                );
            }
        }
    } else {
        p.e(
            0.10,
            "INFO",
            "Executing instruction: RestartAppServer".into(),
        );
        p.e(
            0.15,
            "INFO",
            "Running command /bin/sh -c systemctl restart web.service".into(),
        );
        p.e(
            0.80,
            "INFO",
            "Executing instruction: Track pids in healthd".into(),
        );
    }

    let end_ms = at + duration;
    match failed {
        Some(why) => {
            p.e(0.92, "ERROR", why);
            p.e(0.93, "INFO", "Executing cleanup logic".into());
            p.e(0.94, "INFO", format!(
                    "CommandService Response: {{\"status\":\"FAILURE\",\"api_version\":\"1.0\",\"results\":[{{\"status\":\"FAILURE\",\"msg\":\"Engine execution has encountered an error.\",\"returncode\":1,\"events\":[{{\"msg\":\"Instance deployment failed. For details, see 'eb-engine.log'.\",\"timestamp\":{end_ms},\"severity\":\"ERROR\"}}]}}]}}"
                ),
            );
        }
        None => {
            p.e(0.95, "INFO", "Executing cleanup logic".into());
            let msg = if version.is_some() {
                "Instance deployment completed successfully."
            } else {
                "Restarted the application server."
            };
            p.e(0.96, "INFO", format!(
                    "CommandService Response: {{\"status\":\"SUCCESS\",\"api_version\":\"1.0\",\"results\":[{{\"status\":\"SUCCESS\",\"msg\":\"Engine execution has succeeded.\",\"returncode\":0,\"events\":[{{\"msg\":\"{msg}\",\"timestamp\":{end_ms},\"severity\":\"INFO\"}}]}}]}}"
                ),
            );
        }
    }
    p.e(
        1.0,
        "INFO",
        format!("Platform Engine finished execution on command: {command}"),
    );

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
