//! [`FakeClerk`]: the handle tests hold, its shared state and the transport it is.
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::call::Operation;
use crate::client::{Client, ClientBuilder};
use crate::clock::Clock;
use crate::models::{OrganizationInvitation, OrganizationMembership, User};
use crate::transport::{HttpRequest, HttpResponse, Transport, TransportError};

use super::error::FakeError;
use super::faults::{Fault, FaultScope, Faults};
use super::http::Route;
use super::pacing::RateLimit;
use super::response::Failure;
use super::seed::{FakeOrganization, FakeUser};
use super::state::State;
use super::{http, pacing, response, state};
use crate::clock::ManualClock;

/// An in-memory Clerk for tests: a [`Transport`] that answers the five membership operations,
/// the instance-wide membership listing, the five organization-invitation operations,
/// `GET /organizations/{id or slug}`, `GET /users`, `GET /users/count` and
/// `GET /organization_roles` from its own state, with the
/// JSON Clerk sends, so that the whole client stack — builders, rendering, path and query
/// encoding, status handling, decoding — runs for real with no network.
///
/// It is a cheap handle: clones share one state, and it is `Send` and `Sync`, so a test keeps
/// one clone to seed and inspect while clients on other threads use theirs.
///
/// ```
/// use clerk_memberships::{CreateMembership, ListMemberships};
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
///
/// let fake = FakeClerk::new();
/// let acme = fake.add_organization(FakeOrganization::new("Acme Corp").max_allowed_memberships(5));
/// let jane = fake.add_user(FakeUser::new("Jane", "Doe").email("jane@acme.com"));
/// let client = fake.client();
///
/// let created = CreateMembership::builder()
///     .organization_id(&acme)
///     .user_id(&jane)
///     .role("org:admin")
///     .build()?
///     .send(&client)?;
/// assert_eq!(created.organization.members_count, Some(1));
///
/// let admins = ListMemberships::builder()
///     .organization_id(&acme)
///     .role("org:admin")
///     .build()?
///     .send(&client)?;
/// assert_eq!(admins.total_count, 1);
/// assert_eq!(admins.data[0].id, created.id);
/// assert_eq!(fake.requests().len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Requests
///
/// - **Routes.** The operation is found from the method and the *end* of the path (e.g.
///   `…/organizations/{organization_id}/memberships[/{user_id}[/metadata]]`,
///   `…/organizations/{organization_id}/invitations[/bulk|/{invitation_id}[/revoke]]`,
///   `…/organizations/{organization_id}`, `…/organization_memberships`, `…/users[/count]`,
///   `…/organization_roles`); whatever comes
///   before is the base URL's prefix, so `https://api.clerk.com/v1`,
///   `http://127.0.0.1:9/proxy/clerk/v1` and a prefix-less base all work. A path that fits two
///   routes (ids that are themselves `organizations` or `memberships`) resolves to the one
///   whose prefix ends in `v1`. Anything else is `404 resource_not_found`. Served over HTTP
///   (`FakeServer`, feature `fake-server`), the prefix must be exactly `/v1`, as at Clerk.
/// - **Path segments** are percent-decoded (`%2F` is a `/` inside an id, `+` stays a plus);
///   **query values** are form-decoded (`+` is a space, `%2B` a plus). Bad escapes or bytes
///   that are not UTF-8 are `400 malformed_request_parameters`. Query parameters the list
///   operation does not have are ignored, as Clerk ignores them (a `user_id[0]=…` filter is
///   silently dropped); the other operations ignore the query.
/// - **Auth.** Every request needs `Authorization: Bearer sk_…`. Any secret key is accepted
///   unless [`require_secret_key`](Self::require_secret_key) names one. Without the header:
///   `401 authorization_invalid`; not `Bearer …`: `401 authorization_header_format_invalid`;
///   not an `sk_` key or not the required one: `401 clerk_key_invalid`.
/// - **Bodies** must be JSON objects (`400 request_body_invalid` otherwise; no body counts as
///   `{}`). A key the operation does not have is `422 form_param_unknown`, for all three
///   operations with a body (Clerk's spec says `additionalProperties: false` for
///   update_metadata; its form parser treats the others alike). A missing, `null` or empty
///   required string is `422 form_param_missing` (one error per missing parameter, each with
///   `meta.param_name`); a value of the wrong JSON type is `422 form_param_type_invalid`.
/// - **Order of checks**: auth, route, query or body, then the organization (`404`), the
///   user (`404`), and the operation's own rules.
///
/// Every answer is `200` with the JSON of [`OrganizationMembership`] or of a
/// [`Page`](crate::Page) of them, built from the crate's own
/// models; every refusal is Clerk's error JSON,
/// `{"errors":[{"code","message","long_message","meta"}],"clerk_trace_id":"…"}`, with a
/// deterministic trace id.
///
/// # Operations
///
/// - **create**: `404 resource_not_found` for an unknown organization or user;
///   `400 already_a_member_in_organization` when the user is a member already;
///   `403 organization_membership_quota_exceeded` when the organization has
///   `max_allowed_memberships` members (`0` means unlimited). These are the codes and
///   statuses Clerk documents for the errors. `public_metadata` / `private_metadata` may be
///   objects or `null`.
/// - **update**: sets the role; `updated_at` becomes the clock's time.
/// - **delete**: answers with the removed membership, its organization already counting one
///   member less; later operations on it are `404`.
/// - **update_metadata**: deep merge of either object, both or neither: objects merge key by
///   key at any depth, a `null` removes its key at any depth, anything else (arrays
///   included) replaces. Each field must be an object (`null` is refused: the spec does not
///   make them nullable). `updated_at` moves on every successful call.
/// - Every answer embeds the organization with a true `members_count` and
///   `missing_member_with_elevated_permissions` (no member's role grants
///   `org:sys_memberships:read`, `org:sys_memberships:manage` and `org:sys_profile:delete`).
/// - **Roles** are the instance's: by default `org:admin` and `org:member`, with Clerk's
///   names and system permissions; [`add_role`](Self::add_role), [`remove_role`](Self::remove_role)
///   and [`set_roles`](Self::set_roles) change them. A create or an update that gives a
///   role the instance does not have is refused with `422 form_param_value_invalid` for
///   `role` (checked after the organization, the user and the membership are found, before
///   "already a member" and the quota), and nothing is written. Clerk's spec names no
///   status or code for an unknown role: this one is an assumption, chosen so that an
///   offline rehearsal fails where the real call would. Seeding is not checked
///   ([`add_membership`](Self::add_membership),
///   [`set_membership_role`](Self::set_membership_role), a loaded state), so a membership
///   may hold a role the instance no longer has: it shows without `role_name` and with
///   `permissions: null`, as Clerk sends for roles without permissions.
///
/// # Listing
///
/// - **Filters** AND together; the values of one array filter OR together.
///   `user_id` values prefixed `-` exclude, `+` or no prefix include (an unknown id matches
///   nobody; an id both included and excluded is excluded). `email_address`,
///   `phone_number`, `username`, `web3_wallet` and `role` match exactly (case-sensitive)
///   against any of the user's values.
/// - **Partial queries** match case-insensitively anywhere in the value: `query` looks at
///   email addresses, phone numbers, username, web3 wallets, user id and names;
///   `email_address_query`, `phone_number_query`, `username_query` at their field;
///   `name_query` at the first name, the last name, and `"first last"`.
/// - **Time filters** are strict (`before` is `<`, `after` is `>`) and in milliseconds.
///   `last_active_at_*` compare the user's last activity; a user who was never active matches
///   neither. `created_at_*` compare the **user's** creation time, as the spec says ("users
///   who have been created"), not the membership's.
/// - **`order_by`**: `created_at` (the **membership's** creation time, the `created_at` each
///   row shows), `first_name`, `last_name`, `email_address` (the primary, i.e. first, one),
///   `phone_number` (likewise) and `username`, with `+` (or no prefix) for ascending and `-`
///   for descending; the default is `-created_at`. Text sorts case-insensitively, then
///   exactly. A missing value sorts after all others ascending and before them descending
///   (as PostgreSQL does). Ties are broken by insertion order, and a descending sort is the
///   exact reverse of the ascending one.
/// - **Paging**: `limit` 1..=500 (default 10) and `offset` 0..=`i64::MAX` (default 0), plain
///   decimal integers; anything else (`0`, `501`, `10.0`, `-1`, an empty value) is
///   `422 form_param_value_invalid` with `meta.param_name`, as are unknown `order_by` fields
///   and non-integer times. A single-valued parameter given twice is
///   `422 form_param_duplicate`, an array filter repeated more than 100 times too.
///   `total_count` counts every match, not the page.
/// - An unknown organization is `404 resource_not_found`.
///
/// # Users
///
/// `GET /users` ([`ListUsers`](crate::ListUsers)) lists the seeded users, whether members of
/// an organization or not, as Clerk's `User` JSON (a bare array, every field the spec
/// requires, addresses with `idn_…` ids and the first one primary):
///
/// - **Filters** `email_address`, `external_id` and `user_id`, up to 100 values each. Values
///   that match nobody are ignored; the values of one filter OR together; different filters
///   AND together. `email_address` matches any of a user's addresses **without regard to
///   case** (Clerk keeps them in lowercase, so a lowercase store and a case-folding filter
///   answer alike). `external_id` and `user_id` match exactly after **one** leading sign is
///   taken off: `-x` excludes `x`, `+x` or `x` includes `x`, so `+-x` includes the id `-x`
///   and `--x` excludes it (as the spec defines the sign). With only exclusions, everyone
///   else matches, users without an external id included.
/// - **`order_by`**: `created_at` (default `-created_at`, newest first), `updated_at` (the
///   creation time: the fake never updates users), `email_address`, `first_name`,
///   `last_name`, `username`, with the same sign and tie rules as the membership list. When
///   several are given, the first one counts (as the spec says).
/// - **Paging**: `limit` and `offset` as for the membership list; a single one given twice,
///   or an array filter repeated more than 100 times, is `422`. Other parameters of Clerk's
///   `GetUserList` are not implemented and are ignored; the crate never sends them.
///
/// `GET /users/count` answers `{"object":"total_count","total_count":N}`: how many users the
/// same filters match, all pages together (`order_by`, `limit` and `offset` are not its
/// parameters and are ignored). The crate does not send it; Clerk's SDKs do (JavaScript's
/// `getUserList` asks for it with every list). It is filed under
/// [`Operation::ListUsers`](crate::Operation::ListUsers) in the record and for faults.
///
/// # Roles
///
/// `GET /organization_roles` ([`ListOrganizationRoles`](crate::ListOrganizationRoles)) lists
/// the instance's roles as Clerk's `Role` JSON, in a page with `total_count`: each with an id
/// made from its key (`role_fake…`, the same in every fake), its name, `description: null`,
/// `is_creator_eligible` when it grants the elevated permissions above, and its permissions
/// as objects (the key as name, type `system` for `org:sys_…` and `user` for the others).
///
/// - **`query`** matches a role's id exactly, or its name or key partly, without regard to
///   case.
/// - **`order_by`**: `created_at` (default `-created_at`, newest first; the built-in roles
///   date from [`START_MS`](Self::START_MS), others from when they were added), `name` or
///   `key`, with the same sign and tie rules as the membership list.
/// - **Paging**: `limit` and `offset` as for the membership list. Any of the four given
///   twice is `422 form_param_duplicate`.
///
/// # Invitations
///
/// The five organization-invitation operations ([`CreateInvitation`](crate::CreateInvitation),
/// [`BulkCreateInvitations`](crate::BulkCreateInvitations),
/// [`ListInvitations`](crate::ListInvitations), [`GetInvitation`](crate::GetInvitation),
/// [`RevokeInvitation`](crate::RevokeInvitation)) are served from the same state. No email is
/// sent: an invitation is `pending` until [`accept_invitation`](Self::accept_invitation)
/// plays the invitee (creating the user if needed, then the membership with the
/// invitation's role and metadata: `accepted`), it is revoked (`revoked`), or the clock
/// passes its `expires_at` (`expired`; 30 days unless `expires_in_days` says otherwise).
/// Addresses are kept in lowercase and compared without regard to ASCII case.
///
/// - **create** and **bulk create** check, in order: the organization (`404`), a named
///   `inviter_user_id` is a user (`404`), the role is one of the instance's
///   (`422 form_param_value_invalid`, as for memberships), `expires_in_days` is 1 to 365
///   (`422 form_param_value_invalid`), the address is not a member's
///   (`400 already_a_member_in_organization`, `meta.param_name` `email_address`), no pending
///   invitation to it exists in the organization and a bulk request names it once
///   (`400 duplicate_record`), and the organization's members plus its pending invitations
///   stay within `max_allowed_memberships` (`403 organization_membership_quota_exceeded`, as
///   Clerk's message says invitations count). Clerk's spec names no status or code for the
///   member, duplicate and role refusals: these are **assumptions**, chosen so that an
///   offline rehearsal fails where the real call would. A bulk request is all or nothing,
///   holds 1 to 10 invitations (`400 request_body_invalid` otherwise) and answers
///   `{"data":[…],"total_count":N}`. `notify` is accepted and has no effect.
/// - **list**: `status` (one of the four, else `422`), `email_address` (exact, without
///   regard to case), `order_by` `created_at` (default `-created_at`) or `email_address`,
///   `limit` and `offset` as for the membership list.
/// - **revoke**: only a pending invitation; any other is
///   `400 organization_invitation_not_pending` (an assumption too). An unknown invitation is
///   `404 resource_not_found`, as is one of another organization. A named
///   `requesting_user_id` must be a user (`404`).
/// - The invitation JSON has exactly the fields of Clerk's `OrganizationInvitation`, with
///   `url: null` and the inviter's public data when one was named.
///
/// # Time and ids
///
/// Time comes from a [`Clock`]: by default a [`ManualClock`] standing at
/// [`START_MS`](Self::START_MS) (2026-05-12T00:00:00Z), so every timestamp is deterministic;
/// pass your own [`ManualClock`] to [`with_clock`](Self::with_clock) to move it. Generated ids are
/// deterministic too and look like Clerk's: `org_`, `user_` or `orgmem_` followed by 27
/// characters of `[A-Za-z0-9]` (`user_fake00000000000000000000001`). Seeding may use any id
/// instead, `/`, spaces and non-ASCII included, to test escaping end to end.
///
/// # Faults and the record
///
/// [`inject`](Self::inject) makes the next calls fail like a rate limit, a server error, a
/// proxy's HTML page, or a broken connection before or after the server processed the call;
/// see [`Fault`]. A fault fires before anything else is looked at (auth included), as a
/// network or a proxy in front of Clerk would. Faults count attempts as the fake sees them:
/// a client that retries spends one per attempt. Every request handed to the fake is
/// recorded, in order, including requests a fault failed ([`requests`](Self::requests)), so
/// a test sees each retry.
///
/// # Pace
///
/// [`rate_limit`](Self::rate_limit) makes the fake enforce a sliding-window rate limit as
/// Clerk does (`429` with `Retry-After` beyond it), and [`latency`](Self::latency) makes every
/// request take a round trip's time. Both are measured and slept on the fake's clock, and the
/// latency is slept outside the fake's lock, so many threads sharing one fake overlap their
/// requests as they would against a real server. Neither is set by default.
#[derive(Clone)]
pub struct FakeClerk {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) clock: Arc<dyn Clock>,
    shared: Mutex<Shared>,
}

