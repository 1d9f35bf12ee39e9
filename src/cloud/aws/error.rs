//! SDK errors -> `CloudError`.
//!
//! The poller reacts to the kind (back off on `Throttled`, stop and explain on `Auth`, ...) and the
//! UI shows the text, so the AWS message is kept verbatim wherever AWS sent one. Credential
//! failures never reach AWS: they surface as dispatch failures whose source chain names the
//! provider error, so those are recognised by the chain's text (the credential error types live in
//! a crate we do not depend on directly, and their Display texts are stable).

use std::error::Error as StdError;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::cloud::CloudError;

/// Error codes AWS uses for throttling across the Query and JSON protocols.
const THROTTLE_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
];

/// Codes meaning the caller's identity was refused or has expired.
const AUTH_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId",
    "MissingAuthenticationToken",
    "IncompleteSignature",
];

/// The placeholder `with_profile` fills in; kept in one place so both functions agree.
const SSO_LOGIN: &str = "`aws sso login`";

/// Classify any SDK error into our CloudError, keeping AWS's message verbatim.
pub(crate) fn classify<E>(err: SdkError<E, Response>) -> CloudError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let classified = match &err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            classify_service(
                e.code(),
                e.message(),
                service.raw().status().as_u16(),
                &chain_text(e),
            )
        }
        SdkError::TimeoutError(_) => {
            CloudError::Network(format!("Request to AWS timed out: {}", chain_text(&err)))
        }
        SdkError::DispatchFailure(failure) => {
            let text = chain_text(&err);
            if let Some(auth) = credential_failure(&text) {
                auth
            } else if failure.is_timeout() {
                CloudError::Network(format!("Request to AWS timed out: {text}"))
            } else {
                CloudError::Network(format!("Could not reach AWS: {text}"))
            }
        }
        SdkError::ConstructionFailure(_) => {
            let text = chain_text(&err);
            credential_failure(&text).unwrap_or(CloudError::Other(format!(
                "Could not build the request: {text}"
            )))
        }
        SdkError::ResponseError(response) => CloudError::Other(format!(
            "Unreadable answer from AWS (HTTP {}): {}",
            response.raw().status().as_u16(),
            chain_text(&err)
        )),
        // `SdkError` is non-exhaustive.
        _ => CloudError::Other(chain_text(&err)),
    };
    tracing::debug!(error = ?classified, "AWS call failed");
    classified
}

/// Classify a service error from its code and message. Separate from `classify` so the rules are
/// testable without building SDK errors.
pub(crate) fn classify_service(
    code: Option<&str>,
    message: Option<&str>,
    http_status: u16,
    fallback: &str,
) -> CloudError {
    let verbatim = match (message, code) {
        (Some(m), _) if !m.is_empty() => m.to_string(),
        (_, Some(c)) if !c.is_empty() => c.to_string(),
        // No code and no message: typically an HTML error page (a proxy, or an emulator that does
        // not implement the call). The status is the only useful fact then.
        _ => format!("HTTP {http_status} from the service: {fallback}"),
    };
    let code = code.unwrap_or("");
    if THROTTLE_CODES.contains(&code) || verbatim.contains("Rate exceeded") || http_status == 429 {
        return CloudError::Throttled(verbatim);
    }
    if AUTH_CODES.contains(&code) {
        return CloudError::Auth(auth_message(code, &verbatim));
    }
    if code == "ResourceNotFoundException"
        || code.ends_with("NotFound")
        || code.ends_with("NotFoundException")
        || verbatim.contains("No Environment found")
        || verbatim.contains("does not exist")
    {
        return CloudError::NotFound(verbatim);
    }
    CloudError::Other(verbatim)
}

/// The text shown for a refused identity: AWS's words plus the usual fix.
fn auth_message(code: &str, verbatim: &str) -> String {
    match code {
        "ExpiredToken" | "ExpiredTokenException" => {
            format!(
                "AWS credentials expired: refresh them (for SSO run {SSO_LOGIN}). AWS said: {verbatim}"
            )
        }
        "InvalidClientTokenId" | "UnrecognizedClientException" | "InvalidAccessKeyId" => {
            format!(
                "AWS does not recognise the access key: check AWS_PROFILE or run `aws configure`. AWS said: {verbatim}"
            )
        }
        "SignatureDoesNotMatch" | "IncompleteSignature" => {
            format!(
                "AWS rejected the request signature: check the secret key and the clock. AWS said: {verbatim}"
            )
        }
        // AccessDenied and friends: the message names the missing permission; it is the fix.
        _ => verbatim.to_string(),
    }
}

