//! Requests that must be refused before anything is sent.

use clerk_memberships::BuildError;

/// Builds `$builder`, sends it through `$client` (whose `MockTransport` `$mock` holds one
/// scripted answer, `$answer`), and expects a build error before anything is sent: nothing
/// reaches the transport, no attempt is counted, no status. Returns the build error.
#[macro_export]
macro_rules! refused_before_sending {
    ($client:expr, $mock:expr, $answer:expr, $builder:expr) => {{
        let (client, mock) = ($client, $mock);
        mock.push_json(200, $answer);
        let result = $builder
            .build()
            .map_err(clerk_memberships::Error::from)
            .and_then(|op| op.send(&client).map(drop));
        let err = result.expect_err("build must fail");
        assert!(
            mock.requests().is_empty(),
            "nothing may reach the transport"
        );
        assert_eq!(mock.remaining(), 1, "the scripted answer is still there");
        assert_eq!(err.attempts(), 0);
        assert_eq!(err.status(), None);
        match err.into_kind() {
            clerk_memberships::ErrorKind::InvalidRequest { error: build, .. } => build,
            other => panic!("expected Error::InvalidRequest, got {other:?}"),
        }
    }};
}

/// `err` is an [`BuildError::InvalidField`] for `field`, with a rule and the field named in
/// its message.
pub fn assert_invalid(err: BuildError, field: &str) {
    match &err {
        BuildError::InvalidField { field: f, rule } => {
            assert_eq!(*f, field, "{err}");
            assert!(!rule.is_empty());
            assert!(err.to_string().contains(field), "{err}");
        }
        other => panic!("expected InvalidField({field}), got {other:?}"),
    }
}
