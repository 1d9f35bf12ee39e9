//! Making untrusted log text safe to put on a terminal.
//!
//! Log lines come from whatever the application printed, so they can carry escape sequences that
//! would move the cursor, change the title, switch character sets or clear the screen if they
//! reached the terminal. Everything the terminal could interpret is rewritten into visible, inert
//! characters: C0 controls become their Unicode "control pictures" (`\x1b` shows as `␛`, BEL as
//! `␇`), DEL as `␡`. Because the introducer of every CSI, OSC and DCS sequence is such a control,
//! the rest of the sequence is plain printable text and stays visible, which is also what a user
//! debugging colour codes wants. Tabs are expanded to spaces (8-column stops) because the cell
//! grid has no notion of a tab.
//!
//! Characters that have no picture are shown by their code point, `<U+202E>`:
//! - C1 controls (U+0080..U+009F; U+009B is a one-byte CSI on some terminals);
//! - bidirectional controls (U+202A..U+202E embeddings and overrides, U+2066..U+2069 isolates,
//!   the marks U+200E, U+200F and U+061C): they reorder what the terminal shows, so a line could
//!   read as something other than its content ("txt.exe" drawn as "exe.txt");
//! - invisible format characters: zero-width space, joiners and word joiner (U+200B..U+200D,
//!   U+2060..U+2064), the byte-order mark U+FEFF, the soft hyphen U+00AD, U+180E, the deprecated
//!   format controls U+206A..U+206F, interlinear annotation U+FFF9..U+FFFB and the tag
//!   characters U+E0000..U+E007F. They draw nothing, so two names that look the same could
//!   differ, and text could be hidden in plain sight; terminals also disagree on their width;
//! - the line and paragraph separators U+2028, U+2029, which some terminals break lines on.
//!
//! Why `<U+XXXX>` and not one replacement character: the mark is ASCII, so its width is its
//! length on every terminal and font (no East Asian "ambiguous" width to guess), the columns
//! after it stay where the layout put them, and it names the character, so a reader can tell an
//! override from a stray byte-order mark and from U+FFFD, which already means invalid UTF-8.
//!
//! The common case (a clean, short line) costs one scan and no allocation: `Cow::Borrowed`. Plain
//! ASCII never leaves the fast scan: only control bytes and the lead bytes of the characters
//! above send it to the slower check.

use std::borrow::Cow;

/// Most bytes of one line that are kept; the rest is cut and the cut is marked. A 1 MB line is
/// nearly always a dumped payload, and keeping it whole would cost memory and layout time.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Tab stops every 8 columns, as terminals and `less` do.
const TAB_WIDTH: usize = 8;

/// Bytes checked together by the fast scan; an OR over a fixed-size chunk vectorizes.
const CHUNK: usize = 32;

/// Sanitizes one line of text for display (see the module docs). Keeps at most
/// [`MAX_LINE_BYTES`] of output and appends `… [truncated N bytes]` (N = input bytes dropped).
pub fn sanitize(s: &str) -> Cow<'_, str> {
    sanitize_capped(s, MAX_LINE_BYTES)
}

/// Like [`sanitize`], for raw bytes: invalid UTF-8 becomes U+FFFD first.
pub fn sanitize_bytes(bytes: &[u8]) -> Cow<'_, str> {
    match String::from_utf8_lossy(bytes) {
        Cow::Borrowed(s) => sanitize(s),
        Cow::Owned(s) => match sanitize(&s) {
            // Already clean after replacement: hand back the string we own, no second copy.
            Cow::Borrowed(_) => Cow::Owned(s),
            Cow::Owned(clean) => Cow::Owned(clean),
        },
    }
}

/// True when `s` has nothing to rewrite (length aside): one scan, no allocation.
pub fn is_clean(s: &str) -> bool {
    find_unsafe(s, 0).is_none()
}

/// [`sanitize`] with an explicit cap, so tests can exercise truncation on small inputs.
pub fn sanitize_capped(s: &str, cap: usize) -> Cow<'_, str> {
    let first = find_unsafe(s, 0);
    if first.is_none() && s.len() <= cap {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len().min(cap) + 32);
    let mut col = 0usize; // display column in chars, for tab stops
    let mut pos = 0usize; // next input byte not yet handled
    let mut next = first;
    loop {
        // Copy the clean run up to the next unsafe character (or the end).
        let run_end = next.map_or(s.len(), |(at, _)| at);
        let room = cap.saturating_sub(out.len());
        if run_end - pos > room {
            let cut = s.floor_char_boundary(pos + room);
            out.push_str(&s[pos..cut]);
            pos = cut;
            break;
        }
        let run = &s[pos..run_end];
        out.push_str(run);
        col += run.chars().count();
        pos = run_end;
        let Some((at, c)) = next else { break };
        let before = out.len();
        col += rewrite(c, col, &mut out);
        if out.len() > cap {
            // The replacement itself does not fit: drop it whole rather than half a picture.
            out.truncate(before);
            break;
        }
        pos = at + c.len_utf8();
        next = find_unsafe(s, pos);
    }
    if pos < s.len() {
        out.push_str(&format!("… [truncated {} bytes]", s.len() - pos));
    }
    Cow::Owned(out)
}

