//! Lazy iterators over every page, or every membership, of a [`ListMemberships`] request.

use std::collections::HashSet;
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
    /// first polled. It stops on an empty page (which is not yielded), on a short page, or once
    /// `total_count` memberships have been seen; after the first error it yields that error
    /// once and then `None`. A server that answers the same page again instead of advancing
    /// gets [`Error::PageNotAdvancing`], never an endless loop. Memory stays at about one page
    /// (its body and its decoded memberships), whatever the total, plus the first id of each
    /// page seen, to notice a server that cycles through pages.
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
    pub fn pages(&self, client: &Client) -> Pages {
        let mut request = self.clone();
        let page_size = request.limit.unwrap_or(MAX_LIMIT);
        request.limit = Some(page_size);
        let start = request.offset.unwrap_or(0);
        Pages {
            client: client.clone(),
            request,
            next_offset: Some(start),
            first_ids: HashSet::new(),
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
    pub fn items(&self, client: &Client) -> Items {
        Items {
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
                return Err(Error::TooManyMemberships {
                    cap,
                    total_count: page.total_count,
                });
            }
            all.extend(page.data);
        }
        Ok(all)
    }
}

/// The pages of a [`ListMemberships`] request; see [`ListMemberships::pages`].
#[derive(Debug)]
pub struct Pages {
    client: Client,
    request: ListMemberships,
    /// `None` once finished.
    next_offset: Option<u64>,
    /// The first membership id of every page so far: seeing one again means the server is
    /// not advancing.
    first_ids: HashSet<String>,
}

impl Iterator for Pages {
    type Item = Result<OrganizationMemberships, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let offset = self.next_offset.take()?;
        self.request.offset = Some(offset);
        let page = match self.request.send(&self.client) {
            Ok(page) => page,
            Err(err) => return Some(Err(err)),
        };
        // An empty page ends the listing and is not yielded.
        let first_id = page.data.first().map(|m| m.id.clone())?;
        if !self.first_ids.insert(first_id) {
            return Some(Err(Error::PageNotAdvancing { offset }));
        }
        let count = page.data.len() as u64;
        let page_size = u64::from(self.request.limit.unwrap_or(MAX_LIMIT));
        let total = u64::try_from(page.total_count).unwrap_or(0);
        let next = offset.checked_add(count);
        if count >= page_size && next.is_some_and(|next| next < total) {
            self.next_offset = next;
        }
        Some(Ok(page))
    }
}

impl FusedIterator for Pages {}

/// The memberships of a [`ListMemberships`] request; see [`ListMemberships::items`].
#[derive(Debug)]
pub struct Items {
    pages: Pages,
    current: std::vec::IntoIter<OrganizationMembership>,
}

impl Iterator for Items {
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

impl FusedIterator for Items {}
