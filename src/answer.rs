//! An HTTP answer, read once: status, Clerk's error JSON, `Retry-After` and, for an error
//! answer, the body with the secret key blanked out (a 2xx body is kept as it came, for the
//! model; its decode error is redacted where it is made). The retry decision, the attempt hook
//! and the error mapping all use this one reading.

use std::time::{Duration, SystemTime};

use crate::api_error::{ApiError, ClerkErrors, MAX_ERROR_JSON};
use crate::error::{Error, ErrorKind};
use crate::retry_after::parse_retry_after;
use crate::secret::SecretKey;
use crate::text::body_snippet;
use crate::transport::HttpResponse;

/// A server's answer, classified.
pub(crate) struct Answer {
    status: u16,
    /// A 2xx body as received; any other body redacted, and cut past what is ever shown.
    body: Vec<u8>,
    /// Clerk's error JSON, for a non-2xx answer that carried it.
    clerk: Option<ClerkErrors>,
    /// The server's `Retry-After`, for a non-2xx answer (at most an hour).
    retry_after: Option<Duration>,
}

impl Answer {
    /// Reads `response`. `wall_now` turns an HTTP-date `Retry-After` into a wait; `key` is
    /// blanked out of everything an error can show, in case a proxy or server echoes the
    /// `Authorization` header back.
    pub(crate) fn read(response: HttpResponse, key: &SecretKey, wall_now: SystemTime) -> Answer {
        let status = response.status();
        if (200..300).contains(&status) {
            return Answer {
                status,
                body: response.into_body(),
                clerk: None,
                retry_after: None,
            };
        }
        let retry_after = response
            .header("retry-after")
            .and_then(|value| parse_retry_after(value, wall_now));
        let mut body = response.into_body();
        // Past this, a body is neither parsed nor shown beyond its snippet.
        body.truncate(MAX_ERROR_JSON + 1);
        let body = redact(&body, key.expose_secret().as_bytes());
        let clerk = (body.len() <= MAX_ERROR_JSON)
            .then(|| serde_json::from_slice(&body).ok())
            .flatten();
        Answer {
            status,
            body,
            clerk,
            retry_after,
        }
    }

    pub(crate) fn status(&self) -> u16 {
        self.status
    }

    /// How long the server asked to wait, when it said so.
    pub(crate) fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// Clerk's trace id from an error answer.
    pub(crate) fn clerk_trace_id(&self) -> Option<&str> {
        self.clerk.as_ref()?.clerk_trace_id.as_deref()
    }

    /// The body of a 2xx answer.
    pub(crate) fn body(&self) -> &[u8] {
        &self.body
    }

    /// A 2xx answer as it is, or the [`Error`] any other answer is: the one error mapping of
    /// the crate.
    pub(crate) fn into_success(self, attempts: u32) -> Result<Answer, Error> {
        let status = self.status;
        if (200..300).contains(&status) {
            return Ok(self);
        }
        let kind = match self.clerk {
            Some(errors) => ErrorKind::Api {
                error: Box::new(ApiError::new(status, errors, self.retry_after)),
            },
            None => ErrorKind::UnexpectedResponse {
                status,
                body_snippet: body_snippet(&self.body),
                retry_after: self.retry_after,
            },
        };
        Err(Error::new(kind).after(attempts))
    }
}

/// `body` with every occurrence of `key` replaced by `<redacted>`, whether written plainly or
/// with JSON escapes (`sk\u005ftest_…`), so that no decoded string can hold the key either.
pub(crate) fn redact(body: &[u8], key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut at = 0;
    while at < body.len() {
        match match_escaped(&body[at..], key) {
            Some(len) if !key.is_empty() => {
                out.extend_from_slice(b"<redacted>");
                at += len;
            }
            _ => {
                out.push(body[at]);
                at += 1;
            }
        }
    }
    out
}

/// The length of the prefix of `text` that spells `key`, each byte plainly or as a JSON
/// escape (`\uXXXX`, or `\"`, `\\`, `\/` for those characters).
fn match_escaped(text: &[u8], key: &[u8]) -> Option<usize> {
    let mut at = 0;
    for &wanted in key {
        let rest = text.get(at..)?;
        if wanted == b'\\' && rest.starts_with(b"\\\\") {
            at += 2;
            continue;
        }
        if rest.first() == Some(&wanted) {
            at += 1;
            continue;
        }
        match rest {
            [b'\\', b'u', hex @ ..] => {
                let code = hex.get(..4)?.iter().try_fold(0u32, |code, &digit| {
                    Some(code * 16 + char::from(digit).to_digit(16)?)
                })?;
                if code != u32::from(wanted) {
                    return None;
                }
                at += 6;
            }
            [b'\\', escaped, ..] if *escaped == wanted && matches!(wanted, b'"' | b'/') => {
                at += 2;
            }
            _ => return None,
        }
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"sk_test_abc";

    fn redacted(body: &str) -> String {
        String::from_utf8(redact(body.as_bytes(), KEY)).unwrap()
    }

    #[test]
    fn every_plain_occurrence_is_blanked() {
        assert_eq!(
            redacted("xsk_test_abcsk_test_abc y sk_test_ab"),
            "x<redacted><redacted> y sk_test_ab"
        );
        assert_eq!(redacted("nothing here"), "nothing here");
        assert_eq!(redacted(""), "");
    }

    #[test]
    fn json_escaped_spellings_are_blanked_too() {
        for escaped in [
            r"sk\u005ftest_abc",
            r"\u0073\u006B\u005F\u0074\u0065\u0073\u0074\u005F\u0061\u0062\u0063",
            r"sk_test_ab\u0063",
        ] {
            let body = format!(r#"{{"trace":"{escaped}!"}}"#);
            assert_eq!(redacted(&body), r#"{"trace":"<redacted>!"}"#, "{escaped}");
            // And what a JSON decoder makes of the redacted body holds no key.
            let decoded: serde_json::Value = serde_json::from_str(&redacted(&body)).unwrap();
            assert_eq!(decoded["trace"], "<redacted>!");
        }
        assert_eq!(redacted(r"sk\u005gtest_abc"), r"sk\u005gtest_abc");
        assert_eq!(redacted(r"sk\u005"), r"sk\u005");
    }

    #[test]
    fn keys_with_escapable_characters_are_found_escaped() {
        let key = br#"sk_test_a"b\c/d"#;
        let body = br#"[sk_test_a\"b\\c\/d]"#;
        assert_eq!(redact(body, key), b"[<redacted>]");
    }

    #[test]
    fn a_large_error_body_is_read_within_bounds() {
        let key = SecretKey::new("sk_test_abc").unwrap();
        let huge = vec![b'x'; 10 * MAX_ERROR_JSON];
        let answer = Answer::read(HttpResponse::new(500, huge), &key, SystemTime::now());
        assert!(answer.body.len() <= MAX_ERROR_JSON + 1);
        assert!(answer.clerk.is_none());
        assert_eq!(answer.status(), 500);
    }
}