#[derive(Debug, Default)]
pub(super) struct Shared {
    state: State,
    faults: Faults,
    requests: Vec<HttpRequest>,
    required_key: Option<String>,
    traces: u64,
    rate_limit: Option<RateLimit>,
    /// How many requests the rate limit refused, across every limit set so far.
    rate_limited: u64,
    latency: Duration,
}

impl Shared {
    /// Serves a request that reached the server at `arrived` (monotonic), unless the rate
    /// limit refuses it: then it is answered 429 and not processed.
    fn admit_and_serve(
        &mut self,
        request: &HttpRequest,
        route: Result<Route, Failure>,
        now: i64,
        arrived: Duration,
    ) -> HttpResponse {
        if let Some(limit) = self.rate_limit.as_mut()
            && let Err(wait) = limit.admit(arrived)
        {
            self.rate_limited = self.rate_limited.saturating_add(1);
            let trace_id = self.trace_id();
            return response::rate_limited(pacing::whole_seconds(wait), trace_id);
        }
        self.serve(request, route, now)
    }

    /// Serves a request that no fault stopped.
    fn serve(
        &mut self,
        request: &HttpRequest,
        route: Result<Route, Failure>,
        now: i64,
    ) -> HttpResponse {
        let result = http::check_auth(request, self.required_key.as_deref())
            .and(route)
            .and_then(|route| super::server::handle(&mut self.state, request, route, now));
        match result {
            Ok(body) => response::json_response(200, body),
            Err(failure) => failure.into_response(self.trace_id()),
        }
    }

