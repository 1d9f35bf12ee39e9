//! The invariants of ARCHITECTURE.md that the compiler cannot check, enforced by reading `src/`.
//!
//! Each `#[test]` names the invariant it holds and, when it fails, lists every offence as
//! `file:line: what, in: the line`. The rules are functions of `(path, text)`, so the unit tests at
//! the end feed each one a bad snippet and assert that it is reported: a check that cannot fail
//! would be worthless.
//!
//! How the source is read: a small Rust tokenizer drops comments (line, doc and nested block
//! comments) and turns every string, raw string, byte string and char literal into one opaque
//! token, so prose and message text ("tokio", "println!") never trip a rule, and `'"'` or
//! `r#"..."#` cannot derail it; lifetimes (`'a`) are told apart from char literals. Rules then match
//! token sequences (`Utc :: now`, `println !`), so spacing and line breaks do not hide a name.
//! `use` trees are flattened (`use std::{fs, time::Instant}` gives `std::fs` and
//! `std::time::Instant`), so grouping an import does not hide it either.
//!
//! Test code: `#[cfg(test)]` code under `src/` is held to the same rules as product code. That is
//! true today and it is what we want: a test of a pure layer that read the clock, slept or printed
//! would be slow, flaky or noisy, and the app tests only *match* the write effect with a pattern
//! (`Effect::Execute { .. }`), which the write-gate rule tells apart from building one. The one
//! allowance is that the cloud backends (`src/cloud/`) may call their own `execute`: the
//! simulator's tests drive writes directly, and nothing there runs unless the executor asks.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The file holding the confirmed write, `fn execute`, which refuses in read-only mode: the only
/// place an `Effect::Execute` may be built, and only inside that function. Moving the function
/// means changing this one line (the test checks the function is here and still refuses).
const WRITE_GATE: &str = "src/app/update/ops.rs";
/// The executor that turns `Effect::Execute` into `Cloud::execute`: the only caller outside the
/// backends themselves.
const EXECUTOR: &str = "src/runtime/effects.rs";
/// The headless deploy's writer (`ebtui deploy`): its own gate, refusing in read-only mode; the
/// only other caller of `Cloud::execute` and `Cloud::upload_bundle`.
const HEADLESS_WRITER: &str = "src/headless/steps.rs";
/// The headless deploy's report: no UI is up while it runs, so it may write to stdout.
const HEADLESS_OUT: &str = "src/headless/report.rs";
/// The file that owns the terminal: the only one that may take a handle on stdout or stderr.
const TERMINAL: &str = "src/runtime/terminal.rs";
/// The pure layers: `update`, `render` and what they call. No I/O, no await, no clock.
const PURE_LAYERS: &[&str] = &[
    "src/app/",
    "src/ui/",
    "src/logs/",
    "src/domain/",
    "src/props/",
    // What `update` builds for the journal: plain data, the database stays in `src/journal/`.
    "src/journal/record.rs",
    "src/triage/",
];
/// The one pure file that may use `std::thread`: the log search cuts a slice into chunks scanned
/// on scoped threads. Fork-join: every thread is joined before the call returns, the hits are
/// those of a serial scan, nothing outlives the call and nothing is read, written or awaited, so
/// the layer stays a function of its inputs. A detached or sleeping thread there is still reported.
const FORK_JOIN: &str = "src/logs/parallel.rs";
const DETACHED: &[&str] = &["thread :: spawn", "thread :: Builder", "thread :: sleep"];
/// The only place SDK names may appear.
const SDK_HOME: &str = "src/cloud/aws/";
/// Layers that must not know ratatui.
const NO_RATATUI: &[&str] = &["src/app/", "src/cloud/"];
/// The cloud backends: they implement `Cloud::execute` and test it directly.
const CLOUD: &str = "src/cloud/";
/// The crate root only declares modules; the module map need not list it.
const UNMAPPED: &[&str] = &["src/lib.rs"];

/// Clock reads, and the clock types that only exist to be read. `chrono::Utc` and `DateTime` are
/// allowed: the UI formats timestamps it was given in UTC without reading the time.
const CLOCK: &[&str] = &[
    "SystemTime",
    "Instant",
    "UNIX_EPOCH",
    "Utc :: now",
    "Local :: now",
    "chrono :: Local",
    "offset :: Local",
];
/// I/O and concurrency that pure code must not touch.
const IO: &[&str] = &[
    "tokio",
    "async",
    "await",
    "std :: fs",
    "std :: net",
    "std :: process",
    "std :: env",
    "std :: thread",
    "rusqlite",
];
/// Writing to the terminal the UI owns.
const PRINT: &[&str] = &["println !", "print !", "eprintln !", "eprint !", "dbg !"];
/// A handle on the terminal's streams (`io::stdout()`, `std::io::stderr()`).
const STREAMS: &[&str] = &["stdout (", "stderr ("];
/// The AWS SDK and its runtime crates (`*` ends a prefix).
const SDK: &[&str] = &[
    "aws_sdk_*",
    "aws_smithy_*",
    "aws_config",
    "aws_types",
    "aws_credential_types",
    "aws_sigv4",
    "aws_runtime",
];
/// Terminal drawing. The app may use crossterm's key types (keys come in as `Msg::Key`), the
/// cloud may not know the terminal at all.
const RATATUI: &[&str] = &["ratatui"];
const TERMINAL_IN_CLOUD: &[&str] = &["ratatui", "crossterm", "tui_input"];
/// A call of `Cloud::execute`, as a method or by path.
const CLOUD_EXECUTE: &[&str] = &[
    ". execute (",
    "Cloud :: execute",
    ". upload_bundle (",
    "Cloud :: upload_bundle",
];

