//! Fuzzing of what the server answers: realistic answers (a membership, a page, Clerk's error
//! JSON), mutated structurally and byte by byte, with any status and any headers, go through
//! every operation with retries. Whatever comes back:
//!
//! - nothing panics;
//! - an error keeps the status of the answer that ended the call, and counts its attempts;
//! - the secret key, inserted into the answers raw or JSON-escaped (`sk\u005ftest_…`), shows
//!   up in no error's `Display` or `Debug`, in no error of its `source()` chain and in no text
//!   an accessor returns, not even once JSON escapes are decoded.
//!
//! The run is seeded and bounded (a second or two in a debug build). To run more cases or
//! another seed, and to replay a failure (the failing case prints its seed and number):
//!
//! ```sh
//! FUZZ_SEED=0x1234 FUZZ_CASES=100000 cargo test --all-features --test it -- --include-ignored fuzz_answers::
//! FUZZ_SEED=0x1234 FUZZ_CASE=77 cargo test --all-features --test it -- --include-ignored --nocapture fuzz_answers::
//! ```
//!
//! `FUZZ_CASE` runs that one case and prints the answers it generated.

use std::panic::{self, AssertUnwindSafe};
use std::sync::OnceLock;
use std::time::{Duration, UNIX_EPOCH};

use crate::support::ops::Op;
use crate::support::rng::Rng;
use clerk_memberships::testing::{MEMBERSHIP_JSON, ManualClock, MockTransport};
use clerk_memberships::{Client, Error, ErrorKind, HttpResponse, RetryPolicy};
use serde_json::{Value, json};

/// The key the client sends, and which the answers try to smuggle into an error.
const KEY: &str = "sk_test_FuzzK3yS3cr3t0123456789";
/// Attempts per call: enough for a retry after a retryable status, and each answer scripted.
const ATTEMPTS: u32 = 3;

const DEFAULT_SEED: u64 = 0xF022_A45E_2026_0009;
/// Cases per test by default: about a second per test in a debug build.
const DEFAULT_CASES: u64 = 1_000;

// ---------------------------------------------------------------------------------------------
// Running a fuzz test: the seed, the case count, one case replayed, the seed printed on failure.

/// Which forms of the key the answers carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Secrets {
    /// The key as is, in strings, headers and anywhere in the bytes.
    Raw,
    /// The key with some characters JSON-escaped (`sk\u005ftest_…`), inside JSON strings.
    Escaped,
    /// Either.
    Both,
}

/// What each case checks beyond "no panic": status and attempts always, the key when asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Status,
    StatusAndSecret,
}

fn env_number(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    let value = value.trim();
    let parsed = match value.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(&hex.replace('_', ""), 16),
        None => value.replace('_', "").parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name}={value:?} is not a number")))
}

/// The generator of case `index` under `seed` (splitmix64, never zero).
fn case_rng(seed: u64, index: u64) -> Rng {
    let mut z = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    Rng((z ^ (z >> 31)) | 1)
}

