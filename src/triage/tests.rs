//! The aggregation, the findings' ranking and wording, on built inputs.

use super::*;
use crate::domain::RawLogEvent;
use crate::logs::LogBuffer;

const ACCESS: &str = "/aws/elasticbeanstalk/shop-prod/var/log/nginx/access.log";
const ERROR: &str = "/aws/elasticbeanstalk/shop-prod/var/log/nginx/error.log";
const BAD1: &str = "i-0d6d4b3b2c1a0f9e8";
const BAD2: &str = "i-0bf60a49d7e3c2b10";
const GOOD: &str = "i-04558569aa11bb22c";
/// 10:00:00 UTC on some day.
const T0: Millis = 1_795_000_800_000;

fn access(status: u16, path: &str) -> String {
    format!(
        r#"10.0.1.5 - - [24/Nov/2026:10:15:02 +0000] "GET {path} HTTP/1.1" {status} 157 "-" "curl/8.0" "-""#
    )
}

const REFUSED: &str = r#"2026/11/24 10:15:02 [error] 2345#2345: *9 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.1.5, server: , request: "GET /api/cart HTTP/1.1", upstream: "http://127.0.0.1:8080/api/cart", host: "shop""#;

fn push(buf: &mut LogBuffer, ts: Millis, group: &str, stream: &str, text: &str) {
    buf.push(RawLogEvent {
        id: None,
        ts,
        group: group.into(),
        stream: stream.into(),
        message: text.into(),
    });
}

/// A bad deploy: batch 1 starts at T0+60 s on BAD1 and BAD2; 502s start 38 s later on them.
fn bad_deploy() -> (LogBuffer, Vec<InstanceInfo>, Vec<Marker>) {
    let mut buf = LogBuffer::new(100_000, 64 << 20);
    for s in 0..300 {
        let ts = T0 + s * 1000;
        push(&mut buf, ts, ACCESS, GOOD, &access(200, "/"));
        for inst in [BAD1, BAD2] {
            if ts >= T0 + 98_000 {
                push(&mut buf, ts, ACCESS, inst, &access(502, "/api/cart?x=1"));
                push(&mut buf, ts, ERROR, inst, REFUSED);
            } else {
                push(&mut buf, ts, ACCESS, inst, &access(200, "/api/cart"));
            }
        }
    }
    let instances = vec![
        InstanceInfo {
            id: BAD1.into(),
            version: Some("v-broken".into()),
        },
        InstanceInfo {
            id: BAD2.into(),
            version: Some("v-broken".into()),
        },
        InstanceInfo {
            id: GOOD.into(),
            version: Some("v1.4.3".into()),
        },
    ];
    let markers = vec![
        Marker {
            ts: T0 + 50_000,
            label: "deploy v-broken".into(),
        },
        Marker {
            ts: T0 + 60_000,
            label: "batch 1 of deploy v-broken".into(),
        },
    ];
    (buf, instances, markers)
}

fn run(buf: &LogBuffer, instances: &[InstanceInfo], markers: &[Marker]) -> (Aggregate, Report) {
    let mut agg = Aggregate::default();
    while agg.behind(buf) > 0 || agg.env().is_none() {
        agg.step("shop-prod", buf, 1000);
    }
    let inputs = Inputs {
        env: "shop-prod",
        instances,
        markers,
        now: T0 + 300_000,
    };
    let r = report(&agg, &inputs, None);
    (agg, r)
}

#[test]
fn counts_per_minute_status_instance_and_path() {
    let (buf, inst, markers) = bad_deploy();
    let (_, r) = run(&buf, &inst, &markers);
    // 202 seconds of 502s on two instances.
    assert_eq!(r.total_5xx, 404);
    assert_eq!(r.format, "nginx combined");
    assert_eq!(r.by_status[0].label, "502");
    assert_eq!(r.by_path[0].label, "/api/cart", "the query is dropped");
    assert_eq!(r.series.counts.len(), 6, "minutes 0..=5");
    assert_eq!(r.series.counts[0], 0);
    assert_eq!(r.series.counts[1], 2 * 22, "from :38 to :59");
    assert_eq!(r.series.counts[2], 120);
    let good = r
        .by_instance
        .iter()
        .find(|x| x.label == GOOD)
        .expect("good row");
    assert_eq!((good.count, good.version.as_deref()), (0, Some("v1.4.3")));
    assert_eq!(r.per_instance.len(), 2);
    assert_eq!(r.per_instance[0].1.iter().sum::<u64>(), 202);
    assert_eq!(r.by_kind[0].count, 404);
    assert!(r.by_kind[0].label.contains("Connection refused"));
    assert_eq!(
        r.markers[1],
        PlacedMarker {
            minute: Some(1),
            label: "batch 1 of deploy v-broken".into()
        }
    );
}

