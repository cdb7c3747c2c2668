//! Lazy iterators over every page ([`Pages`]), or every item ([`Items`]), of a
//! [`ListMemberships`], a [`ListUsers`], a [`ListOrganizationRoles`] or a [`ListInvitations`]
//! request, and every page of a [`ListInstanceMemberships`]. One pager serves them all: each
//! list request only names its page and item types in its [`Paged`] impl, and each page type
//! says how it is read (its ids, and where the page after it starts): a [`Page`] by its
//! `total_count`, a bare `Vec<User>` by its length.

use std::collections::{HashSet, VecDeque};
use std::iter::FusedIterator;

use crate::builder::MAX_LIMIT;
use crate::call::Call;
use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::invitations::ListInvitations;
use crate::memberships::ListMemberships;
use crate::models::{OrganizationInvitation, OrganizationMembership, Page, Role, User};
use crate::organization_roles::ListOrganizationRoles;
use crate::organizations::ListInstanceMemberships;
use crate::users::ListUsers;

use self::sealed::{Identified, ReadPage, Sealed, Token};

/// A list request that can be paged: [`ListMemberships`], [`ListUsers`],
/// [`ListOrganizationRoles`], [`ListInvitations`] and [`ListInstanceMemberships`], and no
/// other. It names the types of a request's [`Pages`] and [`Items`], so that code can take
/// the pages or items of any listing; it is sealed (it cannot be implemented outside this
/// crate) and has no methods of its own.
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::{Error, Items, ListMemberships, ListUsers, Paged};
///
/// /// How many items a listing has, reading every page.
/// fn count<R: Paged>(mut items: Items<R>) -> Result<usize, Error> {
///     items.try_fold(0, |count, item| item.map(|_| count + 1))
/// }
///
/// let members = count(ListMemberships::builder().organization_id("org_1").build()?.items(&client))?;
/// let users = count(ListUsers::builder().build()?.items(&client))?;
/// assert_eq!((members, users), (1, 1));
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
pub trait Paged: Sealed {
    /// One page of the answer: [`Page`]`<`[`OrganizationMembership`]`>`, `Vec<`[`User`]`>`,
    /// [`Page`]`<`[`Role`]`>` or [`Page`]`<`[`OrganizationInvitation`]`>`, which the pager
    /// reads through a sealed trait.
    type Page: ReadPage<Item = Self::Item>;
    /// One item of a page: [`OrganizationMembership`], [`User`], [`Role`] or
    /// [`OrganizationInvitation`].
    type Item;
}

/// What the pager needs of a list request and of its pages, out of reach of other crates:
/// public traits in a private module, so [`Paged`] cannot be implemented elsewhere; and since a
/// bound on [`Paged`] would still reach their methods, each takes a [`Token`](sealed::Token)
/// that only this module can make.
mod sealed {
    use crate::call::Call;
    use crate::client::Client;
    use crate::error::Error;

    use super::Paged;

    /// Proof that the caller is the pager: other crates cannot make one.
    #[derive(Debug, Clone, Copy)]
    pub struct Token(pub(super) ());

    /// How to move a list request to an offset and send it.
    pub trait Sealed: Clone {
        /// The page size (set by [`Pages::new`](super::Pages)) and the first offset, as the
        /// request has them.
        fn window(&mut self, _: Token) -> (&mut Option<u32>, &mut Option<u64>);

        /// The call this request makes, for the context of an error.
        fn call(&self, client: &Client, _: Token) -> Call;

        /// Sends the request for one page.
        fn fetch(&self, client: &Client, _: Token) -> Result<<Self as Paged>::Page, Error>
        where
            Self: Paged;
    }

    /// How to read one page of a listing.
    pub trait ReadPage {
        /// One item of the page.
        type Item;

        /// The ids on the page, in order; none for an empty page.
        fn ids(&self, _: Token) -> Vec<&str>;

        /// The offset of the page after this one, which was asked for at `offset` with
        /// `page_size`; `None` when this page was the last.
        fn next_offset(&self, offset: u64, page_size: u32, _: Token) -> Option<u64>;

        /// The page's items, taken out of it.
        fn into_items(self, _: Token) -> Vec<Self::Item>;
    }

    /// How to tell one item of a listing from another.
    pub trait Identified {
        /// The item's id, e.g. `orgmem_…` for a membership.
        fn id(&self, _: Token) -> &str;
    }
}

/// The token the pager hands to the [`Paged`] requests' methods.
const TOKEN: Token = Token(());

