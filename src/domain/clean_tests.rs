use super::*;
use crate::domain::{AppMetrics, HealthColor, InstanceCounts, Severity, Tier};

/// An escape sequence (clear screen, set title ended by BEL), CR LF, a right-to-left override
/// and a tab: everything a one-line field must not pass on.
const HOSTILE: &str = "\x1b[2J\x1b]0;pwned\x07 ok\r\n\u{202e}gpj.exe\tend";
/// What [`HOSTILE`] is drawn as.
const SHOWN: &str = "␛[2J␛]0;pwned␇ ok <U+202E>gpj.exe end";

fn h() -> String {
    HOSTILE.to_string()
}

fn assert_inert(s: &str) {
    assert!(
        !s.chars().any(|c| c.is_control()
            || matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}')),
        "{s:?}"
    );
}

#[test]
fn one_line_makes_the_hostile_sample_inert() {
    let out = one_line(h());
    assert_eq!(out, SHOWN);
    assert_inert(&out);
    // Each piece on its own.
    assert_eq!(one_line("a\x1b[31mb".into()), "a␛[31mb");
    assert_eq!(one_line("a\rb".into()), "a b");
    assert_eq!(one_line("ding\x07".into()), "ding␇");
    assert_eq!(one_line("\u{202e}abc".into()), "<U+202E>abc");
    assert_eq!(one_line("a\u{9b}2Jb".into()), "a<U+009B>2Jb");
    assert_eq!(one_line("shop\u{200b}-prod".into()), "shop<U+200B>-prod");
}

#[test]
fn breaks_fold_to_one_space_and_vanish_at_the_ends() {
    assert_eq!(one_line("one\ntwo".into()), "one two");
    assert_eq!(one_line("one.\r\n\r\n  two".into()), "one. two");
    assert_eq!(one_line("one \t two".into()), "one two");
    assert_eq!(one_line("\n  lead and trail \r\n".into()), "lead and trail");
    assert_eq!(
        one_line("a\u{2028}b\u{85}c\u{0B}d\u{0C}e".into()),
        "a b c d e"
    );
    assert_eq!(one_line("\n\t\r\n".into()), "");
    // Plain spaces are text, not breaks: kept as they are, at the ends too.
    assert_eq!(one_line("  two  spaces ".into()), "  two  spaces ");
}

#[test]
fn clean_text_comes_back_without_a_copy() {
    for text in [
        "Environment update completed successfully.",
        "café — naïve … 日本語 مرحبا",
        "",
    ] {
        let s = text.to_string();
        let ptr = s.as_ptr();
        let out = one_line(s);
        assert_eq!(out, text);
        assert_eq!(out.as_ptr(), ptr, "{text:?} was copied");
    }
}

#[test]
fn very_long_text_stays_whole_apart_from_the_rewrites() {
    let long = format!("{}\u{202e}\n{}", "x".repeat(20_000), "y".repeat(20_000));
    let out = one_line(long);
    assert_eq!(
        out,
        format!("{}<U+202E> {}", "x".repeat(20_000), "y".repeat(20_000))
    );
    // Past the sanitizer's cap the text is cut and the cut is marked, as log lines are.
    let huge = "z".repeat(crate::logs::MAX_LINE_BYTES + 10);
    assert!(one_line(huge).ends_with("… [truncated 10 bytes]"));
}

fn env_ref() -> EnvRef {
    EnvRef {
        app: h(),
        name: h(),
        id: h(),
    }
}

fn cleaned_ref() -> EnvRef {
    EnvRef {
        app: SHOWN.into(),
        name: SHOWN.into(),
        id: SHOWN.into(),
    }
}

#[test]
fn environment() {
    let e = Environment {
        env: env_ref(),
        status: EnvStatus::Other(h()),
        health: HealthColor::Red,
        health_status: Some(HealthStatus::Other(h())),
        version: Some(h()),
        tier: Tier::Web,
        cname: Some(h()),
        abortable: true,
        updated: 5,
        created: 4,
        platform: h(),
        deployment_policy: Some(h()),
    };
    let c = e.clean();
    assert_eq!(
        c,
        Environment {
            env: cleaned_ref(),
            status: EnvStatus::Other(SHOWN.into()),
            health: HealthColor::Red,
            health_status: Some(HealthStatus::Other(SHOWN.into())),
            version: Some(SHOWN.into()),
            tier: Tier::Web,
            cname: Some(SHOWN.into()),
            abortable: true,
            updated: 5,
            created: 4,
            platform: SHOWN.into(),
            deployment_policy: Some(SHOWN.into()),
        }
    );
    // Known statuses are left as they are.
    assert_eq!(EnvStatus::Ready.clean(), EnvStatus::Ready);
    assert_eq!(HealthStatus::Severe.clean(), HealthStatus::Severe);
}

#[test]
fn env_event() {
    let e = EnvEvent {
        ts: 1,
        env: h(),
        severity: Severity::Error,
        message: "Failed to deploy.\nCommand hooks failed:\n\t\x1b[31mexit 1\x1b[0m".into(),
        version: Some(h()),
        request_id: Some(h()),
    };
    let c = e.clean();
    assert_eq!(
        c.message,
        "Failed to deploy. Command hooks failed: ␛[31mexit 1␛[0m"
    );
    assert_eq!(c.env, SHOWN);
    assert_eq!(c.version.as_deref(), Some(SHOWN));
    assert_eq!(c.request_id.as_deref(), Some(SHOWN));
    assert_eq!((c.ts, c.severity), (1, Severity::Error));
}

