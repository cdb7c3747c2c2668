//! Clerk's official SDKs against the served fake: the Python SDK (`clerk-backend-api`) and
//! the JavaScript one (`@clerk/backend`), pinned in `tests/sdk/`, run every operation the
//! fake serves through their own models, which refuse answers that break Clerk's spec (a
//! verification without its `object` discriminator, a route the SDK needs and the fake
//! lacks).
//!
//! The SDKs are found through `CLERK_SDK_PYTHON` (a Python with the SDK installed) and
//! `CLERK_SDK_NODE_MODULES` (a `node_modules` holding `@clerk/backend`), else in
//! `target/sdk-venv` and `target/sdk-js`, where `tests/sdk/install` puts them. Without them
//! the test says how to install them and passes, unless `CLERK_MEMBERSHIPS_REQUIRE_SDKS=1`
//! (as CI sets): then it fails.
#![cfg(feature = "fake-server")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeServer, FakeUser};
use serde_json::{Value, json};

/// The versions `tests/sdk/` pins.
const PYTHON_SDK: &str = "7.0.0";
const JS_SDK: &str = "3.25.0";

const REQUIRE: &str = "CLERK_MEMBERSHIPS_REQUIRE_SDKS";
const PYTHON: &str = "CLERK_SDK_PYTHON";
const NODE_MODULES: &str = "CLERK_SDK_NODE_MODULES";

const HOW_TO_INSTALL: &str = "install them with `tests/sdk/install` (needs python3 and npm), \
     or point CLERK_SDK_PYTHON at a Python with clerk-backend-api 7.0.0 and \
     CLERK_SDK_NODE_MODULES at a node_modules holding @clerk/backend 3.25.0";

/// One served fake: an organization per SDK (Ann its admin), and users Ann (with an email
/// address, a phone number and a web3 wallet), Bob and Cid.
fn seeded() -> FakeServer {
    let server = FakeClerk::serve("127.0.0.1:0").expect("serves on loopback");
    for id in ["org_py", "org_js"] {
        server.add_organization(FakeOrganization::new(id).id(id));
    }
    server.add_user(
        FakeUser::new("Ann", "Lee")
            .id("user_ann")
            .email("ann@acme.com")
            .phone_number("+15555550100")
            .web3_wallet("0x52908400098527886e0f7030069857d2e4169ee7"),
    );
    for name in ["bob", "cid"] {
        server.add_user(
            FakeUser::new(name, "Ray")
                .id(format!("user_{name}"))
                .email(format!("{name}@acme.com")),
        );
    }
    for id in ["org_py", "org_js"] {
        server
            .add_membership(id, "user_ann", "org:admin")
            .expect("seeded");
    }
    server
}

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The tool `var` names, else `fallback` under the workspace, if `usable` says it works.
fn locate(var: &str, fallback: &str, usable: impl Fn(&Path) -> bool) -> Result<PathBuf, String> {
    let path = std::env::var_os(var)
        .filter(|value| !value.is_empty())
        .map_or_else(|| workspace().join(fallback), PathBuf::from);
    if usable(&path) {
        Ok(path)
    } else {
        Err(format!("{} (from {var} or the default)", path.display()))
    }
}

fn python() -> Result<PathBuf, String> {
    locate(PYTHON, "target/sdk-venv/bin/python", |python| {
        Command::new(python)
            .args(["-c", "import clerk_backend_api"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    })
    .map_err(|at| format!("no Python with clerk-backend-api at {at}"))
}

fn node_modules() -> Result<PathBuf, String> {
    let node = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !node {
        return Err("no `node` on PATH".to_owned());
    }
    locate(NODE_MODULES, "target/sdk-js/node_modules", |dir| {
        dir.join("@clerk/backend/package.json").is_file()
    })
    .map_err(|at| format!("no @clerk/backend in {at}"))
}

/// Runs `command` without proxy settings (the fake is on loopback) and returns its stdout as
/// JSON; panics with its stderr when it fails.
fn json_of(what: &str, command: &mut Command) -> Value {
    for var in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"] {
        command.env_remove(var).env_remove(var.to_lowercase());
    }
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("the SDK script starts");
    let stderr = String::from_utf8_lossy(&stderr);
    assert!(status.success(), "{what} failed ({status}):\n{stderr}");
    let stdout = String::from_utf8_lossy(&stdout);
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|err| panic!("{what} printed no JSON ({err}):\n{stdout}\n{stderr}"))
}

/// What each SDK shows for the same script against its own organization.
fn expected(sdk: &str) -> Value {
    json!({
        "sdk": sdk,
        "create": ["user_bob", "org:member", {"team": "ops"}],
        "list": [2, [["user_ann", "org:admin"], ["user_bob", "org:member"]]],
        "update": ["user_bob", "org:admin"],
        "update_metadata": [{"level": 2}, {"note": "hi"}],
        "delete": ["user_bob", 1],
        "refused": [404, ["resource_not_found"]],
        "count": [3, 2],
    })
}

/// Checks `got` against [`expected`] but for the `users` entry, which it returns.
fn common(got: &Value, sdk: &str) -> Value {
    let mut got = got.clone();
    let users = got
        .as_object_mut()
        .and_then(|object| object.remove("users"))
        .unwrap_or_default();
    assert_eq!(got, expected(sdk));
    users
}

#[test]
fn clerks_python_and_javascript_sdks_accept_every_answer_of_the_served_fake() {
    let (python, node_modules) = match (python(), node_modules()) {
        (Ok(python), Ok(node_modules)) => (python, node_modules),
        (python, node_modules) => {
            let missing: Vec<String> = [python.err(), node_modules.err()]
                .into_iter()
                .flatten()
                .collect();
            let why = format!("{}; {HOW_TO_INSTALL}", missing.join("; "));
            assert!(
                std::env::var(REQUIRE).as_deref() != Ok("1"),
                "{REQUIRE}=1 but the SDKs are missing: {why}"
            );
            // Straight to stderr, past the test harness's capture, so the skip shows.
            let _ = writeln!(
                std::io::stderr(),
                "clerk_sdks: skipped, Clerk's SDKs are not installed: {why}"
            );
            return;
        }
    };
    let server = seeded();
    let sdk = workspace().join("tests/sdk");
    let base_url = server.base_url();
    let api_url = base_url.trim_end_matches("/v1");

    // Both at once: they use different organizations and only read the users.
    let mut python_run = Command::new(python);
    python_run
        .arg(sdk.join("clerk_sdk.py"))
        .args([base_url, "org_py"]);
    let mut node_run = Command::new("node");
    node_run
        .arg(sdk.join("clerk_sdk.cjs"))
        .args([api_url, "org_js"])
        .env("NODE_PATH", &node_modules);
    let (from_python, from_node) = std::thread::scope(|scope| {
        let python = scope.spawn(|| json_of("the Python SDK", &mut python_run));
        let node = json_of("the JavaScript SDK", &mut node_run);
        (python.join().expect("joined"), node)
    });

    // Python decodes each verification into the model its `object` names.
    assert_eq!(
        common(&from_python, PYTHON_SDK),
        json!([["user_ann", "user_bob"], ["verification_admin"]])
    );
    // JavaScript reads the verification's strategy, and asks `GET /users/count` for the
    // list's total.
    assert_eq!(
        common(&from_node, JS_SDK),
        json!([["user_ann", "user_bob"], ["admin"], 2])
    );
    let counted = server
        .requests()
        .iter()
        .filter(|request| request.path_and_query().starts_with("/v1/users/count"))
        .count();
    assert_eq!(
        counted, 5,
        "two counts from each SDK, one for the JavaScript list"
    );
}