    /// The secret key every request must carry, if one is required.
    #[cfg(feature = "fake-server")]
    pub(super) fn required_key(&self) -> Option<&str> {
        self.required_key.as_deref()
    }

    /// A deterministic trace id: 32 lowercase hex digits, different on every call.
    pub(super) fn trace_id(&mut self) -> String {
        self.traces += 1;
        let mix = |mut z: u64| {
            // splitmix64: spreads the counter over all bits so ids look like real ones.
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        format!("{:016x}{:016x}", mix(self.traces), mix(!self.traces))
    }
}

impl fmt::Debug for FakeClerk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shared = self.lock();
        let (organizations, users) = shared.state.counts();
        f.debug_struct("FakeClerk")
            .field("organizations", &organizations)
            .field("users", &users)
            .field("requests", &shared.requests.len())
            .field("pending_faults", &shared.faults.pending())
            .field("latency", &shared.latency)
            .finish_non_exhaustive()
    }
}

impl Default for FakeClerk {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeClerk {
    /// The secret key [`client`](Self::client) uses.
    pub const SECRET_KEY: &'static str = "sk_test_fake";
    /// The base URL [`client`](Self::client) uses. Nothing listens there: requests never
    /// leave the process.
    pub const BASE_URL: &'static str = "https://fake.clerk.test/v1";
    /// Where the default clock stands: 2026-05-12T00:00:00Z, in Unix milliseconds.
    pub const START_MS: i64 = state::START_MS;

