//! The headless deploy, step by step: checks that change nothing, the bundle, then the three
//! writes (upload, version, deploy) through `Writer`, then following the deploy to its outcome,
//! the health wait and the roll back when asked for.

use tokio::sync::{mpsc, watch};

use super::follow::{self, Followed};
use super::report::{Note, Report};
use super::{Exit, Plan};
use crate::app::ledger::{self, Outcome};
use crate::app::ship::label_problem;
use crate::bundle::{self, Bundle, BundleRequest};
use crate::cloud::{BundleUpload, Cloud, CloudError, Op, OpAccepted, RollbackVia, Uploaded};
use crate::domain::{EnvStatus, Environment, Millis};

/// The headless command's write gate: every write goes through `send`, which refuses in
/// read-only mode (the check at the start makes this unreachable; kept so no path can write).
struct Writer<'a> {
    cloud: &'a dyn Cloud,
    read_only: bool,
}

impl Writer<'_> {
    async fn send(&self, op: &Op) -> Result<OpAccepted, CloudError> {
        if self.read_only {
            return Err(CloudError::Other("read-only mode: refused".into()));
        }
        self.cloud.execute(op).await
    }

    async fn upload(
        &self,
        upload: &BundleUpload,
        progress: mpsc::Sender<crate::cloud::UploadProgress>,
        cancel: watch::Receiver<bool>,
    ) -> Result<Uploaded, CloudError> {
        if self.read_only {
            return Err(CloudError::Other("read-only mode: refused".into()));
        }
        self.cloud.upload_bundle(upload, progress, cancel).await
    }
}

/// Ctrl-C (SIGINT), from the start to the end: a listener holds the switch for the whole run, so
/// an interrupt is never lost between steps and never ignored (once a program listens for
/// SIGINT, the signal no longer ends it by itself).
fn interrupt_switch() -> (watch::Receiver<bool>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = watch::channel(false);
    // Ctrl-C, and SIGTERM: what a CI runner sends when a job is cancelled.
    let listener = tokio::spawn(async move {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        let interrupted = tokio::select! {
            r = tokio::signal::ctrl_c() => r.is_ok(),
            () = term => true,
        };
        if interrupted {
            let _ = tx.send(true);
            // Keep the switch on until the run is over.
            std::future::pending::<()>().await;
        }
    });
    (rx, listener)
}

/// Resolves once Ctrl-C was pressed; never when it cannot be listened for.
async fn interrupted(rx: &watch::Receiver<bool>) {
    let mut rx = rx.clone();
    if rx.wait_for(|i| *i).await.is_err() {
        std::future::pending::<()>().await;
    }
}

pub(super) async fn run(cloud: &dyn Cloud, plan: &Plan, report: &mut Report) -> Exit {
    let (int, listener) = interrupt_switch();
    let exit = run_until_interrupted(cloud, plan, report, &int).await;
    listener.abort();
    exit
}

async fn run_until_interrupted(
    cloud: &dyn Cloud,
    plan: &Plan,
    report: &mut Report,
    int: &watch::Receiver<bool>,
) -> Exit {
    if plan.read_only {
        report.note(Note::Problem(
            "read-only mode: deploy refused (--read-only, or read_only in the config)".into(),
        ));
        return Exit::Refused;
    }
    let env = match ready_env(cloud, &plan.env).await {
        Ok(e) => e,
        Err(why) => {
            report.note(Note::Problem(why));
            return Exit::Refused;
        }
    };
    let bundle = match make_bundle(plan, int).await {
        Ok(b) => b,
        Err(why) => {
            report.note(Note::Problem(why));
            return if *int.borrow() {
                Exit::Aborted
            } else {
                Exit::Refused
            };
        }
    };
    let label = plan.label.clone().unwrap_or_else(|| bundle.label.clone());
    tell_bundle(report, &bundle, &env, &label);
    let shipped = ship(cloud, plan, &env, &bundle, &label, report, int).await;
    if bundle.owned {
        // The zip was ours, and its work is done whatever happened.
        let _ = tokio::fs::remove_file(&bundle.zip).await;
    }
    let request_id = match shipped {
        Ok(rid) => rid,
        Err(exit) => return exit,
    };
    let timeout = match plan.timeout {
        Some(t) => t,
        None => default_timeout(cloud, &env, report).await,
    };
    let deadline = cloud.now() + timeout;
    let since = cloud.now() - follow::CLOCK_SLACK_MS;
    let mut told = follow::Told::default();
    // Ctrl-C from here on stops following, not the deploy: it goes on in AWS, its outcome untold.
    let stopped = || {
        Followed::Unknown(format!(
            "interrupted: ebtui stopped following; the deploy goes on in {} (its outcome is not known here)",
            env.env.name
        ))
    };
    let followed = tokio::select! {
        f = follow::operation(
            &mut told,
            cloud,
            &env,
            &request_id,
            since,
            deadline,
            plan,
            report,
        ) => f,
        () = interrupted(int) => stopped(),
    };
    // The health wait and the roll back stop too; a roll back sent goes on in AWS.
    let finished = tokio::select! {
        biased;
        e = finish(
            &mut told,
            cloud,
            plan,
            (&env, &label),
            followed,
            deadline,
            report,
        ) => Some(e),
        () = interrupted(int) => None,
    };
    finished.unwrap_or_else(|| {
        report.note(Note::Problem(format!(
            "interrupted: ebtui stopped waiting; what it started goes on in {}",
            env.env.name
        )));
        Exit::Unknown
    })
}

