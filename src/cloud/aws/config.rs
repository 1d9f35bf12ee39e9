//! An environment's configuration: its option settings (DescribeConfigurationSettings) and its
//! platform's lifecycle (DescribePlatformVersion). Values may be secrets (environment
//! properties): nothing here logs a setting or a response.

use aws_sdk_elasticbeanstalk::types::{
    ConfigurationDeploymentStatus, ConfigurationOptionSetting, ConfigurationSettingsDescription,
    OptionSpecification, PlatformDescription,
};

use super::{AwsCloud, convert};
use crate::cloud::{CloudError, CloudResult};
use crate::domain::{EnvConfig, EnvRef, OptionKey, OptionSetting, PlatformInfo};

/// The permission DescribePlatformVersion needs, named when it is denied.
pub(crate) const PLATFORM_PERMISSION: &str = "elasticbeanstalk:DescribePlatformVersion";

impl AwsCloud {
    /// DescribeConfigurationSettings of the environment: the description in force (during an
    /// update Elastic Beanstalk also answers a draft; the deployed one is taken when both come).
    async fn describe_settings(
        &self,
        env: &EnvRef,
    ) -> CloudResult<Option<ConfigurationSettingsDescription>> {
        let resp = self
            .eb
            .describe_configuration_settings()
            .application_name(&env.app)
            .environment_name(&env.name)
            .send()
            .await
            .map_err(|e| self.sdk_err(e))?;
        let all = resp.configuration_settings();
        let deployed = all
            .iter()
            .find(|c| c.deployment_status() == Some(&ConfigurationDeploymentStatus::Deployed));
        Ok(deployed.or(all.first()).cloned())
    }

    /// The environment's option settings.
    pub(super) async fn read_option_settings(
        &self,
        env: &EnvRef,
    ) -> CloudResult<Vec<OptionSetting>> {
        Ok(self
            .describe_settings(env)
            .await?
            .map(|c| settings(&c))
            .unwrap_or_default())
    }

    /// The settings, the platform, and the platform's lifecycle. A failed DescribePlatformVersion
    /// is kept in `platform_error` (the permission named when it was denied): the settings stand.
    pub(super) async fn read_config(&self, env: &EnvRef) -> CloudResult<EnvConfig> {
        let Some(desc) = self.describe_settings(env).await? else {
            return Ok(EnvConfig::default());
        };
        let platform_arn = desc
            .platform_arn()
            .filter(|a| !a.is_empty())
            .map(str::to_string);
        let (platform, platform_error) = match &platform_arn {
            None => (None, None),
            Some(arn) => match self.read_platform(arn).await {
                Ok(p) => (Some(p), None),
                Err(e) => {
                    tracing::debug!(env = %env.name, error = ?e, "platform not described");
                    (None, Some(platform_error(&e)))
                }
            },
        };
        Ok(EnvConfig {
            settings: settings(&desc),
            solution_stack: desc.solution_stack_name().map(str::to_string),
            platform_arn,
            platform,
            platform_error,
        })
    }

    /// DescribePlatformVersion of one platform ARN.
    async fn read_platform(&self, arn: &str) -> CloudResult<PlatformInfo> {
        let resp = self
            .eb
            .describe_platform_version()
            .platform_arn(arn)
            .send()
            .await
            .map_err(|e| self.sdk_err(e))?;
        resp.platform_description()
            .map(platform)
            .ok_or_else(|| CloudError::Other("DescribePlatformVersion answered no platform".into()))
    }
}

fn settings(desc: &ConfigurationSettingsDescription) -> Vec<OptionSetting> {
    desc.option_settings()
        .iter()
        .map(|o| OptionSetting {
            namespace: o.namespace().unwrap_or_default().to_string(),
            name: o.option_name().unwrap_or_default().to_string(),
            value: o.value().map(str::to_string),
        })
        .collect()
}

fn platform(p: &PlatformDescription) -> PlatformInfo {
    let text = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_string);
    PlatformInfo {
        branch: text(p.platform_branch_name()),
        branch_state: text(p.platform_branch_lifecycle_state()),
        version_state: text(p.platform_lifecycle_state()),
        version: text(p.platform_version()),
        created: p.date_created().and_then(convert::millis),
    }
}

/// Why the platform's lifecycle is unknown, in words that name the fix when it was denied.
fn platform_error(e: &CloudError) -> String {
    match e {
        CloudError::Auth(m) if !m.contains(PLATFORM_PERMISSION) => format!(
            "Not allowed to describe the platform: {PLATFORM_PERMISSION} is needed. AWS said: {m}"
        ),
        CloudError::Auth(m) => format!("Not allowed to describe the platform: {m}"),
        other => format!(
            "The platform could not be described (DescribePlatformVersion): {}",
            other.message()
        ),
    }
}

/// UpdateEnvironment's OptionSettings: namespace, option name and value of each setting.
pub(super) fn option_settings(set: &[OptionSetting]) -> Option<Vec<ConfigurationOptionSetting>> {
    (!set.is_empty()).then(|| {
        set.iter()
            .map(|s| {
                ConfigurationOptionSetting::builder()
                    .namespace(&s.namespace)
                    .option_name(&s.name)
                    .set_value(s.value.clone())
                    .build()
            })
            .collect()
    })
}

/// UpdateEnvironment's OptionsToRemove: namespace and option name.
pub(super) fn options_to_remove(remove: &[OptionKey]) -> Option<Vec<OptionSpecification>> {
    (!remove.is_empty()).then(|| {
        remove
            .iter()
            .map(|k| {
                OptionSpecification::builder()
                    .namespace(&k.namespace)
                    .option_name(&k.name)
                    .build()
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_denied_platform_read_names_the_permission() {
        let e = CloudError::Auth("User: arn:aws:iam::1:user/x is not authorized".into());
        let m = platform_error(&e);
        assert!(
            m.contains(PLATFORM_PERMISSION) && m.contains("not authorized"),
            "{m}"
        );
        let named = CloudError::Auth(format!("not authorized to perform: {PLATFORM_PERMISSION}"));
        assert_eq!(
            platform_error(&named).matches(PLATFORM_PERMISSION).count(),
            1
        );
        let other = platform_error(&CloudError::Throttled("Rate exceeded".into()));
        assert!(other.ends_with("Rate exceeded"), "{other}");
    }

    #[test]
    fn empty_lists_are_not_sent() {
        assert!(option_settings(&[]).is_none());
        assert!(options_to_remove(&[]).is_none());
    }
}
