//! Networks around some of the demo's children, one per age band, with their families:
//! two parents with gezag and a parent without under 12; a youth of 12 to 15 who decides
//! with her parent; a youth of 16 or older who keeps her messages and documents from her
//! parent. Demo logins for the first parent and for that youth.

use super::world::{Organisations, World};
use super::{DemoLogin, slug};
use rondom_app::network::{FAMILY, PROFESSIONAL};
use rondom_db::networks::{self as nets, ACTIVE, NewAnswer, NewMember};
use rondom_db::referrals::{self as refs, Filter, Listed};
use rondom_db::{AnyConnection, DbError, users};
use rondom_domain::Role;
use rondom_domain::consent::{Category, Relation};
use rondom_domain::referral::Status;

/// A family member to create: (first name, relation, gezag, login role if any).
type Kin = (&'static str, Relation, bool, Option<&'static str>);

/// A family's make-up, for the children whose age fits.
type Band = (&'static [Kin], fn(i32) -> bool);

const UNDER_12: &[Kin] = &[
    ("Sanne", Relation::Ouder, true, Some("ouder")),
    ("Mark", Relation::Ouder, true, None),
    ("Peter", Relation::Ouder, false, None),
];
const FROM_12: &[Kin] = &[
    ("Yvonne", Relation::Ouder, true, None),
    ("", Relation::Jeugdige, false, None),
];
const FROM_16: &[Kin] = &[
    ("Karin", Relation::Ouder, true, None),
    ("", Relation::Jeugdige, false, Some("jongere")),
];

pub(super) fn build(
    c: &mut AnyConnection,
    w: &mut World,
    o: &Organisations,
    secrets: &rondom_app::secrets::SecretBox,
) -> Result<(), DbError> {
    let running = refs::list(
        c,
        &Filter {
            to_orgs: vec![o.team.id.to_string()],
            statuses: vec![Status::Accepted, Status::InProgress],
            limit: 500,
            ..Filter::default()
        },
    )?;
    let today = w.today;
    let age = |l: &Listed| rondom_app::referral::age_on(l.child_birth_date, today);
    let bands: [Band; 3] = [
        (UNDER_12, |a| a < 12),
        (FROM_12, |a| (12..16).contains(&a)),
        (FROM_16, |a| a >= 16),
    ];
    let mut used: Vec<String> = Vec::new();
    for (kin, fits) in bands {
        let Some(l) = running.iter().find(|l| {
            fits(age(l))
                && l.r.case_director_id.is_some()
                && !used.contains(&l.r.child_id.to_string())
        }) else {
            continue;
        };
        used.push(l.r.child_id.to_string());
        let child = secrets.open(&l.child_name_sealed).unwrap_or_default();
        one(c, w, l, &child, kin)?;
    }
    Ok(())
}

fn one(
    c: &mut AnyConnection,
    w: &mut World,
    l: &Listed,
    child: &str,
    kin: &[Kin],
) -> Result<(), DbError> {
    let r = &l.r;
    let Some(director) = r.case_director_id.as_ref().map(ToString::to_string) else {
        return Ok(());
    };
    let (first, surname) = child.split_once(' ').unwrap_or((child, "Jansen"));
    let members = [
        NewMember {
            kind: PROFESSIONAL,
            user_id: Some(&director),
            organisation_id: Some(&r.to_org_id),
            name_sealed: None,
            relation: None,
            gezag: false,
            role_label: "casusregisseur",
            state: ACTIVE,
        },
        NewMember {
            kind: PROFESSIONAL,
            user_id: Some(&r.referrer_id),
            organisation_id: Some(&r.from_org_id),
            name_sealed: None,
            relation: None,
            gezag: false,
            role_label: "huisarts",
            state: ACTIVE,
        },
    ];
    let network = nets::open(
        c,
        &r.child_id,
        &director,
        &r.to_org_id,
        Some(&r.id),
        &director,
        &members,
    )?;
    let professionals = nets::members(c, &network)?;
    let member_of = |user: &str| {
        professionals
            .iter()
            .find(|m| m.user_id.as_deref() == Some(user))
            .map(|m| m.id.to_string())
            .unwrap_or_default()
    };
    let (referrer_member, director_member) = (member_of(&r.referrer_id), member_of(&director));
    let mut family: Vec<(String, Relation, bool)> = Vec::new();
    for (name, relation, gezag, login) in kin {
        let name = if *relation == Relation::Jeugdige {
            child.to_owned()
        } else {
            format!("{name} {surname}")
        };
        let domain = if *relation == Relation::Jeugdige {
            "jong"
        } else {
            "gezin"
        };
        let email = format!(
            "{}.{}@{domain}.example",
            slug(name.split(' ').next().unwrap_or(first)),
            slug(surname)
        );
        let role = if *relation == Relation::Jeugdige {
            Role::Jeugdige
        } else {
            Role::OuderVerzorger
        };
        let uid = users::create(
            c,
            &users::NewUser {
                email: &email,
                name: &name,
                password_hash: Some(w.password_hash),
                family_role: Some(role.as_str()),
                is_demo: true,
            },
        )?;
        w.user_count += 1;
        if let Some(login) = login {
            w.logins.push(DemoLogin {
                role: login,
                email,
                organisation: "gezin".into(),
            });
        }
        let id = nets::add_member(
            c,
            &network,
            &NewMember {
                kind: FAMILY,
                user_id: Some(&uid),
                organisation_id: None,
                name_sealed: None,
                relation: Some(relation.code()),
                gezag: *gezag,
                role_label: relation.label(),
                state: ACTIVE,
            },
            &director,
        )?;
        family.push((id.to_string(), *relation, *gezag));
    }
    let on = w.today - chrono::Duration::days(10);
    let mut answer = |by: &str, grantee: &str, category: Category, given: bool| {
        nets::add_answer(
            c,
            &network,
            &NewAnswer {
                grantee_id: grantee,
                category: category.code(),
                by_member_id: by,
                given,
                how: "mondeling",
                answered_on: on,
                recorded_by: &director,
            },
        )
    };
    let deciders: Vec<&(String, Relation, bool)> = family
        .iter()
        .filter(|(_, rel, gezag)| *gezag || *rel == Relation::Jeugdige)
        .collect();
    let youth_alone = kin.as_ptr() == FROM_16.as_ptr();
    // Everyone with the say lets the case director do everything, and the GP take part
    // and read the referral and the plan.
    for (by, rel, _) in &deciders {
        if youth_alone && *rel != Relation::Jeugdige {
            continue;
        }
        for cat in Category::ALL {
            answer(by, &director_member, cat, true)?;
        }
        for cat in [
            Category::Membership,
            Category::ReferralDetails,
            Category::Plan,
        ] {
            answer(by, &referrer_member, cat, true)?;
        }
    }
    // The parent without gezag may take part and see the plan.
    for (grantee, _, _) in family
        .iter()
        .filter(|(_, rel, gezag)| !gezag && *rel != Relation::Jeugdige)
    {
        for (by, _, _) in &deciders {
            answer(by, grantee, Category::Membership, true)?;
            answer(by, grantee, Category::Plan, true)?;
        }
    }
    // From 16 the youth decides what her parent sees: the plan yes, her messages and
    // documents no.
    if youth_alone
        && let (Some((youth, _, _)), Some((parent, _, _))) = (
            family.iter().find(|(_, rel, _)| *rel == Relation::Jeugdige),
            family.iter().find(|(_, rel, _)| *rel != Relation::Jeugdige),
        )
    {
        answer(youth, parent, Category::Membership, true)?;
        answer(youth, parent, Category::Plan, true)?;
        answer(youth, parent, Category::Messages, false)?;
        answer(youth, parent, Category::Documents, false)?;
    }
    Ok(())
}