/// The environment's command timeout plus a margin; Elastic Beanstalk's default when it cannot
/// be read (said, so a CI log shows which).
async fn default_timeout(cloud: &dyn Cloud, env: &Environment, report: &mut Report) -> Millis {
    let secs = match cloud.option_settings(&env.env).await {
        Ok(settings) => crate::domain::command_timeout(&settings),
        Err(e) => {
            report.note(Note::Problem(format!(
                "cannot read {}'s command timeout ({}): following for Elastic Beanstalk's default, {} s, plus {} s (--timeout sets it)",
                env.env.name,
                e.message(),
                super::DEFAULT_COMMAND_TIMEOUT_SECS,
                super::TIMEOUT_MARGIN_SECS
            )));
            None
        }
    };
    let secs = secs.unwrap_or(super::DEFAULT_COMMAND_TIMEOUT_SECS) + super::TIMEOUT_MARGIN_SECS;
    secs as Millis * 1000
}

/// The environment by name, alive and Ready: Elastic Beanstalk deploys only to a Ready one.
async fn ready_env(cloud: &dyn Cloud, name: &str) -> Result<Environment, String> {
    let envs = cloud
        .environments()
        .await
        .map_err(|e| format!("cannot list the environments: {}", e.message()))?;
    let env = envs
        .into_iter()
        .filter(|e| e.env.name == name && e.status != EnvStatus::Terminated)
        .max_by_key(|e| e.created)
        .ok_or_else(|| {
            format!("no environment named {name} in this account and region (check --profile and --region)")
        })?;
    if env.status != EnvStatus::Ready {
        return Err(format!(
            "{name} is {}: Elastic Beanstalk deploys only to a Ready environment; wait for it to finish",
            env.status.as_str()
        ));
    }
    Ok(env)
}

/// The bundle; Ctrl-C while it is being made stops the command, and the zip, once written, is
/// removed by the thread that wrote it (the process waits for that thread before it exits).
async fn make_bundle(plan: &Plan, int: &watch::Receiver<bool>) -> Result<Bundle, String> {
    let request = BundleRequest {
        path: plan.path.clone(),
        out_dir: plan.out_dir.clone(),
        now: plan.now_local,
    };
    let gone = int.clone();
    let made = tokio::task::spawn_blocking(move || {
        let made = bundle::build(&request).map_err(|e| e.to_string());
        if *gone.borrow()
            && let Ok(b) = &made
            && b.owned
        {
            let _ = std::fs::remove_file(&b.zip);
        }
        made
    });
    tokio::select! {
        biased;
        r = made => match r {
            Ok(Ok(b)) if *int.borrow() => {
                if b.owned {
                    let _ = tokio::fs::remove_file(&b.zip).await;
                }
                Err(INTERRUPTED_BEFORE.into())
            }
            Ok(r) => r,
            Err(e) => Err(format!("bundling stopped: {e}")),
        },
        () = interrupted(int) => Err(INTERRUPTED_BEFORE.into()),
    }
}

const INTERRUPTED_BEFORE: &str = "interrupted before anything was sent: nothing was changed";

fn tell_bundle(report: &mut Report, b: &Bundle, env: &Environment, label: &str) {
    let mut warnings: Vec<String> = b.warnings.iter().map(|w| w.to_string()).collect();
    warnings.extend(
        b.platform_warnings(&env.platform)
            .iter()
            .map(|w| w.to_string()),
    );
    if let Some(g) = b.git.as_ref().filter(|g| g.uncommitted > 0)
        && b.rules == crate::bundle::Rules::GitHead
    {
        warnings.push(format!(
            "{} uncommitted change(s) are not included (commit them, or add an .ebignore)",
            g.uncommitted
        ));
    }
    report.note(Note::Bundle {
        source: b.source.display().to_string(),
        rules: b.rules.describe().to_string(),
        files: b.entries.len(),
        bytes: b.content_bytes,
        zip_bytes: b.zip_bytes,
        label: label.to_string(),
        warnings,
    });
}

