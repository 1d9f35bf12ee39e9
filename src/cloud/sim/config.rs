//! Environments' configuration: the option settings each environment starts with (properties,
//! secrets, capacity, deployment, health, managed updates, log streaming), the platforms they
//! run on, and applying a change of settings once a configuration update has deployed it.
//! `configure` validates and scripts the change.

use crate::domain::{EnvConfig, Millis, OptionKey, OptionSetting, PlatformInfo, Tier};

use super::model::{Env, Policy};

/// The environment properties' namespace.
pub(crate) const PROPERTIES: &str = "aws:elasticbeanstalk:application:environment";
/// Environment secrets: values are ARNs of Secrets Manager secrets or SSM parameters.
pub(crate) const SECRETS: &str = "aws:elasticbeanstalk:application:environmentsecrets";
/// Instance log streaming to CloudWatch Logs.
pub(crate) const CLOUDWATCH_LOGS: &str = "aws:elasticbeanstalk:cloudwatch:logs";
const COMMAND: &str = "aws:elasticbeanstalk:command";

/// A platform version an environment runs on, as DescribePlatformVersion tells it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Platform {
    pub stack: &'static str,
    pub arn: &'static str,
    pub branch: &'static str,
    pub branch_state: &'static str,
    pub version_state: Option<&'static str>,
    pub version: &'static str,
    /// When the version was released (2025-08-14 and 2024-03-06, UTC).
    pub created: Millis,
}

/// The platform of most environments: a supported branch, its recommended version.
pub(crate) static NODE_20: Platform = Platform {
    stack: "64bit Amazon Linux 2023 v6.6.0 running Node.js 20",
    arn: "arn:aws:elasticbeanstalk:us-east-1::platform/Node.js 20 running on 64bit Amazon Linux 2023/6.6.0",
    branch: "Node.js 20 running on 64bit Amazon Linux 2023",
    branch_state: "Supported",
    version_state: Some("Recommended"),
    version: "6.6.0",
    created: 1_755_129_600_000,
};

/// billing-prod's platform: a deprecated branch, an old version of it.
pub(crate) static NODE_18: Platform = Platform {
    stack: "64bit Amazon Linux 2023 v6.1.0 running Node.js 18",
    arn: "arn:aws:elasticbeanstalk:us-east-1::platform/Node.js 18 running on 64bit Amazon Linux 2023/6.1.0",
    branch: "Node.js 18 running on 64bit Amazon Linux 2023",
    branch_state: "Deprecated",
    version_state: None,
    version: "6.1.0",
    created: 1_709_683_200_000,
};

/// The platform an environment of the demo runs on.
pub(crate) fn platform_of(name: &str) -> &'static Platform {
    if name == "billing-prod" {
        &NODE_18
    } else {
        &NODE_20
    }
}

/// DescribeConfigurationSettings and DescribePlatformVersion, as one read.
pub(crate) fn describe(env: &Env) -> EnvConfig {
    let p = env.platform;
    EnvConfig {
        settings: env.settings.clone(),
        solution_stack: Some(p.stack.to_string()),
        platform_arn: Some(p.arn.to_string()),
        platform: Some(PlatformInfo {
            branch: Some(p.branch.to_string()),
            branch_state: Some(p.branch_state.to_string()),
            version_state: p.version_state.map(str::to_string),
            version: Some(p.version.to_string()),
            created: Some(p.created),
        }),
        platform_error: None,
    }
}