/// The files that may call an SDK operation that changes anything in AWS, each with writes it must
/// really make (so the allowance cannot go stale): `AwsCloud::run_op` (Elastic Beanstalk), and the
/// S3 upload of a source bundle it or the executor starts for a confirmed `Op::UploadBundle`. Both
/// are reached only through the confirmed write (refused in read-only mode before it), and send
/// every write once, without SDK retry (the upload's parts and abort excepted, said there).
const SDK_WRITE_GATES: &[(&str, &[&str])] = &[
    (
        "src/cloud/aws/ops.rs",
        &[
            "update_environment",
            "request_environment_info",
            "create_storage_location",
            "create_application_version",
        ],
    ),
    // StopQuery ends a Logs Insights query ebtui itself started (the cancel of a read: it changes
    // nothing anyone else sees); it is sent when the user stops the search or the task is dropped.
    ("src/cloud/aws/logs/insights.rs", &["stop_query"]),
    (
        "src/cloud/aws/upload.rs",
        &[
            "put_object",
            "create_multipart_upload",
            "upload_part",
            "complete_multipart_upload",
            "abort_multipart_upload",
        ],
    ),
];
/// Every operation of the SDKs in use that changes something (or makes instances act), as
/// the fluent client methods are named. Reads (describe_, list_, get_, filter_, retrieve_,
/// validate_, start_live_tail, start_query) are not here.
const SDK_WRITE_OPS: &[&str] = &[
    // Elastic Beanstalk
    "abort_environment_update",
    "apply_environment_managed_action",
    "associate_environment_operations_role",
    "compose_environments",
    "create_application_version",
    "create_storage_location",
    "disassociate_environment_operations_role",
    "rebuild_environment",
    "request_environment_info",
    "restart_app_server",
    "swap_environment_cnames",
    "terminate_environment",
    "update_environment",
    // CloudFormation
    "activate_organizations_access",
    "activate_type",
    "cancel_update_stack",
    "continue_update_rollback",
    "deactivate_organizations_access",
    "deactivate_type",
    "deregister_type",
    "detect_stack_drift",
    "detect_stack_resource_drift",
    "detect_stack_set_drift",
    "execute_change_set",
    "execute_stack_refactor",
    "import_stacks_to_stack_set",
    "publish_type",
    "record_handler_progress",
    "register_publisher",
    "register_type",
    "rollback_stack",
    "set_stack_policy",
    "set_type_configuration",
    "set_type_default_version",
    "signal_resource",
    "start_resource_scan",
    "stop_stack_set_operation",
    // CloudWatch Logs
    "associate_kms_key",
    "associate_source_to_s3_table_integration",
    "cancel_export_task",
    "cancel_import_task",
    "disassociate_kms_key",
    "disassociate_source_from_s3_table_integration",
    "stop_query",
    "tag_log_group",
    "tag_resource",
    "untag_log_group",
    "untag_resource",
    // S3
    "abort_multipart_upload",
    "complete_multipart_upload",
    "copy_object",
    "create_multipart_upload",
    "put_object",
    "rename_object",
    "restore_object",
    "upload_part",
    "upload_part_copy",
    "write_get_object_response",
];
/// Verbs that always mean a write, for operations added to the SDKs later. Matched as method calls
/// in `src/cloud/` only, where the SDK clients live (`fs::create_dir_all(` is a file call).
const SDK_WRITE_VERBS: &[&str] = &["create_", "delete_", "put_", "update_", "terminate_"];

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ident,
    Punct,
    /// Any literal: string, raw string, byte string, char, number. Its text is not kept.
    Lit,
    Lifetime,
}

#[derive(Debug, Clone)]
struct Tok {
    kind: Kind,
    text: String,
    line: usize,
}

impl Tok {
    fn is(&self, kind: Kind, text: &str) -> bool {
        self.kind == kind && self.text == text
    }
    fn ident(&self, text: &str) -> bool {
        self.is(Kind::Ident, text)
    }
    fn punct(&self, text: &str) -> bool {
        self.is(Kind::Punct, text)
    }
}

