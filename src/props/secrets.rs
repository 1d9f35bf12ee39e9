//! Environment secrets (`aws:elasticbeanstalk:application:environmentsecrets`): an environment
//! variable whose value Elastic Beanstalk fetches, when an instance boots, from the ARN it names.
//!
//! The shapes, from Elastic Beanstalk's guide ("Fetching secrets and parameters to Elastic
//! Beanstalk environment variables"):
//!
//! - Secrets Manager: `arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX`, where `-XXXXXX`
//!   is the six characters Secrets Manager appends to every secret's name, optionally followed by
//!   `:JSON_KEY` to take one top-level key of a JSON secret (platform versions released on or after
//!   13 January 2026). The key cannot hold a colon: Elastic Beanstalk would use only the part
//!   before it.
//! - SSM Parameter Store: `arn:aws:ssm:REGION:ACCOUNT:parameter/NAME` (`NAME` may hold `/`, for a
//!   hierarchy). JSON keys are not supported for parameters.
//!
//! The partition may be any `aws*` one (`aws-cn`, `aws-us-gov`). Secrets themselves are supported
//! on platform versions released on or after 26 March 2025.

/// Where Elastic Beanstalk fetches a secret from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    SecretsManager,
    ParameterStore,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::SecretsManager => "Secrets Manager",
            Source::ParameterStore => "SSM Parameter Store",
        }
    }
}

/// One environment secret: the variable's `name`, the `arn` it is fetched from (without the JSON
/// key) and the JSON key of a Secrets Manager secret. An ARN is not itself secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Secret {
    pub name: String,
    pub arn: String,
    pub json_key: Option<String>,
}

/// Why a value is not an ARN Elastic Beanstalk can fetch a secret from. Each says the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArnError {
    NotAnArn,
    Whitespace,
    Partition,
    Service,
    Region,
    Account,
    SecretResource,
    SecretName,
    NoSuffix,
    ParameterResource,
    ParameterName,
    JsonKeyOnParameter,
    EmptyJsonKey,
    ColonInJsonKey,
    EcsStyleJsonKey,
}

impl std::fmt::Display for ArnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::NotAnArn => "is not an ARN: paste the secret's or parameter's full ARN (arn:aws:...)",
            Self::Whitespace => "has white space in it: paste the ARN without spaces or line breaks",
            Self::Partition => "has an unknown partition: an ARN starts arn:aws:, arn:aws-cn: or arn:aws-us-gov:",
            Self::Service => "names neither Secrets Manager nor SSM: use an arn:aws:secretsmanager:... or arn:aws:ssm:... ARN",
            Self::Region => "has no valid region (such as us-east-1) in its fourth field",
            Self::Account => "has no 12-digit account id in its fifth field",
            Self::SecretResource => "is not a secret's ARN: it should read ...:secret:NAME-XXXXXX",
            Self::SecretName => "has a secret name with characters Secrets Manager does not allow (letters, digits and / _ + = . @ -)",
            Self::NoSuffix => "lacks the six characters Secrets Manager adds to the name (NAME-AbCd12): copy the full ARN from Secrets Manager",
            Self::ParameterResource => "is not a parameter's ARN: it should read ...:parameter/NAME",
            Self::ParameterName => "has a parameter name with characters Parameter Store does not allow (letters, digits and _ . - /)",
            Self::JsonKeyOnParameter => "adds a JSON key to a Parameter Store ARN: only Secrets Manager secrets take one; remove the :KEY",
            Self::EmptyJsonKey => "ends with ':' but no JSON key: add the key's name or remove the colon",
            Self::ColonInJsonKey => "has a JSON key with ':' in it: Elastic Beanstalk would use only the part before the colon",
            Self::EcsStyleJsonKey => "uses ECS's form (:KEY::): Elastic Beanstalk's is the ARN then :KEY, with nothing after",
        })
    }
}

impl Secret {
    /// A secret from an option's value, checked: the shape must be one of the two above.
    pub fn parse(name: impl Into<String>, value: &str) -> Result<Secret, ArnError> {
        let (arn, json_key) = split(value)?;
        Ok(Secret {
            name: name.into(),
            arn: arn.to_string(),
            json_key: json_key.map(str::to_string),
        })
    }