/// The three writes; the deploy's request id, or the exit code of the step that stopped.
async fn ship(
    cloud: &dyn Cloud,
    plan: &Plan,
    env: &Environment,
    bundle: &Bundle,
    label: &str,
    report: &mut Report,
    int: &watch::Receiver<bool>,
) -> Result<String, Exit> {
    let existing = cloud
        .versions(&env.env.app)
        .await
        .map(|v| v.into_iter().map(|v| v.label).collect::<Vec<_>>())
        .map_err(|e| {
            report.note(Note::Problem(format!(
                "cannot read the application's versions to check the label: {}",
                e.message()
            )));
            Exit::Refused
        })?;
    if let Some(p) = label_problem(label, Some(&existing)) {
        report.note(Note::Problem(format!("{p} (--label)")));
        return Err(Exit::Refused);
    }
    let writer = Writer {
        cloud,
        read_only: plan.read_only,
    };
    let upload = BundleUpload {
        app: env.env.app.clone(),
        label: label.to_string(),
        file: bundle.zip.clone(),
        size: bundle.zip_bytes,
    };
    let uploaded = upload_with_progress(&writer, &upload, report, int).await?;
    let create = Op::CreateVersion {
        env: env.env.clone(),
        app: env.env.app.clone(),
        label: label.to_string(),
        source: uploaded.location,
        description: format!("ebtui deploy: {}", bundle.rules.describe()),
    };
    // Processing takes minutes: Ctrl-C stops waiting for it, and nothing is deployed.
    let created = tokio::select! {
        r = writer.send(&create) => r,
        () = interrupted(int) => {
            report.note(Note::Problem(format!(
                "interrupted while version {label} was being created: nothing was deployed (the version may be there; its bundle is)"
            )));
            return Err(Exit::Aborted);
        }
    };
    if *int.borrow() {
        report.note(Note::Problem(format!(
            "interrupted: version {label} was created, nothing was deployed"
        )));
        return Err(Exit::Aborted);
    }
    match created {
        Ok(_) => report.note(Note::Version {
            label: label.to_string(),
        }),
        Err(e) => {
            let exit = write_failed(&e, Exit::Failed);
            report.note(Note::Problem(format!(
                "version {label} was not created: {}",
                e.message()
            )));
            return Err(exit);
        }
    }
    let deploy = Op::Deploy {
        env: env.env.clone(),
        version: label.to_string(),
    };
    match writer.send(&deploy).await {
        Ok(OpAccepted {
            request_id: Some(rid),
            ..
        }) => {
            report.note(Note::Deploy {
                env: env.env.name.clone(),
                label: label.to_string(),
                request_id: Some(rid.clone()),
            });
            Ok(rid)
        }
        Ok(_) => {
            report.note(Note::Problem(
                "the deploy was accepted without a request id: its events cannot be told from others'; watch the environment".into(),
            ));
            Err(Exit::Unknown)
        }
        Err(e) => {
            report.note(Note::Problem(format!("deploy refused: {}", e.message())));
            Err(write_failed(&e, Exit::Refused))
        }
    }
}

/// A write that failed: refused (nothing changed), or lost (it may have happened: unknown).
fn write_failed(e: &CloudError, refused: Exit) -> Exit {
    match e {
        CloudError::AnswerLost(_) => Exit::Unknown,
        CloudError::Cancelled(_) => Exit::Aborted,
        _ => refused,
    }
}

