//! Building the SDK clients (Elastic Beanstalk, CloudFormation, CloudWatch Logs, S3): shared
//! config (credentials, profile, region, endpoint), our retry and timeout choices, and the
//! interceptor that counts every request attempt.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use super::quirks::NullNumberTolerance;
use super::{AwsCloud, lock, logs};
use crate::cloud::CloudError;
use crate::domain::CloudContext;

/// The region used against an overridden endpoint (an emulator) when none is configured: the SDK
/// refuses to sign without one ("missing signing region") and emulators accept any.
const EMULATOR_REGION: &str = "us-east-1";

/// SDK attempts per request unless the caller says otherwise. Few on purpose: our poll scheduler
/// already retries every read on its next tick and backs off (with jitter) on `Throttled`. Hidden
/// SDK retries would add requests to an account that is already being throttled and delay the
/// error the scheduler needs to see; one retry still absorbs a dropped connection.
const DEFAULT_MAX_ATTEMPTS: u32 = 2;

/// A request that has not answered by then is treated as lost, so a poll never hangs the pane
/// it feeds. Short (Elastic Beanstalk, CloudFormation and CloudWatch Logs answer in a second or
/// two): a request that went out just before the network came back must not keep the screen
/// stale for long, and the SDK's one retry follows at once. Applied to every call of the three clients except CloudWatch Logs' StartLiveTail,
/// one long-running request, which switches it off for itself (`logs::live`).
pub(crate) const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(8);
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// Max attempts for the SDK's standard retry (tests use 1).
    pub max_attempts: Option<u32>,
}

/// Counts request attempts (every page, every retry) for `Cloud::api_calls`.
#[derive(Debug, Clone)]
pub(crate) struct CallCounter(pub(crate) Arc<AtomicU64>);

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "ebtui-call-counter"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The shared SDK config with our retry and connect-timeout choices. Against an overridden
/// endpoint a region is always found (emulators accept any); otherwise no region is an error.
async fn shared_config(opts: &AwsOptions, max_attempts: u32) -> Result<SdkConfig, CloudError> {
    let endpoint_hint = opts.endpoint_url.is_some() || env_var("AWS_ENDPOINT_URL").is_some();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(max_attempts))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .build(),
        );
    if let Some(profile) = &opts.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &opts.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(region) = &opts.region {
        loader = loader.region(Region::new(region.clone()));
    } else if endpoint_hint {
        loader = loader.region(emulator_region(opts.profile.as_deref()));
    }
    let sdk = loader.load().await;
    if sdk.region().is_some() {
        return Ok(sdk);
    }
    if sdk.endpoint_url().is_some() {
        return Ok(sdk
            .to_builder()
            .region(Region::from_static(EMULATOR_REGION))
            .build());
    }
    Err(CloudError::Other(
        "No AWS region configured: pass --region, set AWS_REGION, or set `region` in the profile"
            .to_string(),
    ))
}

/// Against an emulator, ask the environment and the profile but never the EC2 instance metadata
/// service (a network call off 127.0.0.1), then default.
fn emulator_region(profile: Option<&str>) -> RegionProviderChain {
    let mut profile_region = aws_config::profile::ProfileFileRegionProvider::builder();
    if let Some(profile) = profile {
        profile_region = profile_region.profile_name(profile);
    }
    RegionProviderChain::first_try(
        aws_config::environment::EnvironmentVariableRegionProvider::new(),
    )
    .or_else(profile_region.build())
    .or_else(Region::from_static(EMULATOR_REGION))
}

impl AwsCloud {
    /// Loads the shared config (credential chain, profile, region; honours AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL
    /// through aws-config), builds the three clients. Fails with a clear message when no region can be found.
    pub async fn connect(opts: AwsOptions) -> Result<AwsCloud, CloudError> {
        let max_attempts = opts.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS).max(1);
        let sdk = shared_config(&opts, max_attempts).await?;
        let endpoint = sdk.endpoint_url().map(str::to_string);
        let region = sdk.region().map(|r| r.to_string()).unwrap_or_default();
        let profile = opts.profile.clone().or_else(|| env_var("AWS_PROFILE"));
        tracing::info!(?profile, %region, ?endpoint, max_attempts, "connecting to AWS");