/// storefront-prod's properties: about 3,350 bytes counted as `key=value`, past 80 % of the
/// 4,096 Elastic Beanstalk allows.
const STOREFRONT_PROD: &[(&str, &str)] = &[
    ("NODE_ENV", "production"),
    ("LOG_LEVEL", "info"),
    (
        "DATABASE_URL",
        "postgres://storefront_app@storefront-prod.cluster-c9x2kq4tz1ab.us-east-1.rds.amazonaws.com:5432/storefront?sslmode=require&application_name=storefront-web&pool_max=20",
    ),
    (
        "DATABASE_READ_URL",
        "postgres://storefront_ro@storefront-prod.cluster-ro-c9x2kq4tz1ab.us-east-1.rds.amazonaws.com:5432/storefront?sslmode=require&application_name=storefront-web-ro&pool_max=40",
    ),
    (
        "REDIS_URL",
        "rediss://master.storefront-prod-cache.x7k2qa.use1.cache.amazonaws.com:6379/0",
    ),
    (
        "SESSION_REDIS_URL",
        "rediss://master.storefront-prod-sessions.x7k2qa.use1.cache.amazonaws.com:6379/1",
    ),
    (
        "SENTRY_DSN",
        "https://4f2a9c1e7b3d45e8a6f0c2d1b9e8a7f6@o450123.ingest.sentry.io/5521234",
    ),
    ("SENTRY_TRACES_SAMPLE_RATE", "0.05"),
    (
        "FEATURE_FLAGS",
        r#"{"checkout_v2":true,"search_typo_tolerance":true,"lazy_images":true,"recommendations":{"enabled":true,"model":"als-2025-10","max_items":12},"gift_cards":false,"apple_pay":true,"google_pay":true,"klarna":{"enabled":true,"countries":["DE","AT","NL","SE","FI","DK","NO","GB"]},"free_shipping_threshold":{"USD":75,"EUR":70,"GBP":60},"banner":{"enabled":false,"text":""},"rate_limit":{"login_per_min":10,"search_per_min":120},"image_cdn_webp":true,"wishlist_sync":true,"reviews_v2":false}"#,
    ),
    (
        "CDN_BASE_URL",
        "https://d3k9x2q1m8p7zt.cloudfront.net/storefront/assets",
    ),
    (
        "IMAGE_BUCKET",
        "storefront-prod-product-images-123456789012",
    ),
    (
        "ALLOWED_ORIGINS",
        "https://www.example-shop.com,https://example-shop.com,https://m.example-shop.com,https://admin.example-shop.com,https://checkout.example-shop.com",
    ),
    (
        "CONTENT_SECURITY_POLICY",
        "default-src 'self'; script-src 'self' https://js.stripe.com https://www.googletagmanager.com; img-src 'self' data: https://d3k9x2q1m8p7zt.cloudfront.net; connect-src 'self' https://api.stripe.com https://o450123.ingest.sentry.io; frame-src https://js.stripe.com https://hooks.stripe.com; style-src 'self' 'unsafe-inline'; font-src 'self' https://fonts.gstatic.com; report-uri https://o450123.ingest.sentry.io/api/5521234/security/?sentry_key=4f2a9c1e7b3d45e8a6f0c2d1b9e8a7f6; upgrade-insecure-requests",
    ),
    (
        "STRIPE_PUBLISHABLE_KEY",
        "pk_live_51Nz8xQJ2mKd0EXAMPLEONLYa9b8c7d6e5f4g3h2i1j0kLmNoPqRsTuVwXyZ",
    ),
    (
        "SEARCH_ENDPOINT",
        "https://search-storefront-prod-4xq2k7m9z1a8b3c5d6e7f8g9h0.us-east-1.es.amazonaws.com",
    ),
    ("SMTP_HOST", "email-smtp.us-east-1.amazonaws.com"),
    (
        "ORDER_QUEUE_URL",
        "https://sqs.us-east-1.amazonaws.com/123456789012/storefront-prod-orders",
    ),
    (
        "OTEL_RESOURCE_ATTRIBUTES",
        "service.name=storefront-web,service.namespace=storefront,deployment.environment=production,team=commerce,cost_center=cc-1042",
    ),
    ("JWT_ISSUER", "https://auth.example-shop.com/"),
    (
        "TRUSTED_PROXIES",
        "10.0.0.0/8,172.16.0.0/12,130.176.0.0/17,64.252.64.0/18,52.46.0.0/18,54.182.0.0/16,54.192.0.0/16,99.84.0.0/16,205.251.192.0/19",
    ),
    (
        "EXPERIMENTS",
        r#"{"pdp_layout":{"variants":["control","gallery_first"],"split":[50,50],"until":"2026-12-31"},"cart_upsell":{"variants":["control","bundle"],"split":[80,20],"until":"2026-12-15"},"search_ranker":{"variants":["bm25","hybrid"],"split":[70,30]}}"#,
    ),
    (
        "SHIPPING_ZONES",
        r#"{"domestic":["US"],"eu":["DE","AT","NL","BE","FR","IT","ES","SE","FI","DK","IE","PT"],"uk":["GB"],"nordics_extra":["NO","IS"],"rest":"*"}"#,
    ),
    (
        "CACHE_TTLS",
        r#"{"product":300,"category":600,"search":60,"cart":0,"recommendations":900,"cms_page":1800,"price":120,"inventory":15,"reviews":3600,"navigation":3600,"geo":86400}"#,
    ),
    (
        "ADMIN_ALLOWED_CIDRS",
        "203.0.113.0/24,198.51.100.17/32,198.51.100.18/32,192.0.2.64/26,2001:db8:4f2a::/48,2001:db8:77c1:10::/64",
    ),
];

