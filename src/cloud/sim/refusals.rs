//! Elastic Beanstalk's refusals that both the reads and the writes give, with AWS's texts. They
//! live apart from the operations so that the deployment and the other writes need not import
//! each other to check an environment's state.

use crate::cloud::{CloudError, CloudResult};
use crate::domain::{EnvStatus, Millis};

use super::model::{Env, PROCESSED, Version};

/// An environment that does not exist (or no longer does).
pub(crate) fn not_found(name: &str) -> CloudError {
    CloudError::NotFound(format!(
        "No Environment found for EnvironmentName = '{name}'."
    ))
}

/// Writes other than an abort need the environment Ready.
pub(crate) fn require_ready(env: &Env) -> CloudResult<()> {
    if env.status == EnvStatus::Ready {
        Ok(())
    } else {
        Err(CloudError::Other(format!(
            "Environment named {} is in an invalid state for this operation. Must be Ready.",
            env.name
        )))
    }
}

/// Only a processed version can be deployed: one still processing, or whose processing failed,
/// is refused. The closest plausible wording: Elastic Beanstalk's own text for this refusal was
/// not found in its documentation or in published reports.
pub(crate) fn require_processed(v: &Version, now: Millis) -> CloudResult<()> {
    match v.status_at(now) {
        PROCESSED => Ok(()),
        status => Err(CloudError::Other(format!(
            "Application version {} is {}; only a processed application version can be deployed.",
            v.label,
            status.to_ascii_lowercase()
        ))),
    }
}
