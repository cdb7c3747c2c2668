//! What the fake answers: JSON bodies, and Clerk's error JSON with the codes, statuses and
//! wording Clerk documents for each failure.

use serde::Serialize;
use serde_json::Value;

use crate::api_error::ClerkError;
use crate::models::Metadata;
use crate::transport::HttpResponse;

/// A refusal, in Clerk's terms: a status and one or more errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Failure {
    pub(super) status: u16,
    pub(super) errors: Vec<ClerkError>,
}

impl Failure {
    fn one(status: u16, code: &str, message: &str, long_message: String) -> Self {
        Failure {
            status,
            errors: vec![error(code, message, long_message, None)],
        }
    }

    fn param(status: u16, code: &str, message: &str, long_message: String, param: &str) -> Self {
        Failure {
            status,
            errors: vec![error(code, message, long_message, Some(param))],
        }
    }

    /// 401: no `Authorization` header at all.
    pub(super) fn unauthorized() -> Self {
        Self::one(
            401,
            "authorization_invalid",
            "Unauthorized request",
            "You are not authorized to perform this request".into(),
        )
    }

    /// 401: an `Authorization` header that is not `Bearer <key>`.
    pub(super) fn authorization_header_format() -> Self {
        Self::one(
            401,
            "authorization_header_format_invalid",
            "Invalid Authorization header format",
            "Invalid Authorization header format. Must be 'Bearer <YOUR_API_KEY>'".into(),
        )
    }

    /// 401: a bearer token that is not a secret key this instance accepts.
    pub(super) fn secret_key_invalid() -> Self {
        let text = "The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.";
        Self::one(401, "clerk_key_invalid", text, text.into())
    }

    /// 404 for a path no operation lives at.
    pub(super) fn no_route() -> Self {
        Self::one(
            404,
            "resource_not_found",
            "not found",
            "The requested resource was not found".into(),
        )
    }

    /// 404 for an unknown organization.
    pub(super) fn organization_not_found() -> Self {
        Self::one(
            404,
            "resource_not_found",
            "not found",
            "Given organization not found.".into(),
        )
    }

    /// 404 for an unknown user.
    pub(super) fn user_not_found(user_id: &str) -> Self {
        Self::one(
            404,
            "resource_not_found",
            "not found",
            format!("No user was found with id {user_id}"),
        )
    }

    /// 404 for a user who is not a member of the organization.
    pub(super) fn membership_not_found() -> Self {
        Self::one(
            404,
            "resource_not_found",
            "not found",
            "Resource not found".into(),
        )
    }

    /// 400: the user is already a member.
    pub(super) fn already_a_member(user_id: &str) -> Self {
        Self::one(
            400,
            "already_a_member_in_organization",
            "already a member",
            format!("{user_id} is already a member of the organization."),
        )
    }

    /// 400: the address is already a member (an assumption: the spec names no code).
    pub(super) fn already_a_member_email(email_address: &str) -> Self {
        Self::param(
            400,
            "already_a_member_in_organization",
            "already a member",
            format!("{email_address} is already a member of the organization."),
            "email_address",
        )
    }

    /// 400: the address has a pending invitation already (an assumption: the spec names no
    /// code).
    pub(super) fn already_invited(email_address: &str) -> Self {
        Self::param(
            400,
            "duplicate_record",
            "duplicate invitation",
            format!("There is already a pending invitation for {email_address}."),
            "email_address",
        )
    }

    /// 404: no such invitation in the organization.
    pub(super) fn invitation_not_found() -> Self {
        Self::one(
            404,
            "resource_not_found",
            "not found",
            "Resource not found".into(),
        )
    }

    /// 400: only a pending invitation can be revoked (an assumption: the spec names no
    /// code).
    pub(super) fn invitation_not_pending(status: &str) -> Self {
        Self::one(
            400,
            "organization_invitation_not_pending",
            "invitation not pending",
            format!("Only pending invitations can be revoked; this one is {status}."),
        )
    }

    /// 403: the organization is full.
    pub(super) fn quota_exceeded(max: u32) -> Self {
        Self::one(
            403,
            "organization_membership_quota_exceeded",
            "organization membership quota exceeded",
            format!(
                "You have reached your limit of {max} organization memberships, including outstanding invitations."
            ),
        )
    }

    /// 400: the body is not a JSON object.
    pub(super) fn body_invalid() -> Self {
        Self::one(
            400,
            "request_body_invalid",
            "Request body invalid",
            "The request body is invalid. Please consult the API documentation for more information."
                .into(),
        )
    }

    /// 400: the path or query is not valid percent-encoded UTF-8.
    pub(super) fn malformed_parameters() -> Self {
        Self::one(
            400,
            "malformed_request_parameters",
            "Malformed request parameters",
            "The request parameters are malformed and could not be parsed".into(),
        )
    }