/// Runs the cases of one test, stopping at the first failure with what it takes to replay it.
fn fuzz(test: &str, secrets: Secrets, check: Check) {
    let seed = env_number("FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let cases = env_number("FUZZ_CASES").unwrap_or(DEFAULT_CASES);
    let only = env_number("FUZZ_CASE");
    let indexes = match only {
        Some(index) => index..index + 1,
        None => 0..cases,
    };
    for index in indexes {
        let case = Case::generate(&mut case_rng(seed, index), index, secrets);
        if only.is_some() {
            println!("{case:#?}");
        }
        let result = panic::catch_unwind(AssertUnwindSafe(|| case.run(check)));
        if let Err(panic) = result {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            panic!(
                "{test}: case {index} of seed {seed:#x} failed: {message}\n\
                 replay: FUZZ_SEED={seed:#x} FUZZ_CASE={index} cargo test --all-features \
                 --test it -- --include-ignored --nocapture fuzz_answers::{test}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A case: one operation and the answers to its attempts.

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

#[derive(Debug)]
struct Case {
    op: Op,
    answers: Vec<Answer>,
}

impl Case {
    fn generate(rng: &mut Rng, index: u64, secrets: Secrets) -> Case {
        let op = Op::ALL[(index % Op::ALL.len() as u64) as usize];
        Case {
            op,
            answers: (0..ATTEMPTS)
                .map(|_| Answer::generate(rng, op, secrets))
                .collect(),
        }
    }

    fn run(&self, check: Check) {
        let mock = MockTransport::new();
        for answer in &self.answers {
            let mut response = HttpResponse::new(answer.status, answer.body.clone());
            for (name, value) in &answer.headers {
                response = response.with_header(name.as_str(), value.as_str());
            }
            mock.push_response(response);
        }
        // A client per case: a 429's Retry-After closes a client's gate for later calls.
        let client = Client::builder()
            .secret_key(KEY)
            .transport(mock.clone())
            .clock(ManualClock::new(
                UNIX_EPOCH + Duration::from_secs(1_780_000_000),
            ))
            .retry_policy(RetryPolicy::builder().max_attempts(ATTEMPTS))
            .build()
            .expect("a valid client");
        let outcome = self.op.build("org_1", "user_1").send(&client);

        let attempts = mock.requests().len();
        assert!(
            (1..=ATTEMPTS as usize).contains(&attempts),
            "{attempts} attempts"
        );
        let last = &self.answers[attempts - 1];
        match outcome {
            Ok(answer) => {
                assert!(
                    (200..300).contains(&last.status),
                    "status {} decoded as a success: {answer:?}",
                    last.status
                );
            }
            Err(err) => {
                assert_eq!(
                    err.status(),
                    Some(last.status),
                    "the error lost the status of the last answer: {err:?}"
                );
                assert_eq!(err.attempts() as usize, attempts, "attempts of {err:?}");
                if check == Check::StatusAndSecret {
                    assert_key_hidden(&err);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The secret check.

/// Every text a caller can get out of an error.
fn error_texts(err: &Error) -> Vec<String> {
    let mut texts = vec![err.to_string(), format!("{err:?}"), format!("{err:#?}")];
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        texts.push(inner.to_string());
        texts.push(format!("{inner:?}"));
        source = inner.source();
    }
    if let Some(api) = err.api_error() {
        texts.push(api.to_string());
        for error in &api.errors {
            texts.extend([
                error.code.clone(),
                error.message.clone(),
                error.long_message.clone(),
            ]);
            texts.push(format!("{:?}", error.meta));
            texts.push(json!(error.meta).to_string());
        }
        texts.push(format!("{:?}", api.meta));
        texts.push(json!(api.meta).to_string());
    }
    texts.extend(err.clerk_trace_id().map(str::to_owned));
    texts.extend(err.clerk_codes().map(str::to_owned));
    if let Some(transport) = err.transport_error() {
        texts.push(transport.message().to_owned());
    }
    match err.kind() {
        ErrorKind::UnexpectedResponse { body_snippet, .. } => texts.push(body_snippet.clone()),
        ErrorKind::Decode { detail, .. } => texts.push(detail.clone()),
        _ => {}
    }
    texts
}

/// `text` with one level of escapes decoded: JSON's `\uXXXX`, `\\`, `\"` and `\/` (which also
/// undoes what `{:?}` adds).
fn unescape_once(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let escaped = &rest[at + 1..];
        let hex = escaped
            .strip_prefix('u')
            .and_then(|hex| hex.get(..4))
            .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32);
        match (hex, escaped.chars().next()) {
            (Some(c), _) => {
                out.push(c);
                rest = &escaped[5..];
            }
            (None, Some(c @ ('\\' | '"' | '/'))) => {
                out.push(c);
                rest = &escaped[1..];
            }
            _ => {
                out.push('\\');
                rest = escaped;
            }
        }
    }
    out.push_str(rest);
    out
}

fn assert_key_hidden(err: &Error) {
    for text in error_texts(err) {
        let mut decoded = text.clone();
        // Each level of `{:?}` or JSON-in-JSON adds a level of escapes.
        for _ in 0..4 {
            assert!(
                !decoded.contains(KEY),
                "an error shows the secret key (as {:?} in {text:?}): {err:?}",
                if decoded == text { "is" } else { "escaped" },
            );
            let next = unescape_once(&decoded);
            if next == decoded {
                break;
            }
            decoded = next;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Generating an answer.

/// Statuses worth hitting often; any other in 100..=599 comes up too, and a few impossible ones.
const STATUSES: &[u16] = &[
    100, 101, 103, 199, 200, 201, 202, 204, 206, 299, 300, 301, 302, 304, 307, 308, 399, 400, 401,
    402, 403, 404, 405, 409, 410, 413, 418, 422, 429, 451, 499, 500, 501, 502, 503, 504, 507, 511,
    599,
];
/// The statuses a call retries (all of them when the operation may be repeated).
const RETRYABLE_STATUSES: &[u16] = &[429, 500, 502, 503, 504];
const ODD_STATUSES: &[u16] = &[0, 1, 99, 600, 999, 1000, 65_535];

const RETRY_AFTERS: &[&str] = &[
    "0",
    "1",
    "3",
    "120",
    "86400",
    "-1",
    "+5",
    " 7 ",
    "1.5",
    "1e3",
    "0x10",
    "99999999999999999999999",
    "18446744073709551615",
    "18446744073709551616",
    "Sun, 06 Nov 1994 08:49:37 GMT",
    "Thu, 28 May 2026 20:26:47 GMT",
    "Thu, 28 May 2026 20:26:40 GMT",
    "Fri, 29 May 2026 00:00:00 GMT",
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "Sunday, 06-Nov-94 08:49:37 GMT",
    "Sun Nov  6 08:49:37 1994",
    "Mon, 30 Feb 2026 25:61:61 GMT",
    "Sun, 06 Nov 99999999999999 08:49:37 GMT",
    "Thu, 28 May 2026 20:26:47",
    "",
    "   ",
    "\u{7f}\u{0}",
    "日本",
    "3, 4",
];

const HEADER_NAMES: &[&str] = &[
    "Retry-After",
    "retry-after",
    "RETRY-AFTER",
    "content-type",
    "content-length",
    "x-clerk-trace-id",
    "www-authenticate",
    "authorization",
    "x-ratelimit-reset",
    "location",
];

const CONTENT_TYPES: &[&str] = &[
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=utf-16",
    "text/html",
    "text/plain; charset=iso-8859-1",
    "",
    "\u{0}",
];

/// Field names of the models and of Clerk's error JSON, for inserted and duplicated keys.
const FIELDS: &[&str] = &[
    "errors",
    "code",
    "message",
    "long_message",
    "meta",
    "clerk_trace_id",
    "data",
    "total_count",
    "object",
    "id",
    "role",
    "permissions",
    "public_metadata",
    "private_metadata",
    "organization",
    "public_user_data",
    "created_at",
    "user_id",
    "identifier",
];

/// Numbers JSON allows and no Rust integer or float holds, and some that fit just barely.
const HUGE_NUMBERS: &[&str] = &[
    "1e400",
    "-1e400",
    "1E+999999999",
    "18446744073709551616",
    "-9223372036854775809",
    "9223372036854775807",
    "1.7976931348623157e309",
    "4.9e-325",
    "-0",
    "0.00000000000000000000000000000000000000000000000000000000001",
];

/// Controls as JSON allows them (escaped) and as it does not (raw, inside a string).
const CONTROLS: &[&str] = &[
    r"\u0000",
    r"\u001b[31m",
    r"\n\r\t\b\f",
    r"\u007f",
    r"\u2028\u2029",
    r"\ud800",
    r"\udfff\ud800",
    "\u{0}",
    "\u{1b}[0m",
    "\r\n",
    "\u{7}",
];

impl Answer {
    /// An answer to `op`: mostly a body that fits the status (the model for a 2xx, Clerk's
    /// error JSON otherwise), mutated a little, so that every kind of outcome comes up often.
    fn generate(rng: &mut Rng, op: Op, secrets: Secrets) -> Answer {
        let status = match rng.below(20) {
            0 => *rng.pick(ODD_STATUSES),
            1..=4 => 100 + rng.below(500) as u16,
            5..=8 => *rng.pick(RETRYABLE_STATUSES),
            _ => *rng.pick(STATUSES),
        };
        let base = match rng.below(8) {
            0 => Base::Any,
            _ if !(200..300).contains(&status) => Base::Errors,
            _ if op == Op::List => Base::Page,
            _ => Base::Membership,
        };
        let mut body = match rng.below(16) {
            0 => Vec::new(),
            1 => b"<html><body><h1>502 Bad Gateway</h1></body></html>".to_vec(),
            _ => mutated_json(rng, base, secrets),
        };
        if rng.below(4) == 0 {
            for _ in 0..1 + rng.below(2) {
                mutate_bytes(rng, secrets, &mut body);
            }
        }
        let headers = (0..rng.below(5)).map(|_| header(rng, secrets)).collect();
        Answer {
            status,
            headers,
            body,
        }
    }
}

fn header(rng: &mut Rng, secrets: Secrets) -> (String, String) {
    let name = *rng.pick(HEADER_NAMES);
    let value = if name.eq_ignore_ascii_case("retry-after") {
        match rng.below(8) {
            0 => rng.text(12),
            1 => KEY.to_owned(),
            2 => rng.below(1_000_000).to_string(),
            _ => (*rng.pick(RETRY_AFTERS)).to_owned(),
        }
    } else {
        match rng.below(5) {
            0 => (*rng.pick(CONTENT_TYPES)).to_owned(),
            1 => rng.text(16),
            2 => format!("Bearer {}", secret_fragment(rng, secrets)),
            3 => KEY.to_owned(),
            _ => rng.below(100_000).to_string(),
        }
    };
    (name.to_owned(), value)
}

/// A realistic JSON answer with a few structural mutations.
fn mutated_json(rng: &mut Rng, base: Base, secrets: Secrets) -> Vec<u8> {
    let mut value = base_answer(rng, base);
    // Raw JSON text to put in place of markers once the value is serialized: whole values
    // (`"@@value{i}@@"`) and pieces of strings (`@@piece{i}@@`).
    let mut values = Vec::new();
    let mut pieces = Vec::new();
    for _ in 0..*rng.pick(&[0, 1, 1, 2, 2, 3]) {
        mutate_value(rng, secrets, &mut value, &mut values, &mut pieces);
    }
    let mut text = value.to_string();
    for (i, splice) in values.iter().enumerate() {
        text = text.replace(&format!("\"@@value{i}@@\""), splice);
    }
    for (i, splice) in pieces.iter().enumerate() {
        text = text.replace(&format!("@@piece{i}@@"), splice);
    }
    text.into_bytes()
}

/// Which realistic answer to start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    Membership,
    Page,
    Errors,
    /// Any of the three.
    Any,
}

fn base_answer(rng: &mut Rng, base: Base) -> Value {
    static MEMBERSHIP: OnceLock<Value> = OnceLock::new();
    let membership = MEMBERSHIP
        .get_or_init(|| serde_json::from_str(MEMBERSHIP_JSON).expect("the membership fixture"))
        .clone();
    let base = match base {
        Base::Any => *rng.pick(&[Base::Membership, Base::Page, Base::Errors]),
        base => base,
    };
    match base {
        Base::Membership => membership,
        Base::Page => {
            let count = rng.below(4);
            json!({
                "data": vec![membership; count],
                "total_count": count + rng.below(3),
            })
        }
        Base::Errors | Base::Any => {
            let error = json!({
                "code": *rng.pick(&["resource_not_found", "form_param_value_invalid", "authorization_invalid", "too_many_requests"]),
                "message": "not found",
                "long_message": "The requested resource was not found.",
                "meta": {"param_name": "user_id"},
            });
            let mut body = json!({
                "errors": vec![error; 1 + rng.below(3)],
                "clerk_trace_id": "4b5e5f2a9c7d1e3f",
            });
            if rng.below(3) == 0 {
                body["meta"] = json!({"details": [1, {"a": null}]});
            }
            body
        }
    }
}

/// A JSON pointer to every node of `value`, the root first.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointers(item, format!("{at}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let key = key.replace('~', "~0").replace('/', "~1");
                pointers(item, format!("{at}/{key}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn mutate_value(
    rng: &mut Rng,
    secrets: Secrets,
    root: &mut Value,
    values: &mut Vec<String>,
    pieces: &mut Vec<String>,
) {
    let mut all = Vec::new();
    pointers(root, String::new(), &mut all);
    let at = rng.pick(&all).clone();
    let Some(node) = root.pointer_mut(&at) else {
        return;
    };
    let splice = |values: &mut Vec<String>, text: String| {
        values.push(text);
        json!(format!("@@value{}@@", values.len() - 1))
    };
    match rng.below(12) {
        0 => *node = Value::Null,
        1 => {
            *node = rng
                .pick(&[
                    json!(true),
                    json!(0),
                    json!(-1),
                    json!(1.5),
                    json!(""),
                    json!("x"),
                    json!([]),
                    json!({}),
                    json!([null]),
                    json!({"a": null}),
                ])
                .clone();
        }
        2 => *node = splice(values, (*rng.pick(HUGE_NUMBERS)).to_owned()),
        3 => {
            let depth = *rng.pick(&[64, 127, 128, 129, 500, 5_000]);
            let (open, close) = *rng.pick(&[("[", "]"), ("{\"a\":", "}")]);
            let mut nested = open.repeat(depth);
            nested.push_str("null");
            if rng.below(4) != 0 {
                nested.push_str(&close.repeat(depth));
            }
            *node = splice(values, nested);
        }
        4 => {
            if let Value::Object(map) = node
                && !map.is_empty()
            {
                let key = map.keys().nth(rng.below(map.len())).cloned();
                if let Some(key) = key {
                    map.remove(&key);
                }
            }
        }
        5 => {
            if let Value::Object(map) = node {
                let key = if rng.below(2) == 0 {
                    (*rng.pick(FIELDS)).to_owned()
                } else {
                    rng.text(6)
                };
                map.insert(key, json!(rng.text(10)));
            }
        }
        6 | 7 if secrets != Secrets::Escaped || rng.below(2) == 0 => {
            // The key inside a string, as a proxy echoing the Authorization header would put it.
            pieces.push(secret_fragment(rng, secrets));
            let around = rng.pick(&["", "Bearer ", "invalid key ", "\"", "\\"]);
            *node = json!(format!(
                "{around}@@piece{}@@{}",
                pieces.len() - 1,
                rng.text(4)
            ));
        }
        6 | 7 => {
            // The key as an object key (for example in `meta`).
            pieces.push(secret_fragment(rng, secrets));
            *node = json!({ format!("@@piece{}@@", pieces.len() - 1): rng.text(4) });
        }
        8 => {
            pieces.push((*rng.pick(CONTROLS)).to_owned());
            *node = json!(format!(
                "{}@@piece{}@@{}",
                rng.text(4),
                pieces.len() - 1,
                rng.text(4)
            ));
        }
        9 => {
            // Past the error snippet, and past the largest error JSON read (64 KiB).
            let long = "x".repeat(*rng.pick(&[513, 4_096, 70_000]));
            *node = splice(values, format!("\"{long}\""));
        }
        10 => {
            if let Value::Array(items) = node
                && let Some(first) = items.first().cloned()
            {
                items.resize(*rng.pick(&[2, 10, 100]), first);
            }
        }
        _ => *node = json!(rng.text(20)),
    }
}

/// The key as it sits in a JSON string: raw, or with some characters `\u`-escaped (at least
/// one, in upper or lower case hex).
fn secret_fragment(rng: &mut Rng, secrets: Secrets) -> String {
    let escaped = match secrets {
        Secrets::Raw => false,
        Secrets::Escaped => true,
        Secrets::Both => rng.below(2) == 0,
    };
    if !escaped {
        return KEY.to_owned();
    }
    let sure = rng.below(KEY.len());
    let upper = rng.below(2) == 0;
    KEY.chars()
        .enumerate()
        .map(|(i, c)| {
            if i == sure || rng.below(4) == 0 {
                let code = c as u32;
                if upper {
                    format!("\\u{code:04X}")
                } else {
                    format!("\\u{code:04x}")
                }
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// One byte-level mutation: a flipped bit, bytes inserted, deleted or duplicated, a cut, a
/// structural character, a duplicated field, or the key somewhere in the bytes.
fn mutate_bytes(rng: &mut Rng, secrets: Secrets, body: &mut Vec<u8>) {
    let at = rng.below(body.len() + 1);
    match rng.below(8) {
        0 if at < body.len() => body[at] ^= 1 << rng.below(8),
        1 => {
            let bytes = rng.bytes(8);
            body.splice(at..at, bytes);
        }
        2 => {
            let end = (at + 1 + rng.below(16)).min(body.len());
            body.drain(at..end);
        }
        3 => body.truncate(at),
        4 => {
            let end = (at + 1 + rng.below(64)).min(body.len());
            let chunk = body[at..end].to_vec();
            body.splice(at..at, chunk);
        }
        5 if at < body.len() => body[at] = *rng.pick(b"\"\\{}[],:0-e"),
        6 => {
            // A field a second time, right after an opening brace.
            if let Some(brace) = body[at..].iter().position(|&b| b == b'{') {
                let field = format!(
                    "\"{}\":{},",
                    rng.pick(FIELDS),
                    rng.pick(&["null", "[]", "{}", "1", "\"x\""])
                );
                body.splice(at + brace + 1..at + brace + 1, field.into_bytes());
            }
        }
        _ => {
            let fragment = secret_fragment(rng, secrets);
            body.splice(at..at, fragment.into_bytes());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The tests: one per property, so that a known gap in one does not hide the others.

#[test]
fn mutated_answers_never_panic_and_keep_their_status() {
    fuzz(
        "mutated_answers_never_panic_and_keep_their_status",
        Secrets::Both,
        Check::Status,
    );
}

#[test]
fn mutated_answers_never_show_the_raw_key() {
    fuzz(
        "mutated_answers_never_show_the_raw_key",
        Secrets::Raw,
        Check::StatusAndSecret,
    );
}

#[test]
fn mutated_answers_never_show_the_json_escaped_key() {
    fuzz(
        "mutated_answers_never_show_the_json_escaped_key",
        Secrets::Escaped,
        Check::StatusAndSecret,
    );
}
