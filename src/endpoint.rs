//! What every operation declares, and the one encoder that puts its values on the wire.

use serde::Serialize;

use crate::call::Operation;
use crate::error::BuildError;
use crate::models::Model;

/// Longest URL a request may have, in bytes: base URL, escaped path and query together.
///
/// 8 KiB is the request-line limit of common servers and proxies (nginx's default buffer for a
/// request line, Apache's `LimitRequestLine`); a longer URL would be refused (414) or cut by
/// something on the way. A request over it is refused when rendered, as
/// [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest) for field `url`, never sent.
pub(crate) const MAX_URL_LEN: usize = 8 * 1024;

/// A rendered URL must fit in [`MAX_URL_LEN`] bytes.
pub(crate) fn check_url_len(url: &str) -> Result<(), BuildError> {
    if url.len() > MAX_URL_LEN {
        return Err(BuildError::invalid(
            "url",
            format!(
                "must be at most {MAX_URL_LEN} bytes (base URL, escaped path and query), got {}",
                url.len()
            ),
        ));
    }
    Ok(())
}

/// An API operation: what it is, where it goes, what it sends and what it gets back.
///
/// Operation files implement this and nothing else; [`Client::execute`](crate::Client) does the
/// rendering, sending and decoding for all of them.
pub(crate) trait Endpoint {
    /// The JSON body (`()` for operations without one): a private type borrowing from the
    /// request exactly the fields that go in the body, so that the request types themselves
    /// never implement `Serialize` (which would drop what goes in the path or query).
    type Body<'a>: Serialize
    where
        Self: 'a;
    /// The model a 2xx answer decodes into.
    type Response: Model;
    /// Which operation this is (gives the method).
    const OPERATION: Operation;

    /// Writes the path below the base URL.
    fn path(&self, path: &mut PathWriter<'_>);

    /// Writes the query pairs, if any.
    fn query(&self, _query: &mut QueryWriter<'_>) {}

    /// The JSON body, if the operation has one.
    fn body(&self) -> Option<Self::Body<'_>> {
        None
    }
}

/// Appends path segments to a URL, each escaped as exactly one segment.
pub(crate) struct PathWriter<'a> {
    out: &'a mut String,
}

impl<'a> PathWriter<'a> {
    pub(crate) fn new(out: &'a mut String) -> Self {
        PathWriter { out }
    }

    /// Appends a fixed segment of the API's path.
    pub(crate) fn literal(&mut self, segment: &'static str) -> &mut Self {
        self.out.push('/');
        self.out.push_str(segment);
        self
    }

    /// Appends `/organizations/{organization_id}/memberships`.
    pub(crate) fn memberships(&mut self, organization_id: &str) -> &mut Self {
        self.literal("organizations")
            .segment(organization_id)
            .literal("memberships")
    }

    /// Appends `/organizations/{organization_id}/memberships/{user_id}`.
    pub(crate) fn membership(&mut self, organization_id: &str, user_id: &str) -> &mut Self {
        self.memberships(organization_id).segment(user_id)
    }

    /// Appends `/organizations/{organization_id}/invitations`.
    pub(crate) fn invitations(&mut self, organization_id: &str) -> &mut Self {
        self.literal("organizations")
            .segment(organization_id)
            .literal("invitations")
    }

    /// Appends `/organizations/{organization_id}/invitations/{invitation_id}`.
    pub(crate) fn invitation(&mut self, organization_id: &str, invitation_id: &str) -> &mut Self {
        self.invitations(organization_id).segment(invitation_id)
    }

    /// Appends a caller-given value as exactly one segment.
    ///
    /// Every byte outside `A-Z a-z 0-9 - _ ~` is percent-encoded, dots included, so that
    /// neither `/` nor `.`/`..` can change the path that is hit.
    pub(crate) fn segment(&mut self, value: &str) -> &mut Self {
        self.out.push('/');
        encode(value, self.out, b"-_~");
        self
    }
}

/// Appends `key=value` query pairs, form-encoded.
pub(crate) struct QueryWriter<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> QueryWriter<'a> {
    pub(crate) fn new(out: &'a mut String) -> Self {
        QueryWriter { out, first: true }
    }

    fn key(&mut self, key: &str) {
        self.out.push(if self.first { '?' } else { '&' });
        self.first = false;
        self.out.push_str(key);
        self.out.push('=');
    }

    /// Appends `key=value` when the value was set.
    pub(crate) fn opt_str(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.key(key);
            encode(value, self.out, b"-_.~");
        }
        self
    }

    /// Appends a list request's `limit` and `offset`, each when set.
    pub(crate) fn page(&mut self, limit: Option<u32>, offset: Option<u64>) -> &mut Self {
        self.opt_int("limit", limit).opt_int("offset", offset)
    }

    /// Appends `key=value` in plain decimal when the value was set.
    pub(crate) fn opt_int(&mut self, key: &str, value: Option<impl Into<i128>>) -> &mut Self {
        if let Some(value) = value {
            use std::fmt::Write;
            self.key(key);
            // Writing to a String cannot fail.
            let _ = write!(self.out, "{}", value.into());
        }
        self
    }

    /// Appends one `key=value` pair per value, in order (repeated keys, never comma-joined).
    pub(crate) fn each(&mut self, key: &str, values: &[String]) -> &mut Self {
        for value in values {
            self.opt_str(key, Some(value));
        }
        self
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Percent-encodes `value` into `out`, keeping ASCII letters, digits and the bytes in `keep`.
///
/// This is the crate's one encoder: path segments and query values both go through it.
fn encode(value: &str, out: &mut String, keep: &[u8]) {
    for &byte in value.as_bytes() {
        if byte.is_ascii_alphanumeric() || keep.contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0F)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(value: &str) -> String {
        let mut out = String::new();
        PathWriter::new(&mut out).segment(value);
        out
    }

    #[test]
    fn segments_escape_everything_that_could_move_the_path() {
        assert_eq!(segment("user_123"), "/user_123");
        assert_eq!(segment("a/b?c#d%e f"), "/a%2Fb%3Fc%23d%25e%20f");
        assert_eq!(segment(".."), "/%2E%2E");
        assert_eq!(segment("é"), "/%C3%A9");
    }

    #[test]
    fn query_values_are_form_encoded_and_dots_kept() {
        let mut out = String::new();
        QueryWriter::new(&mut out)
            .opt_str("user_id", Some("+user_1"))
            .opt_str("q", Some("a&b=c d"))
            .opt_str("email_address", Some("jane.doe@acme.com"))
            .opt_int("limit", Some(0u32))
            .opt_str("unset", None);
        assert_eq!(
            out,
            "?user_id=%2Buser_1&q=a%26b%3Dc%20d&email_address=jane.doe%40acme.com&limit=0"
        );
    }
}
