//! "Who else is involved": a professional working on a child who turns out to be in
//! another network (the same BSN, or name and birth date) is told that it exists and
//! who coordinates it (organisation and role only), and may ask to join. The case
//! director lets them in or not; the family's consent decides what they then see. The
//! match itself is logged for both children.

use super::{PROFESSIONAL, Reach, facts, job, load, record};
use crate::context::{Principal, Services};
use crate::error::Error;
use rondom_db::networks::{self as db, ACTIVE, NewMember, PROPOSED};
use rondom_db::referrals::Referral;

/// Another network around the same child, as the professional is told of it.
pub struct Recognised {
    pub network_id: String,
    pub coordinator_org: String,
    /// This person asked to join already.
    pub asked: bool,
}

/// The other networks around this referral's child that this person is not in.
pub async fn recognised(
    svc: &Services,
    who: &impl Principal,
    r: &Referral,
) -> Result<Vec<Recognised>, Error> {
    let child = r.child_id.to_string();
    let found = svc.db.read(move |c| db::recognised(c, &child)).await?;
    let mut out = Vec::new();
    for n in found {
        let Some(f) = facts(svc, &n.id).await? else {
            continue;
        };
        if f.reach(who).is_some() {
            continue;
        }
        let me = who.actor().user_id.as_str();
        let asked = f
            .members
            .iter()
            .any(|m| m.state == PROPOSED && m.user_id.as_deref() == Some(me));
        record(svc, who, "network_match", &f.network, "allowed").await?;
        let org = f.network.coordinator_org_id.to_string();
        let coordinator_org = svc
            .db
            .read(move |c| rondom_db::organisations::find(c, &org))
            .await?
            .map(|o| o.name)
            .unwrap_or_default();
        out.push(Recognised {
            network_id: n.id.to_string(),
            coordinator_org,
            asked,
        });
    }
    if !out.is_empty() {
        // The other side of the match: logged with this referral's child too.
        let e = crate::access::event(
            who,
            "network_match",
            rondom_domain::Resource::Referral {
                from: &r.from_org_id,
                to: &r.to_org_id,
            },
            "allowed",
        );
        crate::access::record(
            svc,
            rondom_db::audit::AuditEvent {
                object_id: Some(r.id.to_string()),
                child_id: Some(r.child_id.to_string()),
                ..e
            },
        )
        .await?;
    }
    Ok(out)
}

/// Asks to join a network recognised from one of this person's referrals; the case
/// director is told at once.
pub async fn ask(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    referral_id: &str,
) -> Result<(), Error> {
    let r = crate::referral::load(svc, who, referral_id, rondom_domain::Action::Read).await?;
    let known = recognised(svc, who, &r).await?;
    let Some(found) = known.iter().find(|k| k.network_id == network_id) else {
        return Err(Error::NotFound);
    };
    if found.asked {
        return Ok(());
    }
    let actor = who.actor();
    let (org, role) = actor
        .memberships
        .iter()
        .find(|(o, _)| *o == r.from_org_id.as_str() || *o == r.to_org_id.as_str())
        .cloned()
        .ok_or(Error::NotFound)?;
    let f = facts(svc, network_id).await?.ok_or(Error::NotFound)?;
    // The family with the say decides too: they are told as well.
    let family: Vec<String> = f
        .members
        .iter()
        .filter(|m| m.kind == super::FAMILY && m.is_active() && f.decides(&m.id))
        .filter_map(|m| m.user_id.as_ref().map(ToString::to_string))
        .collect();
    let (id, user, coordinator) = (network_id.to_owned(), actor.user_id.clone(), f.network);
    let name = who.display_name().to_owned();
    let coordinator_id = coordinator.coordinator_id.to_string();
    let emails = svc
        .db
        .write(move |c| {
            db::add_member(
                c,
                &id,
                &NewMember {
                    kind: PROFESSIONAL,
                    user_id: Some(&user),
                    organisation_id: Some(&org),
                    name_sealed: None,
                    relation: None,
                    gezag: false,
                    role_label: job(role),
                    state: PROPOSED,
                },
                &user,
            )?;
            rondom_db::consultations::notify(
                c,
                &coordinator_id,
                &format!("{name} vraagt om mee te doen in een netwerk dat u regisseert."),
                &format!("/netwerken/{id}"),
            )?;
            let mut emails = Vec::new();
            if let Some(u) = rondom_db::users::find(c, &coordinator_id)? {
                emails.push((u.email, false));
            }
            for user in &family {
                rondom_db::consultations::notify(
                    c,
                    user,
                    "Een hulpverlener vraagt om mee te doen in het netwerk rond uw kind. U beslist mee.",
                    &format!("/netwerken/{id}"),
                )?;
                if let Some(u) = rondom_db::users::find(c, user)? {
                    emails.push((u.email, true));
                }
            }
            Ok(emails)
        })
        .await?;
    for (to, family) in emails {
        // Content-free: no names, nothing about the child.
        let body = if family {
            "Er is een vraag voor u in Rondom over het netwerk rond uw kind."
        } else {
            "Een hulpverlener vraagt om mee te doen in een netwerk rond een kind dat u regisseert."
        };
        svc.mail_notice(
            to,
            "Verzoek om mee te doen in een netwerk",
            body,
            "Bekijk het in Rondom",
            &format!("/netwerken/{network_id}"),
        );
    }
    record(svc, who, "network_join_ask", &coordinator, "allowed").await
}

/// Lets a professional who asked in. The case director may (their membership then waits
/// for the family's consent like any other), and so may a family member with the say,
/// which is their consent to the membership as well.
pub async fn admit(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    member_id: &str,
) -> Result<(), Error> {
    let (f, reach) = load(svc, who, network_id).await?;
    let family = f
        .family_member(who)
        .filter(|me| reach == Reach::Member && f.decides(&me.id))
        .map(|me| me.id.to_string());
    if reach != Reach::Coordinates && family.is_none() {
        return Err(Error::Forbidden);
    }
    if !f
        .members
        .iter()
        .any(|m| m.id.as_str() == member_id && m.state == PROPOSED)
    {
        return Err(Error::NotFound);
    }
    let (nid, mid, by) = (
        f.network.id.to_string(),
        member_id.to_owned(),
        who.actor().user_id.clone(),
    );
    svc.db
        .write(move |c| {
            db::set_state(c, &mid, ACTIVE, &by)?;
            if let Some(me) = &family {
                db::add_answer(
                    c,
                    &nid,
                    &db::NewAnswer {
                        grantee_id: &mid,
                        category: rondom_domain::consent::Category::Membership.code(),
                        by_member_id: me,
                        given: true,
                        how: "rondom",
                        answered_on: crate::dates::today(),
                        recorded_by: &by,
                    },
                )?;
            }
            Ok(())
        })
        .await?;
    record(svc, who, "network_member_add", &f.network, "allowed").await
}
