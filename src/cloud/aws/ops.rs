//! The writes. Each maps to one Elastic Beanstalk call; the answer carries only a request id,
//! progress shows up in the environment's events. Refusals come back with AWS's words verbatim
//! (e.g. "Environment named x is in an invalid state for this operation. Must be Ready.").

use aws_types::request_id::RequestId;

use super::AwsCloud;
use crate::cloud::{CloudResult, Op, OpAccepted, RollbackVia};

fn accepted(output: &impl RequestId) -> OpAccepted {
    OpAccepted {
        request_id: output.request_id().map(str::to_string),
    }
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
            } => self
                .eb
                .update_environment()
                .environment_name(&env.name)
                .version_label(version)
                .send()
                .await
                .map(|o| accepted(&o))
                .map_err(|e| self.sdk_err(e)),
            Op::Rollback {
                env,
                via: RollbackVia::Abort,
                ..
            }
            | Op::Abort { env } => self
                .eb
                .abort_environment_update()
                .environment_name(&env.name)
                .send()
                .await
                .map(|o| accepted(&o))
                .map_err(|e| self.sdk_err(e)),
            Op::Rebuild { env } => self
                .eb
                .rebuild_environment()
                .environment_name(&env.name)
                .send()
                .await
                .map(|o| accepted(&o))
                .map_err(|e| self.sdk_err(e)),
            Op::RestartAppServer { env } => self
                .eb
                .restart_app_server()
                .environment_name(&env.name)
                .send()
                .await
                .map(|o| accepted(&o))
                .map_err(|e| self.sdk_err(e)),
            Op::SwapCnames { a, b } => self
                .eb
                .swap_environment_cnames()
                .source_environment_name(&a.name)
                .destination_environment_name(&b.name)
                .send()
                .await
                .map(|o| accepted(&o))
                .map_err(|e| self.sdk_err(e)),
        };
        match &result {
            Ok(ok) => tracing::info!(request_id = ?ok.request_id, "accepted"),
            Err(e) => tracing::warn!(error = ?e, "refused"),
        }
        result
    }
}
