//! Lazy iterators over every page, or every item, of a [`ListMemberships`], a [`ListUsers`],
//! a [`ListOrganizationRoles`] or a [`ListInvitations`] request, and every page of a
//! [`ListInstanceMemberships`].

use std::collections::{HashSet, VecDeque};
use std::iter::FusedIterator;

use crate::builder::MAX_LIMIT;
use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::error::{Error, ErrorKind};
use crate::invitations::ListInvitations;
use crate::memberships::ListMemberships;
use crate::models::{
    OrganizationInvitation, OrganizationInvitations, OrganizationMembership,
    OrganizationMemberships, Role, Roles, User,
};
use crate::organization_roles::ListOrganizationRoles;
use crate::organizations::ListInstanceMemberships;
use crate::users::ListUsers;

impl ListMemberships {
    /// Every page of this request, lazily, using `limit`/`offset` and keeping every filter.
    ///
    /// The page size is the request's `limit` (default [`MAX_LIMIT`], 500, the API maximum);
    /// paging starts at its `offset` (default 0). Nothing is requested until the iterator is
    /// first polled. What goes on the wire: the first request is the request as you built it,
    /// plus `limit=500` if you set no `limit` (an `offset` you did not set is not sent: the
    /// API reads it as 0); every next request is the same with the next page's `offset`. Each next page is asked for at the offset after the memberships received
    /// so far, and paging goes on until `total_count` memberships have been covered or a page
    /// comes back empty (an empty page is not yielded). A page shorter than asked for does not
    /// end the listing while `total_count` says more remain: servers cap pages on their own.
    /// After the first error the iterator yields that error once and then `None`.
    ///
    /// A server that repeats itself instead of advancing is reported, never followed forever:
    /// a page whose every membership id was already on one of the two pages before it is
    /// [`ErrorKind::PageNotAdvancing`](crate::ErrorKind::PageNotAdvancing), so the same page twice is caught on the second and a cycle
    /// between two pages (A, B, A) within three. A page that repeats only some ids of the pages
    /// before it is normal (a member added meanwhile shifts later memberships by one) and
    /// paging goes on. (As with any offset paging, a member removed meanwhile can make the next
    /// page skip one membership.) Memory stays at about one page (its body and its decoded
    /// memberships), whatever the total, plus the ids of the last two pages.
    ///
    /// The iterator holds a clone of the client (cheap), so it can be stored or moved to
    /// another thread.
    ///
    /// ```
    /// # let client = clerk_memberships::testing::doc_client();
    /// use clerk_memberships::ListMemberships;
    ///
    /// let request = ListMemberships::builder().organization_id("org_1").limit(100).build()?;
    /// for page in request.pages(&client) {
    ///     let page = page?;
    ///     println!("{} memberships on this page of {}", page.data.len(), page.total_count);
    /// }
    /// # Ok::<(), clerk_memberships::Error>(())
    /// ```
    pub fn pages(&self, client: &Client) -> MembershipPages {
        MembershipPages(Pager::new(self, client))
    }

    /// Every membership of this request, lazily, page by page (see [`pages`](Self::pages)).
    ///
    /// ```
    /// # let client = clerk_memberships::testing::doc_client();
    /// use clerk_memberships::ListMemberships;
    ///
    /// let request = ListMemberships::builder().organization_id("org_1").role("org:admin").build()?;
    /// for membership in request.items(&client) {
    ///     println!("{}", membership?.id);
    /// }
    /// # Ok::<(), clerk_memberships::Error>(())
    /// ```
    pub fn items(&self, client: &Client) -> MembershipItems {
        MembershipItems {
            pages: self.pages(client),
            current: Vec::new().into_iter(),
        }
    }

