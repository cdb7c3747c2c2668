//! Lazy iterators over every page, or every item, of a [`ListMemberships`] or a
//! [`ListUsers`] request.

use std::collections::{HashSet, VecDeque};
use std::iter::FusedIterator;

use crate::client::Client;
use crate::error::Error;
use crate::memberships::{ListMemberships, MAX_LIMIT};
use crate::models::{OrganizationMembership, OrganizationMemberships, User};
use crate::users::ListUsers;

impl ListMemberships {
    /// Every page of this request, lazily, using `limit`/`offset` and keeping every filter.
    ///
    /// The page size is the request's `limit` (default [`MAX_LIMIT`], 500, the API maximum);
    /// paging starts at its `offset` (default 0). Nothing is requested until the iterator is
    /// first polled. Each next page is asked for at the offset after the memberships received
    /// so far, and paging goes on until `total_count` memberships have been covered or a page
    /// comes back empty (an empty page is not yielded). A page shorter than asked for does not
    /// end the listing while `total_count` says more remain: servers cap pages on their own.
    /// After the first error the iterator yields that error once and then `None`.
    ///
    /// A server that repeats itself instead of advancing is reported, never followed forever:
    /// a page whose every membership id was already on one of the two pages before it is
    /// [`Error::PageNotAdvancing`], so the same page twice is caught on the second and a cycle
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
        let mut request = self.clone();
        let page_size = request.limit.unwrap_or(MAX_LIMIT);
        request.limit = Some(page_size);
        let start = request.offset.unwrap_or(0);
        MembershipPages {
            client: client.clone(),
            request,
            next_offset: Some(start),
            recent_ids: RecentIds::default(),
        }
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
    /// [`Error::TooManyMemberships`] as soon as the server reports more than `cap` memberships
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
                let err = Error::TooManyMemberships {
                    cap,
                    total_count: page.total_count,
                    call: None,
                };
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
pub struct MembershipPages {
    client: Client,
    request: ListMemberships,
    /// `None` once finished.
    next_offset: Option<u64>,
    /// The membership ids of the last pages: a page made only of these means the server is
    /// not advancing.
    recent_ids: RecentIds,
}

impl Iterator for MembershipPages {
    type Item = Result<OrganizationMemberships, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let offset = self.next_offset.take()?;
        self.request.offset = Some(offset);
        let page = match self.request.send(&self.client) {
            Ok(page) => page,
            Err(err) => return Some(Err(err)),
        };
        // An empty page ends the listing and is not yielded.
        if page.data.is_empty() {
            return None;
        }
        if !self
            .recent_ids
            .advances(page.data.iter().map(|m| m.id.as_str()))
        {
            let err = Error::PageNotAdvancing { offset, call: None };
            return Some(Err(err.in_call(&self.client.call_of(&self.request))));
        }
        let count = page.data.len() as u64;
        let total = u64::try_from(page.total_count).unwrap_or(0);
        // A short page is no end: only an empty page or reaching `total_count` is.
        self.next_offset = offset.checked_add(count).filter(|next| *next < total);
        Some(Ok(page))
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
    /// first polled. The answer has no total count, so a page shorter than the page size is
    /// the last one, and an empty page ends the listing without being yielded. Each next page
    /// is asked for at the offset after the users received so far. After the first error the
    /// iterator yields that error once and then `None`.
    ///
    /// A server that repeats itself is reported as [`Error::PageNotAdvancing`], never followed
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
        let mut request = self.clone();
        let page_size = request.limit.unwrap_or(MAX_LIMIT);
        request.limit = Some(page_size);
        let start = request.offset.unwrap_or(0);
        UserPages {
            client: client.clone(),
            request,
            page_size,
            next_offset: Some(start),
            recent_ids: RecentIds::default(),
        }
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
pub struct UserPages {
    client: Client,
    request: ListUsers,
    page_size: u32,
    /// `None` once finished.
    next_offset: Option<u64>,
    /// The user ids of the last pages: a page made only of these means the server is not
    /// advancing.
    recent_ids: RecentIds,
}

impl Iterator for UserPages {
    type Item = Result<Vec<User>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let offset = self.next_offset.take()?;
        self.request.offset = Some(offset);
        let page = match self.request.send(&self.client) {
            Ok(page) => page,
            Err(err) => return Some(Err(err)),
        };
        // An empty page ends the listing and is not yielded.
        if page.is_empty() {
            return None;
        }
        if !self.recent_ids.advances(page.iter().map(|u| u.id.as_str())) {
            let err = Error::PageNotAdvancing { offset, call: None };
            return Some(Err(err.in_call(&self.client.call_of(&self.request))));
        }
        // No total count: a short page is the last one.
        let count = page.len() as u64;
        if count >= u64::from(self.page_size) {
            self.next_offset = offset.checked_add(count);
        }
        Some(Ok(page))
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