#[test]
fn stack_event() {
    let e = StackEvent {
        id: h(),
        ts: 2,
        stack: h(),
        logical_id: h(),
        resource_type: h(),
        status: h(),
        reason: Some(h()),
    };
    assert_eq!(
        e.clean(),
        StackEvent {
            id: SHOWN.into(),
            ts: 2,
            stack: SHOWN.into(),
            logical_id: SHOWN.into(),
            resource_type: SHOWN.into(),
            status: SHOWN.into(),
            reason: Some(SHOWN.into()),
        }
    );
}

#[test]
fn health_snapshot_and_its_instances() {
    let instance = InstanceHealth {
        id: h(),
        status: HealthStatus::Other(h()),
        color: HealthColor::Yellow,
        causes: vec![h(), "fine".into()],
        metrics: Some(AppMetrics::default()),
        cpu_pct: Some(12.0),
        load1: None,
        deployment: Some(InstanceDeployment {
            id: Some(3),
            status: h(),
            version: Some(h()),
            ts: Some(9),
        }),
        az: Some(h()),
        instance_type: Some(h()),
        launched: Some(8),
    };
    let snap = HealthSnapshot {
        env: EnvHealth {
            enhanced: true,
            status: Some(HealthStatus::Other(h())),
            color: HealthColor::Red,
            causes: vec![h()],
            counts: InstanceCounts::default(),
            metrics: None,
            refreshed: Some(7),
        },
        instances: vec![instance],
    };
    let c = snap.clean();
    assert_eq!(c.env.status, Some(HealthStatus::Other(SHOWN.into())));
    assert_eq!(c.env.causes, vec![SHOWN.to_string()]);
    assert_eq!(c.env.refreshed, Some(7));
    let i = &c.instances[0];
    assert_eq!(i.id, SHOWN);
    assert_eq!(i.status, HealthStatus::Other(SHOWN.into()));
    assert_eq!(i.causes, vec![SHOWN.to_string(), "fine".to_string()]);
    let d = i.deployment.as_ref().expect("deployment");
    assert_eq!((d.id, d.status.as_str(), d.ts), (Some(3), SHOWN, Some(9)));
    assert_eq!(d.version.as_deref(), Some(SHOWN));
    assert_eq!(i.az.as_deref(), Some(SHOWN));
    assert_eq!(i.instance_type.as_deref(), Some(SHOWN));
    assert_eq!((i.cpu_pct, i.launched), (Some(12.0), Some(8)));
}

#[test]
fn app_version_and_deploy_record() {
    let v = AppVersion {
        app: h(),
        label: h(),
        description: Some("built by CI\n\u{202e}\u{2066}txt.exe\u{2069}".into()),
        created: 3,
        status: h(),
    };
    let c = v.clean();
    assert_eq!(
        c.description.as_deref(),
        Some("built by CI <U+202E><U+2066>txt.exe<U+2069>")
    );
    assert_eq!((c.app.as_str(), c.label.as_str()), (SHOWN, SHOWN));
    assert_eq!((c.status.as_str(), c.created), (SHOWN, 3));
    let r = DeployRecord {
        version: h(),
        ts: 6,
    }
    .clean();
    assert_eq!((r.version.as_str(), r.ts), (SHOWN, 6));
}

#[test]
fn vectors_options_and_results() {
    assert_eq!(vec![h(), h()].clean(), vec![SHOWN.to_string(); 2]);
    assert_eq!(None::<String>.clean(), None);
    let ok: Result<Vec<String>, CloudError> = Ok(vec![h()]);
    assert_eq!(ok.clean(), Ok(vec![SHOWN.to_string()]));
    let err: Result<Vec<String>, CloudError> = Err(CloudError::Auth(h()));
    assert_eq!(err.clean(), Err(CloudError::Auth(SHOWN.into())));
}

#[test]
fn cloud_errors_keep_their_kind() {
    for (e, kind) in [
        (CloudError::Throttled(h()), "throttled"),
        (CloudError::Auth(h()), "auth"),
        (CloudError::NotFound(h()), "not found"),
        (CloudError::Unsupported(h()), "unsupported"),
        (CloudError::Network(h()), "network"),
        (CloudError::Other(h()), "other"),
    ] {
        let before = std::mem::discriminant(&e);
        let c = e.clean();
        assert_eq!(std::mem::discriminant(&c), before, "{kind}");
        assert_eq!(c.message(), SHOWN, "{kind}");
    }
    let acc = OpAccepted {
        request_id: Some(h()),
        uploaded: None,
    };
    assert_eq!(acc.clean().request_id.as_deref(), Some(SHOWN));
}

#[test]
fn clean_values_pass_unchanged() {
    let e = Environment {
        env: EnvRef {
            app: "storefront".into(),
            name: "storefront-prod".into(),
            id: "e-abc123".into(),
        },
        status: EnvStatus::Ready,
        health: HealthColor::Green,
        health_status: Some(HealthStatus::Ok),
        version: Some("v-2026-11-24.3".into()),
        tier: Tier::Worker,
        cname: Some("storefront-prod.eba-x.us-east-1.elasticbeanstalk.com".into()),
        abortable: false,
        updated: 10,
        created: 1,
        platform: "64bit Amazon Linux 2023 v4.3.0 running Node.js 20".into(),
        deployment_policy: Some("Rolling".into()),
    };
    assert_eq!(e.clone().clean(), e);
}