    /// Every membership of this request in one `Vec`, refusing to hold more than `cap`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TooManyMemberships`](crate::ErrorKind::TooManyMemberships) as soon as the server reports more than `cap` memberships
    /// from the request's `offset` on (before fetching them), or the first error of any page.
    ///
    /// ```
    /// # let client = clerk_memberships::testing::doc_client();
    /// use clerk_memberships::ListMemberships;
    ///
    /// let everyone = ListMemberships::builder()
    ///     .organization_id("org_1")
    ///     .build()?
    ///     .collect_all(&client, 10_000)?;
    /// # Ok::<(), clerk_memberships::Error>(())
    /// ```
    pub fn collect_all(
        &self,
        client: &Client,
        cap: usize,
    ) -> Result<Vec<OrganizationMembership>, Error> {
        let mut all = Vec::new();
        let start = self.offset.unwrap_or(0);
        for page in self.pages(client) {
            let page = page?;
            let remaining = u64::try_from(page.total_count)
                .unwrap_or(0)
                .saturating_sub(start);
            let remaining = usize::try_from(remaining).unwrap_or(usize::MAX);
            if remaining > cap || all.len() + page.data.len() > cap {
                let err = Error::new(ErrorKind::TooManyMemberships {
                    cap,
                    total_count: page.total_count,
                });
                return Err(err.in_call(&client.call_of(self)));
            }
            all.extend(page.data);
        }
        Ok(all)
    }
}

/// How many pages back a page's ids are compared with to notice a server that repeats itself.
const RECENT_PAGES: usize = 2;

/// The ids of the last [`RECENT_PAGES`] pages, newest last.
#[derive(Debug, Default)]
struct RecentIds(VecDeque<HashSet<String>>);

impl RecentIds {
    /// Whether a page with these ids advances, i.e. holds at least one id that is not on one
    /// of the last pages; if so it becomes the newest of them.
    fn advances<'a>(&mut self, ids: impl Iterator<Item = &'a str> + Clone) -> bool {
        let repeated = ids
            .clone()
            .all(|id| self.0.iter().any(|page| page.contains(id)));
        if repeated {
            return false;
        }
        if self.0.len() == RECENT_PAGES {
            self.0.pop_front();
        }
        self.0.push_back(ids.map(str::to_owned).collect());
        true
    }
}

/// What the pager needs of a list request: how to move it to an offset, what its page is,
/// the ids on a page, and where the page after one starts.
trait Paged: Endpoint + Clone {
    /// One page of the answer.
    type Page;

    /// The page size (set by [`Pager::new`]) and the first offset, as the request has them.
    fn window(&mut self) -> (&mut Option<u32>, &mut Option<u64>);

    /// Sends the request for one page.
    fn fetch(&self, client: &Client) -> Result<Self::Page, Error>;

    /// The ids on a page, in order; none for an empty page.
    fn ids(page: &Self::Page) -> Vec<&str>;

    /// The offset of the page after `page`, which was asked for at `offset` with
    /// `page_size`; `None` when `page` was the last.
    fn next_offset(page: &Self::Page, offset: u64, page_size: u32) -> Option<u64>;
}

impl Paged for ListMemberships {
    type Page = OrganizationMemberships;

    fn window(&mut self) -> (&mut Option<u32>, &mut Option<u64>) {
        (&mut self.limit, &mut self.offset)
    }

    fn fetch(&self, client: &Client) -> Result<Self::Page, Error> {
        self.send(client)
    }

    fn ids(page: &Self::Page) -> Vec<&str> {
        page.data.iter().map(|m| m.id.as_str()).collect()
    }

    fn next_offset(page: &Self::Page, offset: u64, _: u32) -> Option<u64> {
        counted_next_offset(page.total_count, page.data.len(), offset)
    }
}

/// The offset after a page of `count` items asked for at `offset`, for a listing that says
/// how many items there are in all; `None` once `total_count` is reached. A short page is no
/// end: only an empty page or reaching `total_count` is.
fn counted_next_offset(total_count: i64, count: usize, offset: u64) -> Option<u64> {
    let total = u64::try_from(total_count).unwrap_or(0);
    offset
        .checked_add(count as u64)
        .filter(|next| *next < total)
}

impl Paged for ListOrganizationRoles {
    type Page = Roles;

    fn window(&mut self) -> (&mut Option<u32>, &mut Option<u64>) {
        (&mut self.limit, &mut self.offset)
    }

    fn fetch(&self, client: &Client) -> Result<Self::Page, Error> {
        self.send(client)
    }

    fn ids(page: &Self::Page) -> Vec<&str> {
        page.data.iter().map(|role| role.id.as_str()).collect()
    }

    fn next_offset(page: &Self::Page, offset: u64, _: u32) -> Option<u64> {
        counted_next_offset(page.total_count, page.data.len(), offset)
    }
}

impl Paged for ListUsers {
    type Page = Vec<User>;