    /// An empty fake whose clock is a [`ManualClock`] standing at
    /// [`START_MS`](Self::START_MS).
    pub fn new() -> Self {
        let start = UNIX_EPOCH + Duration::from_millis(Self::START_MS.unsigned_abs());
        Self::with_clock(ManualClock::new(start))
    }

    /// An empty fake that reads the time from `clock`.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use clerk_memberships::testing::{FakeClerk, ManualClock};
    ///
    /// let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    /// let fake = FakeClerk::with_clock(clock.clone());
    /// clock.advance(Duration::from_secs(60)); // later writes get later timestamps
    /// ```
    pub fn with_clock(clock: impl Clock + 'static) -> Self {
        FakeClerk {
            inner: Arc::new(Inner {
                clock: Arc::new(clock),
                shared: Mutex::new(Shared::default()),
            }),
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Shared> {
        // A test that panicked while holding the lock leaves usable data behind.
        crate::lock::lock(&self.inner.shared)
    }

    fn now(&self) -> i64 {
        millis(self.inner.clock.now())
    }

    fn with_faults<T>(&self, f: impl FnOnce(&mut Faults) -> T) -> T {
        f(&mut self.lock().faults)
    }

    /// A client wired to this fake, with key [`SECRET_KEY`](Self::SECRET_KEY), base URL
    /// [`BASE_URL`](Self::BASE_URL), the default retry policy and the fake's clock.
    ///
    /// Sharing the clock keeps the client and the fake on one time line: the client's retry
    /// waits (backoff, `Retry-After`) pass on that clock, so with a [`ManualClock`] they take
    /// no real time, are recorded in [`ManualClock::sleeps`], and move the timestamps of
    /// later writes. Use [`Client::with_retry_policy`] with
    /// [`RetryPolicy::none`](crate::RetryPolicy::none) to see what a single attempt returns.
    pub fn client(&self) -> Client {
        match self.client_builder().build() {
            Ok(client) => client,
            Err(err) => unreachable!("the fake's client configuration is valid: {err}"),
        }
    }

    /// A client builder already wired to this fake (key, base URL, transport and clock set),
    /// to change something before building, e.g. the key, the base URL's prefix or the retry
    /// policy.
    ///
    /// ```
    /// use clerk_memberships::testing::FakeClerk;
    ///
    /// let fake = FakeClerk::new();
    /// let client = fake
    ///     .client_builder()
    ///     .base_url("http://localhost:9999/proxy/clerk/v1")
    ///     .build()?;
    /// # Ok::<(), clerk_memberships::BuildError>(())
    /// ```
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder()
            .secret_key(Self::SECRET_KEY)
            .base_url(Self::BASE_URL)
            .transport(self.clone())
            .clock(Arc::clone(&self.inner.clock))
    }

    /// Accepts only this secret key from now on; any other `sk_…` key gets
    /// `401 clerk_key_invalid`. By default every well-formed secret key is accepted.
    pub fn require_secret_key(&self, key: impl Into<String>) {
        self.lock().required_key = Some(key.into());
    }

    /// Seeds an organization and returns its id.
    ///
    /// See [`FakeOrganization`] for the defaults.
    pub fn add_organization(&self, organization: FakeOrganization) -> String {
        let now = self.now();
        self.lock().state.add_organization(organization, now)
    }

    /// Seeds a user and returns their id.
    ///
    /// See [`FakeUser`] for the defaults.
    pub fn add_user(&self, user: FakeUser) -> String {
        let now = self.now();
        self.lock().state.add_user(user, now)
    }

    /// Seeds users and returns their ids, in order.
    ///
    /// ```
    /// use clerk_memberships::testing::{FakeClerk, FakeUser};
    ///
    /// let fake = FakeClerk::new();
    /// let ids = fake.add_users(
    ///     (0..1000).map(|i| FakeUser::unnamed().email(format!("user{i}@acme.com"))),
    /// );
    /// assert_eq!(ids.len(), 1000);
    /// ```
    pub fn add_users(&self, users: impl IntoIterator<Item = FakeUser>) -> Vec<String> {
        let now = self.now();
        let mut shared = self.lock();
        users
            .into_iter()
            .map(|user| shared.state.add_user(user, now))
            .collect()
    }

    /// A user as `GET /users` would show them now, if they exist.
    pub fn user(&self, user_id: &str) -> Option<User> {
        let value = self.lock().state.user_value(user_id)?;
        serde_json::from_value(value).ok()
    }

    /// Seeds a membership directly, without a request, and returns its `orgmem_…` id. Its
    /// creation time is the clock's; its metadata is empty.
    ///
    /// Seeding ignores `max_allowed_memberships` (like an organization whose limit was lowered
    /// after the fact); requests never do.
    ///
    /// ```
    /// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
    ///
    /// let fake = FakeClerk::new();
    /// let org = fake.add_organization(FakeOrganization::new("Acme"));
    /// for i in 0..3 {
    ///     let user = fake.add_user(FakeUser::new("User", format!("{i}")));
    ///     fake.add_membership(&org, &user, "org:member")?;
    /// }
    /// assert_eq!(fake.memberships(&org).len(), 3);
    /// # Ok::<(), clerk_memberships::testing::FakeError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`FakeError`] when the organization or the user was not seeded, or the user is
    /// already a member.
    pub fn add_membership(
        &self,
        organization_id: &str,
        user_id: &str,
        role: &str,
    ) -> Result<String, FakeError> {
        let now = self.now();
        self.lock()
            .state
            .add_membership(organization_id, user_id, role, now)
    }

    /// Seeds `count` example users and makes them members of `organization_id`, the first an
    /// `org:admin` and the others `org:member`, as the fake server and the CLI's
    /// `fake-server --members` seed them. User `i` (from 0) is "User{i} Example", with the
    /// email address `user{i}@example.com` and the external id `hr-{i}`. Returns the user
    /// ids, in order.
    ///
    /// ```
    /// use clerk_memberships::testing::{FakeClerk, FakeOrganization};
    ///
    /// let fake = FakeClerk::new();
    /// let org = fake.add_organization(FakeOrganization::new("Acme Corp"));
    /// let users = fake.add_example_members(&org, 1200)?;
    /// assert_eq!(fake.memberships(&org).len(), 1200);
    /// assert_eq!(fake.membership(&org, &users[0]).unwrap().role, "org:admin");
    /// assert_eq!(fake.user(&users[7]).unwrap().external_id.as_deref(), Some("hr-7"));
    /// # Ok::<(), clerk_memberships::testing::FakeError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`FakeError`] when the organization was not seeded.
    pub fn add_example_members(
        &self,
        organization_id: &str,
        count: usize,
    ) -> Result<Vec<String>, FakeError> {
        let users = self.add_users((0..count).map(|i| {
            FakeUser::new(format!("User{i}"), "Example")
                .email(format!("user{i}@example.com"))
                .external_id(format!("hr-{i}"))
        }));
        for (i, user) in users.iter().enumerate() {
            let role = if i == 0 { "org:admin" } else { "org:member" };
            self.add_membership(organization_id, user, role)?;
        }
        Ok(users)
    }

    /// Defines a role of the instance (or redefines one): its display name and the
    /// permissions memberships with it show. An empty permission list shows as `null`, as
    /// Clerk sends it. A new role is created at the clock's time; a redefined one keeps its
    /// creation time.
    pub fn add_role<P: Into<String>>(
        &self,
        key: &str,
        name: &str,
        permissions: impl IntoIterator<Item = P>,
    ) {
        let permissions = permissions.into_iter().map(Into::into).collect();
        let now = self.now();
        self.lock().state.add_role(key, name, permissions, now);
    }

    /// Takes a role from the instance: from now on, requests that give it are refused
    /// (`422`). Memberships that hold it keep it, shown without `role_name` or
    /// permissions. Returns whether the instance had it.
    pub fn remove_role(&self, key: &str) -> bool {
        self.lock().state.remove_role(key)
    }

    /// Makes the instance's roles exactly these keys: roles not among them are removed (see
    /// [`remove_role`](Self::remove_role)), roles already defined keep their name and
    /// permissions, and new keys are defined with their key as their name and no
    /// permissions. [`add_role`](Self::add_role) then gives a role a name and permissions.
    ///
    /// ```
    /// use clerk_memberships::testing::FakeClerk;
    ///
    /// let fake = FakeClerk::new();
    /// assert_eq!(fake.roles(), ["org:admin", "org:member"]);
    /// fake.set_roles(["org:admin", "org:member", "org:billing"]);
    /// fake.add_role("org:billing", "Billing", ["org:invoices:read"]);
    /// assert_eq!(fake.roles(), ["org:admin", "org:billing", "org:member"]);
    /// ```
    pub fn set_roles<K: Into<String>>(&self, keys: impl IntoIterator<Item = K>) {
        let keys: Vec<String> = keys.into_iter().map(Into::into).collect();
        let now = self.now();
        let mut shared = self.lock();
        for key in shared.state.role_keys() {
            if !keys.contains(&key) {
                shared.state.remove_role(&key);
            }
        }
        let known = shared.state.role_keys();
        for key in keys {
            if !known.contains(&key) {
                shared.state.add_role(&key, &key, Vec::new(), now);
            }
        }
    }

    /// The keys of the instance's roles, sorted: by default `org:admin` and `org:member`.
    pub fn roles(&self) -> Vec<String> {
        self.lock().state.role_keys()
    }

    /// The membership of `user_id` in `organization_id` as the API would show it now, if
    /// there is one.
    pub fn membership(
        &self,
        organization_id: &str,
        user_id: &str,
    ) -> Option<OrganizationMembership> {
        self.lock().state.find(organization_id, user_id)
    }

    /// Removes a membership directly, without a request, as someone else's call would
    /// between two of yours (to stage a race). Returns it as it was, or `None` if there was
    /// no such membership.
    ///
    /// ```
    /// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
    ///
    /// let fake = FakeClerk::new();
    /// let org = fake.add_organization(FakeOrganization::new("Acme"));
    /// let jane = fake.add_user(FakeUser::new("Jane", "Doe"));
    /// fake.add_membership(&org, &jane, "org:admin")?;
    ///
    /// assert_eq!(fake.remove_membership(&org, &jane).map(|m| m.role).as_deref(), Some("org:admin"));
    /// assert!(fake.membership(&org, &jane).is_none());
    /// assert!(fake.remove_membership(&org, &jane).is_none());
    /// assert!(fake.requests().is_empty());
    /// # Ok::<(), clerk_memberships::testing::FakeError>(())
    /// ```
    pub fn remove_membership(
        &self,
        organization_id: &str,
        user_id: &str,
    ) -> Option<OrganizationMembership> {
        self.lock().state.delete(organization_id, user_id).ok()
    }

    /// Sets a membership's role directly, without a request, as someone else's call would
    /// (to stage a race); `updated_at` becomes the clock's time. Returns the membership as
    /// it is now, or `None` if there is no such membership.
    pub fn set_membership_role(
        &self,
        organization_id: &str,
        user_id: &str,
        role: &str,
    ) -> Option<OrganizationMembership> {
        let now = self.now();
        self.lock()
            .state
            .update_role(organization_id, user_id, role.to_owned(), now)
            .ok()
    }

    /// Every membership of an organization as the API would show it now, oldest first
    /// (empty for an unknown organization).
    pub fn memberships(&self, organization_id: &str) -> Vec<OrganizationMembership> {
        self.lock().state.all(organization_id)
    }

    /// The invitee of the oldest pending invitation to `email_address` (compared without
    /// regard to ASCII case) accepts it, as clicking the join link would: a user with that
    /// address is created if the fake has none, then the membership, with the invitation's
    /// role and metadata, and the invitation becomes `accepted`. Nothing is recorded as a
    /// request. Served over HTTP, `POST /v1/__fake/invitations/accept` does the same (see
    /// [`FakeServer`](super::FakeServer)).
    ///
    /// ```
    /// use clerk_memberships::CreateInvitation;
    /// use clerk_memberships::testing::{FakeClerk, FakeOrganization};
    ///
    /// let fake = FakeClerk::new();
    /// let org = fake.add_organization(FakeOrganization::new("Acme"));
    /// CreateInvitation::builder()
    ///     .organization_id(&org)
    ///     .email_address("new.hire@acme.com")
    ///     .role("org:member")
    ///     .build()?
    ///     .send(&fake.client())?;
    ///
    /// let membership = fake.accept_invitation("New.Hire@acme.com")?;
    /// assert_eq!(membership.role, "org:member");
    /// assert_eq!(membership.email_address(), Some("new.hire@acme.com"));
    /// assert_eq!(fake.invitations(&org)[0].status, "accepted");
    /// assert!(fake.accept_invitation("new.hire@acme.com").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`FakeError::NoPendingInvitation`] when no invitation to the address is pending
    /// (none was sent, or it was accepted, revoked or has expired).
    pub fn accept_invitation(
        &self,
        email_address: &str,
    ) -> Result<OrganizationMembership, FakeError> {
        let now = self.now();
        self.lock().state.accept_invitation(email_address, now)
    }

    /// Every invitation of an organization as the API would show it now, whatever its
    /// status, oldest first (empty for an unknown organization).
    pub fn invitations(&self, organization_id: &str) -> Vec<OrganizationInvitation> {
        let now = self.now();
        let shared = self.lock();
        shared
            .state
            .invitations_of(organization_id)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|record| shared.state.invitation_model(record, now))
            .collect()
    }

