//! Members of an organisation: added by its admins (a new person gets an invitation to
//! set a password), removed by them, never leaving an organisation without an admin.

use crate::access;
use crate::auth::links::{self, INVITE_VALID_HOURS};
use crate::context::{Principal, Services};
use crate::error::{Checked, Error};
use rondom_db::organisations::{self as orgs, Member, Organisation};
use rondom_db::{DbError, audit, users};
use rondom_domain::validate::{Email, ValidationError, required_text};
use rondom_domain::{Action, Resource, Role};

const ELSEWHERE: &str = "existing account outside the admin's organisations";

/// A member as asked for: name, e-mail address and role code.
#[derive(Debug, Default, Clone)]
pub struct NewMember {
    pub name: String,
    pub email: String,
    pub role: String,
}

/// The roles this person may give a member of this organisation: those that fit its
/// kind, and the platform admin's only to a platform admin.
pub fn roles_for(who: &impl Principal, org: &Organisation) -> Vec<Role> {
    let platform = who.actor().is_platform_admin();
    Role::for_kind(org.kind)
        .into_iter()
        .filter(|r| *r != Role::Beheerder || platform)
        .collect()
}

/// The organisation and its members, for one who manages its members.
pub async fn for_managing(
    svc: &Services,
    who: &impl Principal,
    org_id: &str,
) -> Result<(Organisation, Vec<Member>), Error> {
    access::require(
        svc,
        who,
        Action::ManageMembers,
        Resource::Organisation(org_id),
    )
    .await?;
    super::organisations::load(svc, org_id).await
}

/// Adds a member. An organisation admin may add people who are new to Rondom, or who
/// already work in an organisation this admin manages; anyone else's account (and
/// whether it exists) stays out of sight. Platform admins may link any account. A person
/// new to Rondom gets an invitation by e-mail.
pub async fn add(
    svc: &Services,
    who: &impl Principal,
    org_id: &str,
    input: &NewMember,
) -> Result<Checked<()>, Error> {
    let (org, _) = for_managing(svc, who, org_id).await?;
    let kind = org.kind;
    let actor = who.actor();
    let mut errors = Vec::new();
    let email = Email::parse(&input.email).map_err(|e| errors.push(e)).ok();
    let name = required_text("name", "de naam", &input.name, 200)
        .map_err(|e| errors.push(e))
        .ok();
    let role = Role::parse(input.role.trim()).filter(|r| r.fits(kind));
    if role.is_none() {
        errors.push(ValidationError::new(
            "role",
            "Kies een rol die bij deze organisatie past.",
        ));
    }
    // Only a platform admin may make someone a platform admin.
    if role == Some(Role::Beheerder) && !actor.is_platform_admin() {
        errors.push(ValidationError::new(
            "role",
            "Alleen een platformbeheerder kan platformbeheerders aanwijzen.",
        ));
    }
    let (Some(email), Some(name), Some(role), true) = (email, name, role, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let email = email.into_inner();
    let mut e = access::event(who, "member_add", Resource::Organisation(org_id), "allowed");
    e.reason = Some(format!("{email} as {}", role.as_str()));
    let oid = org_id.to_owned();
    let em = email.clone();
    let may_link: Option<Vec<String>> = (!actor.is_platform_admin()).then(|| {
        actor
            .administered_organisations()
            .map(str::to_owned)
            .collect()
    });
    let result = svc
        .db
        .write(move |c| {
            let (uid, created) = match users::find_by_email(c, &em)? {
                Some(u) => {
                    if let Some(allowed) = &may_link {
                        let theirs = users::memberships_of(c, &u.id)?;
                        if !theirs
                            .iter()
                            .any(|m| allowed.iter().any(|a| *a == m.organisation_id))
                        {
                            return Err(DbError::Conflict(ELSEWHERE.into()));
                        }
                    }
                    (u.id, false)
                }
                None => (
                    users::create(
                        c,
                        &users::NewUser {
                            email: &em,
                            name: &name,
                            password_hash: None,
                            family_role: None,
                            is_demo: false,
                        },
                    )?,
                    true,
                ),
            };
            orgs::add_membership(c, &uid, &oid, role.as_str())?;
            e.object_id = Some(oid.clone());
            e.reason = Some(format!("{} (user {uid})", e.reason.unwrap_or_default()));
            audit::append(c, &e)?;
            // A new person gets the link to set a first password with their membership.
            created
                .then(|| links::issue(c, &uid, INVITE_VALID_HOURS))
                .transpose()
        })
        .await;
    match result {
        Ok(invitation) => {
            if let Some(token) = invitation {
                links::mail(svc, &email, &token, INVITE_VALID_HOURS, true);
            }
            Ok(Ok(()))
        }
        Err(DbError::Conflict(m)) => {
            let message = if m == ELSEWHERE {
                "Dit e-mailadres kan hier niet worden toegevoegd. Vraag de platformbeheerder om de persoon aan uw organisatie te koppelen."
            } else {
                "Deze persoon heeft deze rol hier al."
            };
            Ok(Err(vec![ValidationError::new("email", message)]))
        }
        Err(e) => Err(e.into()),
    }
}

/// Removes a membership (matched on both its id and the organisation). An organisation
/// never loses its last admin by accident, and only platform admins take away platform
/// admin rights.
pub async fn remove(
    svc: &Services,
    who: &impl Principal,
    org_id: &str,
    membership_id: &str,
) -> Result<(), Error> {
    access::require(
        svc,
        who,
        Action::ManageMembers,
        Resource::Organisation(org_id),
    )
    .await?;
    let mut e = access::event(
        who,
        "member_remove",
        Resource::Organisation(org_id),
        "allowed",
    );
    let (oid, mid) = (org_id.to_owned(), membership_id.to_owned());
    let is_platform = who.actor().is_platform_admin();
    svc.db
        .write(move |c| {
            let (uid, role) = orgs::remove_membership(c, &oid, &mid)?;
            if role == Role::OrganisatieBeheerder.as_str()
                && orgs::count_role(c, &oid, &role)? == 0
                && !is_platform
            {
                return Err(DbError::Conflict("last organisation admin".into()));
            }
            if role == Role::Beheerder.as_str()
                && (!is_platform || orgs::count_role(c, &oid, &role)? == 0)
            {
                return Err(DbError::Conflict("last platform admin".into()));
            }
            e.reason = Some(format!("user {uid} as {role}"));
            audit::append(c, &e)?;
            Ok(())
        })
        .await
        .map_err(|err| match err {
            DbError::Conflict(_) => Error::Refused(
                "Dit lid kan niet verwijderd worden: de organisatie houdt minstens één beheerder."
                    .into(),
            ),
            other => other.into(),
        })
}
