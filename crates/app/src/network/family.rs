//! The family in the network, and taking members out of it.

use super::{FAMILY, Reach, load, record};
use crate::context::{Principal, Services};
use crate::error::{Checked, Error};
use rondom_db::networks::{self as db, ACTIVE, NewMember, REMOVED};
use rondom_domain::consent::Relation;
use rondom_domain::ids::MemberId;
use rondom_domain::validate::ValidationError;

/// A family member as the case director enters them (a parent, carer or the youth).
#[derive(Debug, Clone, Default)]
pub struct NewFamily {
    pub name: String,
    /// A `Relation` code.
    pub relation: String,
    /// Holds parental authority (gezag); never for the youth.
    pub gezag: bool,
}

fn check(input: &NewFamily) -> Result<(String, Relation), Vec<ValidationError>> {
    let mut errors = Vec::new();
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(ValidationError::new(
            "naam",
            "Vul de naam in (hoogstens 100 tekens).",
        ));
    }
    let relation = Relation::parse(&input.relation);
    if relation.is_none() {
        errors.push(ValidationError::new(
            "relatie",
            "Kies wie het is: ouder, voogd, pleegouder, familie of de jongere zelf.",
        ));
    }
    if relation == Some(Relation::Jeugdige) && input.gezag {
        errors.push(ValidationError::new(
            "gezag",
            "De jongere zelf heeft geen gezag over zichzelf; zet het vinkje uit.",
        ));
    }
    match relation {
        Some(r) if errors.is_empty() => Ok((name, r)),
        _ => Err(errors),
    }
}

/// Adds a family member; only the case director who coordinates may.
pub async fn add(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    input: &NewFamily,
) -> Result<Checked<MemberId>, Error> {
    let (f, reach) = load(svc, who, network_id).await?;
    if reach != Reach::Coordinates {
        return Err(Error::Forbidden);
    }
    let (name, relation) = match check(input) {
        Ok(ok) => ok,
        Err(e) => return Ok(Err(e)),
    };
    let sealed = svc.secrets.seal(&name).map_err(Error::Internal)?;
    let (id, by, gezag) = (
        f.network.id.to_string(),
        who.actor().user_id.clone(),
        input.gezag,
    );
    let member = svc
        .db
        .write(move |c| {
            db::add_member(
                c,
                &id,
                &NewMember {
                    kind: FAMILY,
                    user_id: None,
                    organisation_id: None,
                    name_sealed: Some(&sealed),
                    relation: Some(relation.code()),
                    gezag,
                    role_label: relation.label(),
                    state: ACTIVE,
                },
                &by,
            )
        })
        .await?;
    record(svc, who, "network_member_add", &f.network, "allowed").await?;
    Ok(Ok(member))
}

/// Who may take a member out, and whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remover {
    /// The case director: anyone but themselves.
    Coordinator,
    /// A family member with the say: any professional or organisation, the GP and the
    /// municipality included, but not the case director and not their own family.
    Family,
}

/// Whether this person may take members out of the network, and as whom.
pub fn remover(f: &super::Facts, who: &impl Principal, reach: Reach) -> Option<Remover> {
    if reach == Reach::Coordinates {
        return Some(Remover::Coordinator);
    }
    f.family_member(who)
        .filter(|me| f.decides(&me.id))
        .map(|_| Remover::Family)
}

/// Takes a member out of the network (or refuses one who asked to join); they lose
/// access on their next request. The case director may, and so may the family with the
/// say, for any professional or organisation; the case director cannot be taken out
/// this way.
pub async fn remove(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    member_id: &str,
) -> Result<(), Error> {
    let (f, reach) = load(svc, who, network_id).await?;
    let Some(by_whom) = remover(&f, who, reach) else {
        return Err(Error::Forbidden);
    };
    // Only a member of this network: the id comes from the form.
    let Some(m) = f
        .members
        .iter()
        .find(|m| m.id.as_str() == member_id && m.state != REMOVED)
    else {
        return Err(Error::NotFound);
    };
    if m.user_id.as_deref() == Some(f.network.coordinator_id.as_str()) {
        return Err(Error::Refused(if by_whom == Remover::Family {
            "De casusregisseur regelt het netwerk en blijft erin. Wilt u een andere casusregisseur? Vraag het aan de teamleider van het sociaal team.".into()
        } else {
            "De casusregisseur blijft in het netwerk. Draag de regie eerst over.".into()
        }));
    }
    if by_whom == Remover::Family && m.kind == FAMILY {
        return Err(Error::Refused(
            "Een gezinslid haalt u niet zelf uit het netwerk. Bespreek het met de casusregisseur."
                .into(),
        ));
    }
    let (mid, by) = (m.id.to_string(), who.actor().user_id.clone());
    svc.db
        .write(move |c| db::set_state(c, &mid, REMOVED, &by))
        .await?;
    let action = if m.state == rondom_db::networks::PROPOSED {
        "network_join_refuse"
    } else {
        "network_member_remove"
    };
    record(svc, who, action, &f.network, "allowed").await
}

/// Invites a family member by e-mail: an account (or their existing family account) is
/// linked to them, and a single-use link to set a password goes out, valid a week. The
/// mail says nothing about the child. Only the case director who coordinates may.
pub async fn invite(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    member_id: &str,
    email: &str,
) -> Result<Checked<()>, Error> {
    let (f, reach) = load(svc, who, network_id).await?;
    if reach != Reach::Coordinates {
        return Err(Error::Forbidden);
    }
    let Some(m) = f
        .members
        .iter()
        .find(|m| m.id.as_str() == member_id && m.is_active() && m.kind == FAMILY)
    else {
        return Err(Error::NotFound);
    };
    let email = match rondom_domain::validate::Email::parse(email) {
        Ok(e) => e.into_inner(),
        Err(_) => {
            return Ok(Err(vec![ValidationError::new(
                "email",
                "Vul een e-mailadres in, zoals naam@voorbeeld.nl.",
            )]));
        }
    };
    let name = m
        .name_sealed
        .as_deref()
        .map(|s| svc.secrets.open_shown(s, "member name"))
        .unwrap_or_default();
    let role = if m.relation.as_deref() == Some(Relation::Jeugdige.code()) {
        rondom_domain::Role::Jeugdige
    } else {
        rondom_domain::Role::OuderVerzorger
    };
    let (mid, em) = (m.id.to_string(), email.clone());
    let token = svc
        .db
        .write(move |c| {
            let uid = match rondom_db::users::find_by_email(c, &em)? {
                // A professional's account is not a family member's.
                Some(u) if u.family_role.is_none() => {
                    return Err(rondom_db::DbError::Conflict("professional".into()));
                }
                Some(u) => u.id,
                None => rondom_db::users::create(
                    c,
                    &rondom_db::users::NewUser {
                        email: &em,
                        name: &name,
                        password_hash: None,
                        family_role: Some(role.as_str()),
                        is_demo: false,
                    },
                )?,
            };
            db::set_member_user(c, &mid, &uid)?;
            crate::auth::links::issue(c, &uid, crate::auth::links::FAMILY_INVITE_VALID_HOURS)
        })
        .await;
    match token {
        Ok(token) => {
            crate::auth::links::mail_family(svc, &email, &token);
            record(svc, who, "network_invite", &f.network, "allowed").await?;
            Ok(Ok(()))
        }
        Err(rondom_db::DbError::Conflict(_)) => Ok(Err(vec![ValidationError::new(
            "email",
            "Dit e-mailadres hoort bij het account van een professional. Vraag het gezinslid om een eigen e-mailadres.",
        )])),
        Err(e) => Err(e.into()),
    }
}
