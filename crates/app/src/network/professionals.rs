//! The case director adds professionals from the sociale kaart's people (by name,
//! organisation or function, those in the child's gemeente first), an organisation as a
//! whole (a school, a provider), or a guardian institution (a gecertificeerde
//! instelling with voogdij) as the family's guardian. What a new member sees waits for
//! the family's consent.

use super::{FAMILY, ORGANISATION, PROFESSIONAL, Reach, job, load, record, works_with_children};
use crate::context::{Principal, Services};
use crate::error::{Checked, Error};
use rondom_db::networks::{self as db, ACTIVE, NewMember, REMOVED};
use rondom_domain::OrganisationKind;
use rondom_domain::consent::Relation;
use rondom_domain::validate::ValidationError;

/// Someone the case director may add.
pub struct Candidate {
    pub user_id: String,
    pub name: String,
    /// Their function on the sociale kaart, or their role.
    pub job: String,
    pub organisation_id: String,
    pub organisation: String,
    /// Works in the child's gemeente.
    pub nearby: bool,
    /// Already in the network.
    pub member: bool,
}

/// How many people a search shows.
const SHOWN: usize = 25;

/// Professionals matching every word typed, those in the child's gemeente first. Only
/// the case director searches here.
pub async fn search(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    query: &str,
) -> Result<Vec<Candidate>, Error> {
    let (f, reach) = load(svc, who, network_id).await?;
    if reach != Reach::Coordinates {
        return Err(Error::Forbidden);
    }
    let words: Vec<String> = query
        .split_whitespace()
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 2)
        .take(5)
        .collect();
    if words.is_empty() {
        return Ok(vec![]);
    }
    let found = svc
        .db
        .read(move |c| rondom_db::directory::search(c, &words, 200))
        .await?;
    let here = f.child.gemeente_code.clone();
    let mut out: Vec<Candidate> = found
        .into_iter()
        .filter(|p| works_with_children(p.role))
        .map(|p| Candidate {
            member: f
                .members
                .iter()
                .any(|m| m.state != REMOVED && m.user_id.as_deref() == Some(p.user_id.as_str())),
            nearby: p.gemeente_code == here,
            user_id: p.user_id.to_string(),
            name: p.name,
            job: p
                .job_title
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| job(p.role).to_owned()),
            organisation_id: p.organisation_id.to_string(),
            organisation: p.organisation_name,
        })
        .collect();
    // Stable: the database's order by name stays within each group.
    out.sort_by_key(|c| !c.nearby);
    out.dedup_by(|a, b| a.user_id == b.user_id && a.organisation_id == b.organisation_id);
    out.truncate(SHOWN);
    Ok(out)
}

/// Adds a professional found on the sociale kaart, for one organisation they work for.
pub async fn add(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    user_id: &str,
    organisation_id: &str,
) -> Result<Checked<()>, Error> {
    let (f, reach) = load(svc, who, network_id).await?;
    if reach != Reach::Coordinates {
        return Err(Error::Forbidden);
    }
    if f.members
        .iter()
        .any(|m| m.state != REMOVED && m.user_id.as_deref() == Some(user_id))
    {
        return Ok(Err(vec![ValidationError::new(
            "wie",
            "Deze persoon doet al mee in het netwerk.",
        )]));
    }
    let (nid, uid, org, by) = (
        f.network.id.to_string(),
        user_id.to_owned(),
        organisation_id.to_owned(),
        who.actor().user_id.clone(),
    );
    let added = svc
        .db
        .write(move |c| {
            // The ids come from the form: the person must work there, as a professional.
            let Some(role) = rondom_db::organisations::members(c, &org)?
                .into_iter()
                .find(|m| m.user_id == uid && !m.disabled && works_with_children(m.role))
                .map(|m| m.role)
            else {
                return Ok(false);
            };
            db::add_member(
                c,
                &nid,
                &NewMember {
                    kind: PROFESSIONAL,
                    user_id: Some(&uid),
                    organisation_id: Some(&org),
                    name_sealed: None,
                    relation: None,
                    gezag: false,
                    role_label: job(role),
                    state: ACTIVE,
                },
                &by,
            )?;
            Ok(true)
        })
        .await?;
    if !added {
        return Err(Error::NotFound);
    }
    record(svc, who, "network_member_add", &f.network, "allowed").await?;
    Ok(Ok(()))
}

/// Adds an organisation as a whole: a school or provider (all who do its work with
/// children reach what the family allows), or a guardian institution that holds
/// voogdij, which then decides on consent like a parent with gezag.
pub async fn add_organisation(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    organisation_id: &str,
    guardian: bool,
) -> Result<Checked<()>, Error> {
    let (f, reach) = load(svc, who, network_id).await?;
    if reach != Reach::Coordinates {
        return Err(Error::Forbidden);
    }
    let org_id = organisation_id.to_owned();
    let Some(org) = svc
        .db
        .read(move |c| rondom_db::organisations::find(c, &org_id))
        .await?
    else {
        return Err(Error::NotFound);
    };
    if f.members.iter().any(|m| {
        m.state != REMOVED
            && m.user_id.is_none()
            && m.organisation_id.as_deref() == Some(org.id.as_str())
    }) {
        return Ok(Err(vec![ValidationError::new(
            "organisatie",
            "Deze organisatie doet al mee in het netwerk.",
        )]));
    }
    if guardian && org.kind != OrganisationKind::Zorgaanbieder {
        return Ok(Err(vec![ValidationError::new(
            "organisatie",
            "Een voogd is een gecertificeerde instelling. Kies die organisatie.",
        )]));
    }
    let (kind, label, relation) = if guardian {
        (
            FAMILY,
            Relation::Voogd.label(),
            Some(Relation::Voogd.code()),
        )
    } else {
        (
            ORGANISATION,
            match org.kind {
                OrganisationKind::School => "school",
                OrganisationKind::Huisartsenpraktijk => "huisartsenpraktijk",
                OrganisationKind::SociaalTeam => "sociaal team",
                _ => "zorgaanbieder",
            },
            None,
        )
    };
    let (nid, oid, by) = (
        f.network.id.to_string(),
        org.id.to_string(),
        who.actor().user_id.clone(),
    );
    svc.db
        .write(move |c| {
            db::add_member(
                c,
                &nid,
                &NewMember {
                    kind,
                    user_id: None,
                    organisation_id: Some(&oid),
                    name_sealed: None,
                    relation,
                    gezag: guardian,
                    role_label: label,
                    state: ACTIVE,
                },
                &by,
            )
        })
        .await?;
    record(svc, who, "network_member_add", &f.network, "allowed").await?;
    Ok(Ok(()))
}
