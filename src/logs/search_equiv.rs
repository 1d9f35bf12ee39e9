//! The fast search finds exactly the lines the plain regex finds: the literal prefilter, the
//! regex pass over runs and the chunks scanned in parallel, against `is_match` on each line
//! alone. Tables for the shapes that could go wrong, and a property over random lines.

use std::collections::VecDeque;

use proptest::prelude::*;
use regex_syntax::ParserBuilder;
use regex_syntax::hir::{Class, HirKind};

use super::buffer::LogBuffer;
use super::pane::PRESET_5XX;
use super::parallel::scan_in;
use super::prefilter::Prefilter;
use super::query::Query;
use super::search::Search;
use crate::domain::RawLogEvent;

fn buf_with<S: AsRef<str>>(lines: &[S]) -> LogBuffer {
    super::buffer::lines_of(lines, usize::MAX)
}

/// Every line tested alone with the query's own regex: what the search must find.
fn plain(q: &Query, b: &LogBuffer) -> Vec<u64> {
    b.iter()
        .filter(|l| q.is_match(l.text))
        .map(|l| l.seq)
        .collect()
}

/// The search cut into `chunks` chunks.
fn fast(q: &Query, b: &LogBuffer, chunks: usize) -> Vec<u64> {
    let mut hits = VecDeque::new();
    scan_in(q, b, b.first_seq()..b.next_seq(), &mut hits, chunks);
    hits.into()
}

fn agree(q: &Query, b: &LogBuffer) {
    let want = plain(q, b);
    for chunks in [1, 2, 3, 5, 8] {
        assert_eq!(
            fast(q, b, chunks),
            want,
            "pattern {:?} (ci {}) in {chunks} chunks",
            q.text(),
            q.is_case_insensitive()
        );
    }
}

const LINES: &[&str] = &[
    r#"10.0.1.7 - - [24/Nov/2026:10:15:01 +0000] "GET /api/cart HTTP/1.1" 502 157 "-" "curl/8.0.1""#,
    r#"10.0.1.8 - - [24/Nov/2026:10:15:01 +0000] "GET /health HTTP/1.1" 200 2 "-" "ELB-HealthChecker/2.0""#,
    "2026/11/24 10:15:02 [error] 2345#2345: *9 connect() failed (111: Connection refused) while connecting to upstream",
    "2026/11/24 10:15:02 [error] upstream timed out (110: Connection timed out)",
    "UPSTREAM in capitals, API/CART too",
    "",
    "café au lait, naïve résumé",
    "CAFÉ NAÏVE",
    "日本語のログ: エラー",
    "the Kelvin sign \u{212A} and the long \u{17F}: kelvin, sun",
    "KELVIN SUN ſun",
    "ends with api",
    "api",
    "cart/api/cart/api",
    "x\ty\tz",
    "a b",
    "foo bar baz",
    "foobar",
    "  leading spaces",
    "trailing spaces  ",
];

const PATTERNS: &[&str] = &[
    PRESET_5XX,
    "upstream",
    "Upstream",
    "api/cart",
    "API/CART",
    "connect() failed (111", // invalid: searched literally
    "(",
    "a(b",
    r#"" 5[0-9]{2} "#,
    "^api",
    "api$",
    "^api$",
    "^$",
    r"\bapi\b",
    r"\Aapi",
    r"api\z",
    "café",
    "CAFÉ",
    "naïve|résumé",
    "日本語",
    "エラー$",
    "kelvin",
    "sun",
    "KELVIN",
    "ſun",
    "\u{212A}",
    "k",
    "upstream|timed out|cart",
    "foo|bar|baz|qux|quux|corge|grault|garply|waldo|fred",
    r"\d+ms",
    r"\w+",
    r"[0-9]{3} \d+",
    r"\d+ upstream",
    r"(?i)UPSTREAM",
    r"(?-i)upstream",
    r"conn(ect|ection) (failed|refused)",
    "a|b*",
    "(api)",
    r"\s+$",
    r"x\sy",
    r"a\nb",
    "ab|cd",
];

#[test]
fn the_fast_search_agrees_with_each_line_alone() {
    // Repeated so that chunks cut lines of every kind, dense and sparse.
    let lines: Vec<&str> = LINES
        .iter()
        .copied()
        .cycle()
        .take(LINES.len() * 37)
        .collect();
    let b = buf_with(&lines);
    for p in PATTERNS {
        for q in [Query::compile(p), Query::compile_exact(p)]
            .into_iter()
            .flatten()
        {
            agree(&q, &b);
        }
    }
}

