//! Environment properties and secrets of an Elastic Beanstalk environment, as plain data: what
//! DescribeConfigurationSettings says they are, how many of the 4,096 bytes they use (`meter`),
//! what is wrong with them before anything is sent (`validate`), `.env` files (`dotenv`), the
//! escapes Elastic Beanstalk asks for (`escape`) and the one UpdateEnvironment that changes them
//! (`diff`).
//!
//! Pure: no I/O, no clock, no async (ARCHITECTURE.md, invariant 1). Values are secrets: no `Debug`
//! here prints one, and no problem or error message quotes one.
//!
//! A [`Property`]'s value is the value as Elastic Beanstalk stores it (what the API sends and
//! returns). `.env` files hold the value the application sees; [`escape`] converts between the two.

pub mod diff;
pub mod dotenv;
pub mod escape;
pub mod meter;
pub mod secrets;
pub mod validate;

pub use diff::{Changed, Diff, diff, to_update};
pub use meter::{LIMIT, Level, bytes, level};
pub use secrets::{ArnError, Secret, Source};
pub use validate::{Problem, Severity, proposals, validate};

use crate::domain::OptionSetting;

/// The namespace of plain environment properties.
pub const ENVIRONMENT: &str = "aws:elasticbeanstalk:application:environment";
/// The namespace of environment variables Elastic Beanstalk fetches from Secrets Manager or SSM
/// Parameter Store when an instance boots (platform versions released on or after 26 March 2025).
pub const ENVIRONMENT_SECRETS: &str = "aws:elasticbeanstalk:application:environmentsecrets";

/// One environment property. `value` is as Elastic Beanstalk stores it; it is a secret.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Property {
    pub key: String,
    pub value: String,
}

impl Property {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// Debug never shows the value, only its size.
impl std::fmt::Debug for Property {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}=<{} bytes>", self.key, self.value.len())
    }
}

/// The properties and secrets among an environment's option settings, in the order given. An
/// option without a value is a property with an empty value (Elastic Beanstalk's placeholders,
/// such as Tomcat's `JDBC_CONNECTION_STRING`). A secret whose value is not an ARN of a known shape
/// is kept as it is ([`Secret::source`] is `None` then), so nothing read is lost.
pub fn from_settings(settings: &[OptionSetting]) -> (Vec<Property>, Vec<Secret>) {
    let mut props = Vec::new();
    let mut secrets = Vec::new();
    for s in settings {
        let value = s.value.clone().unwrap_or_default();
        if s.namespace == ENVIRONMENT {
            props.push(Property::new(s.name.clone(), value));
        } else if s.namespace == ENVIRONMENT_SECRETS {
            secrets.push(Secret::from_value(s.name.clone(), &value));
        }
    }
    (props, secrets)
}

#[cfg(test)]
#[path = "mod_tests.rs"]
mod tests;