    /// Makes the next call fail with `fault`; the returned handle narrows it down.
    ///
    /// ```
    /// use clerk_memberships::{ErrorKind, ListMemberships, Operation, RetryPolicy};
    /// use clerk_memberships::testing::{FakeClerk, FakeOrganization, Fault};
    ///
    /// let fake = FakeClerk::new();
    /// let org = fake.add_organization(FakeOrganization::new("Acme"));
    /// let client = fake.client();
    /// let list = ListMemberships::builder().organization_id(&org).build()?;
    ///
    /// // The client's retries ride over two bad gateways…
    /// fake.inject(Fault::HtmlPage { status: 502 }).times(2).only(Operation::List);
    /// assert_eq!(list.send(&client)?.total_count, 0);
    /// assert_eq!(fake.requests().len(), 3);
    ///
    /// // …while a single attempt sees the proxy's page.
    /// fake.inject(Fault::HtmlPage { status: 502 });
    /// let err = list.send(&client.with_retry_policy(RetryPolicy::none())).unwrap_err();
    /// assert!(matches!(err.kind(), ErrorKind::UnexpectedResponse { status: 502, .. }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn inject(&self, fault: Fault) -> InjectedFault {
        self.inject_with(fault, FaultScope::default())
    }

    /// Arms `fault` for the calls `scope` names, all at once: the way to inject a fault into a
    /// fake that other threads are calling (see [`FaultScope`]).
    pub fn inject_with(&self, fault: Fault, scope: FaultScope) -> InjectedFault {
        let id = self.with_faults(|faults| faults.push(fault, scope));
        InjectedFault {
            fake: self.clone(),
            id,
        }
    }