/// The pages of a list request, lazily: what [`ListMemberships::pages`], [`ListUsers::pages`],
/// [`ListOrganizationRoles::pages`], [`ListInvitations::pages`] and
/// [`ListInstanceMemberships::pages`] return, yielding `Result<R::Page, Error>`.
///
/// One request per page, at the offset after the items so far; an empty page ends the
/// listing (and is not yielded); a page of ids already seen is
/// [`ErrorKind::PageNotAdvancing`]; nothing comes after the first error. Each request's
/// `pages()` says how its listing ends.
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::{ListMemberships, ListUsers, Pages};
///
/// let pages: Pages<ListMemberships> = ListMemberships::builder()
///     .organization_id("org_1")
///     .build()?
///     .pages(&client);
/// let sizes: Vec<usize> = pages.map(|page| page.map(|p| p.data.len())).collect::<Result<_, _>>()?;
/// assert_eq!(sizes, [1]);
///
/// let pages: Pages<ListUsers> = ListUsers::builder().limit(100).build()?.pages(&client);
/// let sizes: Vec<usize> = pages.map(|page| page.map(|p| p.len())).collect::<Result<_, _>>()?;
/// assert_eq!(sizes, [1], "one short page is the last");
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug)]
pub struct Pages<R> {
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

impl<R: Paged> Pages<R> {
    /// The pages of `request`, of its `limit` (default [`MAX_LIMIT`]) from its `offset`
    /// (default 0).
    fn new(request: &R, client: &Client) -> Self {
        let mut request = request.clone();
        let (limit, offset) = request.window(TOKEN);
        let page_size = *limit.get_or_insert(MAX_LIMIT);
        let start = offset.unwrap_or(0);
        Pages {
            client: client.clone(),
            request,
            page_size,
            next_offset: Some(start),
            first: true,
            recent_ids: RecentIds::default(),
        }
    }
}

impl<R: Paged> Iterator for Pages<R> {
    type Item = Result<R::Page, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let offset = self.next_offset.take()?;
        if !std::mem::take(&mut self.first) {
            *self.request.window(TOKEN).1 = Some(offset);
        }
        let page = match self.request.fetch(&self.client, TOKEN) {
            Ok(page) => page,
            Err(err) => return Some(Err(err)),
        };
        let ids = page.ids(TOKEN);
        // An empty page ends the listing and is not yielded.
        if ids.is_empty() {
            return None;
        }
        if !self.recent_ids.advances(ids.into_iter()) {
            let err = Error::new(ErrorKind::PageNotAdvancing { offset });
            return Some(Err(err.in_call(&self.request.call(&self.client, TOKEN))));
        }
        self.next_offset = page.next_offset(offset, self.page_size, TOKEN);
        Some(Ok(page))
    }
}

impl<R: Paged> FusedIterator for Pages<R> {}

/// The items of a list request, lazily, page by page: what [`ListMemberships::items`],
/// [`ListUsers::items`], [`ListOrganizationRoles::items`] and [`ListInvitations::items`]
/// return, yielding `Result<R::Item, Error>`. A page's error is yielded as it comes, once,
/// and ends the listing, as for [`Pages`]; only the current page's items are held.
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::{Items, ListUsers};
///
/// let users: Items<ListUsers> = ListUsers::builder().email_address("jane.doe@acme.com").build()?.items(&client);
/// let ids: Vec<String> = users.map(|user| user.map(|u| u.id)).collect::<Result<_, _>>()?;
/// assert_eq!(ids, ["user_2h8op3Isl1QR7tKu5FGNfaLKEoU"]);
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug)]
pub struct Items<R: Paged> {
    pages: Pages<R>,
    current: std::vec::IntoIter<R::Item>,
}

impl<R: Paged> Items<R> {
    /// The items of `pages`, from its next page on.
    fn new(pages: Pages<R>) -> Self {
        Items {
            pages,
            current: Vec::new().into_iter(),
        }
    }
}

impl<R: Paged> Iterator for Items<R> {
    type Item = Result<R::Item, Error>;

    /// The next item: from the current page while it lasts, then from the next page.
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.current.next() {
                return Some(Ok(item));
            }
            match self.pages.next()? {
                Ok(page) => self.current = page.into_items(TOKEN).into_iter(),
                Err(err) => return Some(Err(err)),
            }
        }
    }
}

impl<R: Paged> FusedIterator for Items<R> {}

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

/// The offset after a page of `count` items asked for at `offset`, for a listing that says
/// how many items there are in all; `None` once `total_count` is reached. A short page is no
/// end: only an empty page or reaching `total_count` is.
fn counted_next_offset(total_count: i64, count: usize, offset: u64) -> Option<u64> {
    let total = u64::try_from(total_count).unwrap_or(0);
    offset
        .checked_add(count as u64)
        .filter(|next| *next < total)
}

/// What every list request has alike: its `limit` and `offset` fields and its `send`.
macro_rules! list_requests {
    ($($request:ty),+ $(,)?) => {$(
        impl Sealed for $request {
            fn window(&mut self, _: Token) -> (&mut Option<u32>, &mut Option<u64>) {
                (&mut self.limit, &mut self.offset)
            }

            fn call(&self, client: &Client, _: Token) -> Call {
                client.call_of(self)
            }

            fn fetch(&self, client: &Client, _: Token) -> Result<<Self as Paged>::Page, Error> {
                self.send(client)
            }
        }
    )+};
}

