//! The simulated account moving through time.
//!
//! Everything that happens is a `Step` scheduled at a time. `advance_to` applies every step whose
//! time has come, oldest first (ties in scheduling order), interleaved with the 10 s health
//! evaluations Elastic Beanstalk performs, so the state at a time depends only on the clock and
//! never on how often it was read.

use crate::domain::{
    DeployRecord, EnvEvent, EnvStatus, Millis, OptionSetting, Severity, StackEvent,
};

use super::engine::{self, EngineScript};
use super::model::{App, DeployMark, Env, HEALTH_PERIOD, Instance, MIN, Phase, Version, align_up};
use super::rng::{Rng, mix, stream};
use super::scenario::Scenario;
use super::storage::Bucket;
use super::timefmt::iso_millis;
use super::{config, health, ops, scenario};

/// How long after a change health keeps being evaluated: longer than the 60 s window the
/// environment status is computed over, so a recovery always reaches its final state.
const DIRTY_SPAN: Millis = 2 * MIN;

/// Internal commands a scheduled step can start (history, scenarios).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Command {
    /// A deployment the history or a scenario insists on: retried until the environment is
    /// Ready.
    Deploy {
        version: String,
    },
    Create {
        fail: bool,
    },
    /// A deployment a CI pipeline or a colleague starts: refused, and so skipped, when the
    /// environment is busy (as Elastic Beanstalk refuses it).
    DeployOnce {
        version: String,
    },
    /// A change of configuration settings, ending as `end` says (skipped when busy).
    Configure {
        end: ConfigEnd,
    },
    /// RestartAppServer (skipped when busy).
    Restart,
    /// Someone aborts the deployment of `version` in progress (nothing if it is not running).
    Abort {
        version: String,
    },
}

/// How a configuration change ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConfigEnd {
    /// The instances take the new settings.
    Applied,
    /// The stack update fails and Elastic Beanstalk restores the previous settings.
    Reverted,
    /// An instance does not answer within the command timeout: complete, but with errors.
    TimedOut,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    Event {
        severity: Severity,
        message: String,
        version: Option<String>,
        request_id: Option<String>,
    },
    Stack {
        stack: String,
        logical_id: String,
        resource_type: String,
        status: String,
        reason: Option<String>,
    },
    Launch {
        id: String,
        az: &'static str,
        ip: String,
    },
    Phase {
        instance: String,
        phase: Phase,
    },
    InstanceDeploy {
        instance: String,
        mark: DeployMark,
    },
    /// Deployment engine and hook output for one instance, spread over `duration`.
    Engine {
        instance: String,
        script: EngineScript,
        duration: Millis,
    },
    Status(EnvStatus),
    Abortable(bool),
    Version(Option<String>),
    RecordDeploy(String),
    UpdateFinished {
        started: Millis,
    },
    LaunchFinished,
    SwapCname {
        other: usize,
    },
    /// A configuration update deployed these settings: they are the environment's now.
    Settings(Vec<OptionSetting>),
    OpDone,
    Terminated,
    Command(Command),
    ScenarioTick,
}

#[derive(Debug, Clone)]
struct Scheduled {
    at: Millis,
    seq: u64,
    env: usize,
    token: Option<u64>,
    step: Step,
}

/// Steps of one operation being written, with a cursor in time.
#[derive(Debug, Clone)]
pub(crate) struct Script {
    pub t: Millis,
    pub request_id: Option<String>,
    pub version: Option<String>,
    steps: Vec<(Millis, Step)>,
}

impl Script {
    pub(crate) fn new(t: Millis, request_id: Option<String>, version: Option<String>) -> Script {
        Script {
            t,
            request_id,
            version,
            steps: Vec::new(),
        }
    }

    pub(crate) fn wait(&mut self, ms: Millis) {
        self.t += ms.max(0);
    }

    pub(crate) fn push(&mut self, step: Step) {
        self.steps.push((self.t, step));
    }

    pub(crate) fn event(&mut self, severity: Severity, message: impl Into<String>) {
        let step = Step::Event {
            severity,
            message: message.into(),
            version: self.version.clone(),
            request_id: self.request_id.clone(),
        };
        self.push(step);
    }

    pub(crate) fn info(&mut self, message: impl Into<String>) {
        self.event(Severity::Info, message);
    }

    pub(crate) fn warn(&mut self, message: impl Into<String>) {
        self.event(Severity::Warn, message);
    }

    pub(crate) fn error(&mut self, message: impl Into<String>) {
        self.event(Severity::Error, message);
    }