#[test]
fn findings_name_the_version_the_onset_and_the_cause_in_that_order() {
    let (buf, inst, markers) = bad_deploy();
    let (_, r) = run(&buf, &inst, &markers);
    let texts: Vec<&str> = r.findings.iter().map(|f| f.text.as_str()).collect();
    assert_eq!(
        texts[0],
        "100 % of 502s come from instances on v-broken (i-0bf60a49…, i-0d6d4b3b…); none from instances on v1.4.3"
    );
    assert_eq!(
        texts[1],
        "502s began 38 s after batch 1 of deploy v-broken started"
    );
    assert!(
        texts[2].starts_with("nginx: connect() failed (111: Connection refused): nothing listens on the upstream port"),
        "{texts:?}"
    );
    assert!(texts[2].contains("Procfile"));
    assert_eq!(r.findings[0].jump, Jump::Errors5xx);
    assert!(matches!(&r.findings[2].jump, Jump::Search(p) if p.contains("Connection refused")));
    assert_eq!(
        r.findings[2].evidence,
        "404 lines on i-0bf60a49…, i-0d6d4b3b…"
    );
}

#[test]
fn one_failing_instance_among_healthy_peers_is_named_and_jumps_to_its_lines() {
    // Every instance runs the same version: no version split, but one host fails.
    let mut buf = LogBuffer::new(10_000, 16 << 20);
    for s in 0..120 {
        let ts = T0 + s * 1000;
        push(&mut buf, ts, ACCESS, GOOD, &access(200, "/"));
        push(&mut buf, ts, ACCESS, BAD2, &access(200, "/"));
        let status = if s % 10 == 0 { 200 } else { 502 };
        push(&mut buf, ts, ACCESS, BAD1, &access(status, "/"));
    }
    let same = |id: &str| InstanceInfo {
        id: id.into(),
        version: Some("v1.4.3".into()),
    };
    let (_, r) = run(&buf, &[same(GOOD), same(BAD1), same(BAD2)], &[]);
    let f = &r.findings[0];
    assert_eq!(
        f.text,
        "100 % of 502s come from i-0d6d4b3b… (on v1.4.3); the other 2 instances answer"
    );
    assert_eq!(f.jump, Jump::Instance(BAD1.into()));
    assert_eq!(f.evidence, "108 of 108 5xx");
    // With no health to list the instances, the peers seen answering requests count.
    let (_, r) = run(&buf, &[], &[]);
    assert_eq!(
        r.findings[0].text,
        "100 % of 502s come from i-0d6d4b3b…; the other 2 instances answer"
    );
    assert_eq!(
        r.by_instance.iter().map(|x| x.count).collect::<Vec<_>>(),
        [108, 0, 0],
        "the peers are rows of the table too"
    );
    let mut two = LogBuffer::new(1_000, 1 << 20);
    for s in 0..20 {
        push(&mut two, T0 + s * 1000, ACCESS, GOOD, &access(200, "/"));
        push(&mut two, T0 + s * 1000, ACCESS, BAD1, &access(502, "/"));
    }
    let (_, r) = run(&two, &[], &[]);
    assert_eq!(
        r.findings[0].text,
        "100 % of 502s come from i-0d6d4b3b…; the other instance answers"
    );
    // Spread over two instances in equal measure, there is no such finding.
    let (buf, inst, markers) = bad_deploy();
    let (_, spread) = run(&buf, &inst, &markers);
    assert!(
        spread
            .findings
            .iter()
            .all(|f| !matches!(f.jump, Jump::Instance(_))),
        "{:?}",
        spread.findings
    );
}