    fn window(&mut self) -> (&mut Option<u32>, &mut Option<u64>) {
        (&mut self.limit, &mut self.offset)
    }

    fn fetch(&self, client: &Client) -> Result<Self::Page, Error> {
        self.send(client)
    }

    fn ids(page: &Self::Page) -> Vec<&str> {
        page.iter().map(|u| u.id.as_str()).collect()
    }

    fn next_offset(page: &Self::Page, offset: u64, page_size: u32) -> Option<u64> {
        // No total count: a short page is the last one.
        let count = page.len() as u64;
        if count >= u64::from(page_size) {
            offset.checked_add(count)
        } else {
            None
        }
    }
}

/// The paging both listings share: one request per page at the offset after the items so far,
/// an empty page as the end, a page of repeated ids as [`ErrorKind::PageNotAdvancing`](crate::ErrorKind::PageNotAdvancing), and
/// nothing after the first error.
#[derive(Debug)]
struct Pager<R> {
    client: Client,
    request: R,
    page_size: u32,
    /// `None` once finished.
    next_offset: Option<u64>,
    /// Whether the next request is the first: that one goes as the caller built it, so an
    /// `offset` the caller did not set is not sent.
    first: bool,
    /// The ids of the last pages: a page made only of these means the server is not
    /// advancing.
    recent_ids: RecentIds,
}

impl<R: Paged> Pager<R> {
    /// The pages of `request`, of its `limit` (default [`MAX_LIMIT`]) from its `offset`
    /// (default 0).
    fn new(request: &R, client: &Client) -> Self {
        let mut request = request.clone();
        let (limit, offset) = request.window();
        let page_size = *limit.get_or_insert(MAX_LIMIT);
        let start = offset.unwrap_or(0);
        Pager {
            client: client.clone(),
            request,
            page_size,
            next_offset: Some(start),
            first: true,
            recent_ids: RecentIds::default(),
        }
    }

    fn next_page(&mut self) -> Option<Result<R::Page, Error>> {
        let offset = self.next_offset.take()?;
        if !std::mem::take(&mut self.first) {
            *self.request.window().1 = Some(offset);
        }
        let page = match self.request.fetch(&self.client) {
            Ok(page) => page,
            Err(err) => return Some(Err(err)),
        };
        let ids = R::ids(&page);
        // An empty page ends the listing and is not yielded.
        if ids.is_empty() {
            return None;
        }
        if !self.recent_ids.advances(ids.into_iter()) {
            let err = Error::new(ErrorKind::PageNotAdvancing { offset });
            return Some(Err(err.in_call(&self.client.call_of(&self.request))));
        }
        self.next_offset = R::next_offset(&page, offset, self.page_size);
        Some(Ok(page))
    }
}

/// The pages of a [`ListMemberships`] request; see [`ListMemberships::pages`].
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::{ListMemberships, MembershipPages};
///
/// let pages: MembershipPages = ListMemberships::builder()
///     .organization_id("org_1")
///     .build()?
///     .pages(&client);
/// let sizes: Vec<usize> = pages.map(|page| page.map(|p| p.data.len())).collect::<Result<_, _>>()?;
/// assert_eq!(sizes, [1]);
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug)]
pub struct MembershipPages(Pager<ListMemberships>);

impl Iterator for MembershipPages {
    type Item = Result<OrganizationMemberships, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next_page()
    }
}

impl FusedIterator for MembershipPages {}

/// The memberships of a [`ListMemberships`] request; see [`ListMemberships::items`].
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::ListMemberships;
///
/// let admins: Vec<String> = ListMemberships::builder()
///     .organization_id("org_1")
///     .role("org:admin")
///     .build()?
///     .items(&client)
///     .map(|membership| membership.map(|m| m.id))
///     .collect::<Result<_, _>>()?;
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug)]
pub struct MembershipItems {
    pages: MembershipPages,
    current: std::vec::IntoIter<OrganizationMembership>,
}

impl Iterator for MembershipItems {
    type Item = Result<OrganizationMembership, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        next_item(&mut self.pages, &mut self.current, |page| page.data)
    }
}