    pub(crate) fn stack(
        &mut self,
        stack: &str,
        logical_id: &str,
        rtype: &str,
        status: &str,
        reason: Option<&str>,
    ) {
        self.push(Step::Stack {
            stack: stack.to_string(),
            logical_id: logical_id.to_string(),
            resource_type: rtype.to_string(),
            status: status.to_string(),
            reason: reason.map(str::to_string),
        });
    }
}

pub(crate) struct World {
    pub seed: u64,
    pub rng: Rng,
    pub scenario: Scenario,
    pub start: Millis,
    pub now: Millis,
    pub apps: Vec<App>,
    pub envs: Vec<Env>,
    /// The account's storage bucket: uploaded source bundles.
    pub bucket: Bucket,
    queue: Vec<Scheduled>,
    next_seq: u64,
    next_token: u64,
    next_health: Millis,
}

impl World {
    pub(crate) fn empty(scenario: Scenario, seed: u64, start: Millis, origin: Millis) -> World {
        World {
            seed,
            rng: Rng::new(seed),
            scenario,
            start,
            now: origin,
            apps: Vec::new(),
            envs: Vec::new(),
            bucket: Bucket::default(),
            queue: Vec::new(),
            next_seq: 0,
            next_token: 1,
            next_health: align_up(origin),
        }
    }

    pub(crate) fn token(&mut self) -> u64 {
        self.next_token += 1;
        self.next_token
    }

    pub(crate) fn env_index(&self, name: &str) -> Option<usize> {
        self.envs.iter().position(|e| e.name == name)
    }

    pub(crate) fn app(&self, name: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.name == name)
    }

    pub(crate) fn version(&self, app: &str, label: &str) -> Option<&Version> {
        self.app(app)?
            .versions
            .iter()
            .find(|v| v.label == label && v.created <= self.now)
    }

    /// Schedule a script's steps for an environment, tagged with an operation token.
    pub(crate) fn schedule(&mut self, env: usize, token: Option<u64>, script: Script) {
        for (at, step) in script.steps {
            self.schedule_step(at, env, token, step);
        }
    }

    pub(crate) fn schedule_step(&mut self, at: Millis, env: usize, token: Option<u64>, step: Step) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let idx = self.queue.partition_point(|s| (s.at, s.seq) <= (at, seq));
        self.queue.insert(
            idx,
            Scheduled {
                at,
                seq,
                env,
                token,
                step,
            },
        );
    }

    /// Drop what is left of an operation (abort).
    pub(crate) fn cancel(&mut self, token: u64) {
        self.queue.retain(|s| s.token != Some(token));
    }

    /// Bring the world up to `t`: every step due, in order, and the health evaluations between.
    pub(crate) fn advance_to(&mut self, t: Millis) {
        loop {
            let next_step = self.queue.first().map(|s| s.at).filter(|at| *at <= t);
            let health_due = self.next_health <= t && self.any_dirty(self.next_health);
            match (next_step, health_due) {
                (Some(at), true) if at <= self.next_health => self.apply_next(),
                (_, true) => {
                    let at = self.next_health;
                    self.now = self.now.max(at);
                    self.evaluate_health(at);
                    self.next_health += HEALTH_PERIOD;
                }
                (Some(_), false) => self.apply_next(),
                (None, false) => break,
            }
        }
        self.now = self.now.max(t);
        // Nothing to evaluate in between: skip ahead rather than replaying quiet periods.
        if self.next_health <= self.now {
            self.next_health = align_up(self.now + 1);
        }
    }

    fn any_dirty(&self, at: Millis) -> bool {
        self.envs.iter().any(|e| {
            e.terminated.is_none() && e.created <= at && (e.op.is_some() || e.dirty_until >= at)
        })
    }

    fn apply_next(&mut self) {
        let item = self.queue.remove(0);
        self.now = self.now.max(item.at);
        if self.next_health < item.at {
            self.next_health = align_up(item.at);
        }
        self.apply(item.at, item.env, item.step);
    }

    fn evaluate_health(&mut self, at: Millis) {
        for idx in 0..self.envs.len() {
            let env = &self.envs[idx];
            // A terminating environment has no health to speak of; its last status stays.
            let terminating = matches!(env.status, EnvStatus::Terminating | EnvStatus::Terminated);
            if terminating || env.created > at || (env.op.is_none() && env.dirty_until < at) {
                continue;
            }
            let (status, causes) = health::env_status(env, at);
            if status != env.health {
                let worse = health::rank(&status) >= 1;
                let mut message = format!(
                    "Environment health has transitioned from {} to {}.",
                    env.health.as_str(),
                    status.as_str()
                );
                for cause in &causes {
                    message.push(' ');
                    message.push_str(cause);
                }
                let severity = if worse {
                    Severity::Warn
                } else {
                    Severity::Info
                };
                let env = &mut self.envs[idx];
                env.health = status;
                push_event(env, at, severity, message, None, None);
            }
        }
    }

    /// Apply one step: commands and scenario ticks go to their handlers (which schedule more
    /// steps), everything else changes the environment's data.
    fn apply(&mut self, at: Millis, idx: usize, step: Step) {
        match step {
            Step::Command(cmd) => ops::run_command(self, idx, at, cmd),
            Step::ScenarioTick => scenario::on_tick(self, idx, at),
            Step::SwapCname { other } => {
                let a = self.envs[idx].cname.take();
                let b = self.envs[other].cname.take();
                self.envs[idx].cname = b;
                self.envs[other].cname = a;
            }
            step => apply_to_env(self.seed, &mut self.envs[idx], at, step),
        }
    }
}