#[test]
fn hits_straddling_chunk_boundaries_are_found_once() {
    // Every line a hit, and hits at every possible cut.
    let lines: Vec<String> = (0..97).map(|i| format!("upstream {i}")).collect();
    let b = buf_with(&lines);
    let q = Query::compile("upstream").expect("valid");
    for chunks in 1..=12 {
        assert_eq!(fast(&q, &b, chunks), (0..97).collect::<Vec<u64>>());
    }
    // More chunks than lines, and a buffer whose oldest lines were evicted.
    let mut b = LogBuffer::new(5, usize::MAX);
    for i in 0..9 {
        b.push(RawLogEvent {
            id: None,
            ts: 0,
            group: "g".into(),
            stream: "s".into(),
            message: format!("line {i} api"),
        });
    }
    let q = Query::compile("api").expect("valid");
    assert_eq!(fast(&q, &b, 7), [4, 5, 6, 7, 8]);
}

#[test]
fn a_full_search_is_the_same_in_slices() {
    let lines: Vec<&str> = LINES.iter().copied().cycle().take(20_000).collect();
    let b = buf_with(&lines);
    for p in [PRESET_5XX, "api/cart", "café", r"\d+ms"] {
        let q = Query::compile(p).expect("valid");
        let mut s = Search::new();
        s.set_query(Some(q.clone()), &b);
        while !s.step(&b, 6_000) {}
        assert_eq!(s.hits().iter().copied().collect::<Vec<_>>(), plain(&q, &b));
    }
}

#[test]
fn needles_of_common_shapes() {
    let needles = |p: &str, ci: bool| {
        Prefilter::new(p, ci).map(|f| {
            let mut n: Vec<String> = f
                .needles()
                .iter()
                .map(|n| String::from_utf8_lossy(n).into_owned())
                .collect();
            n.sort();
            (n, f.is_exact())
        })
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    // The 5xx preset: three needles, two of them whole matches.
    assert_eq!(
        needles(PRESET_5XX, false),
        Some((s(&["\" 5", "connect() failed", "upstream"]), false))
    );
    assert_eq!(needles("api/cart", false), Some((s(&["api/cart"]), true)));
    // Case-insensitive: lowercased, exact while no letter has a non-ASCII partner.
    assert_eq!(needles("api/cart", true), Some((s(&["api/cart"]), true)));
    assert_eq!(needles("upstream", true), Some((s(&["tream"]), false)));
    assert_eq!(needles("^api", false), Some((s(&["api"]), false)));
    assert_eq!(
        needles(r"\d+ upstream", false),
        Some((s(&[" upstream"]), false))
    );
    assert_eq!(needles(r"\d+ms\}", false), Some((s(&["ms}"]), false)));
    assert_eq!(needles("café", true), Some((s(&["caf"]), false)));
    assert_eq!(needles("café", false), Some((s(&["café"]), true)));
    for none in [r"\w+", "a|b*", "k", "日本", r"a\nb", "x"] {
        assert_eq!(needles(none, true), None, "{none}");
    }
}

/// What `fold_needles` rests on: with the regex crate's case folding, an ASCII character other
/// than the letters k and s matches only its ASCII self in either case.
#[test]
fn ascii_other_than_k_and_s_folds_only_to_ascii() {
    for c in (0x20u8..0x7f).map(char::from) {
        let hir = ParserBuilder::new()
            .case_insensitive(true)
            .build()
            .parse(&regex_syntax::escape(&c.to_string()))
            .expect("parses");
        let all_ascii = match hir.kind() {
            HirKind::Literal(l) => l.0.is_ascii(),
            HirKind::Class(Class::Unicode(cls)) => cls.ranges().iter().all(|r| r.end().is_ascii()),
            other => panic!("{c:?}: {other:?}"),
        };
        assert_eq!(all_ascii, !matches!(c, 'k' | 'K' | 's' | 'S'), "{c:?}");
    }
}

fn line() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("api"),
        Just("API"),
        Just("cart"),
        Just("/"),
        Just(" "),
        Just("5"),
        Just("0"),
        Just("\""),
        Just("é"),
        Just("É"),
        Just("日本"),
        Just("ſ"),
        Just("\u{212A}"),
        Just("k"),
        Just("s"),
        Just("up"),
        Just("stream"),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn random_lines_agree(
        lines in prop::collection::vec(line(), 1..200),
        p in prop::sample::select(vec![
            "api", "API", "api/cart", "^api", "cart$", "é", "É", "日本", "stream", "upstream",
            "sk", "SK", "\" 5[0-9]{2}", "api|cart|stream", "(?i)é", r"\bapi\b", "^$", "5 ?0",
        ]),
        chunks in 1usize..6,
    ) {
        let b = buf_with(&lines);
        for q in [Query::compile(p), Query::compile_exact(p)].into_iter().flatten() {
            prop_assert_eq!(fast(&q, &b, chunks), plain(&q, &b), "pattern {:?}", p);
        }
    }
}