const STOREFRONT_STAGING: &[(&str, &str)] = &[
    ("NODE_ENV", "production"),
    ("LOG_LEVEL", "debug"),
    (
        "DATABASE_URL",
        "postgres://storefront_app@storefront-staging.c9x2kq4tz1ab.us-east-1.rds.amazonaws.com:5432/storefront?sslmode=require",
    ),
    (
        "REDIS_URL",
        "redis://storefront-staging-cache.x7k2qa.0001.use1.cache.amazonaws.com:6379/0",
    ),
    (
        "SENTRY_DSN",
        "https://4f2a9c1e7b3d45e8a6f0c2d1b9e8a7f6@o450123.ingest.sentry.io/5521235",
    ),
    (
        "FEATURE_FLAGS",
        r#"{"checkout_v2":true,"search_typo_tolerance":true,"lazy_images":true,"gift_cards":true,"reviews_v2":true}"#,
    ),
    (
        "CDN_BASE_URL",
        "https://d1q8w3e5r7t9yu.cloudfront.net/storefront/assets",
    ),
    (
        "STRIPE_PUBLISHABLE_KEY",
        "pk_test_51Nz8xQJ2mKd0EXAMPLEONLYz9y8x7w6v5u4t3s2r1",
    ),
];

const STOREFRONT_WORKER: &[(&str, &str)] = &[
    ("NODE_ENV", "production"),
    ("LOG_LEVEL", "info"),
    (
        "DATABASE_URL",
        "postgres://storefront_worker@storefront-prod.cluster-c9x2kq4tz1ab.us-east-1.rds.amazonaws.com:5432/storefront?sslmode=require&pool_max=5",
    ),
    (
        "REDIS_URL",
        "rediss://master.storefront-prod-cache.x7k2qa.use1.cache.amazonaws.com:6379/2",
    ),
    (
        "SENTRY_DSN",
        "https://4f2a9c1e7b3d45e8a6f0c2d1b9e8a7f6@o450123.ingest.sentry.io/5521236",
    ),
    ("WORKER_CONCURRENCY", "8"),
    ("EMAIL_FROM", "orders@example-shop.com"),
];

const BILLING_PROD: &[(&str, &str)] = &[
    ("NODE_ENV", "production"),
    ("LOG_LEVEL", "info"),
    (
        "DATABASE_URL",
        "postgres://billing_app@billing-prod.cluster-h3m8vw2ru5ls.us-east-1.rds.amazonaws.com:5432/billing?sslmode=verify-full",
    ),
    (
        "SENTRY_DSN",
        "https://9b8e7d6c5a4f43e2b1c0d9e8f7a6b5c4@o450123.ingest.sentry.io/5521301",
    ),
    ("STRIPE_API_VERSION", "2024-06-20"),
    ("INVOICE_BUCKET", "billing-prod-invoices-123456789012"),
    ("DUNNING_SCHEDULE_DAYS", "1,3,7,14"),
    (
        "VAT_RATES",
        r#"{"DE":19,"AT":20,"NL":21,"FR":20,"IT":22,"ES":21,"SE":25}"#,
    ),
];

/// storefront-prod's secrets: a Secrets Manager secret and an SSM parameter.
const STOREFRONT_SECRETS: &[(&str, &str)] = &[
    (
        "DB_PASSWORD",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
    ),
    (
        "STRIPE_SECRET_KEY",
        "arn:aws:ssm:us-east-1:123456789012:parameter/prod/stripe-key",
    ),
];

/// Names and values of one namespace.
type Pairs = &'static [(&'static str, &'static str)];

fn setting(namespace: &str, name: &str, value: impl Into<String>) -> OptionSetting {
    OptionSetting {
        namespace: namespace.to_string(),
        name: name.to_string(),
        value: Some(value.into()),
    }
}

