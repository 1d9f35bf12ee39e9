//! The writes, and the only place an SDK call that changes anything in AWS is made (a source-tree
//! test holds this). Each operation maps to one Elastic Beanstalk call; the answer carries only a
//! request id, progress shows up in the environment's events. Refusals come back with AWS's words
//! verbatim (e.g. "Environment named x is in an invalid state for this operation. Must be Ready.").
//!
//! A write is sent once: the SDK's retry is switched off for it. An UpdateEnvironment that AWS
//! accepted but whose answer was lost would otherwise be sent again and refused ("must be
//! Ready"), and the refusal would hide a deployment under way. When the request may have reached
//! AWS but no answer came back, the result is `CloudError::AnswerLost` (see `error::classify_write`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use aws_config::retry::RetryConfig;
use aws_sdk_elasticbeanstalk::types::EnvironmentInfoType;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_types::request_id::RequestId;

use super::AwsCloud;
use super::error::classify_write;
use crate::cloud::{Cloud, CloudResult, Op, OpAccepted, RollbackVia};

fn accepted(output: &impl RequestId) -> OpAccepted {
    OpAccepted {
        request_id: output.request_id().map(str::to_string),
        uploaded: None,
    }
}

/// Notes that the request was handed to the connection: from then on, a failure may come after
/// AWS received it.
#[derive(Debug, Clone, Default)]
struct Transmitted(Arc<AtomicBool>);

impl Transmitted {
    fn get(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl Intercept for Transmitted {
    fn name(&self) -> &'static str {
        "ebtui-write-transmitted"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.store(true, Ordering::SeqCst);
        Ok(())
    }
}

/// The per-operation config of a write: no SDK retry, and the transmission noted.
fn send_once(transmitted: &Transmitted) -> aws_sdk_elasticbeanstalk::config::Builder {
    aws_sdk_elasticbeanstalk::config::Builder::default()
        .retry_config(RetryConfig::disabled())
        .interceptor(transmitted.clone())
}

/// Send a write builder once and classify its result as a write.
macro_rules! send_write {
    ($self:ident, $builder:expr) => {{
        let transmitted = Transmitted::default();
        $builder
            .customize()
            .config_override(send_once(&transmitted))
            .send()
            .await
            .map(|o| accepted(&o))
            .map_err(|e| $self.refine(classify_write(e, transmitted.get())))
    }};
}

impl AwsCloud {
    pub(super) async fn run_op(&self, op: &Op) -> CloudResult<OpAccepted> {
        tracing::info!(?op, "executing");
        let result = match op {
            Op::Deploy { env, version }
            | Op::Rollback {
                env,
                via: RollbackVia::Deploy { version },
                ..
            } => send_write!(
                self,
                self.eb
                    .update_environment()
                    .environment_name(&env.name)
                    .version_label(version)
            ),
            Op::Rollback {
                env,
                via: RollbackVia::Abort,
                ..
            }
            | Op::Abort { env } => send_write!(
                self,
                self.eb
                    .abort_environment_update()
                    .environment_name(&env.name)
            ),
            Op::Rebuild { env } => send_write!(
                self,
                self.eb.rebuild_environment().environment_name(&env.name)
            ),
            Op::RestartAppServer { env } => send_write!(
                self,
                self.eb.restart_app_server().environment_name(&env.name)
            ),
            Op::SwapCnames { a, b } => send_write!(
                self,
                self.eb
                    .swap_environment_cnames()
                    .source_environment_name(&a.name)
                    .destination_environment_name(&b.name)
            ),
            Op::UploadBundle { upload, .. } => {
                let (progress, _) = tokio::sync::mpsc::channel(1);
                let (_keep, cancel) = tokio::sync::watch::channel(false);
                self.upload_bundle(upload, progress, cancel)
                    .await
                    .map(|u| OpAccepted {
                        request_id: None,
                        uploaded: Some(u),
                    })
            }
            Op::CreateVersion { .. } => Err(crate::cloud::CloudError::Unsupported(
                "creating a version is not built yet".into(),
            )),
            Op::RequestTailLogs { env } => {
                let request = self
                    .eb
                    .request_environment_info()
                    .info_type(EnvironmentInfoType::Tail);
                // By id when known: a name can be reused by a newer environment.
                let request = if env.id.is_empty() {
                    request.environment_name(&env.name)
                } else {
                    request.environment_id(&env.id)
                };
                send_write!(self, request)
            }
        };
        match &result {
            Ok(ok) => tracing::info!(request_id = ?ok.request_id, "accepted"),
            Err(e) => tracing::warn!(error = ?e, "not accepted"),
        }
        result
    }
}