/// Appends the inert form of `c` to `out`; returns the columns it takes.
fn rewrite(c: char, col: usize, out: &mut String) -> usize {
    let code = c as u32;
    match c {
        '\t' => {
            let n = TAB_WIDTH - col % TAB_WIDTH;
            out.extend(std::iter::repeat_n(' ', n));
            n
        }
        // C0 controls: U+2400 + code is the control picture (␀ .. ␟).
        _ if code < 0x20 => {
            out.push(char::from_u32(0x2400 + code).unwrap_or('\u{FFFD}'));
            1
        }
        '\u{7f}' => {
            out.push('␡');
            1
        }
        _ => {
            // C1 controls, bidi and invisible format characters have no picture: show the code.
            let shown = format!("<U+{code:04X}>");
            out.push_str(&shown);
            shown.len()
        }
    }
}

/// True for a byte that may begin a character the sanitizer must rewrite: C0 controls, DEL, and
/// the lead bytes of the other characters of [`needs_rewrite`]: C2 (C1 controls, U+00AD),
/// D8 (U+061C), E1 (U+180E), E2 (U+200B..U+206F), EF (U+FEFF, U+FFF9..U+FFFB) and F3 (tags).
/// Continuation bytes (80..BF) are never flagged, so a flagged byte is always a char boundary.
#[inline(always)]
fn suspicious(b: u8) -> bool {
    (b < 0x20)
        | (b == 0x7f)
        | (b == 0xc2)
        | (b == 0xd8)
        | (b == 0xe1)
        | (b == 0xe2)
        | (b == 0xef)
        | (b == 0xf3)
}

/// Characters that must not reach the terminal as they are (see the module docs for why).
fn needs_rewrite(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            // Bidirectional marks, embeddings, overrides and isolates reorder what the terminal
            // shows, so a line could display something other than its content.
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
            // Invisible format characters: they draw nothing, so they hide or disguise text.
            | '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}'
            | '\u{206A}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}'
            // Line and paragraph separators: some terminals break the line on them.
            | '\u{2028}' | '\u{2029}'
        )
}