    /// Disarms every injected fault.
    pub fn clear_faults(&self) {
        self.with_faults(Faults::clear);
    }

    /// Every request handed to the fake so far, in order, including those an injected fault
    /// failed.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.lock().requests.clone()
    }

    /// The most recent request, if any.
    pub fn last_request(&self) -> Option<HttpRequest> {
        self.lock().requests.last().cloned()
    }

    /// The whole state (roles, users, organizations, memberships, invitations) as a JSON
    /// document, which
    /// [`load_state`](Self::load_state) and [`from_state`](Self::from_state) read back:
    /// dump → load → dump gives the same bytes.
    ///
    /// The format, version 1 (pretty-printed, ending in a newline):
    ///
    /// ```json
    /// {
    ///   "format": "clerk-memberships/fake-state",
    ///   "version": 1,
    ///   "roles": [{
    ///     "key": "org:admin", "name": "Admin", "permissions": ["org:sys_memberships:manage"],
    ///     "created_at": 1778544000000
    ///   }],
    ///   "users": [{
    ///     "id": "user_ann", "first_name": "Ann", "last_name": null,
    ///     "email_addresses": ["ann@acme.com"], "phone_numbers": [], "username": null,
    ///     "web3_wallets": [], "external_id": "hr-ann", "last_active_at": null,
    ///     "created_at": 1778544000000
    ///   }],
    ///   "organizations": [{
    ///     "id": "org_acme", "name": "Acme", "slug": "acme", "max_allowed_memberships": 0,
    ///     "public_metadata": {}, "private_metadata": {},
    ///     "created_at": 1778544000000, "updated_at": 1778544000000,
    ///     "memberships": [{
    ///       "id": "orgmem_1", "user_id": "user_ann", "role": "org:admin",
    ///       "public_metadata": {}, "private_metadata": {},
    ///       "created_at": 1778544000000, "updated_at": 1778544000000
    ///     }]
    ///   }]
    /// }
    /// ```
    ///
    /// Roles are sorted by key, users listed in the order they were added (it breaks sort
    /// ties in `GET /users`), organizations sorted by id, and each organization's members
    /// in the order they joined (it breaks sort ties in the list). Times are Unix
    /// milliseconds. The `idn_…` ids of addresses are not part of the document: they are
    /// generated again, in order, on load.
    ///
    /// Invitations, when there are any, follow in creation order under `"invitations"`:
    /// `{"id", "organization_id", "email_address", "role", "status", "public_metadata",
    /// "private_metadata", "inviter_id", "redirect_url", "created_at", "updated_at",
    /// "expires_at"}`, where `status` is `pending`, `accepted` or `revoked` (a pending one
    /// past `expires_at` shows as expired). Loading needs the first five; the organization
    /// must be in the document.
    ///
    /// When loading, only `format`, `version`, the ids, an organization's `name`, and a
    /// membership's `user_id` and `role` are required: missing lists are empty, missing
    /// text is `null`, a missing slug is made from the name, missing times are the fake's
    /// clock, and missing membership ids are generated. Unknown fields are refused, so a
    /// typo does not go unnoticed. The instance's roles are exactly the document's `roles`
    /// (list `org:admin` and `org:member` to keep them; an empty list leaves the instance
    /// without roles, so every write is refused); a document without `roles` gets the two
    /// built-in ones. A role's `created_at` is optional too.
    pub fn dump_state(&self) -> String {
        let document = self.lock().state.dump();
        let mut json = serde_json::to_string_pretty(&document).unwrap_or_default();
        json.push('\n');
        json
    }

    /// Replaces the whole state (not the recorded requests, the faults or the required key)
    /// with a document in the format [`dump_state`](Self::dump_state) describes.
    ///
    /// ```
    /// use clerk_memberships::testing::FakeClerk;
    ///
    /// let fake = FakeClerk::new();
    /// fake.load_state(r#"{
    ///   "format": "clerk-memberships/fake-state", "version": 1,
    ///   "roles": [{"key": "org:admin", "name": "Admin"}],
    ///   "users": [{"id": "user_ann", "email_addresses": ["ann@acme.com"]}],
    ///   "organizations": [{"id": "org_acme", "name": "Acme",
    ///     "memberships": [{"user_id": "user_ann", "role": "org:admin"}]}]
    /// }"#)?;
    /// assert_eq!(fake.memberships("org_acme").len(), 1);
    /// # Ok::<(), clerk_memberships::testing::FakeError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`FakeError`] when the document is not valid JSON of this format and version, an id
    /// repeats, or a membership names an unknown user or repeats one; the state is then
    /// unchanged.
    pub fn load_state(&self, json: &str) -> Result<(), FakeError> {
        let document =
            serde_json::from_str(json).map_err(|err| FakeError::Invalid(err.to_string()))?;
        let state = state::State::load(document, self.now())?;
        self.lock().state = state;
        Ok(())
    }

    /// A new fake on the default manual clock holding the state of a document (see
    /// [`dump_state`](Self::dump_state)).
    ///
    /// # Errors
    ///
    /// As [`load_state`](Self::load_state).
    pub fn from_state(json: &str) -> Result<FakeClerk, FakeError> {
        let fake = FakeClerk::new();
        fake.load_state(json)?;
        Ok(fake)
    }

    /// Forgets the recorded requests (the state stays).
    pub fn clear_requests(&self) {
        self.lock().requests.clear();
    }

    /// Enforces a sliding-window rate limit from now on, as Clerk does: at most `limit`
    /// requests are accepted in any window of length `per`, measured on the fake's monotonic
    /// clock ([`Clock::monotonic`]). A request beyond it is answered `429` with Clerk's error
    /// JSON (code `too_many_requests`) and a `Retry-After` header in whole seconds, rounded up,
    /// saying when the oldest request in the window leaves it, which frees a slot. A refused
    /// request is not processed and takes no slot; [`rate_limited_requests`](Self::rate_limited_requests)
    /// counts them.
    ///
    /// The limit stands behind the network: requests an injected fault stops before they reach
    /// the server ([`Fault::ConnectFailed`], and the answered faults without
    /// [`after_processing`](InjectedFault::after_processing)) do not count, those it lets the
    /// server process do. Calling it again replaces the limit and forgets the window; `limit`
    /// `0` refuses every request (with a `Retry-After` of `per`), a zero `per` limits nothing.
    /// There is no limit by default; [`remove_rate_limit`](Self::remove_rate_limit) lifts it.
    ///
    /// Clerk's own limits are 100 requests per 10 seconds for development instances and 1,000
    /// for production ones. To see every 429, send through a transport call of the fake
    /// rather than a client, whose retries wait `Retry-After` out:
    ///
    /// ```
    /// use std::time::Duration;
    /// use clerk_memberships::{ListMemberships, Transport};
    /// use clerk_memberships::testing::{FakeClerk, FakeOrganization};
    ///
    /// let fake = FakeClerk::new(); // a ManualClock: no real time passes
    /// let org = fake.add_organization(FakeOrganization::new("Acme"));
    /// fake.rate_limit(2, Duration::from_secs(10));
    ///
    /// let request = ListMemberships::builder().organization_id(&org).build()?.render(&fake.client())?;
    /// let statuses: Vec<u16> = (0..3).map(|_| fake.send(&request).map(|r| r.status())).collect::<Result<_, _>>()?;
    /// assert_eq!(statuses, [200, 200, 429]);
    /// let refused = fake.send(&request)?;
    /// assert_eq!(refused.header("retry-after"), Some("10"));
    /// assert_eq!(fake.rate_limited_requests(), 2);
    ///
    /// // A client waits the `Retry-After` out (on the fake's clock) and gets through.
    /// let page = ListMemberships::builder().organization_id(&org).build()?.send(&fake.client())?;
    /// assert_eq!(page.total_count, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rate_limit(&self, limit: u32, per: Duration) {
        self.lock().rate_limit = Some(RateLimit::new(limit, per));
    }

    /// Lifts the rate limit set by [`rate_limit`](Self::rate_limit); the count of refused
    /// requests stays.
    pub fn remove_rate_limit(&self) {
        self.lock().rate_limit = None;
    }

    /// How many requests the rate limit has answered `429` so far (injected
    /// [`Fault::RateLimited`] answers are not counted).
    pub fn rate_limited_requests(&self) -> u64 {
        self.lock().rate_limited
    }

    /// Makes every request take `latency` from now on, as a round trip to Clerk does
    /// (about 100 ms from most places). `Duration::ZERO`, the default, turns it off.
    ///
    /// The latency is slept on the fake's clock before the request is served, without holding
    /// the fake's lock, so requests sent from several threads at once overlap their
    /// latencies as they would against a real server. With a [`ManualClock`] (the default)
    /// it costs no real time: each request moves the clock forward and shows in
    /// [`ManualClock::sleeps`]; give the fake [`SystemClock`](crate::SystemClock) with
    /// [`with_clock`](Self::with_clock) for tests of concurrency, where the time must really
    /// pass. Every request takes it, whatever answers it (a fault, a 429 included).
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use clerk_memberships::ListMemberships;
    /// use clerk_memberships::testing::{FakeClerk, FakeOrganization, ManualClock};
    ///
    /// let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    /// let fake = FakeClerk::with_clock(clock.clone());
    /// let org = fake.add_organization(FakeOrganization::new("Acme"));
    /// fake.latency(Duration::from_millis(100));
    ///
    /// ListMemberships::builder().organization_id(&org).build()?.send(&fake.client())?;
    /// assert_eq!(clock.sleeps(), [Duration::from_millis(100)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn latency(&self, latency: Duration) {
        self.lock().latency = latency;
    }
}