/// The next item of a paged listing: from the current page while it lasts, then from the next
/// page (`items` takes a page's items out); a page's error is passed on as it comes.
fn next_item<P, T>(
    pages: &mut impl Iterator<Item = Result<P, Error>>,
    current: &mut std::vec::IntoIter<T>,
    items: impl Fn(P) -> Vec<T>,
) -> Option<Result<T, Error>> {
    loop {
        if let Some(item) = current.next() {
            return Some(Ok(item));
        }
        match pages.next()? {
            Ok(page) => *current = items(page).into_iter(),
            Err(err) => return Some(Err(err)),
        }
    }
}

impl FusedIterator for MembershipItems {}

impl ListUsers {
    /// Every page of this request, lazily, using `limit`/`offset` and keeping every filter.
    ///
    /// The page size is the request's `limit` (default [`MAX_LIMIT`], 500, the API maximum);
    /// paging starts at its `offset` (default 0). Nothing is requested until the iterator is
    /// first polled. What goes on the wire: the first request is the request as you built it,
    /// plus `limit=500` if you set no `limit` (an `offset` you did not set is not sent: the
    /// API reads it as 0); every next request is the same with the next page's `offset`. The answer has no total count, so a page shorter than the page size is
    /// the last one, and an empty page ends the listing without being yielded. Each next page
    /// is asked for at the offset after the users received so far. After the first error the
    /// iterator yields that error once and then `None`.
    ///
    /// A server that repeats itself is reported as [`ErrorKind::PageNotAdvancing`](crate::ErrorKind::PageNotAdvancing), never followed
    /// forever: a page whose every user id was already on one of the two pages before it, as
    /// for [`ListMemberships::pages`]. Offsets move under a listing when users are created or
    /// deleted meanwhile; ordering by `created_at` (ascending) keeps new users at the end.
    ///
    /// The iterator holds a clone of the client (cheap), so it can be stored or moved to
    /// another thread.
    ///
    /// ```
    /// # let client = clerk_memberships::testing::doc_client();
    /// use clerk_memberships::ListUsers;
    ///
    /// let request = ListUsers::builder().order_by("created_at").build()?;
    /// for page in request.pages(&client) {
    ///     println!("{} users on this page", page?.len());
    /// }
    /// # Ok::<(), clerk_memberships::Error>(())
    /// ```
    pub fn pages(&self, client: &Client) -> UserPages {
        UserPages(Pager::new(self, client))
    }

    /// Every user of this request, lazily, page by page (see [`pages`](Self::pages)).
    ///
    /// ```
    /// # let client = clerk_memberships::testing::doc_client();
    /// use clerk_memberships::ListUsers;
    ///
    /// let request = ListUsers::builder().external_id("hr-00042").build()?;
    /// for user in request.items(&client) {
    ///     println!("{}", user?.id);
    /// }
    /// # Ok::<(), clerk_memberships::Error>(())
    /// ```
    pub fn items(&self, client: &Client) -> UserItems {
        UserItems {
            pages: self.pages(client),
            current: Vec::new().into_iter(),
        }
    }
}

/// The pages of a [`ListUsers`] request; see [`ListUsers::pages`].
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::{ListUsers, UserPages};
///
/// let pages: UserPages = ListUsers::builder().limit(100).build()?.pages(&client);
/// let sizes: Vec<usize> = pages.map(|page| page.map(|p| p.len())).collect::<Result<_, _>>()?;
/// assert_eq!(sizes, [1], "one short page is the last");
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug)]
pub struct UserPages(Pager<ListUsers>);

impl Iterator for UserPages {
    type Item = Result<Vec<User>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next_page()
    }
}

impl FusedIterator for UserPages {}

/// The users of a [`ListUsers`] request; see [`ListUsers::items`].
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::{ListUsers, UserItems};
///
/// let users: UserItems = ListUsers::builder().email_address("jane.doe@acme.com").build()?.items(&client);
/// let ids: Vec<String> = users.map(|user| user.map(|u| u.id)).collect::<Result<_, _>>()?;
/// assert_eq!(ids, ["user_2h8op3Isl1QR7tKu5FGNfaLKEoU"]);
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug)]
pub struct UserItems {
    pages: UserPages,
    current: std::vec::IntoIter<User>,
}

impl Iterator for UserItems {
    type Item = Result<User, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        next_item(&mut self.pages, &mut self.current, |page| page)
    }
}

impl FusedIterator for UserItems {}

