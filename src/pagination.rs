//! Lazy iterators over every page, or every membership, of a [`ListMemberships`] request.

use std::collections::{HashSet, VecDeque};
use std::iter::FusedIterator;

use crate::client::Client;
use crate::error::Error;
use crate::memberships::{ListMemberships, MAX_LIMIT};
use crate::models::{OrganizationMembership, OrganizationMemberships};

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
            recent_ids: VecDeque::with_capacity(RECENT_PAGES + 1),
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
    /// The membership ids of the last [`RECENT_PAGES`] pages, newest last: a page made only of
    /// these means the server is not advancing.
    recent_ids: VecDeque<HashSet<String>>,
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
        let repeated = page.data.iter().all(|membership| {
            self.recent_ids
                .iter()
                .any(|ids| ids.contains(&membership.id))
        });
        if repeated {
            let err = Error::PageNotAdvancing { offset, call: None };
            return Some(Err(err.in_call(&self.client.call_of(&self.request))));
        }
        if self.recent_ids.len() == RECENT_PAGES {
            self.recent_ids.pop_front();
        }
        self.recent_ids
            .push_back(page.data.iter().map(|m| m.id.clone()).collect());
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
        loop {
            if let Some(membership) = self.current.next() {
                return Some(Ok(membership));
            }
            match self.pages.next()? {
                Ok(page) => self.current = page.data.into_iter(),
                Err(err) => return Some(Err(err)),
            }
        }
    }
}

impl FusedIterator for MembershipItems {}