impl Transport for FakeClerk {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.receive(
            request,
            http::route(request.method(), request.path_and_query()),
        )
    }
}

impl FakeClerk {
    /// Records, paces and answers `request`, which was found to be `route` (the served fake
    /// finds it its own, stricter, way).
    pub(super) fn receive(
        &self,
        request: &HttpRequest,
        route: Result<Route, Failure>,
    ) -> Result<HttpResponse, TransportError> {
        // The round trip, slept without the lock: concurrent requests overlap their latencies
        // as they would against a real server.
        let latency = self.lock().latency;
        if !latency.is_zero() {
            self.inner.clock.sleep(latency);
        }
        let now = self.now();
        let arrived = self.inner.clock.monotonic();
        let mut shared = self.lock();
        shared.requests.push(request.clone());
        let operation = route.as_ref().ok().map(Route::operation);
        let Some(triggered) = shared.faults.fire(operation) else {
            return Ok(shared.admit_and_serve(request, route, now, arrived));
        };
        if triggered.process_first {
            // The request reached the server, which did the work (unless its rate limit
            // refused it); the answer is lost or replaced.
            let _answer = shared.admit_and_serve(request, route, now, arrived);
        }
        let trace_id = shared.trace_id();
        triggered.fault.outcome(trace_id)
    }
}