    /// 422: required body parameters are missing (one error each).
    pub(super) fn params_missing(params: &[&str]) -> Self {
        Failure {
            status: 422,
            errors: params
                .iter()
                .map(|param| {
                    error(
                        "form_param_missing",
                        "is missing",
                        format!("{param} must be included."),
                        Some(param),
                    )
                })
                .collect(),
        }
    }

    /// 422: a value that is not one the parameter allows.
    pub(super) fn value_invalid(param: &str, value: &str) -> Self {
        Self::param(
            422,
            "form_param_value_invalid",
            "is invalid",
            format!("{value} does not match one of the allowed values for parameter {param}"),
            param,
        )
    }

    /// 422: a body parameter of the wrong JSON type.
    pub(super) fn type_invalid(param: &str, expected: &str) -> Self {
        Self::param(
            422,
            "form_param_type_invalid",
            "is invalid",
            format!("`{param}` must be a `{expected}`."),
            param,
        )
    }

    /// 422: a body parameter the operation does not have.
    pub(super) fn param_unknown(param: &str) -> Self {
        Self::param(
            422,
            "form_param_unknown",
            "is unknown",
            format!("{param} is not a valid parameter for this request."),
            param,
        )
    }

    /// 422: a single-valued query parameter given more than once.
    pub(super) fn param_duplicate(param: &str) -> Self {
        Self::param(
            422,
            "form_param_duplicate",
            "is duplicate",
            format!("{param} included multiple times. There should only be one."),
            param,
        )
    }

    /// 422: an array query parameter repeated more than `max` times.
    pub(super) fn too_many_values(param: &str, max: usize) -> Self {
        Self::param(
            422,
            "form_param_duplicate",
            "is duplicate",
            format!("{param} is included more than the maximum of {max} times."),
            param,
        )
    }

    /// 500: something the fake itself could not do (never expected).
    pub(super) fn internal() -> Self {
        Self::one(
            500,
            "internal_clerk_error",
            "Oops, an unexpected error occurred",
            "There was an internal error on our servers. We've been notified and are working on fixing it."
                .into(),
        )
    }

    /// The error body with its trace id.
    pub(super) fn into_response(self, trace_id: String) -> HttpResponse {
        clerk_errors(self.status, self.errors, trace_id)
    }
}

/// One Clerk error without a parameter name.
#[cfg(feature = "fake-server")]
pub(super) fn plain_error(code: &str, message: &str, long_message: String) -> ClerkError {
    error(code, message, long_message, None)
}

fn error(code: &str, message: &str, long_message: String, param: Option<&str>) -> ClerkError {
    let mut meta = Metadata::new();
    if let Some(param) = param {
        meta.insert("param_name".into(), Value::String(param.into()));
    }
    ClerkError {
        code: code.into(),
        message: message.into(),
        long_message,
        meta: Some(meta),
    }
}

#[derive(Serialize)]
struct ErrorBody {
    errors: Vec<ClerkError>,
    clerk_trace_id: String,
}

/// Clerk's error JSON with any status.
pub(super) fn clerk_errors(status: u16, errors: Vec<ClerkError>, trace_id: String) -> HttpResponse {
    let body = ErrorBody {
        errors,
        clerk_trace_id: trace_id,
    };
    // Serializing plain strings and string-keyed maps cannot fail; an empty body would still
    // be an answer the client reports with its status.
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    json_response(status, bytes)
}

/// The error a rate-limited request gets (Clerk documents no body for it; this is the shape
/// every other Clerk error has).
pub(super) fn rate_limited(retry_after_secs: u64, trace_id: String) -> HttpResponse {
    clerk_errors(
        429,
        vec![error(
            "too_many_requests",
            "Too many requests",
            "Too many requests, please retry later.".into(),
            None,
        )],
        trace_id,
    )
    .with_header("retry-after", retry_after_secs.to_string())
}

/// A server error with Clerk's error JSON and the given status.
pub(super) fn server_error(status: u16, trace_id: String) -> HttpResponse {
    let mut failure = Failure::internal();
    failure.status = status;
    failure.into_response(trace_id)
}

/// An HTML error page, as a proxy or load balancer in front of the API sends it.
pub(super) fn html_page(status: u16) -> HttpResponse {
    let title = format!("{status} {}", reason_phrase(status));
    let body = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    HttpResponse::new(status, body).with_header("content-type", "text/html")
}

pub(super) fn json_response(status: u16, body: Vec<u8>) -> HttpResponse {
    HttpResponse::new(status, body).with_header("content-type", "application/json")
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Time-out",
        _ => "Error",
    }
}
