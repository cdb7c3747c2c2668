//! `--rate-limit-redis`, `--rate-share` and `--rate-processes`: a Redis that cannot be reached
//! never fails a command, is said on stderr without its password, and bad values are usage
//! errors.

use crate::support::{ORG, acme, cli, text};

/// Nothing listens on port 1 of loopback: the connection is refused at once.
const UNREACHABLE: &str = "redis://:hunter2@127.0.0.1:1/0";

#[test]
fn an_unreachable_redis_paces_locally_and_says_so_without_the_password() {
    let server = acme();
    let output = cli(&server)
        .env("CLERK_RATE_LIMIT_REDIS_URL", UNREACHABLE)
        .args(["list", "--org", ORG, "--format", "csv"])
        .args(["--rate-share", "50%", "--rate-processes", "5"])
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stdout.lines().count(),
        4,
        "the header and three members: {stdout}"
    );
    assert!(
        stderr.starts_with(
            "note: the shared rate limit at redis://:<redacted>@127.0.0.1:1/0 cannot be used ("
        ),
        "{stderr}"
    );
    // 100 per 10 s for the fake's sk_test_ key, half of it, over 5 processes.
    assert!(stderr.contains("pacing locally at 10 per 10s"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn verbose_attempts_say_they_were_paced_locally() {
    let server = acme();
    let output = cli(&server)
        .args([
            "list",
            "--org",
            ORG,
            "-v",
            "--rate-limit-redis",
            UNREACHABLE,
        ])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("attempt 1: 200 (paced locally: the shared rate limit cannot be used)"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn bad_shares_and_urls_are_usage_errors_that_never_show_the_password() {
    let server = acme();
    for (args, says) in [
        (
            vec!["--rate-share", "150%"],
            "a share must be more than 0 and at most 100%",
        ),
        (
            vec!["--rate-share", "half"],
            "is not a share such as 50% or 0.5",
        ),
        (
            vec!["--rate-processes", "3"],
            "--rate-processes needs --rate-limit-redis",
        ),
        (
            vec!["--rate-limit", "off", "--rate-share", "50%"],
            "--rate-share needs a rate limit",
        ),
        (
            vec!["--rate-limit-redis", "http://:hunter2@127.0.0.1:1"],
            "must be a redis:// URL",
        ),
        (
            vec!["--rate-limit-redis", UNREACHABLE, "--rate-limit", "off"],
            "--rate-limit off cannot be combined with --rate-limit-redis",
        ),
    ] {
        let output = cli(&server)
            .args(["list", "--org", ORG])
            .args(&args)
            .output()
            .unwrap();
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(!stderr.contains("hunter2"), "{args:?}: {stderr}");
    }
}

/// `--rate-processes 1` is the default said out loud: it needs no shared budget.
#[test]
fn rate_processes_1_is_the_default_and_needs_no_redis() {
    let server = acme();
    let output = cli(&server)
        .args(["list", "--org", ORG, "--rate-processes", "1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
}