    /// A secret from an option's value as read, never refused: a value of no known shape is kept
    /// whole in `arn`, and [`Secret::source`] says `None`.
    pub fn from_value(name: impl Into<String>, value: &str) -> Secret {
        let name = name.into();
        match Secret::parse(name.clone(), value) {
            Ok(s) => s,
            Err(_) => Secret {
                name,
                arn: value.to_string(),
                json_key: None,
            },
        }
    }

    /// Where the value comes from, or `None` when the ARN has neither shape.
    pub fn source(&self) -> Option<Source> {
        let (_, source) = check(&self.value()).ok()?;
        Some(source)
    }

    /// What is wrong with the ARN, if anything.
    pub fn check(&self) -> Result<Source, ArnError> {
        check(&self.value()).map(|(_, s)| s)
    }

    /// The option's value as Elastic Beanstalk stores it: the ARN, then `:JSON_KEY` if any.
    pub fn value(&self) -> String {
        match &self.json_key {
            Some(k) => format!("{}:{k}", self.arn),
            None => self.arn.clone(),
        }
    }
}

/// The ARN and the JSON key of a value.
fn split(value: &str) -> Result<(&str, Option<&str>), ArnError> {
    let (json_key, source) = check(value)?;
    match (source, json_key) {
        (Source::SecretsManager, Some(k)) => Ok((&value[..value.len() - k.len() - 1], Some(k))),
        _ => Ok((value, None)),
    }
}

/// Checks the shape; gives the JSON key (a Secrets Manager ARN's eighth field) and the source.
fn check(value: &str) -> Result<(Option<&str>, Source), ArnError> {
    if value.chars().any(char::is_whitespace) {
        return Err(ArnError::Whitespace);
    }
    let f: Vec<&str> = value.split(':').collect();
    if f.len() < 6 || f[0] != "arn" {
        return Err(ArnError::NotAnArn);
    }
    if !f[1].starts_with("aws") || !f[1].chars().all(|c| c.is_ascii_lowercase() || c == '-') {
        return Err(ArnError::Partition);
    }
    let region_ok = !f[3].is_empty()
        && f[3].contains('-')
        && f[3]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !region_ok {
        return Err(ArnError::Region);
    }
    if f[4].len() != 12 || !f[4].chars().all(|c| c.is_ascii_digit()) {
        return Err(ArnError::Account);
    }
    match f[2] {
        "secretsmanager" => secrets_manager(&f[5..]).map(|k| (k, Source::SecretsManager)),
        "ssm" => parameter(&f[5..]).map(|()| (None, Source::ParameterStore)),
        _ => Err(ArnError::Service),
    }
}

/// `secret:NAME-XXXXXX[:JSON_KEY]`, split at the colons.
fn secrets_manager<'a>(rest: &[&'a str]) -> Result<Option<&'a str>, ArnError> {
    if rest.len() < 2 || rest[0] != "secret" {
        return Err(ArnError::SecretResource);
    }
    let name = rest[1];
    let allowed = |c: char| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c);
    if name.is_empty() || !name.chars().all(allowed) {
        return Err(ArnError::SecretName);
    }
    let suffix_ok = name.len() > 7
        && name.as_bytes()[name.len() - 7] == b'-'
        && name[name.len() - 6..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric());
    if !suffix_ok {
        return Err(ArnError::NoSuffix);
    }
    match rest.len() {
        2 => Ok(None),
        3 if rest[2].is_empty() => Err(ArnError::EmptyJsonKey),
        3 => Ok(Some(rest[2])),
        5 if rest[3].is_empty() && rest[4].is_empty() => Err(ArnError::EcsStyleJsonKey),
        _ => Err(ArnError::ColonInJsonKey),
    }
}

/// `parameter/NAME`, split at the colons (there must be none).
fn parameter(rest: &[&str]) -> Result<(), ArnError> {
    if rest.len() > 1 {
        return Err(ArnError::JsonKeyOnParameter);
    }
    let Some(name) = rest[0].strip_prefix("parameter/") else {
        return Err(ArnError::ParameterResource);
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_.-/".contains(c);
    if name.is_empty() || name.starts_with('/') || !name.chars().all(allowed) {
        return Err(ArnError::ParameterName);
    }
    Ok(())
}

#[cfg(test)]
#[path = "secrets_tests.rs"]
mod tests;