/// Longest first, so `..=` is not read as `..` then `=`.
const PUNCTS: &[&str] = &[
    "<<=", ">>=", "...", "..=", "::", "=>", "->", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=",
    "*=", "/=", "%=", "^=", "&=", "|=", "<<", ">>", "..",
];

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The end (exclusive) of a raw string starting at `i` (`r"`, `r#"`, `br##"`, `cr"`...), if one
/// starts there.
fn raw_string_end(c: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    if matches!(c.get(j), Some('b' | 'c')) {
        j += 1;
    }
    if c.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while c.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    if c.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < c.len() {
        if c[j] == '"' && (1..=hashes).all(|h| c.get(j + h) == Some(&'#')) {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(c.len())
}

/// The end (exclusive) of a quoted string whose opening `"` is at `i`; escapes are skipped.
fn string_end(c: &[char], i: usize) -> usize {
    let mut j = i + 1;
    while j < c.len() {
        match c[j] {
            '\\' => j += 2,
            '"' => return j + 1,
            _ => j += 1,
        }
    }
    c.len()
}

/// The end (exclusive) of a char literal whose opening `'` is at `i`, or `None` when the quote
/// starts a lifetime or label (`'a`, `'static`, `'outer:`).
fn char_end(c: &[char], i: usize) -> Option<usize> {
    if c.get(i + 1) == Some(&'\\') {
        // `'\n'`, `'\''`, `'\\'`, `'\u{1F600}'`: skip the escaped char, then up to the quote.
        let mut j = i + 3;
        while j < c.len() && c[j] != '\'' {
            j += 1;
        }
        return Some(j + 1);
    }
    if c.get(i + 2) == Some(&'\'') && c.get(i + 1).is_some() {
        return Some(i + 3);
    }
    None
}

/// Rust source as tokens, without comments and with every literal opaque.
fn tokenize(src: &str) -> Vec<Tok> {
    let c: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let lines_in = |from: usize, to: usize| {
        c[from..to.min(c.len())]
            .iter()
            .filter(|&&x| x == '\n')
            .count()
    };
    while i < c.len() {
        let ch = c[i];
        let next = c.get(i + 1).copied();
        let start = line;
        let mut push = |kind: Kind, text: String| {
            toks.push(Tok {
                kind,
                text,
                line: start,
            })
        };
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && next == Some('*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if let Some(end) = raw_string_end(&c, i) {
            push(Kind::Lit, String::new());
            line += lines_in(i, end);
            i = end;
        } else if ch == '"' || (matches!(ch, 'b' | 'c') && next == Some('"')) {
            let open = if ch == '"' { i } else { i + 1 };
            let end = string_end(&c, open);
            push(Kind::Lit, String::new());
            line += lines_in(i, end);
            i = end;
        } else if ch == 'b' && next == Some('\'') {
            push(Kind::Lit, String::new());
            i = char_end(&c, i + 1).unwrap_or(i + 2);
        } else if ch == '\'' {
            match char_end(&c, i) {
                Some(end) => {
                    push(Kind::Lit, String::new());
                    i = end;
                }
                None => {
                    let mut j = i + 1;
                    while j < c.len() && is_ident_char(c[j]) {
                        j += 1;
                    }
                    push(Kind::Lifetime, c[i..j].iter().collect());
                    i = j.max(i + 1);
                }
            }
        } else if ch == 'r' && next == Some('#') && c.get(i + 2).is_some_and(|&x| is_ident_start(x))
        {
            // A raw identifier, `r#type`: the name is what counts.
            let mut j = i + 2;
            while j < c.len() && is_ident_char(c[j]) {
                j += 1;
            }
            push(Kind::Ident, c[i + 2..j].iter().collect());
            i = j;
        } else if is_ident_start(ch) {
            let mut j = i;
            while j < c.len() && is_ident_char(c[j]) {
                j += 1;
            }
            push(Kind::Ident, c[i..j].iter().collect());
            i = j;
        } else if ch.is_ascii_digit() {
            let mut j = i;
            while j < c.len()
                && (is_ident_char(c[j])
                    || (c[j] == '.' && c.get(j + 1).is_some_and(|x| x.is_ascii_digit())))
            {
                j += 1;
            }
            push(Kind::Lit, String::new());
            i = j;
        } else {
            let rest: String = c[i..(i + 3).min(c.len())].iter().collect();
            let p = PUNCTS
                .iter()
                .find(|p| rest.starts_with(**p))
                .map(|p| p.to_string())
                .unwrap_or_else(|| ch.to_string());
            i += p.chars().count();
            push(Kind::Punct, p);
        }
    }
    toks
}

/// Every path a `use` declaration brings in, flattened, with the line of its last segment.
fn use_paths(toks: &[Tok]) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < toks.len() {
        if toks[k].ident("use") {
            let mut i = k + 1;
            use_tree(toks, &mut i, Vec::new(), &mut out);
            k = i.max(k + 1);
        } else {
            k += 1;
        }
    }
    out
}

fn use_tree(
    toks: &[Tok],
    i: &mut usize,
    mut prefix: Vec<String>,
    out: &mut Vec<(usize, Vec<String>)>,
) {
    while let Some(t) = toks.get(*i) {
        match t.kind {
            Kind::Punct if t.text == "::" => *i += 1,
            Kind::Punct if t.text == "*" => {
                *i += 1;
                out.push((t.line, prefix));
                return;
            }
            Kind::Punct if t.text == "{" => {
                *i += 1;
                while let Some(t) = toks.get(*i) {
                    if t.punct("}") {
                        *i += 1;
                        return;
                    } else if t.punct(",") {
                        *i += 1;
                    } else {
                        let before = *i;
                        use_tree(toks, i, prefix.clone(), out);
                        if *i == before {
                            *i += 1;
                        }
                    }
                }
                return;
            }
            Kind::Ident => {
                prefix.push(t.text.clone());
                *i += 1;
                if toks.get(*i).is_some_and(|n| n.punct("::")) {
                    continue;
                }
                if toks.get(*i).is_some_and(|n| n.ident("as")) {
                    *i += 2;
                }
                out.push((t.line, prefix));
                return;
            }
            _ => return,
        }
    }
}

/// The index of the bracket closing the one opened at `open`.
fn closing(toks: &[Tok], open: usize) -> usize {
    let mut depth = 0usize;
    for (k, t) in toks.iter().enumerate().skip(open) {
        if t.kind != Kind::Punct {
            continue;
        }
        match t.text.as_str() {
            "{" | "(" | "[" => depth += 1,
            "}" | ")" | "]" => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    toks.len() - 1
}

// ---------------------------------------------------------------------------------------------
// Needles and findings
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Pat {
    Ident(String),
    Prefix(String),
    Punct(String),
}

impl Pat {
    fn matches(&self, t: &Tok) -> bool {
        match self {
            Pat::Ident(s) => t.ident(s),
            Pat::Prefix(s) => t.kind == Kind::Ident && t.text.starts_with(s.as_str()),
            Pat::Punct(s) => t.punct(s),
        }
    }
    fn matches_segment(&self, seg: &str) -> bool {
        match self {
            Pat::Ident(s) => seg == s,
            Pat::Prefix(s) => seg.starts_with(s.as_str()),
            Pat::Punct(_) => false,
        }
    }
}

/// A token pattern written as source: `"Utc :: now"`, `"println !"`; a final `*` after a name
/// makes it a prefix (`"aws_sdk_*"`).
fn pattern(spec: &str) -> Vec<Pat> {
    let toks = tokenize(spec);
    let mut out = Vec::new();
    let mut k = 0;
    while k < toks.len() {
        let t = &toks[k];
        if t.kind == Kind::Ident && toks.get(k + 1).is_some_and(|n| n.punct("*")) {
            out.push(Pat::Prefix(t.text.clone()));
            k += 2;
            continue;
        }
        out.push(match t.kind {
            Kind::Ident => Pat::Ident(t.text.clone()),
            _ => Pat::Punct(t.text.clone()),
        });
        k += 1;
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Finding {
    path: String,
    line: usize,
    what: String,
    text: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {}, in: {}",
            self.path, self.line, self.what, self.text
        )
    }
}

/// One source file, read once.
struct Scan {
    path: String,
    toks: Vec<Tok>,
    uses: Vec<(usize, Vec<String>)>,
    lines: Vec<String>,
}

impl Scan {
    fn new(path: &str, src: &str) -> Scan {
        let toks = tokenize(src);
        let uses = use_paths(&toks);
        Scan {
            path: path.to_string(),
            toks,
            uses,
            lines: src.lines().map(str::to_string).collect(),
        }
    }

    fn finding(&self, line: usize, what: String) -> Finding {
        let text = self
            .lines
            .get(line.wrapping_sub(1))
            .map_or("", |l| l.trim());
        let text: String = text.chars().take(140).collect();
        Finding {
            path: self.path.clone(),
            line,
            what,
            text,
        }
    }

    fn under(&self, dirs: &[&str]) -> bool {
        dirs.iter().any(|d| self.path.starts_with(d))
    }

    /// Every place one of `specs` occurs, in the code or in a flattened `use` path.
    fn find(&self, specs: &[&str]) -> Vec<Finding> {
        let mut out = BTreeSet::new();
        for spec in specs {
            let pats = pattern(spec);
            let label = format!("`{}`", spec.replace(' ', "").replace('*', "…"));
            let mut seen = BTreeSet::new();
            for k in 0..self.toks.len() {
                let window = &self.toks[k..];
                if window.len() >= pats.len() && pats.iter().zip(window).all(|(p, t)| p.matches(t))
                {
                    seen.insert(self.toks[k].line);
                    out.insert(self.finding(self.toks[k].line, label.clone()));
                }
            }
            // As a path: `std :: fs` is the segments [std, fs].
            let segs: Vec<&Pat> = pats
                .iter()
                .filter(|p| !matches!(p, Pat::Punct(s) if s == "::"))
                .collect();
            if segs.iter().any(|p| matches!(p, Pat::Punct(_))) {
                continue;
            }
            for (line, path) in &self.uses {
                if !seen.contains(line)
                    && path
                        .windows(segs.len())
                        .any(|w| segs.iter().zip(w).all(|(p, s)| p.matches_segment(s)))
                {
                    out.insert(self.finding(
                        *line,
                        format!("{label} (imported as `{}`)", path.join("::")),
                    ));
                }
            }
        }
        out.into_iter().collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Rules: each takes (path, text) and returns what breaks it
// ---------------------------------------------------------------------------------------------

/// Invariant 1: the pure layers do no I/O, no await, read no clock, print nothing and know no SDK.
fn pure_layer_offences(path: &str, src: &str) -> Vec<Finding> {
    let s = Scan::new(path, src);
    if !s.under(PURE_LAYERS) {
        return Vec::new();
    }
    let specs: Vec<&str> = [CLOCK, IO, PRINT, SDK].concat();
    let mut found = s.find(&specs);
    if s.path == FORK_JOIN {
        found.retain(|f| !f.what.starts_with("`std::thread`"));
        found.extend(s.find(DETACHED));
    }
    found
}

/// Invariant 6, first half: SDK names stay in `src/cloud/aws/`.
fn sdk_offences(path: &str, src: &str) -> Vec<Finding> {
    let s = Scan::new(path, src);
    if s.path.starts_with(SDK_HOME) {
        return Vec::new();
    }
    s.find(SDK)
}

/// Invariant 6, second half: no ratatui in `app/` or `cloud/`, and the cloud knows no terminal.
fn ratatui_offences(path: &str, src: &str) -> Vec<Finding> {
    let s = Scan::new(path, src);
    if s.path.starts_with(CLOUD) {
        s.find(TERMINAL_IN_CLOUD)
    } else if s.under(NO_RATATUI) {
        s.find(RATATUI)
    } else {
        Vec::new()
    }
}

/// Invariant 7: nothing prints; only the terminal module takes a handle on stdout/stderr.
/// `main.rs` prints nothing either (clap's own `--help` output is not in our source), so it has no
/// allowance.
fn print_offences(path: &str, src: &str) -> Vec<Finding> {
    let s = Scan::new(path, src);
    let mut out = s.find(PRINT);
    if s.path != TERMINAL && s.path != HEADLESS_OUT {
        // `Command::stdout(Stdio::piped())` sets up a child's pipe; it prints nothing. A line
        // that also names `::stdout(` is still reported.
        let lines = |specs: &[&str]| -> BTreeSet<usize> {
            s.find(specs).into_iter().map(|f| f.line).collect()
        };
        let child = lines(&[". stdout (", ". stderr ("]);
        let handle = lines(&[":: stdout (", ":: stderr ("]);
        out.extend(
            s.find(STREAMS)
                .into_iter()
                .filter(|f| !child.contains(&f.line) || handle.contains(&f.line)),
        );
    }
    out
}

/// Whether the `Execute { ... }` whose name is at `k` is a pattern (matched) rather than an
/// expression (built). Patterns: a rest `..` closing the fields, a `_`, `ref` or `@` binding, or a
/// `=>`, `=`, `|`, `if` or `in` after it (past closing brackets), as in a match arm, `let`, `if
/// let` or `for`. Anything else counts as built, so a doubtful case fails loudly rather than
/// slipping through: write `Effect::Execute { .. }` in a pattern.
fn is_pattern(toks: &[Tok], k: usize) -> bool {
    let open = k + 1;
    let close = closing(toks, open);
    let mut depth = 0;
    for j in open..close {
        let t = &toks[j];
        if t.punct("{") || t.punct("(") || t.punct("[") {
            depth += 1;
        } else if t.punct("}") || t.punct(")") || t.punct("]") {
            depth -= 1;
        }
        if depth != 1 {
            continue;
        }
        let rest = t.punct("..") && toks[j + 1].punct("}");
        let wildcard = t.ident("_") && toks[j - 1].punct(":");
        if rest || wildcard || t.ident("ref") || t.punct("@") {
            return true;
        }
    }
    let after = toks[close + 1..]
        .iter()
        .find(|t| !(t.punct(")") || t.punct("]")));
    after.is_some_and(|t| {
        t.punct("=>") || t.punct("=") || t.punct("|") || t.ident("if") || t.ident("in")
    })
}

/// The token index of every `Execute { ... }` built (not matched, not declared) in the file.
fn execute_builds(toks: &[Tok]) -> Vec<usize> {
    let mut out = Vec::new();
    // Which open braces are enum bodies, where `Execute { .. }` declares the variant.
    let mut enum_body = Vec::new();
    let mut enum_pending = false;
    for k in 0..toks.len() {
        let t = &toks[k];
        if t.ident("enum") {
            enum_pending = true;
        } else if t.punct("{") {
            enum_body.push(enum_pending);
            enum_pending = false;
        } else if t.punct("}") {
            enum_body.pop();
        }
        let in_enum = enum_body.last() == Some(&true);
        if t.ident("Execute")
            && toks.get(k + 1).is_some_and(|n| n.punct("{"))
            && !in_enum
            && !is_pattern(toks, k)
        {
            out.push(k);
        }
    }
    out
}

/// The token range of the body of `fn execute`, if the file has one.
fn execute_fn_body(toks: &[Tok]) -> Option<(usize, usize)> {
    let f = (0..toks.len().saturating_sub(1))
        .find(|&k| toks[k].ident("fn") && toks[k + 1].ident("execute"))?;
    let open = (f..toks.len()).find(|&k| toks[k].punct("{"))?;
    Some((open, closing(toks, open)))
}

/// Invariant 2: `Effect::Execute` is built only inside `fn execute` in the write gate.
fn write_build_offences(path: &str, src: &str) -> Vec<Finding> {
    let s = Scan::new(path, src);
    let body = if s.path == WRITE_GATE {
        execute_fn_body(&s.toks)
    } else {
        None
    };
    execute_builds(&s.toks)
        .into_iter()
        .filter(|&k| !body.is_some_and(|(open, close)| open < k && k < close))
        .map(|k| {
            s.finding(
                s.toks[k].line,
                format!("`Effect::Execute` built outside `fn execute` in {WRITE_GATE}"),
            )
        })
        .collect()
}

/// What is wrong with the write gate itself: it must hold `fn execute`, which refuses in
/// read-only mode (`if ... read_only ... { ... return ... }`) before it builds the effect.
fn write_gate_problems(src: &str) -> Vec<String> {
    let toks = tokenize(src);
    let Some((open, close)) = execute_fn_body(&toks) else {
        return vec![format!(
            "{WRITE_GATE} has no `fn execute`: if the confirmed write moved, point WRITE_GATE at its file"
        )];
    };
    let builds: Vec<usize> = execute_builds(&toks)
        .into_iter()
        .filter(|&k| open < k && k < close)
        .collect();
    let Some(&first_build) = builds.first() else {
        return vec![format!(
            "`fn execute` in {WRITE_GATE} builds no `Effect::Execute`"
        )];
    };
    let refuses = (open..first_build).any(|k| {
        if !toks[k].ident("if") {
            return false;
        }
        let Some(block) = (k..first_build).find(|&j| toks[j].punct("{")) else {
            return false;
        };
        let end = closing(&toks, block);
        let cond = &toks[k..block];
        cond.iter().any(|t| t.ident("read_only"))
            && !cond.iter().any(|t| t.punct("!"))
            && toks[block..end].iter().any(|t| t.ident("return"))
    });
    if refuses {
        Vec::new()
    } else {
        vec![format!(
            "`fn execute` in {WRITE_GATE} does not refuse in read-only mode (`if ... read_only ... {{ return }}`) before it builds `Effect::Execute`"
        )]
    }
}

/// Invariant 2, the runtime side: only the executor calls `Cloud::execute` (the backends may call
/// their own).
fn cloud_execute_offences(path: &str, src: &str) -> Vec<Finding> {
    let s = Scan::new(path, src);
    if s.path == EXECUTOR || s.path == HEADLESS_WRITER || s.path.starts_with(CLOUD) {
        return Vec::new();
    }
    s.find(CLOUD_EXECUTE)
}

/// The write gate of the AWS backend: an SDK write operation is called (`.op(` or `Client::op(`)
/// only in `SDK_WRITE_GATES`. The exact operation names are looked for everywhere; the generic
/// write verbs (`.create_*(`, ...) as method calls under `src/cloud/`.
fn sdk_write_offences(path: &str, src: &str) -> Vec<Finding> {
    let s = Scan::new(path, src);
    if SDK_WRITE_GATES.iter().any(|(gate, _)| s.path == *gate) {
        return Vec::new();
    }
    let mut specs: Vec<String> = SDK_WRITE_OPS
        .iter()
        .flat_map(|op| [format!(". {op} ("), format!(":: {op} (")])
        .collect();
    if s.path.starts_with(CLOUD) {
        specs.extend(SDK_WRITE_VERBS.iter().map(|v| format!(". {v}* (")));
    }
    let specs: Vec<&str> = specs.iter().map(String::as_str).collect();
    let mut found = s.find(&specs);
    // An exact name is also a verb match: one finding per line.
    found.dedup_by(|a, b| a.line == b.line);
    found
}

/// The paths in the first column of ARCHITECTURE.md's module map, with their line numbers.
fn module_map(md: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut in_map = false;
    for (n, line) in md.lines().enumerate() {
        if line.starts_with("## ") {
            in_map = line.trim() == "## Module map";
            continue;
        }
        if !in_map || !line.trim_start().starts_with('|') {
            continue;
        }
        let first = line
            .trim_start()
            .trim_start_matches('|')
            .split('|')
            .next()
            .unwrap_or("");
        for (i, part) in first.split('`').enumerate() {
            if i % 2 == 1 && !part.is_empty() {
                out.push((n + 1, part.to_string()));
            }
        }
    }
    out
}

/// Invariant of the document itself: every mapped path exists (a trailing `/` means a directory),
/// and every module at the top of `src/` is mapped.
fn module_map_problems(md: &str, root: &Path, top_level: &[String]) -> Vec<String> {
    let map = module_map(md);
    if map.is_empty() {
        return vec![
            "ARCHITECTURE.md has no `## Module map` table with paths in its first column".into(),
        ];
    }
    let mut out = Vec::new();
    for (line, p) in &map {
        let full = root.join(p.trim_end_matches('/'));
        let ok = if p.ends_with('/') {
            full.is_dir()
        } else {
            full.is_file()
        };
        if !ok {
            let kind = if p.ends_with('/') {
                "directory"
            } else {
                "file"
            };
            out.push(format!(
                "ARCHITECTURE.md:{line}: `{p}` is mapped but no such {kind} exists"
            ));
        }
    }
    for t in top_level {
        if UNMAPPED.contains(&t.as_str()) {
            continue;
        }
        let covered = map
            .iter()
            .any(|(_, p)| p == t || (t.ends_with('/') && p.starts_with(t.as_str())));
        if !covered {
            out.push(format!(
                "`{t}` exists but ARCHITECTURE.md's module map does not list it"
            ));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The source tree
// ---------------------------------------------------------------------------------------------

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// Every `.rs` file under `src/`, as (`src/...` with forward slashes, text).
fn sources() -> Vec<(String, String)> {
    let root = root();
    let mut files = Vec::new();
    walk(&root.join("src"), &mut files);
    files.sort();
    let out: Vec<(String, String)> = files
        .iter()
        .map(|f| {
            let rel = f.strip_prefix(&root).expect("under the crate root");
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let text = fs::read_to_string(f).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"));
            (rel, text)
        })
        .collect();
    assert!(
        out.len() > 20,
        "found only {} source files under src/: is the walk broken?",
        out.len()
    );
    out
}

/// Run one rule over the tree and fail with every offence listed.
fn assert_tree(invariant: &str, rule: fn(&str, &str) -> Vec<Finding>) {
    let found: Vec<Finding> = sources().iter().flat_map(|(p, t)| rule(p, t)).collect();
    assert!(
        found.is_empty(),
        "{invariant}\n{} offence(s):\n  {}",
        found.len(),
        found
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

// ---------------------------------------------------------------------------------------------
// The invariants, over the real tree
// ---------------------------------------------------------------------------------------------

#[test]
fn pure_layers_do_no_io_and_read_no_clock() {
    assert_tree(
        "Invariant 1 (ARCHITECTURE.md): `update` and `render` do no I/O and read no clock. \
         src/app, src/ui, src/logs and src/domain must not read the clock (time comes in as `now`), \
         use tokio, async or std::{fs, net, process, env, thread}, print, or name the SDK.",
        pure_layer_offences,
    );
}

#[test]
fn sdk_names_stay_in_cloud_aws() {
    assert_tree(
        "Invariant 6 (ARCHITECTURE.md): SDK types never leave cloud/aws/. \
         Convert to domain types at the boundary inside src/cloud/aws/.",
        sdk_offences,
    );
}

#[test]
fn ratatui_stays_out_of_app_and_cloud() {
    assert_tree(
        "Invariant 6 (ARCHITECTURE.md): ratatui types never enter app/ or cloud/ \
         (the cloud knows no terminal at all: no crossterm or tui_input either).",
        ratatui_offences,
    );
}

#[test]
fn nothing_prints_to_the_terminal() {
    assert_tree(
        "Invariant 7 (ARCHITECTURE.md): nothing prints to stdout/stderr while the UI is up. \
         Use `tracing` (the file log); only src/runtime/terminal.rs may hold stdout.",
        print_offences,
    );
}

#[test]
fn write_effect_is_built_only_by_the_confirmed_write() {
    assert_tree(
        "Invariant 2 (ARCHITECTURE.md): every write goes through intents::start -> Modal::Confirm -> \
         update::execute; only `fn execute` in the write gate builds `Effect::Execute` \
         (tests match it with a pattern, `Effect::Execute { .. }`).",
        write_build_offences,
    );
}

#[test]
fn write_gate_is_where_the_test_says_and_refuses_when_read_only() {
    let path = root().join(WRITE_GATE);
    let src = fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("WRITE_GATE = {WRITE_GATE} cannot be read ({e}): if the confirmed write moved, update WRITE_GATE")
    });
    let problems = write_gate_problems(&src);
    assert!(
        problems.is_empty(),
        "Invariant 2 (ARCHITECTURE.md):\n  {}",
        problems.join("\n  ")
    );
}

/// Each function of the headless writer that calls the cloud refuses in read-only mode first.
fn headless_writer_refuses_first(src: &str) -> bool {
    let calls = ["self.cloud.execute(", "self.cloud.upload_bundle("];
    let mut found = 0;
    for f in src.split("async fn ").skip(1) {
        let body = f.split("\n    }\n").next().unwrap_or(f);
        for call in calls {
            if let Some(at) = body.find(call) {
                found += 1;
                match body.find("if self.read_only {") {
                    Some(guard) if guard < at && body[guard..at].contains("return Err(") => {}
                    _ => return false,
                }
            }
        }
    }
    found == calls.len()
}

#[test]
fn only_the_executor_calls_cloud_execute() {
    assert_tree(
        "Invariant 2 (ARCHITECTURE.md): only the executor (src/runtime/effects.rs) carries out \
         `Effect::Execute` by calling `Cloud::execute`.",
        cloud_execute_offences,
    );
    // The allowance must not be stale: the executor really is where the call is.
    let src = fs::read_to_string(root().join(EXECUTOR)).expect("the executor file");
    assert!(
        !Scan::new(EXECUTOR, &src).find(&[". execute ("]).is_empty(),
        "{EXECUTOR} no longer calls `.execute(`: if the executor moved, update EXECUTOR"
    );
    // The headless writer calls the cloud only behind its read-only refusal.
    let src = fs::read_to_string(root().join(HEADLESS_WRITER)).expect("the headless writer");
    assert!(
        headless_writer_refuses_first(&src),
        "{HEADLESS_WRITER}: every `self.cloud.execute(` / `self.cloud.upload_bundle(` must follow an \
         `if self.read_only {{ return Err(..) }}` in the same function"
    );
}

#[test]
fn sdk_writes_are_called_only_in_the_aws_write_gate() {
    assert_tree(
        "Invariant 2 (ARCHITECTURE.md), the AWS side: every SDK call that changes anything in AWS \
         is an `Op`, carried out by `AwsCloud::run_op` in src/cloud/aws/ops.rs or, for a source \
         bundle's S3 writes, in src/cloud/aws/upload.rs (sent once, behind the confirmation and the \
         read-only refusal). Add an `Op` instead of calling it elsewhere.",
        sdk_write_offences,
    );
    // The allowance must not be stale: each gate really makes its writes.
    for (path, ops) in SDK_WRITE_GATES {
        let src = fs::read_to_string(root().join(path)).expect("an AWS write gate");
        let gate = Scan::new("gate", &src);
        for op in *ops {
            assert!(
                SDK_WRITE_OPS.contains(op),
                "`{op}` is not in SDK_WRITE_OPS: a gate's write must be one the rule looks for"
            );
            assert!(
                !gate.find(&[&format!(". {op} (")]).is_empty(),
                "{path} no longer calls `.{op}(`: if the AWS write gate moved, update SDK_WRITE_GATES"
            );
        }
    }
}

#[test]
fn module_map_matches_the_tree() {
    let root = root();
    let md = fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut top = Vec::new();
    for entry in fs::read_dir(root.join("src")).expect("src/") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        if path.is_dir() {
            top.push(format!("src/{name}/"));
        } else if name.ends_with(".rs") {
            top.push(format!("src/{name}"));
        }
    }
    top.sort();
    let problems = module_map_problems(&md, &root, &top);
    assert!(
        problems.is_empty(),
        "ARCHITECTURE.md's module map must say what is true of the code now:\n  {}",
        problems.join("\n  ")
    );
}

/// The tokenizer reads the real tree right: were a literal or comment misread, brackets would
/// stop balancing (and a rule could miss or invent a name).
#[test]
fn tokenizer_reads_every_source_file_balanced() {
    let mut problems = Vec::new();
    for (path, text) in sources() {
        let mut stack: Vec<(String, usize)> = Vec::new();
        for t in tokenize(&text).iter().filter(|t| t.kind == Kind::Punct) {
            let want = match t.text.as_str() {
                "{" | "(" | "[" => {
                    stack.push((t.text.clone(), t.line));
                    continue;
                }
                "}" => "{",
                ")" => "(",
                "]" => "[",
                _ => continue,
            };
            match stack.pop() {
                Some((open, _)) if open == want => {}
                other => {
                    problems.push(format!("{path}:{}: `{}` closes {other:?}", t.line, t.text));
                    break;
                }
            }
        }
        if let Some((open, line)) = stack.last() {
            problems.push(format!("{path}:{line}: `{open}` never closed"));
        }
    }
    assert!(
        problems.is_empty(),
        "the source reader lost its way (a literal or comment misread):\n  {}",
        problems.join("\n  ")
    );
}

// ---------------------------------------------------------------------------------------------
// The rules can fail: each is fed a snippet that breaks it
// ---------------------------------------------------------------------------------------------

mod rules_can_fail {
    use super::*;

    fn idents(src: &str) -> Vec<String> {
        tokenize(src)
            .into_iter()
            .filter(|t| t.kind == Kind::Ident)
            .map(|t| t.text)
            .collect()
    }

    fn lines(found: &[Finding]) -> Vec<usize> {
        found.iter().map(|f| f.line).collect()
    }

    #[test]
    fn tokenizer_drops_comments_and_literals() {
        let src = r####"
// tokio in a line comment
/// println! in a doc comment
/* outer /* nested tokio */ still comment Instant::now() */
let a = "tokio \" Instant::now()";
let b = r#"raw "tokio" with a quote"#;
let c = r##"a "# is not the end"##;
let d = b"tokio"; let e = br#"tokio"#; let f = c"tokio";
let g = '"'; let h = '\''; let i = '\\'; let j = b'"'; let k = '\u{1F600}';
fn f<'a>(x: &'a str) -> &'static str { 'outer: loop { break 'outer; } }
let r#type = 1;
after
"####;
        let ids = idents(src);
        assert!(
            !ids.iter().any(|i| i == "tokio"
                || i == "Instant"
                || i == "println"
                || i == "nested"
                || i == "outer"
                || i == "quote"),
            "{ids:?}"
        );
        for want in [
            "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "type", "after", "str", "loop",
        ] {
            assert!(ids.iter().any(|i| i == want), "missing `{want}` in {ids:?}");
        }
        let lifetimes: Vec<String> = tokenize(src)
            .into_iter()
            .filter(|t| t.kind == Kind::Lifetime)
            .map(|t| t.text)
            .collect();
        assert_eq!(lifetimes, ["'a", "'a", "'static", "'outer", "'outer"]);
        // Line numbers survive multi-line literals and comments.
        let after = tokenize(src)
            .into_iter()
            .find(|t| t.ident("after"))
            .expect("after");
        assert_eq!(after.line, 12);
        let multi = tokenize("let s = \"one\ntwo\";\n/* a\nb */ x");
        assert_eq!(multi.last().map(|t| t.line), Some(4));
    }

    #[test]
    fn use_trees_are_flattened() {
        let toks = tokenize(
            "use std::{fs, time::{Duration, Instant as I}, io::{self, Write}};\nuse a::*;",
        );
        let paths: Vec<String> = use_paths(&toks)
            .into_iter()
            .map(|(_, p)| p.join("::"))
            .collect();
        assert_eq!(
            paths,
            [
                "std::fs",
                "std::time::Duration",
                "std::time::Instant",
                "std::io::self",
                "std::io::Write",
                "a"
            ]
        );
    }

    #[test]
    fn pure_layers_report_clock_io_print_and_sdk() {
        let bad = "fn f() {\n let _ = std::time::Instant::now();\n let _ = chrono::Utc::now();\n tokio::spawn(async {});\n println!(\"x\");\n let _ = std::fs::read(\"x\");\n let _: aws_sdk_elasticbeanstalk::Client;\n x.await;\n}\nuse std::{env, time::SystemTime};\n";
        let found = pure_layer_offences("src/app/intents.rs", bad);
        let l = lines(&found);
        for want in 2..=8 {
            assert!(l.contains(&want), "line {want} not reported: {found:#?}");
        }
        assert!(
            found
                .iter()
                .any(|f| f.line == 10 && f.what.contains("std::env")),
            "{found:#?}"
        );
        assert!(
            found
                .iter()
                .any(|f| f.line == 10 && f.what.contains("SystemTime")),
            "{found:#?}"
        );
        assert!(!pure_layer_offences("src/ui/fmt.rs", "let _ = Utc::now();").is_empty());
        assert!(!pure_layer_offences("src/logs/x.rs", "let _ = Local :: now ();").is_empty());
        // Outside the pure layers, or only in prose, nothing is reported.
        assert!(pure_layer_offences("src/runtime/mod.rs", bad).is_empty());
        // The search's fork-join file may scope threads, never detach or sleep one.
        let scoped = "use std::thread;\nfn f() { thread::scope(|s| { s.spawn(|| 1); }); }";
        assert!(pure_layer_offences(FORK_JOIN, scoped).is_empty());
        assert!(!pure_layer_offences("src/logs/search.rs", scoped).is_empty());
        for bad in [
            "std::thread::spawn(|| 1);",
            "thread::sleep(d);",
            "thread::Builder::new();",
        ] {
            assert!(!pure_layer_offences(FORK_JOIN, bad).is_empty(), "{bad}");
        }
        let prose = "//! tokio, Instant::now()\nfn f() { let m = \"println!(tokio)\"; let d: DateTime<Utc> = t; }";
        assert!(pure_layer_offences("src/app/mod.rs", prose).is_empty());
        // The message names the file, the line and the offending text.
        let one = pure_layer_offences(
            "src/ui/status.rs",
            "fn f() {\n    let t = Instant::now();\n}",
        );
        assert_eq!(one.len(), 1);
        assert_eq!(
            one[0].to_string(),
            "src/ui/status.rs:2: `Instant`, in: let t = Instant::now();"
        );
    }

    #[test]
    fn sdk_names_outside_cloud_aws_are_reported() {
        let bad = "use aws_config::BehaviorVersion;\nfn f(_: aws_smithy_types::DateTime) {}";
        assert_eq!(lines(&sdk_offences("src/cloud/mod.rs", bad)), [1, 2]);
        assert_eq!(lines(&sdk_offences("src/main.rs", bad)), [1, 2]);
        assert!(sdk_offences("src/cloud/aws/eb.rs", bad).is_empty());
        assert!(
            sdk_offences(
                "src/cloud/sim/mod.rs",
                "// aws_sdk_elasticbeanstalk\nlet aws = 1;"
            )
            .is_empty()
        );
    }

    #[test]
    fn ratatui_in_app_or_cloud_is_reported() {
        assert_eq!(
            lines(&ratatui_offences(
                "src/app/mod.rs",
                "use ratatui::style::Color;"
            )),
            [1]
        );
        assert_eq!(
            lines(&ratatui_offences(
                "src/cloud/sim/mod.rs",
                "\nuse ratatui::{layout::Rect};"
            )),
            [2]
        );
        assert_eq!(
            lines(&ratatui_offences(
                "src/cloud/aws/eb.rs",
                "use crossterm::event::KeyCode;"
            )),
            [1]
        );
        assert!(ratatui_offences("src/app/keymap.rs", "use crossterm::event::KeyCode;").is_empty());
        assert!(ratatui_offences("src/ui/mod.rs", "use ratatui::Frame;").is_empty());
    }

    #[test]
    fn printing_is_reported() {
        for bad in [
            "println!(\"x\")",
            "print!(\"x\")",
            "eprintln!(\"x\")",
            "eprint!(\"x\")",
            "dbg!(x)",
            "let _ = std::io::stdout();",
            "io::stderr().write_all(b\"x\")",
        ] {
            assert_eq!(print_offences("src/ui/status.rs", bad).len(), 1, "{bad}");
            assert_eq!(print_offences("src/main.rs", bad).len(), 1, "{bad}");
        }
        assert!(
            print_offences("src/runtime/terminal.rs", "execute!(io::stdout(), Show)").is_empty()
        );
        assert!(!print_offences("src/runtime/terminal.rs", "println!(\"x\")").is_empty());
        assert!(
            print_offences(
                "src/ui/status.rs",
                "tracing::info!(\"println!\"); let p = \"web.stdout.log\"; stdout_lines(1);"
            )
            .is_empty()
        );
        // A child process's pipes are not the terminal...
        assert!(
            print_offences(
                "src/bundle/git_tree.rs",
                "Command::new(\"git\")\n    .stdout(Stdio::piped())\n    .stderr(Stdio::piped())"
            )
            .is_empty()
        );
        // ...but a line that also takes the terminal's stream is still reported.
        assert_eq!(
            print_offences(
                "src/bundle/git_tree.rs",
                "cmd.stdout(Stdio::from(std::io::stdout()));"
            )
            .len(),
            1
        );
        // An imported `stdout` called bare is still reported.
        assert!(
            !print_offences("src/ui/x.rs", "use std::io::stdout;\nfn f() { stdout(); }").is_empty()
        );
    }

    #[test]
    fn building_the_write_effect_outside_the_gate_is_reported() {
        let bad = "fn start(fx: &mut Vec<Effect>) {\n    fx.push(Effect::Execute { op_id: 1, op });\n    let e = Effect::Execute {\n        op_id, op,\n    };\n    matches!(e, Effect::Execute { op_id, op });\n}";
        assert_eq!(
            lines(&write_build_offences("src/app/intents.rs", bad)),
            [2, 3, 6]
        );
        let f = &write_build_offences("src/app/intents.rs", bad)[0];
        assert!(
            f.to_string().contains("src/app/intents.rs:2")
                && f.to_string().contains("fx.push(Effect::Execute"),
            "{f}"
        );
        // Patterns and the declaration are not builds.
        let ok = "pub enum Effect {\n    Poll(Poll),\n    Execute {\n        op_id: u64,\n        op: Op,\n    },\n}\n\
                  fn g(e: Effect) {\n    match e { Effect::Execute { op_id, op } => {}, _ => {} }\n    if let Effect::Execute { op, .. } = e {}\n    \
                  let Some(Effect::Execute { op_id, .. }) = fx.first().cloned() else { return };\n    \
                  fx.iter().any(|e| matches!(e, Effect::Execute { .. }));\n    \
                  matches!(e, Effect::Execute { op_id: _, op: _ });\n    \
                  match e { Effect::Execute { op_id, op } if op_id > 1 => {}, Effect::Execute { ref op, .. } | Effect::Quit => {} }\n}";
        assert!(
            write_build_offences("src/app/msg.rs", ok).is_empty(),
            "{:#?}",
            write_build_offences("src/app/msg.rs", ok)
        );
        // In the gate: only inside `fn execute`.
        let gate = "fn other(fx: &mut Vec<Effect>) { fx.push(Effect::Execute { op_id: 0, op }); }\n\
                    fn execute(app: &mut App, op: Op, fx: &mut Vec<Effect>) {\n    if app.settings.read_only { return; }\n    fx.push(Effect::Execute { op_id, op });\n}";
        assert_eq!(lines(&write_build_offences(WRITE_GATE, gate)), [1]);
        assert_eq!(
            lines(&write_build_offences("src/app/update/other.rs", gate)),
            [1, 4]
        );
    }

    #[test]
    fn a_gate_that_does_not_refuse_is_reported() {
        let good = "fn execute(app: &mut App, op: Op, fx: &mut Vec<Effect>) {\n    if app.settings.read_only {\n        app.flash(Level::Warn, \"refused\");\n        return;\n    }\n    fx.push(Effect::Execute { op_id, op });\n}";
        assert!(
            write_gate_problems(good).is_empty(),
            "{:?}",
            write_gate_problems(good)
        );
        let no_check = "fn execute(app: &mut App, op: Op, fx: &mut Vec<Effect>) {\n    fx.push(Effect::Execute { op_id, op });\n}";
        assert!(write_gate_problems(no_check)[0].contains("does not refuse"));
        let check_after = "fn execute(app: &mut App, op: Op, fx: &mut Vec<Effect>) {\n    fx.push(Effect::Execute { op_id, op });\n    if app.settings.read_only { return; }\n}";
        assert!(write_gate_problems(check_after)[0].contains("does not refuse"));
        let only_logs = "fn execute(app: &mut App, op: Op, fx: &mut Vec<Effect>) {\n    if app.settings.read_only { tracing::warn!(\"x\"); }\n    fx.push(Effect::Execute { op_id, op });\n}";
        assert!(write_gate_problems(only_logs)[0].contains("does not refuse"));
        let inverted = "fn execute(app: &mut App, op: Op, fx: &mut Vec<Effect>) {\n    if !app.settings.read_only { return; }\n    fx.push(Effect::Execute { op_id, op });\n}";
        assert!(write_gate_problems(inverted)[0].contains("does not refuse"));
        let in_comment = "// if read_only { return }\nfn execute(fx: &mut Vec<Effect>) {\n    fx.push(Effect::Execute { op_id, op });\n}";
        assert!(write_gate_problems(in_comment)[0].contains("does not refuse"));
        assert!(write_gate_problems("fn start() {}")[0].contains("no `fn execute`"));
        assert!(write_gate_problems("fn execute() { let _ = 1; }")[0].contains("builds no"));
    }

    #[test]
    fn calling_cloud_execute_outside_the_executor_is_reported() {
        let bad = "async fn f(cloud: &dyn Cloud) {\n    cloud.execute(&op).await;\n    Cloud::execute(cloud, &op).await;\n    self.cloud\n        .execute(&op);\n}";
        assert_eq!(
            lines(&cloud_execute_offences("src/app/update.rs", bad)),
            [2, 3, 5]
        );
        assert_eq!(
            lines(&cloud_execute_offences("src/runtime/mod.rs", bad)),
            [2, 3, 5]
        );
        assert!(cloud_execute_offences(EXECUTOR, bad).is_empty());
        assert!(cloud_execute_offences("src/cloud/sim/tests_ops.rs", bad).is_empty());
        // The gate's own call of `execute(app, op, fx)` and crossterm's `execute!` are not calls on the cloud.
        assert!(cloud_execute_offences("src/app/update.rs", "execute(app, op, fx);").is_empty());
        assert!(
            cloud_execute_offences("src/runtime/terminal.rs", "execute!(out, Show);").is_empty()
        );
    }

    #[test]
    fn a_headless_write_without_the_read_only_refusal_is_reported() {
        let good = "impl W {\n    async fn send(&self) -> R {\n        if self.read_only {\n            return Err(e());\n        }\n        self.cloud.execute(op).await\n    }\n\n    async fn upload(&self) -> R {\n        if self.read_only {\n            return Err(e());\n        }\n        self.cloud.upload_bundle(u, p, c).await\n    }\n}";
        assert!(headless_writer_refuses_first(good));
        let unguarded = good.replacen("if self.read_only {", "if self.other {", 1);
        assert!(!headless_writer_refuses_first(&unguarded));
        let after = "impl W {\n    async fn send(&self) -> R {\n        let r = self.cloud.execute(op).await;\n        if self.read_only {\n            return Err(e());\n        }\n        r\n    }\n\n    async fn upload(&self) -> R {\n        if self.read_only {\n            return Err(e());\n        }\n        self.cloud.upload_bundle(u, p, c).await\n    }\n}";
        assert!(!headless_writer_refuses_first(after));
        let missing = good.replace("self.cloud.upload_bundle(u, p, c)", "other()");
        assert!(
            !headless_writer_refuses_first(&missing),
            "a call gone is stale"
        );
        assert!(!cloud_execute_offences("src/app/x.rs", "cloud.upload_bundle(u, p, c)").is_empty());
        assert!(
            cloud_execute_offences(HEADLESS_WRITER, "self.cloud.upload_bundle(u, p, c)").is_empty()
        );
    }

    #[test]
    fn sdk_writes_outside_the_aws_write_gate_are_reported() {
        let bad = "async fn f(&self) {\n    self.eb.request_environment_info().send().await;\n    self.eb\n        .terminate_environment()\n        .send();\n    self.cfn.delete_stack().send();\n    Client::update_environment(&self.eb);\n    self.logs.put_log_events();\n}";
        assert_eq!(
            lines(&sdk_write_offences("src/cloud/aws/logs/eb_tail.rs", bad)),
            [2, 4, 6, 7, 8]
        );
        // Outside src/cloud only the exact operation names count.
        assert_eq!(
            lines(&sdk_write_offences("src/app/update/logs.rs", bad)),
            [2, 4, 7]
        );
        for (gate, _) in SDK_WRITE_GATES {
            assert!(sdk_write_offences(gate, bad).is_empty());
        }
        // The S3 writes of the upload are found outside its gate, by name and by verb.
        let s3 = "async fn g(&self) {\n    self.s3.upload_part().send();\n    self.s3\n        .complete_multipart_upload()\n        .send();\n    self.s3.put_object();\n    self.s3.head_object();\n}";
        assert_eq!(
            lines(&sdk_write_offences("src/cloud/aws/eb.rs", s3)),
            [2, 4, 6]
        );
        assert_eq!(
            lines(&sdk_write_offences("src/app/update/ops.rs", s3)),
            [2, 4, 6]
        );
        // Reads, names in prose and strings, our own helpers, and file calls are not writes.
        let fine = "// calls .update_environment() in ops.rs\nfn g() {\n    self.eb.describe_environments().send();\n    self.logs.start_live_tail().send();\n    let _ = \"x.delete_stack()\";\n    v.swap_remove(0);\n    pane.apply_query();\n    std::fs::create_dir_all(p);\n}";
        assert!(
            sdk_write_offences("src/cloud/aws/stacks.rs", fine).is_empty(),
            "{:?}",
            sdk_write_offences("src/cloud/aws/stacks.rs", fine)
        );
        assert!(sdk_write_offences("src/main.rs", fine).is_empty());
    }

    #[test]
    fn a_wrong_module_map_is_reported() {
        let root = root();
        let md = "# x\n\n## Module map\n\n| path | holds |\n| --- | --- |\n| `src/main.rs` | main |\n| `src/cli.rs`, `src/nope.rs` | flags |\n| `src/app/` | app |\n| `src/ghost/` | nothing |\n| `src/main.rs/` | not a dir |\n\n## Later\n\n| `src/elsewhere/` | not the map |\n";
        let top = vec![
            "src/app/".to_string(),
            "src/cli.rs".into(),
            "src/lib.rs".into(),
            "src/main.rs".into(),
            "src/ui/".into(),
        ];
        let problems = module_map_problems(md, &root, &top);
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(
            problems[0].starts_with("ARCHITECTURE.md:8: `src/nope.rs`"),
            "{problems:#?}"
        );
        assert!(
            problems[1].starts_with("ARCHITECTURE.md:10: `src/ghost/`"),
            "{problems:#?}"
        );
        assert!(
            problems[2].starts_with("ARCHITECTURE.md:11: `src/main.rs/`"),
            "{problems:#?}"
        );
        assert!(
            problems[3].contains("`src/ui/` exists but"),
            "{problems:#?}"
        );
        assert!(module_map_problems("# no map\n", &root, &top)[0].contains("no `## Module map`"));
    }
}