/// The settings an environment of the demo starts with, sorted by namespace and name.
pub(crate) fn initial(env: &Env, streams_logs: bool) -> Vec<OptionSetting> {
    let (props, secrets): (Pairs, Pairs) = match env.name.as_str() {
        "storefront-prod" => (STOREFRONT_PROD, STOREFRONT_SECRETS),
        "storefront-staging" => (STOREFRONT_STAGING, &[]),
        "storefront-worker" => (STOREFRONT_WORKER, &[]),
        "billing-prod" => (BILLING_PROD, &[]),
        _ => (&[("NODE_ENV", "production")], &[]),
    };
    let mut out: Vec<OptionSetting> = props
        .iter()
        .map(|(k, v)| setting(PROPERTIES, k, *v))
        .chain(secrets.iter().map(|(k, v)| setting(SECRETS, k, *v)))
        .collect();
    let itype = env.itype;
    let (batch_type, batch) = match env.policy {
        Policy::Rolling { batch } => ("Fixed", batch.to_string()),
        Policy::AllAtOnce | Policy::Immutable => ("Percentage", "100".to_string()),
    };
    out.extend([
        setting("aws:autoscaling:launchconfiguration", "InstanceType", itype),
        setting("aws:ec2:instances", "InstanceTypes", itype),
        setting("aws:autoscaling:asg", "MinSize", env.desired.to_string()),
        setting(
            "aws:autoscaling:asg",
            "MaxSize",
            (env.desired * 2).to_string(),
        ),
        setting(COMMAND, "DeploymentPolicy", env.policy.name()),
        setting(COMMAND, "BatchSizeType", batch_type),
        setting(COMMAND, "BatchSize", batch),
        setting(COMMAND, "Timeout", "600"),
        setting(
            "aws:elasticbeanstalk:application",
            "Application Healthcheck URL",
            if env.tier == Tier::Web {
                "/healthz"
            } else {
                "/"
            },
        ),
        setting(
            "aws:elasticbeanstalk:healthreporting:system",
            "SystemType",
            "enhanced",
        ),
        setting(
            "aws:elasticbeanstalk:managedactions",
            "ManagedActionsEnabled",
            "true",
        ),
        setting(
            "aws:elasticbeanstalk:managedactions",
            "PreferredStartTime",
            "Sun:03:00",
        ),
        setting(
            "aws:elasticbeanstalk:managedactions:platformupdate",
            "UpdateLevel",
            "minor",
        ),
        setting(
            CLOUDWATCH_LOGS,
            "StreamLogs",
            if streams_logs { "true" } else { "false" },
        ),
        setting(CLOUDWATCH_LOGS, "RetentionInDays", "7"),
        setting(CLOUDWATCH_LOGS, "DeleteOnTerminate", "false"),
    ]);
    out.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    out
}

fn value<'a>(settings: &'a [OptionSetting], namespace: &str, name: &str) -> Option<&'a str> {
    settings
        .iter()
        .find(|s| s.namespace == namespace && s.name == name)
        .and_then(|s| s.value.as_deref())
}

/// Does this configuration stream the instances' logs to CloudWatch?
pub(crate) fn streams_logs(settings: &[OptionSetting]) -> bool {
    value(settings, CLOUDWATCH_LOGS, "StreamLogs").is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// The settings after a change: each setting replaces the one of its namespace and name (or is
/// added), then the removed ones go.
pub(crate) fn changed(
    current: &[OptionSetting],
    set: &[OptionSetting],
    remove: &[OptionKey],
) -> Vec<OptionSetting> {
    let mut out: Vec<OptionSetting> = current.to_vec();
    for s in set {
        match out
            .iter_mut()
            .find(|o| o.namespace == s.namespace && o.name == s.name)
        {
            Some(o) => o.value = s.value.clone(),
            None => out.push(s.clone()),
        }
    }
    out.retain(|o| {
        !remove
            .iter()
            .any(|k| k.namespace == o.namespace && k.name == o.name)
    });
    out.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    out
}

/// The environment properties' size as this simulator counts it (and ebtui's meter does): the
/// UTF-8 bytes of `key=value` of every property, summed.
pub(crate) fn properties_bytes(settings: &[OptionSetting]) -> usize {
    settings
        .iter()
        .filter(|s| s.namespace == PROPERTIES)
        .map(|s| s.name.len() + 1 + s.value.as_deref().map_or(0, str::len))
        .sum()
}

/// A configuration update has deployed `settings`: they are the environment's now. Log
/// streaming turned on makes the log groups appear from now on; turned off, no lines reach them
/// after now and they are no longer listed. The deployment policy follows the settings.
pub(crate) fn apply(env: &mut Env, at: Millis, settings: Vec<OptionSetting>) {
    let was = streams_logs(&env.settings);
    let now = streams_logs(&settings);
    env.streaming = match (was, now, env.streaming) {
        (false, true, _) => Some((at, None)),
        (true, false, Some((since, _))) => Some((since, Some(at))),
        (_, _, kept) => kept,
    };
    if let Some(policy) = policy_of(&settings, env.policy) {
        env.policy = policy;
    }
    env.settings = settings;
}

/// The deployment policy the settings name, when the simulator plays it.
fn policy_of(settings: &[OptionSetting], current: Policy) -> Option<Policy> {
    let batch = || {
        value(settings, COMMAND, "BatchSize")
            .and_then(|b| b.trim().parse::<usize>().ok())
            .filter(|b| *b > 0 && value(settings, COMMAND, "BatchSizeType") == Some("Fixed"))
    };
    match value(settings, COMMAND, "DeploymentPolicy")? {
        "AllAtOnce" => Some(Policy::AllAtOnce),
        "Immutable" => Some(Policy::Immutable),
        "Rolling" | "RollingWithAdditionalBatch" => Some(Policy::Rolling {
            batch: batch().unwrap_or(match current {
                Policy::Rolling { batch } => batch,
                _ => 1,
            }),
        }),
        _ => None,
    }
}
