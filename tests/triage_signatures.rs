//! Every signature of the triage table against its fixture of real lines
//! (`tests/fixtures/signatures/<id>.txt`, each source cited in a `# source:` line): each line
//! matches its own row and no row of another kind, and ordinary lines match none.

use std::path::Path;

use ebtui::triage::signatures::{Matcher, TABLE, by_id};

const DIR: &str = "tests/fixtures/signatures";

fn fixture(id: &str) -> (String, Vec<String>) {
    let path = Path::new(DIR).join(format!("{id}.txt"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{id}: every row has a fixture ({}): {e}", path.display()));
    let lines = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    (text, lines)
}

#[test]
fn every_row_has_a_cited_fixture_and_every_fixture_a_row() {
    for sig in TABLE {
        let (text, lines) = fixture(sig.id);
        assert!(
            text.contains("# source: http"),
            "{}: cite the source",
            sig.id
        );
        assert!(!lines.is_empty(), "{}: no lines", sig.id);
    }
    for entry in std::fs::read_dir(DIR).expect("fixtures") {
        let name = entry
            .expect("entry")
            .file_name()
            .into_string()
            .expect("utf-8");
        let id = name.trim_end_matches(".txt");
        assert!(by_id(id).is_some(), "{name} has no row in the table");
    }
}

#[test]
fn each_fixture_matches_its_own_row_and_no_row_of_another_kind() {
    let m = Matcher::get();
    for (i, sig) in TABLE.iter().enumerate() {
        for line in fixture(sig.id).1 {
            let hits = m.matches(&line);
            assert!(
                hits.contains(&i),
                "{}: does not match its own line:\n{line}",
                sig.id
            );
            for j in hits {
                assert_eq!(
                    TABLE[j].kind, sig.kind,
                    "{}'s line also matches {} (another kind):\n{line}",
                    sig.id, TABLE[j].id
                );
            }
        }
    }
}

#[test]
fn the_failing_step_is_read_from_eb_engine_lines() {
    let m = Matcher::get();
    let row = TABLE
        .iter()
        .position(|s| s.id == "eb_engine_app_deploy")
        .expect("row");
    let steps: Vec<Option<String>> = fixture("eb_engine_app_deploy")
        .1
        .iter()
        .map(|l| m.detail(row, l))
        .collect();
    assert_eq!(
        steps,
        [
            Some("PostBuildEbExtension".to_string()),
            Some("StageApplication".to_string())
        ]
    );
}

#[test]
fn ordinary_lines_match_nothing() {
    let m = Matcher::get();
    let negatives = [
        // A healthy nginx access line and a 502 access line: counted by status, not signatures.
        r#"10.0.1.5 - - [24/Nov/2026:10:15:02 +0000] "GET /api/cart HTTP/1.1" 502 157 "-" "curl/8.0" "-""#,
        // nginx's own warning on the demo's healthy instances.
        "2026/11/24 10:15:02 [warn] 2650#2650: *12 an upstream response is buffered to a temporary file /var/lib/nginx/tmp/proxy/1/00/0000000001 while reading upstream",
        // Source: https://github.com/kubernetes-sigs/aws-load-balancer-controller/issues/3095 (a target answered 200).
        r#"h2 2023-03-08T12:07:54.384610Z app/xxxxxx/xxxxxx xxx.xx.xx.xxx:37217 10.0.23.17:31130 0.001 0.002 0.000 200 200 49 1010 "GET https://argocd-pj-1-sample-1.kahiro.c16e-dev.com:443/ HTTP/2.0" "curl/7.86.0""#,
        // Source: https://github.com/benoitc/gunicorn/issues/2103: a worker booting is not a failure.
        "[2019-12-29 02:17:45 +0000] [12933] [INFO] Booting worker with pid: 12933",
        "2021/04/26 07:12:40.596205 [INFO] Starting...",
        "Error: listen on port 8080 succeeded",
        "",
    ];
    for line in negatives {
        assert!(
            m.matches(line).is_empty(),
            "matched {:?}:\n{line}",
            m.matches(line)
        );
    }
}