impl ListOrganizationRoles {
    /// Every page of this request, lazily, using `limit`/`offset` and keeping `query` and
    /// `order_by`.
    ///
    /// Paging works as for [`ListMemberships::pages`]: the page size is the request's `limit`
    /// (default [`MAX_LIMIT`], 500, the API maximum), paging starts at its `offset` (default
    /// 0), goes on until `total_count` roles have been covered or a page comes back empty
    /// (not yielded), stops after the first error (yielded once), and reports a page made only
    /// of role ids already on the two pages before it as [`ErrorKind::PageNotAdvancing`](crate::ErrorKind::PageNotAdvancing). Nothing
    /// is requested until the iterator is first polled; an instance rarely has more than one
    /// page of roles.
    ///
    /// ```
    /// # let client = clerk_memberships::testing::doc_client();
    /// use clerk_memberships::ListOrganizationRoles;
    ///
    /// let request = ListOrganizationRoles::builder().build()?;
    /// for page in request.pages(&client) {
    ///     let page = page?;
    ///     println!("{} roles on this page of {}", page.data.len(), page.total_count);
    /// }
    /// # Ok::<(), clerk_memberships::Error>(())
    /// ```
    pub fn pages(&self, client: &Client) -> RolePages {
        RolePages(Pager::new(self, client))
    }

    /// Every role of this request, lazily, page by page (see [`pages`](Self::pages)).
    ///
    /// ```
    /// # let client = clerk_memberships::testing::doc_client();
    /// use clerk_memberships::ListOrganizationRoles;
    ///
    /// let keys: Vec<String> = ListOrganizationRoles::builder()
    ///     .build()?
    ///     .items(&client)
    ///     .map(|role| role.map(|r| r.key))
    ///     .collect::<Result<_, _>>()?;
    /// assert_eq!(keys, ["org:admin", "org:member"]);
    /// # Ok::<(), clerk_memberships::Error>(())
    /// ```
    pub fn items(&self, client: &Client) -> RoleItems {
        RoleItems {
            pages: self.pages(client),
            current: Vec::new().into_iter(),
        }
    }
}

/// The pages of a [`ListOrganizationRoles`] request; see [`ListOrganizationRoles::pages`].
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::{ListOrganizationRoles, RolePages};
///
/// let pages: RolePages = ListOrganizationRoles::builder().build()?.pages(&client);
/// let sizes: Vec<usize> = pages.map(|page| page.map(|p| p.data.len())).collect::<Result<_, _>>()?;
/// assert_eq!(sizes, [2]);
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug)]
pub struct RolePages(Pager<ListOrganizationRoles>);

impl Iterator for RolePages {
    type Item = Result<Roles, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next_page()
    }
}

impl FusedIterator for RolePages {}

/// The roles of a [`ListOrganizationRoles`] request; see [`ListOrganizationRoles::items`].
#[derive(Debug)]
pub struct RoleItems {
    pages: RolePages,
    current: std::vec::IntoIter<Role>,
}

impl Iterator for RoleItems {
    type Item = Result<Role, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        next_item(&mut self.pages, &mut self.current, |page| page.data)
    }
}

impl FusedIterator for RoleItems {}

impl Paged for ListInvitations {
    type Page = OrganizationInvitations;

    fn window(&mut self) -> (&mut Option<u32>, &mut Option<u64>) {
        (&mut self.limit, &mut self.offset)
    }

    fn fetch(&self, client: &Client) -> Result<Self::Page, Error> {
        self.send(client)
    }

    fn ids(page: &Self::Page) -> Vec<&str> {
        page.data
            .iter()
            .map(|invitation| invitation.id.as_str())
            .collect()
    }

    fn next_offset(page: &Self::Page, offset: u64, _: u32) -> Option<u64> {
        counted_next_offset(page.total_count, page.data.len(), offset)
    }
}

