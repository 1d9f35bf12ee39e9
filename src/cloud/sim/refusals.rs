//! Elastic Beanstalk's refusals that both the reads and the writes give, with AWS's texts. They
//! live apart from the operations so that the deployment and the other writes need not import
//! each other to check an environment's state.

use crate::cloud::{CloudError, CloudResult};
use crate::domain::EnvStatus;

use super::model::Env;

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