/// The upload, its progress told as it goes; Ctrl-C cancels it (a multipart upload is aborted).
async fn upload_with_progress(
    writer: &Writer<'_>,
    upload: &BundleUpload,
    report: &mut Report,
    int: &watch::Receiver<bool>,
) -> Result<Uploaded, Exit> {
    let (ptx, mut prx) = mpsc::channel(16);
    // Ctrl-C is the upload's cancel switch.
    let upload_fut = writer.upload(upload, ptx, int.clone());
    tokio::pin!(upload_fut);
    let mut told = false;
    let result = loop {
        tokio::select! {
            r = &mut upload_fut => break r,
            Some(p) = prx.recv() => report.note(Note::Upload { sent: p.sent, total: p.total }),
            () = interrupted(int), if !told => {
                report.note(Note::Problem("interrupted: cancelling the upload".into()));
                told = true;
            }
        }
    };
    while let Ok(p) = prx.try_recv() {
        report.note(Note::Upload {
            sent: p.sent,
            total: p.total,
        });
    }
    match result {
        Ok(u) => {
            report.note(Note::Uploaded {
                bucket: u.location.bucket.clone(),
                key: u.location.key.clone(),
                existed: u.existed,
            });
            Ok(u)
        }
        Err(e) => {
            report.note(Note::Problem(format!("upload failed: {}", e.message())));
            Err(write_failed(&e, Exit::Refused))
        }
    }
}

/// The deploy ended (or not): the exit code, after the health wait or the roll back.
async fn finish(
    told: &mut follow::Told,
    cloud: &dyn Cloud,
    plan: &Plan,
    (env, label): (&Environment, &str),
    followed: Followed,
    deadline: Millis,
    report: &mut Report,
) -> Exit {
    let outcome = match followed {
        Followed::Ended(o) => o,
        Followed::TimedOut => return Exit::TimedOut,
        Followed::Unknown(why) => {
            report.note(Note::Problem(why));
            return Exit::Unknown;
        }
    };
    match outcome {
        Outcome::Succeeded if plan.wait_healthy => {
            follow::healthy(cloud, env, deadline, plan, report).await
        }
        Outcome::Succeeded => Exit::Succeeded,
        Outcome::Failed | Outcome::Aborted | Outcome::CompletedWithErrors
            if plan.rollback_on_failure =>
        {
            roll_back(told, cloud, plan, (env, label), deadline, report).await
        }
        Outcome::Failed => Exit::Failed,
        Outcome::Aborted => Exit::Aborted,
        Outcome::Reverted => Exit::Reverted,
        Outcome::CompletedWithErrors => Exit::CompletedWithErrors,
        Outcome::InProgress | Outcome::Unknown => Exit::Unknown,
    }
}

/// `--rollback-on-failure`: deploy the last good version (the ledger's rule, as `U` does) and
/// follow it. Reverted when it succeeds; Failed when it cannot be done or fails.
async fn roll_back(
    told: &mut follow::Told,
    cloud: &dyn Cloud,
    plan: &Plan,
    (env, label): (&Environment, &str),
    deadline: Millis,
    report: &mut Report,
) -> Exit {
    let (history, events) =
        tokio::join!(cloud.deploy_history(&env.env), cloud.events(&env.env, None));
    let (Ok(history), Ok(events)) = (history, events) else {
        report.note(Note::Problem(
            "cannot read the deployment history: no roll back was made".into(),
        ));
        return Exit::Failed;
    };
    // The failed deploy is the run to roll back from, whatever label the environment shows: a
    // failed rolling deploy leaves the old label on the environment and the new version on some
    // instances, and Elastic Beanstalk's advice is to deploy the good version again.
    let ops = ledger::operations(&events);
    let Some(target) = ledger::rollback::target(Some(label), &history, &ops) else {
        report.note(Note::Problem(
            "no earlier good version in the deployment history: no roll back was made".into(),
        ));
        return Exit::Failed;
    };
    report.note(Note::Rollback {
        to: target.version.clone(),
    });
    let writer = Writer {
        cloud,
        read_only: plan.read_only,
    };
    let op = Op::Rollback {
        env: env.env.clone(),
        from: Some(label.to_string()),
        via: RollbackVia::Deploy {
            version: target.version,
        },
    };
    let rid = match writer.send(&op).await {
        Ok(OpAccepted {
            request_id: Some(rid),
            ..
        }) => rid,
        Ok(_) => {
            report.note(Note::Problem(
                "the roll back was accepted without a request id: its outcome cannot be told; watch the environment".into(),
            ));
            return Exit::Unknown;
        }
        Err(e) => {
            report.note(Note::Problem(format!(
                "the roll back was not accepted: {}",
                e.message()
            )));
            return write_failed(&e, Exit::Failed);
        }
    };
    let since = cloud.now() - follow::CLOCK_SLACK_MS;
    match follow::operation(told, cloud, env, &rid, since, deadline, plan, report).await {
        Followed::Ended(Outcome::Succeeded) => Exit::Reverted,
        Followed::Ended(_) => Exit::Failed,
        Followed::TimedOut => Exit::TimedOut,
        Followed::Unknown(why) => {
            report.note(Note::Problem(why));
            Exit::Unknown
        }
    }
}
