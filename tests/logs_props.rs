//! Property tests for the log buffer and the sanitizer: whatever bytes arrive, nothing a
//! terminal would interpret comes out, and the buffer's invariants hold for any push sequence.

use ebtui::domain::RawLogEvent;
use ebtui::logs::{
    LogBuffer, LogLine, Query, Search, VisibleLines, sanitize, sanitize_bytes, sanitize_capped,
};
use proptest::prelude::*;

/// Characters the terminal could interpret or that draw nothing: C0, DEL, C1, the bidi and
/// separator controls, and the invisible format characters.
fn is_dangerous(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
        || matches!(c, '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{206A}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{E0000}'..='\u{E007F}')
}

/// Bytes biased towards escape sequences and control bytes, mixed with text and raw UTF-8.
fn hostile_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"\x1b[31m".to_vec()),
        Just(b"\x1b]0;title\x07".to_vec()),
        Just(b"\x1bP1$r\x1b\\".to_vec()),
        Just(b"\xc2\x9b2J".to_vec()),
        Just("\u{202e}".as_bytes().to_vec()),
        Just(
            "\u{061c}\u{2067}\u{200b}\u{feff}\u{e0041}"
                .as_bytes()
                .to_vec()
        ),
        Just(b"\t\r\n\x08\x00\x7f".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..16),
        "[ -~]{0,20}".prop_map(String::into_bytes),
        "\\PC{0,8}".prop_map(String::into_bytes),
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn sanitized_bytes_hold_no_control_characters(bytes in hostile_bytes()) {
        let out = sanitize_bytes(&bytes);
        prop_assert!(!out.chars().any(is_dangerous), "{:?}", out);
        prop_assert!(!out.contains('\x1b'));
    }

    #[test]
    fn sanitized_arbitrary_bytes_hold_no_control_characters(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let out = sanitize_bytes(&bytes);
        prop_assert!(!out.chars().any(is_dangerous), "{:?}", out);
    }

    #[test]
    fn sanitize_is_identity_on_clean_text(s in "[^\\p{Cc}\\p{Cf}\u{2028}\u{2029}\u{E0000}-\u{E007F}]{0,200}") {
        prop_assert_eq!(sanitize(&s), s.as_str());
    }

    #[test]
    fn capped_output_stays_near_the_cap(bytes in hostile_bytes(), cap in 1usize..64) {
        let s = String::from_utf8_lossy(&bytes);
        let out = sanitize_capped(&s, cap);
        let marker = out.find("… [truncated ").unwrap_or(out.len());
        prop_assert!(marker <= cap, "kept {} bytes over a cap of {}", marker, cap);
        prop_assert!(!out.chars().any(is_dangerous));
    }
}

#[derive(Debug, Clone)]
enum Op {
    Push { id: Option<u8>, text: String },
    Clear,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        20 => (proptest::option::of(0u8..40), "[a-c\n\x1b]{0,12}").prop_map(|(id, text)| Op::Push { id, text }),
        1 => Just(Op::Clear),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn buffer_invariants_hold(ops in proptest::collection::vec(op(), 0..200), max_lines in 1usize..20, max_bytes in 0usize..2_000) {
        let mut b = LogBuffer::with_dedup_window(max_lines, max_bytes, 16);
        let mut last_next = 0u64;
        for op in ops {
            match op {
                Op::Push { id, text } => {
                    b.push(RawLogEvent { id: id.map(|i| i.to_string()), ts: 0, group: "g".into(), stream: "s".into(), message: text });
                }
                Op::Clear => b.clear(),
            }
            // Seqs only rise.
            prop_assert!(b.next_seq() >= last_next);
            last_next = b.next_seq();
            // Caps: never more lines than allowed; bytes over the cap only for a single line.
            prop_assert!(b.len() <= max_lines);
            prop_assert!(b.bytes() <= max_bytes || b.len() == 1);
            prop_assert_eq!(b.bytes(), b.iter().map(LogLine::cost).sum::<usize>());
            // Seqs are contiguous from first_seq, and get() agrees with iteration.
            prop_assert_eq!(b.next_seq() - b.first_seq(), b.len() as u64);
            for (i, line) in b.iter().enumerate() {
                prop_assert_eq!(line.seq, b.first_seq() + i as u64);
                prop_assert_eq!(b.get(line.seq).map(|l| l.seq), Some(line.seq));
                prop_assert!(!line.text.contains('\n') && !line.text.chars().any(char::is_control));
            }
            prop_assert!(b.first_seq() == 0 || b.get(b.first_seq() - 1).is_none());
        }
    }

    #[test]
    fn sliced_rescan_equals_full_scan_and_filter_walks_agree(
        texts in proptest::collection::vec("[abé ]{0,6}", 0..150),
        pattern in proptest::sample::select(vec!["ab", "é", "b$", "^a", r"\sb", "a|é", "é ", r"\bb", "^$", "[^a]"]),
        cap in 1usize..120,
        budget in 1usize..30,
        context in 0usize..4,
    ) {
        let mut b = LogBuffer::new(cap, usize::MAX);
        for t in texts {
            b.push(RawLogEvent { id: None, ts: 0, group: "g".into(), stream: "s".into(), message: t });
        }
        let q = Query::compile(pattern);
        let mut full = Search::new();
        full.set_query(q.clone(), &b);
        full.step(&b, usize::MAX);
        let mut sliced = Search::new();
        sliced.set_query(q.clone(), &b);
        while !sliced.step(&b, budget) {}
        prop_assert_eq!(full.hits(), sliced.hits());
        // Ground truth: each line matched on its own.
        let expected: Vec<u64> = match &q {
            Some(q) => b.iter().filter(|l| q.is_match(l.text)).map(|l| l.seq).collect(),
            None => Vec::new(),
        };
        prop_assert_eq!(full.hits().iter().copied().collect::<Vec<_>>(), expected.clone());

        // Filter mode: walking forward and backward shows the same lines, exactly those within
        // `context` of a hit.
        let v = VisibleLines::filtered(&b, full.hits(), context);
        let forward: Vec<u64> = v.iter().map(|s| s.seq).collect();
        let mut backward = Vec::new();
        let mut at = v.last();
        while let Some(s) = at {
            backward.push(s);
            at = v.prev(s).map(|p| p.seq);
        }
        backward.reverse();
        prop_assert_eq!(&forward, &backward);
        let brute: Vec<u64> = b.iter().map(|l| l.seq)
            .filter(|s| expected.iter().any(|h| h.abs_diff(*s) <= context as u64))
            .collect();
        prop_assert_eq!(forward, brute);
    }
}