impl ListInvitations {
    /// Every page of this request, lazily, using `limit`/`offset` and keeping the filters.
    ///
    /// Paging works as for [`ListMemberships::pages`]: the page size is the request's `limit`
    /// (default [`MAX_LIMIT`]), paging starts at its `offset`, goes on until `total_count`
    /// invitations have been covered or a page comes back empty, stops after the first error
    /// (yielded once), and reports a page made only of invitations already seen as
    /// [`ErrorKind::PageNotAdvancing`].
    ///
    /// ```
    /// # let client = clerk_memberships::testing::doc_client();
    /// use clerk_memberships::ListInvitations;
    ///
    /// let request = ListInvitations::builder().organization_id("org_1").build()?;
    /// for page in request.pages(&client) {
    ///     println!("{} invitations on this page", page?.data.len());
    /// }
    /// # Ok::<(), clerk_memberships::Error>(())
    /// ```
    pub fn pages(&self, client: &Client) -> InvitationPages {
        InvitationPages(Pager::new(self, client))
    }

    /// Every invitation of this request, lazily, page by page (see [`pages`](Self::pages)).
    ///
    /// ```
    /// # let client = clerk_memberships::testing::doc_client();
    /// use clerk_memberships::ListInvitations;
    ///
    /// let pending: Vec<String> = ListInvitations::builder()
    ///     .organization_id("org_1")
    ///     .status("pending")
    ///     .build()?
    ///     .items(&client)
    ///     .map(|invitation| invitation.map(|i| i.email_address))
    ///     .collect::<Result<_, _>>()?;
    /// # Ok::<(), clerk_memberships::Error>(())
    /// ```
    pub fn items(&self, client: &Client) -> InvitationItems {
        InvitationItems {
            pages: self.pages(client),
            current: Vec::new().into_iter(),
        }
    }
}

/// The pages of a [`ListInvitations`] request; see [`ListInvitations::pages`].
#[derive(Debug)]
pub struct InvitationPages(Pager<ListInvitations>);

impl Iterator for InvitationPages {
    type Item = Result<OrganizationInvitations, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next_page()
    }
}

impl FusedIterator for InvitationPages {}

/// The invitations of a [`ListInvitations`] request; see [`ListInvitations::items`].
#[derive(Debug)]
pub struct InvitationItems {
    pages: InvitationPages,
    current: std::vec::IntoIter<OrganizationInvitation>,
}

impl Iterator for InvitationItems {
    type Item = Result<OrganizationInvitation, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        next_item(&mut self.pages, &mut self.current, |page| page.data)
    }
}

impl FusedIterator for InvitationItems {}

impl Paged for ListInstanceMemberships {
    type Page = OrganizationMemberships;

    fn window(&mut self) -> (&mut Option<u32>, &mut Option<u64>) {
        (&mut self.limit, &mut self.offset)
    }

    fn fetch(&self, client: &Client) -> Result<Self::Page, Error> {
        self.send(client)
    }

    fn ids(page: &Self::Page) -> Vec<&str> {
        page.data.iter().map(|m| m.id.as_str()).collect()
    }

    fn next_offset(page: &Self::Page, offset: u64, _: u32) -> Option<u64> {
        counted_next_offset(page.total_count, page.data.len(), offset)
    }
}

impl ListInstanceMemberships {
    /// Every page of this request, lazily, using `limit`/`offset`: paged exactly as
    /// [`ListMemberships::pages`] pages one organization (the page size is the request's
    /// `limit`, default [`MAX_LIMIT`]; paging ends at `total_count` or an empty page; a page
    /// of ids already seen is [`ErrorKind::PageNotAdvancing`](crate::ErrorKind::PageNotAdvancing); nothing after the first error).
    ///
    /// ```
    /// # let client = clerk_memberships::testing::doc_client();
    /// use clerk_memberships::ListInstanceMemberships;
    ///
    /// let request = ListInstanceMemberships::builder().order_by("+created_at").build()?;
    /// for page in request.pages(&client) {
    ///     let page = page?;
    ///     println!("{} of {} memberships", page.data.len(), page.total_count);
    /// }
    /// # Ok::<(), clerk_memberships::Error>(())
    /// ```
    pub fn pages(&self, client: &Client) -> InstanceMembershipPages {
        InstanceMembershipPages(Pager::new(self, client))
    }
}

/// The pages of a [`ListInstanceMemberships`] request; see [`ListInstanceMemberships::pages`].
#[derive(Debug)]
pub struct InstanceMembershipPages(Pager<ListInstanceMemberships>);

impl Iterator for InstanceMembershipPages {
    type Item = Result<OrganizationMemberships, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next_page()
    }
}

impl FusedIterator for InstanceMembershipPages {}
