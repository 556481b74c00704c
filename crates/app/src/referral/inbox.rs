//! A person's referral inbox: its work queues (late, new, to pick up, soon due, their
//! cases, all running, sent), each a filter the policy's organisations decide, loaded in
//! one read with the person's unread notices and their practice's latest questions; the
//! children on it are disclosed by one logged look.

use crate::Disclosed;
use crate::context::{Principal, Services};
use crate::dates;
use crate::error::Error;
use crate::referral::{Shown, disclose_lists};
pub use rondom_db::referrals::{Filter, Listed};
use rondom_domain::referral::Status;
use rondom_domain::workdays;

/// The sections of someone's inbox with their filters.
pub fn sections_for(
    user_id: &str,
    sending: &[String],
    receiving: &[String],
) -> Vec<(&'static str, &'static str, &'static str, Filter)> {
    let today = dates::today();
    let mut out = Vec::new();
    if !receiving.is_empty() {
        let base = Filter {
            to_orgs: receiving.to_vec(),
            by_due: true,
            ..Filter::default()
        };
        out.push((
            "te_laat",
            "Te laat",
            "Niets te laat.",
            // Only open referrals have a deadline: no status filter needed, so the
            // deadline index is read in order.
            Filter {
                due_before: Some(today - chrono::Duration::days(1)),
                ..base.clone()
            },
        ));
        out.push((
            "nieuw",
            "Nieuw",
            "Geen nieuwe verwijzingen.",
            Filter {
                statuses: vec![Status::Requested],
                ..base.clone()
            },
        ));
        out.push((
            "op_te_pakken",
            "Op te pakken (nog te accepteren of af te wijzen)",
            "Niets op te pakken.",
            Filter {
                statuses: vec![Status::Received],
                ..base.clone()
            },
        ));
        out.push((
            "binnenkort",
            "Binnenkort te doen",
            "Niets dat binnenkort moet.",
            Filter {
                due_after: Some(today),
                due_before: Some(workdays::add_working_days(today, 2)),
                ..base.clone()
            },
        ));
        out.push((
            "mijn_casussen",
            "Mijn casussen (casusregisseur)",
            "U bent nergens casusregisseur.",
            Filter {
                statuses: vec![Status::Accepted, Status::InProgress, Status::OnHold],
                case_director: Some(user_id.to_owned()),
                ..base.clone()
            },
        ));
        out.push((
            "lopend",
            "Alle lopende verwijzingen",
            "Geen lopende verwijzingen.",
            Filter {
                statuses: vec![Status::Accepted, Status::InProgress, Status::OnHold],
                ..base
            },
        ));
    }
    if !sending.is_empty() {
        out.push((
            "verstuurd",
            "Onze verwijzingen",
            "U heeft nog niet verwezen.",
            Filter {
                from_orgs: sending.to_vec(),
                ..Filter::default()
            },
        ));
    }
    out
}

/// What the inbox shows: per filter how many were found and (disclosed) its rows; the
/// person's unread notices (id, text, link, when); their practices' latest questions.
pub struct Inbox {
    pub found: Vec<usize>,
    pub lists: Disclosed<Vec<Vec<Shown>>>,
    pub unread: Vec<(String, String, String, chrono::NaiveDateTime)>,
    pub questions: Vec<crate::consultation::read::Listed>,
}

/// The filter narrowed to what this person may list: organisations they refer or
/// receive for (a filter that keeps neither lists nothing), so that no caller can list
/// another organisation's children by naming it.
pub(crate) fn scoped(who: &impl Principal, mut f: Filter) -> Filter {
    let actor = who.actor();
    let (sending, receiving) = (
        crate::referral::sending_orgs(actor),
        crate::referral::receiving_orgs(actor),
    );
    f.from_orgs.retain(|o| sending.contains(o));
    f.to_orgs.retain(|o| receiving.contains(o));
    f
}

/// Loads these sections (at most `shown` rows each, each filter narrowed to what the
/// person may list) and, when `asking` names practices they ask for, their five latest
/// questions.
pub async fn load(
    svc: &Services,
    who: &impl Principal,
    filters: Vec<Filter>,
    shown: usize,
    asking: Vec<String>,
) -> Result<Inbox, Error> {
    let uid = who.actor().user_id.clone();
    let filters: Vec<Filter> = filters.into_iter().map(|f| scoped(who, f)).collect();
    let mine = crate::consultation::practices_asking(who.actor());
    let asking: Vec<String> = asking.into_iter().filter(|p| mine.contains(p)).collect();
    let (loaded, unread, questions) = svc
        .db
        .read(move |c| {
            let questions = if asking.is_empty() {
                vec![]
            } else {
                rondom_db::consultations::list(c, &asking, &[], 5)?
            };
            Ok((
                rondom_db::referrals::list_sections(c, &filters, shown)?,
                rondom_db::consultations::unread(c, &uid)?,
                questions,
            ))
        })
        .await?;
    let (found, lists): (Vec<usize>, Vec<Vec<Listed>>) = loaded.into_iter().unzip();
    Ok(Inbox {
        found,
        lists: disclose_lists(svc, who, lists).await?,
        unread,
        questions: crate::consultation::read::shown(svc, questions),
    })
}

/// One filtered list (the API's), narrowed to what the person may list, its children
/// disclosed by one logged look.
pub async fn list(
    svc: &Services,
    who: &impl Principal,
    filter: Filter,
) -> Result<Disclosed<Vec<Shown>>, Error> {
    let filter = scoped(who, filter);
    let listed = svc
        .db
        .read(move |c| rondom_db::referrals::list(c, &filter))
        .await?;
    crate::referral::disclose_list(svc, who, listed).await
}