        let eb_conf = aws_sdk_elasticbeanstalk::config::Builder::from(&sdk)
            .timeout_config(attempt_timeouts())
            .build();
        let cfn_conf = aws_sdk_cloudformation::config::Builder::from(&sdk)
            .timeout_config(attempt_timeouts())
            .build();
        let logs_conf = logs::configure_logs_client(
            aws_sdk_cloudwatchlogs::config::Builder::from(&sdk),
            endpoint.is_some(),
        )
        .build();
        // Path-style addressing against an overridden endpoint: an emulator on 127.0.0.1 has no
        // `<bucket>.127.0.0.1` host names. AWS itself gets virtual-hosted style, its default.
        let s3_conf = aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(endpoint.is_some())
            .timeout_config(attempt_timeouts())
            .build();

        let ctx = CloudContext {
            profile: profile.clone().unwrap_or_else(|| "default".to_string()),
            region,
            account: None,
            note: endpoint.map(|url| format!("endpoint {url}")),
        };
        let mut cloud = AwsCloud::from_clients(
            aws_sdk_elasticbeanstalk::Client::from_conf(eb_conf),
            aws_sdk_cloudformation::Client::from_conf(cfn_conf),
            aws_sdk_cloudwatchlogs::Client::from_conf(logs_conf),
            ctx,
        )
        .with_s3(aws_sdk_s3::Client::from_conf(s3_conf));
        cloud.profile = profile;
        Ok(cloud)
    }

    /// For tests: build from ready clients (mocks, replay).
    pub fn from_clients(
        eb: aws_sdk_elasticbeanstalk::Client,
        cfn: aws_sdk_cloudformation::Client,
        logs: aws_sdk_cloudwatchlogs::Client,
        ctx: CloudContext,
    ) -> AwsCloud {
        let calls = Arc::new(AtomicU64::new(0));
        let counter = CallCounter(calls.clone());
        // Rebuild each client from its own config plus our interceptors: everything the caller
        // set (mocks, replay connector, retry) is kept.
        let eb = aws_sdk_elasticbeanstalk::Client::from_conf(
            eb.config()
                .to_builder()
                .interceptor(counter.clone())
                .interceptor(NullNumberTolerance)
                .build(),
        );
        let cfn = aws_sdk_cloudformation::Client::from_conf(
            cfn.config()
                .to_builder()
                .interceptor(counter.clone())
                .build(),
        );
        let logs = aws_sdk_cloudwatchlogs::Client::from_conf(
            logs.config().to_builder().interceptor(counter).build(),
        );
        AwsCloud::new(eb, cfn, logs, ctx, calls)
    }

    /// The S3 client that uploads source bundles, counted like the others. Separate from
    /// `from_clients` so the tests of the reads need not build one; `connect` always adds it.
    pub fn with_s3(mut self, s3: aws_sdk_s3::Client) -> AwsCloud {
        let counter = CallCounter(self.calls.clone());
        self.s3 = Some(aws_sdk_s3::Client::from_conf(
            s3.config().to_builder().interceptor(counter).build(),
        ));
        self
    }

    /// Use this bucket for source bundles instead of asking Elastic Beanstalk
    /// (CreateStorageLocation). For the emulator tests: moto does not implement
    /// CreateStorageLocation, so they create a bucket themselves and name it here. The app never
    /// calls it; against AWS the bucket always comes from Elastic Beanstalk.
    pub fn with_storage_bucket(self, bucket: impl Into<String>) -> AwsCloud {
        *lock(&self.storage_bucket) = Some(bucket.into());
        self
    }
}

/// Connect and attempt timeouts for request/response calls.
pub(crate) fn attempt_timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .build()
}