#[test]
fn an_operation_shortly_before_the_first_line_is_named_without_a_column() {
    let (buf, inst, _) = bad_deploy();
    let markers = vec![
        Marker {
            ts: T0 - 45 * 60_000,
            label: "deploy v1.4.3".into(),
        },
        Marker {
            ts: T0 - 10 * 60_000,
            label: "deploy v-broken".into(),
        },
    ];
    let (_, r) = run(&buf, &inst, &markers);
    assert_eq!(
        r.markers,
        [PlacedMarker {
            minute: None,
            label: "deploy v-broken".into()
        }],
        "the one within the half hour before is kept, the older one is not"
    );
}

#[test]
fn no_5xx_says_so_with_the_span() {
    let mut buf = LogBuffer::new(1000, 1 << 20);
    for s in 0..120 {
        push(&mut buf, T0 + s * 1000, ACCESS, GOOD, &access(200, "/"));
    }
    let (_, r) = run(&buf, &[], &[]);
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].text, "no 5xx in the last 5 minutes");
}

#[test]
fn eviction_takes_counts_back_out_and_a_new_environment_starts_over() {
    let mut buf = LogBuffer::new(10, 1 << 20);
    let mut agg = Aggregate::default();
    for s in 0..10 {
        push(&mut buf, T0 + s * 1000, ACCESS, BAD1, &access(502, "/a"));
    }
    agg.step("shop-prod", &buf, 100);
    assert_eq!(agg.total_5xx, 10);
    for s in 10..15 {
        push(&mut buf, T0 + s * 1000, ACCESS, BAD1, &access(200, "/a"));
    }
    agg.step("shop-prod", &buf, 100);
    assert_eq!(agg.total_5xx, 5, "five 502 lines were evicted");
    assert_eq!(agg.by_status.get(&502), Some(&5));
    agg.step("other-env", &buf, 100);
    assert_eq!(
        agg.total_5xx, 5,
        "the buffer read again for the new environment"
    );
    assert_eq!(agg.env(), Some("other-env"));
}

#[test]
fn unknown_formats_and_lines_without_instance_ids_still_count() {
    let mut buf = LogBuffer::new(1000, 1 << 20);
    push(
        &mut buf,
        T0,
        "/custom/app/access",
        "web-1",
        "2026-11-24T10:00:00Z GET /x 503 3ms",
    );
    push(
        &mut buf,
        T0,
        "/custom/app/access",
        "web-1",
        "2026-11-24T10:00:00Z GET /x 200 3ms",
    );
    let (_, r) = run(&buf, &[], &[]);
    assert_eq!(r.total_5xx, 1);
    assert_eq!(r.format, "unknown: counted by status");
    assert_eq!(r.by_instance[0].label, "(no instance id)");
}

#[test]
fn the_eb_engine_step_is_named() {
    let mut buf = LogBuffer::new(1000, 1 << 20);
    push(
        &mut buf,
        T0,
        "/aws/elasticbeanstalk/shop-prod/var/log/eb-engine.log",
        BAD1,
        "2021/08/05 15:54:15.735201 [ERROR] An error occurred during execution of command [app-deploy] - [PostBuildEbExtension]. Stop running the command. Error: Container commands build failed.",
    );
    let (_, r) = run(&buf, &[], &[]);
    assert!(
        r.findings[0]
            .text
            .starts_with("eb-engine: app-deploy failed at [PostBuildEbExtension]: "),
        "{:?}",
        r.findings
    );
}

#[test]
fn another_source_of_minutes_replaces_the_buffers() {
    let (buf, inst, markers) = bad_deploy();
    let mut agg = Aggregate::default();
    agg.step("shop-prod", &buf, usize::MAX);
    let six_hours = Series {
        start: T0 - 6 * 3_600_000,
        counts: vec![1; 360],
        source: "Logs Insights",
    };
    let inputs = Inputs {
        env: "shop-prod",
        instances: &inst,
        markers: &markers,
        now: T0,
    };
    let r = report(&agg, &inputs, Some(six_hours.clone()));
    assert_eq!(r.series, six_hours);
}