/// Unix milliseconds, negative before 1970, saturating far away.
fn millis(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
    }
}

/// A fault waiting for its calls, returned by [`FakeClerk::inject`]. The fault is armed as
/// soon as it is injected; the handle only refines or inspects it, and may be dropped.
///
/// Because the fault is armed before the handle refines it, a call made meanwhile by another
/// thread can meet it unrefined: on a fake that serves several threads at once, settle the
/// scope first with [`FakeClerk::inject_with`](FakeClerk::inject_with).
///
/// By default the fault hits the next **one** call of **any** operation and the call is not
/// processed. Faults injected earlier fire first.
///
/// ```
/// use std::time::Duration;
/// use clerk_memberships::Operation;
/// use clerk_memberships::testing::{FakeClerk, Fault};
///
/// let fake = FakeClerk::new();
/// let limit = fake
///     .inject(Fault::RateLimited { retry_after: Duration::from_secs(2) })
///     .times(2)
///     .only(Operation::Create);
/// assert_eq!(limit.remaining(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct InjectedFault {
    pub(super) fake: FakeClerk,
    pub(super) id: u64,
}

impl InjectedFault {
    /// Hits the next `n` matching calls instead of one. `0` disarms the fault.
    pub fn times(self, n: u32) -> Self {
        self.fake.with_faults(|faults| {
            if let Some(rule) = faults.rule_mut(self.id) {
                rule.remaining = n;
            }
        });
        self
    }

    /// Hits only calls of this operation; others pass untouched and do not count.
    pub fn only(self, operation: Operation) -> Self {
        self.fake.with_faults(|faults| {
            if let Some(rule) = faults.rule_mut(self.id) {
                rule.only = Some(operation);
            }
        });
        self
    }

    /// Processes the call first (changing the state as the real server would), then answers
    /// with the fault instead of the real answer.
    ///
    /// [`TimedOut`](Fault::TimedOut) and [`ConnectionReset`](Fault::ConnectionReset) always
    /// behave this way; [`ConnectFailed`](Fault::ConnectFailed) never does, since that
    /// request never reaches the server.
    pub fn after_processing(self) -> Self {
        self.fake.with_faults(|faults| {
            if let Some(rule) = faults.rule_mut(self.id) {
                rule.after_processing = true;
            }
        });
        self
    }

    /// How many more calls this fault will hit.
    pub fn remaining(&self) -> u32 {
        self.fake
            .with_faults(|faults| faults.rule_mut(self.id).map_or(0, |rule| rule.remaining))
    }
}