/// A step that changes one environment's data; it keeps health being evaluated for a while.
fn apply_to_env(seed: u64, env: &mut Env, at: Millis, step: Step) {
    env.dirty_until = env.dirty_until.max(at + DIRTY_SPAN);
    match step {
        Step::Event {
            severity,
            message,
            version,
            request_id,
        } => push_event(env, at, severity, message, version, request_id),
        Step::Stack {
            stack,
            logical_id,
            resource_type,
            status,
            reason,
        } => {
            let id = stack_event_id(seed, env, at, &stack, &logical_id, &status);
            env.stack_events.push(StackEvent {
                id,
                ts: at,
                stack,
                logical_id,
                resource_type,
                status,
                reason,
            });
        }
        Step::Launch { id, az, ip } => {
            let itype = env.itype;
            env.instances.push(Instance {
                id,
                az,
                itype,
                ip,
                launched: at,
                phases: vec![(at, Phase::Pending)],
                deployment: None,
            });
        }
        Step::Phase { instance, phase } => {
            if let Some(i) = env.instance_mut(&instance) {
                i.set_phase(at, phase);
            }
        }
        Step::InstanceDeploy { instance, mark } => {
            if let Some(i) = env.instance_mut(&instance) {
                i.deployment = Some(mark);
            }
        }
        Step::Engine {
            instance,
            script,
            duration,
        } => {
            for (offset, file, text) in engine::lines(&script, env, &instance, at, duration) {
                env.add_file_line(at + offset, file, &instance, text);
            }
        }
        other => apply_status(env, at, other),
    }
}

/// Steps that change the environment's status, version or operation bookkeeping.
fn apply_status(env: &mut Env, at: Millis, step: Step) {
    match step {
        Step::Status(status) => {
            env.status = status;
            env.updated = at;
        }
        Step::Abortable(flag) => {
            if let Some(op) = env.op.as_mut() {
                op.abortable = flag;
            }
        }
        Step::Version(version) => {
            env.version = version;
            env.updated = at;
        }
        Step::RecordDeploy(version) => env.deploys.push(DeployRecord { version, ts: at }),
        Step::UpdateFinished { started } => env.last_update = Some((started, at)),
        Step::LaunchFinished => {
            if let Some((started, _)) = env.launch {
                env.launch = Some((started, Some(at)));
            }
        }
        Step::Settings(settings) => config::apply(env, at, settings),
        Step::OpDone => env.op = None,
        Step::Terminated => {
            env.terminated = Some(at);
            env.status = EnvStatus::Terminated;
            env.updated = at;
            env.op = None;
        }
        // Listed rather than `_`, so a new kind of step cannot be silently dropped.
        Step::Event { .. }
        | Step::Stack { .. }
        | Step::Launch { .. }
        | Step::Phase { .. }
        | Step::InstanceDeploy { .. }
        | Step::Engine { .. }
        | Step::Command(_)
        | Step::ScenarioTick
        | Step::SwapCname { .. } => {}
    }
}

/// CloudFormation's event id: a UUID for the stack's own events, `logical-status-time` for its
/// resources'.
fn stack_event_id(
    seed: u64,
    env: &Env,
    at: Millis,
    stack: &str,
    logical_id: &str,
    status: &str,
) -> String {
    if logical_id == stack {
        stream(mix(seed, (at as u64) ^ env.stack_events.len() as u64)).uuid()
    } else {
        format!("{logical_id}-{status}-{}", iso_millis(at))
    }
}

pub(crate) fn push_event(
    env: &mut Env,
    at: Millis,
    severity: Severity,
    message: String,
    version: Option<String>,
    request_id: Option<String>,
) {
    env.events.push(EnvEvent {
        ts: at,
        env: env.name.clone(),
        severity,
        message,
        version,
        request_id,
    });
}
