//! The requests behind a plan: the current members in one pass, then the roster's keys.

use std::collections::HashSet;

use super::options::SyncOptions;
use super::plan::{Current, Member};
use super::progress::Progress;
use crate::client::Client;
use crate::error::Error;
use crate::memberships::{ListMemberships, MAX_LIMIT};

/// Every member of `organization_id`, in one pass of pages of [`MAX_LIMIT`] ordered by
/// `+created_at` (oldest first, so members who join meanwhile land at the end instead of
/// shifting the pages still to read). A membership listed twice counts once.
pub(crate) fn read_members(
    client: &Client,
    organization_id: &str,
    options: &SyncOptions,
) -> Result<Current, Error> {
    let request = ListMemberships::builder()
        .organization_id(organization_id)
        .order_by("+created_at")
        .limit(MAX_LIMIT)
        .build()?;
    let mut current = Current::default();
    let mut seen = HashSet::new();
    let (mut pages, mut read) = (0u64, 0u64);
    for page in request.pages(client) {
        let page = page?;
        pages += 1;
        read += page.data.len() as u64;
        let total = u64::try_from(page.total_count).unwrap_or(0);
        let total_pages = total.div_ceil(u64::from(MAX_LIMIT)).max(pages);
        options.report(Progress::ReadingMembers {
            pages,
            total_pages,
            members: read,
            total_members: total.max(read),
        });
        for membership in page.data {
            if !seen.insert(membership.id.clone()) {
                continue;
            }
            current.total += 1;
            if let Some(member) = Member::from_membership(membership) {
                current.members.push(member);
            }
        }
    }
    if pages == 0 {
        // Not even an empty page came back: say that reading is over all the same.
        options.report(Progress::ReadingMembers {
            pages: 0,
            total_pages: 0,
            members: 0,
            total_members: 0,
        });
    }
    Ok(current)
}