list_requests!(
    ListMemberships,
    ListUsers,
    ListOrganizationRoles,
    ListInvitations,
    ListInstanceMemberships,
);

impl<T: Identified> ReadPage for Page<T> {
    type Item = T;

    fn ids(&self, _: Token) -> Vec<&str> {
        self.data.iter().map(|item| item.id(TOKEN)).collect()
    }

    fn next_offset(&self, offset: u64, _: u32, _: Token) -> Option<u64> {
        counted_next_offset(self.total_count, self.data.len(), offset)
    }

    fn into_items(self, _: Token) -> Vec<T> {
        self.data
    }
}

impl ReadPage for Vec<User> {
    type Item = User;

    fn ids(&self, _: Token) -> Vec<&str> {
        self.iter().map(|user| user.id(TOKEN)).collect()
    }

    fn next_offset(&self, offset: u64, page_size: u32, _: Token) -> Option<u64> {
        // No total count: a short page is the last one.
        let count = self.len() as u64;
        if count >= u64::from(page_size) {
            offset.checked_add(count)
        } else {
            None
        }
    }

    fn into_items(self, _: Token) -> Vec<User> {
        self
    }
}

/// Every listed item is told apart by its `id`.
macro_rules! identified_by_id {
    ($($item:ty),+ $(,)?) => {$(
        impl Identified for $item {
            fn id(&self, _: Token) -> &str {
                &self.id
            }
        }
    )+};
}

identified_by_id!(OrganizationMembership, User, Role, OrganizationInvitation);

impl Paged for ListMemberships {
    type Page = Page<OrganizationMembership>;
    type Item = OrganizationMembership;
}

impl ListMemberships {
    /// Every page of this request, lazily, using `limit`/`offset` and keeping every filter.
    ///
    /// The page size is the request's `limit` (default 500, the API maximum);
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
    pub fn pages(&self, client: &Client) -> Pages<Self> {
        Pages::new(self, client)
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
    pub fn items(&self, client: &Client) -> Items<Self> {
        Items::new(self.pages(client))
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

impl Paged for ListUsers {
    type Page = Vec<User>;
    type Item = User;
}

impl ListUsers {
    /// Every page of this request, lazily, using `limit`/`offset` and keeping every filter.
    ///
    /// The page size is the request's `limit` (default 500, the API maximum);
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
    pub fn pages(&self, client: &Client) -> Pages<Self> {
        Pages::new(self, client)
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
    pub fn items(&self, client: &Client) -> Items<Self> {
        Items::new(self.pages(client))
    }
}

impl Paged for ListOrganizationRoles {
    type Page = Page<Role>;
    type Item = Role;
}

impl ListOrganizationRoles {
    /// Every page of this request, lazily, using `limit`/`offset` and keeping `query` and
    /// `order_by`.
    ///
    /// Paging works as for [`ListMemberships::pages`]: the page size is the request's `limit`
    /// (default 500, the API maximum), paging starts at its `offset` (default
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
    pub fn pages(&self, client: &Client) -> Pages<Self> {
        Pages::new(self, client)
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
    pub fn items(&self, client: &Client) -> Items<Self> {
        Items::new(self.pages(client))
    }
}

impl Paged for ListInvitations {
    type Page = Page<OrganizationInvitation>;
    type Item = OrganizationInvitation;
}

impl ListInvitations {
    /// Every page of this request, lazily, using `limit`/`offset` and keeping the filters.
    ///
    /// Paging works as for [`ListMemberships::pages`]: the page size is the request's `limit`
    /// (default 500), paging starts at its `offset`, goes on until `total_count`
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
    pub fn pages(&self, client: &Client) -> Pages<Self> {
        Pages::new(self, client)
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
    pub fn items(&self, client: &Client) -> Items<Self> {
        Items::new(self.pages(client))
    }
}

impl Paged for ListInstanceMemberships {
    type Page = Page<OrganizationMembership>;
    type Item = OrganizationMembership;
}

impl ListInstanceMemberships {
    /// Every page of this request, lazily, using `limit`/`offset`: paged exactly as
    /// [`ListMemberships::pages`] pages one organization (the page size is the request's
    /// `limit`, default 500; paging ends at `total_count` or an empty page; a page
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
    pub fn pages(&self, client: &Client) -> Pages<Self> {
        Pages::new(self, client)
    }
}

/// Other crates can neither implement [`Paged`] nor reach the pager's methods through a bound
/// on it (which would let them move a request's `limit` past what its builder checks).
///
/// ```compile_fail
/// #[derive(Clone)]
/// struct Mine;
///
/// impl clerk_memberships::Paged for Mine {
///     type Page = clerk_memberships::Page<clerk_memberships::Role>;
///     type Item = clerk_memberships::Role;
/// }
/// ```
///
/// ```compile_fail
/// fn widen<R: clerk_memberships::Paged>(request: &mut R) {
///     let _ = request.window();
/// }
/// ```
#[cfg(doctest)]
struct SealedDoctests;