/// Recognise a credential-provider failure (no credentials, expired SSO token) in an error chain.
fn credential_failure(text: &str) -> Option<CloudError> {
    let lower = text.to_ascii_lowercase();
    if lower.contains("sso") && (lower.contains("expired") || lower.contains("token")) {
        return Some(CloudError::Auth(format!(
            "AWS SSO session expired: run {SSO_LOGIN}. ({text})"
        )));
    }
    let no_credentials = [
        "no providers in chain provided credentials",
        "the credential provider was not enabled",
        "an error occurred while loading credentials",
        "the credentials provider was not properly configured",
        "credentials provider timed out",
        "unexpected credentials error",
        "failed to load credentials",
    ];
    if no_credentials.iter().any(|needle| lower.contains(needle)) {
        return Some(CloudError::Auth(format!(
            "No AWS credentials found: set AWS_PROFILE or run `aws configure`. ({text})"
        )));
    }
    None
}

/// Name the profile in the SSO login hint, so the user can paste the command as is.
pub(crate) fn with_profile(err: CloudError, profile: Option<&str>) -> CloudError {
    let Some(profile) = profile else { return err };
    match err {
        CloudError::Auth(m) if m.contains(SSO_LOGIN) => CloudError::Auth(m.replacen(
            SSO_LOGIN,
            &format!("`aws sso login --profile {profile}`"),
            1,
        )),
        other => other,
    }
}

/// The SDK's own wrapper texts ("dispatch failure: other: ..."): they name the layer, not the
/// problem, and are left out of what the user reads (the kind already says it).
const WRAPPER_TEXTS: &[&str] = &[
    "failed to construct request",
    "request has timed out",
    "dispatch failure",
    "response error",
    "service error",
    "other",
];

/// Every message of an error's source chain, joined; repeats (wrappers that print their source)
/// and the SDK's wrapper texts are dropped.
fn chain_text(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        if !text.is_empty()
            && !WRAPPER_TEXTS.contains(&text.as_str())
            && !parts.iter().any(|p| p.contains(&text))
        {
            parts.push(text);
        }
        current = e.source();
    }
    if parts.is_empty() {
        // Nothing but wrappers: better the wrapper's word than nothing.
        return err.to_string();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_codes_and_rate_exceeded() {
        assert_eq!(
            classify_service(Some("Throttling"), Some("Rate exceeded"), 400, ""),
            CloudError::Throttled("Rate exceeded".into())
        );
        assert!(matches!(
            classify_service(Some("SomethingElse"), Some("Rate exceeded"), 400, ""),
            CloudError::Throttled(_)
        ));
        assert!(matches!(
            classify_service(None, None, 429, "x"),
            CloudError::Throttled(_)
        ));
    }

    #[test]
    fn auth_codes_keep_aws_words() {
        let e = classify_service(
            Some("AccessDenied"),
            Some("User: x is not authorized to perform: y"),
            403,
            "",
        );
        assert_eq!(
            e,
            CloudError::Auth("User: x is not authorized to perform: y".into())
        );
        let e = classify_service(
            Some("ExpiredToken"),
            Some("The security token included in the request is expired"),
            403,
            "",
        );
        assert!(
            e.message().contains("aws sso login") && e.message().contains("is expired"),
            "{e:?}"
        );
    }

    #[test]
    fn not_found_and_verbatim_other() {
        assert!(matches!(
            classify_service(
                Some("InvalidParameterValue"),
                Some("No Environment found for EnvironmentName = 'x'."),
                400,
                ""
            ),
            CloudError::NotFound(_)
        ));
        assert!(matches!(
            classify_service(
                Some("ValidationError"),
                Some("Stack with id awseb-e-1-stack does not exist"),
                400,
                ""
            ),
            CloudError::NotFound(_)
        ));
        let msg = "Environment named x is in an invalid state for this operation. Must be Ready.";
        assert_eq!(
            classify_service(Some("InvalidParameterValue"), Some(msg), 400, ""),
            CloudError::Other(msg.into())
        );
        assert_eq!(
            classify_service(None, None, 500, "unhandled error"),
            CloudError::Other("HTTP 500 from the service: unhandled error".into())
        );
    }

    #[test]
    fn credential_chain_texts() {
        let e = credential_failure(
            "dispatch failure: other: no providers in chain provided credentials",
        );
        assert!(
            matches!(e, Some(CloudError::Auth(m)) if m.starts_with("No AWS credentials found"))
        );
        let e = credential_failure(
            "an error occurred while loading credentials: the SSO token has expired and cannot be refreshed",
        );
        let e = with_profile(e.expect("sso"), Some("dev"));
        assert!(
            e.message()
                .starts_with("AWS SSO session expired: run `aws sso login --profile dev`"),
            "{e:?}"
        );
        assert_eq!(credential_failure("connection refused"), None);
    }
}