/// Byte offset and value of the first character at or after `from` that needs rewriting.
fn find_unsafe(s: &str, from: usize) -> Option<(usize, char)> {
    let bytes = s.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        let end = (i + CHUNK).min(bytes.len());
        if bytes[i..end]
            .iter()
            .fold(false, |acc, &b| acc | suspicious(b))
        {
            for (j, &b) in bytes.iter().enumerate().take(end).skip(i) {
                if suspicious(b)
                    && let Some(c) = s.get(j..).and_then(|rest| rest.chars().next())
                    && needs_rewrite(c)
                {
                    return Some((j, c));
                }
            }
        }
        i = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_inert(s: &str) {
        assert!(
            !s.chars().any(needs_rewrite),
            "output still holds a control character: {s:?}"
        );
    }

    #[test]
    fn clean_line_is_borrowed() {
        let line = r#"10.0.1.5 - - [24/Nov/2026:10:15:02 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8.0" "-""#;
        assert!(matches!(sanitize(line), Cow::Borrowed(_)));
        // Non-ASCII text that merely shares a lead byte with a control is still clean.
        let unicode = "café — naïve … €5 ✓ 日本語";
        assert!(matches!(sanitize(unicode), Cow::Borrowed(s) if s == unicode));
    }

    #[test]
    fn csi_and_sgr_sequences_are_shown_inert() {
        let out = sanitize("\x1b[31mred\x1b[0m and \x1b[2J\x1b[H");
        assert_eq!(out, "␛[31mred␛[0m and ␛[2J␛[H");
        assert_inert(&out);
    }

    #[test]
    fn osc_dcs_and_lone_escape_are_shown_inert() {
        // OSC 0 (set title) terminated by BEL, OSC 52 (clipboard) terminated by ST, DCS, lone ESC.
        let out = sanitize("\x1b]0;pwned\x07 \x1b]52;c;aGk=\x1b\\ \x1bP1$r\x1b\\ end\x1b");
        assert_eq!(out, "␛]0;pwned␇ ␛]52;c;aGk=␛\\ ␛P1$r␛\\ end␛");
        assert_inert(&out);
    }

    #[test]
    fn c0_c1_del_and_bidi_controls() {
        let out = sanitize("a\x08b\rc\x00d\x7fe\u{9b}31m f\u{202e}g\u{85}");
        assert_eq!(out, "a␈b␍c␀d␡e<U+009B>31m f<U+202E>g<U+0085>");
        assert_inert(&out);
    }

    #[test]
    fn every_bidi_control_is_shown_by_its_code() {
        // "txt.exe" behind a right-to-left override would read "exe.txt".
        assert_eq!(sanitize("a\u{202e}txt.exe"), "a<U+202E>txt.exe");
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
        ] {
            let line = format!("x{c}y");
            let out = sanitize(&line);
            assert_eq!(out, format!("x<U+{:04X}>y", c as u32));
            assert_inert(&out);
        }
    }

    #[test]
    fn invisible_format_characters_are_shown_by_their_code() {
        for c in [
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{2060}',
            '\u{2064}',
            '\u{206A}',
            '\u{206F}',
            '\u{FEFF}',
            '\u{00AD}',
            '\u{180E}',
            '\u{FFF9}',
            '\u{FFFB}',
            '\u{E0001}',
            '\u{E0041}',
            '\u{E007F}',
        ] {
            let line = format!("shop{c}-prod");
            let out = sanitize(&line);
            assert_eq!(out, format!("shop<U+{:04X}>-prod", c as u32));
            assert_inert(&out);
        }
        // A byte-order mark at the start of a line, as some writers leave it.
        assert_eq!(sanitize("\u{feff}GET /"), "<U+FEFF>GET /");
    }

    #[test]
    fn text_sharing_the_new_lead_bytes_stays_borrowed() {
        // D8 (Arabic), E1 (Vietnamese, Georgian), EF (fullwidth, private use), F3 (plane 14+
        // beside the tags), and the visible neighbours of the rewritten characters.
        for clean in [
            "مرحبا بالعالم",
            "Tiếng Việt ở đây",
            "ქართული",
            "ＡＢＣ ｶﾀｶﾅ \u{F8FF}",
            "\u{E0100}\u{F0000}",
            "‐ – — ‘ ’ “ ” • … ‰ € ™ ← ⟪",
            "«¬®°±µ·»",
        ] {
            assert!(
                matches!(sanitize(clean), Cow::Borrowed(s) if s == clean),
                "{clean:?}"
            );
        }
    }

    #[test]
    fn marks_keep_columns_predictable() {
        // Every mark is ASCII: its width in columns is its length, so a tab after it still
        // lands on the next 8-column stop.
        assert_eq!(sanitize("\u{202e}\tx"), "<U+202E>        x");
        assert_eq!(sanitize("ab\u{200b}\tx"), "ab<U+200B>      x");
    }

    #[test]
    fn tabs_expand_to_tab_stops() {
        assert_eq!(sanitize("a\tb"), "a       b");
        assert_eq!(sanitize("\tx"), "        x");
        assert_eq!(sanitize("1234567\t|"), "1234567 |");
        assert_eq!(sanitize("12345678\t|"), "12345678        |");
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        let out = sanitize_bytes(b"ok \xff\xfe bad \xc3 end");
        assert_eq!(out, "ok \u{FFFD}\u{FFFD} bad \u{FFFD} end");
        // Invalid UTF-8 and an escape together.
        let out = sanitize_bytes(b"\x1b[1m\xc0\x80");
        assert_eq!(out, "␛[1m\u{FFFD}\u{FFFD}");
        assert!(matches!(sanitize_bytes(b"plain"), Cow::Borrowed("plain")));
    }

    #[test]
    fn one_megabyte_line_is_cut_and_marked() {
        let line = "x".repeat(1 << 20);
        let out = sanitize(&line);
        let dropped = (1 << 20) - MAX_LINE_BYTES;
        assert_eq!(
            out.len(),
            MAX_LINE_BYTES + format!("… [truncated {dropped} bytes]").len()
        );
        assert!(out.ends_with(&format!("… [truncated {dropped} bytes]")));
        assert!(out.starts_with("xxxx"));
    }

    #[test]
    fn truncation_respects_char_boundaries_and_replacements() {
        // 'é' is 2 bytes: a cap of 3 falls inside the second one.
        assert_eq!(sanitize_capped("éé", 3), "é… [truncated 2 bytes]");
        // A control picture is 3 bytes: one that does not fit is dropped whole.
        assert_eq!(sanitize_capped("ab\x1bcd", 4), "ab… [truncated 3 bytes]");
        // Dirty text inside the cap is still rewritten before the cut.
        assert_eq!(sanitize_capped("\x07abcdef", 5), "␇ab… [truncated 4 bytes]");
    }

    #[test]
    fn long_dirty_line_with_escapes_everywhere() {
        let line = "\x1b[1m".repeat(300_000);
        let out = sanitize(&line);
        assert!(out.len() < MAX_LINE_BYTES + 64);
        assert!(out.contains("[truncated "));
        assert_inert(&out);
    }

    #[test]
    fn controls_past_the_first_chunk_are_found() {
        let mut line = "y".repeat(100);
        line.push('\x1b');
        line.push_str(&"z".repeat(40));
        let out = sanitize(&line);
        assert_eq!(out.chars().nth(100), Some('␛'));
        assert_eq!(out.chars().count(), 141);
    }
}
