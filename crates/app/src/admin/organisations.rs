//! Organisations: their fields checked as a whole, made by a platform admin, changed by
//! the organisation's own admins (never its kind).

use crate::access;
use crate::context::{Principal, Services};
use crate::error::{Checked, Error};
use rondom_db::DbError;
use rondom_db::audit;
use rondom_db::organisations::{self as orgs, Member, Organisation, OrganisationInput};
use rondom_domain::validate::{
    AgbCode, Email, GemeenteCode, Postcode, ValidationError, WijkCode, required_text,
};
use rondom_domain::{Action, OrganisationKind, Resource};

/// An organisation's fields as typed (pages and API alike), before they are checked.
#[derive(Debug, Default, Clone)]
pub struct OrganisationFields {
    pub name: String,
    pub kind: String,
    pub agb_code: String,
    pub gemeente_code: String,
    pub wijk_code: String,
    pub street: String,
    pub house_number: String,
    pub postcode: String,
    pub city: String,
    pub phone: String,
    pub email: String,
}

impl OrganisationFields {
    /// The stored organisation's fields, for its form.
    pub fn of(o: &Organisation) -> Self {
        Self {
            name: o.name.clone(),
            kind: o.kind.as_str().to_owned(),
            agb_code: o.agb_code.clone().unwrap_or_default(),
            gemeente_code: o.gemeente_code.clone(),
            wijk_code: o.wijk_code.clone().unwrap_or_default(),
            street: o.street.clone(),
            house_number: o.house_number.clone(),
            postcode: o.postcode.clone(),
            city: o.city.clone(),
            phone: o.phone.clone().unwrap_or_default(),
            email: o.email.clone().unwrap_or_default(),
        }
    }
}

fn optional(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

/// The kinds an admin may choose for a new organisation (the platform's own is made at
/// installation only).
pub fn choosable_kinds() -> Vec<OrganisationKind> {
    OrganisationKind::ALL
        .into_iter()
        .filter(|k| *k != OrganisationKind::Platform)
        .collect()
}

/// Checks every field and reports all problems at once. `kind_fixed` is the kind of an
/// existing organisation, which never changes.
pub fn check(
    f: &OrganisationFields,
    kind_fixed: Option<OrganisationKind>,
) -> Checked<OrganisationInput> {
    let mut errors = Vec::new();
    fn take(errors: &mut Vec<ValidationError>, r: Result<String, ValidationError>) -> String {
        r.unwrap_or_else(|e| {
            errors.push(e);
            String::new()
        })
    }
    let name = take(&mut errors, required_text("name", "de naam", &f.name, 200));
    let kind = match kind_fixed.or_else(|| OrganisationKind::parse(f.kind.trim())) {
        Some(k) if k != OrganisationKind::Platform || kind_fixed.is_some() => Some(k),
        _ => None,
    };
    if kind.is_none() {
        errors.push(ValidationError::new("kind", "Kies het soort organisatie."));
    }
    let agb_code = match optional(&f.agb_code) {
        Some(a) => Some(take(&mut errors, AgbCode::parse(a).map(|a| a.into_inner()))),
        None if kind.is_some_and(OrganisationKind::requires_agb) => {
            errors.push(ValidationError::new(
                "agb_code",
                "Vul de AGB-code in: die is verplicht voor huisartsenpraktijken en zorgaanbieders.",
            ));
            None
        }
        None => None,
    };
    let gemeente_code = take(
        &mut errors,
        GemeenteCode::parse(&f.gemeente_code).map(|g| g.into_inner()),
    );
    let wijk_code = optional(&f.wijk_code)
        .map(|w| take(&mut errors, WijkCode::parse(w).map(|w| w.into_inner())));
    if let Some(w) = &wijk_code
        && !w.is_empty()
        && gemeente_code.len() == 6
        && w[2..6] != gemeente_code[2..6]
    {
        errors.push(ValidationError::new(
            "wijk_code",
            "Deze wijk hoort niet bij de gekozen gemeente.",
        ));
    }
    let street = take(
        &mut errors,
        required_text("street", "de straat", &f.street, 200),
    );
    let house_number = take(
        &mut errors,
        required_text("house_number", "het huisnummer", &f.house_number, 20),
    );
    let postcode = take(
        &mut errors,
        Postcode::parse(&f.postcode).map(|p| p.into_inner()),
    );
    let city = take(
        &mut errors,
        required_text("city", "de plaats", &f.city, 100),
    );
    let phone = optional(&f.phone).map(|p| {
        let digits = p.chars().filter(char::is_ascii_digit).count();
        if !(10..=13).contains(&digits)
            || p.chars()
                .any(|c| !(c.is_ascii_digit() || " +-()".contains(c)))
        {
            errors.push(ValidationError::new(
                "phone",
                "Vul een geldig telefoonnummer in, bijvoorbeeld 0345 123 456.",
            ));
        }
        p.to_owned()
    });
    let email =
        optional(&f.email).map(|e| take(&mut errors, Email::parse(e).map(|e| e.into_inner())));
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };
    Ok(OrganisationInput {
        name,
        kind,
        agb_code,
        gemeente_code,
        wijk_code,
        street,
        house_number,
        postcode,
        city,
        phone,
        email,
    })
}

/// A unique AGB code clash reads better as a field error than as a generic conflict.
fn conflict_as_field(e: DbError) -> Result<Vec<ValidationError>, Error> {
    match e {
        DbError::Conflict(m) if m.contains("agb") => Ok(vec![ValidationError::new(
            "agb_code",
            "Er is al een organisatie met deze AGB-code.",
        )]),
        other => Err(other.into()),
    }
}

/// A new organisation (platform admins), with its audit entry in one transaction.
pub async fn create(
    svc: &Services,
    who: &impl Principal,
    fields: &OrganisationFields,
) -> Result<Checked<Organisation>, Error> {
    access::require(svc, who, Action::Create, Resource::Organisations).await?;
    let input = match check(fields, None) {
        Ok(i) => i,
        Err(errors) => return Ok(Err(errors)),
    };
    let base = access::event(
        who,
        "organisation_create",
        Resource::Organisations,
        "allowed",
    );
    let made = svc
        .db
        .write(move |c| {
            let o = orgs::create(c, &input)?;
            let mut e = base;
            e.object_id = Some(o.id.to_string());
            audit::append(c, &e)?;
            Ok(o)
        })
        .await;
    match made {
        Ok(o) => Ok(Ok(o)),
        Err(e) => conflict_as_field(e).map(Err),
    }
}

/// Every organisation with its number of members (the platform's list).
pub async fn all_with_counts(
    svc: &Services,
    who: &impl Principal,
) -> Result<Vec<(Organisation, i64)>, Error> {
    access::require(svc, who, Action::Read, Resource::Organisations).await?;
    let (all, counts) = svc
        .db
        .read(|c| Ok((orgs::list(c)?, orgs::member_counts(c)?)))
        .await?;
    let counts: std::collections::HashMap<_, i64> = counts.into_iter().collect();
    Ok(all
        .into_iter()
        .map(|o| {
            let n = counts.get(&o.id).copied().unwrap_or(0);
            (o, n)
        })
        .collect())
}

/// The organisations this person administers (all of them for a platform admin).
pub async fn administered(
    svc: &Services,
    who: &impl Principal,
) -> Result<Vec<Organisation>, Error> {
    let actor = who.actor();
    let platform = actor.is_platform_admin();
    let ids: Vec<String> = actor
        .administered_organisations()
        .map(str::to_owned)
        .collect();
    Ok(svc
        .db
        .read(move |c| {
            if platform {
                orgs::list(c)
            } else {
                orgs::list_by_ids(c, &ids)
            }
        })
        .await?)
}

/// One organisation's fields, for one who may read it.
pub async fn one(svc: &Services, who: &impl Principal, id: &str) -> Result<Organisation, Error> {
    access::require(svc, who, Action::Read, Resource::Organisation(id)).await?;
    let id = id.to_owned();
    Ok(svc.db.read(move |c| orgs::get(c, &id)).await?)
}

/// An organisation and its members, for one who may read it.
pub async fn get(
    svc: &Services,
    who: &impl Principal,
    id: &str,
) -> Result<(Organisation, Vec<Member>), Error> {
    access::require(svc, who, Action::Read, Resource::Organisation(id)).await?;
    load(svc, id).await
}

pub(super) async fn load(svc: &Services, id: &str) -> Result<(Organisation, Vec<Member>), Error> {
    let id = id.to_owned();
    Ok(svc
        .db
        .read(move |c| Ok((orgs::get(c, &id)?, orgs::members(c, &id)?)))
        .await?)
}

/// Where an organisation is seated, as people name it: its municipality ("Gemeente
/// Voorbeeld", or the CBS code while that municipality is not in Rondom) and its wijk.
pub async fn seat_names(
    svc: &Services,
    org: &Organisation,
) -> Result<(String, Option<String>), Error> {
    let (gemeente, wijk) = (org.gemeente_code.clone(), org.wijk_code.clone());
    Ok(svc
        .db
        .read(move |c| {
            let name = orgs::municipality_name(c, &gemeente)?.unwrap_or(gemeente);
            let wijk = match wijk {
                Some(code) => Some(
                    orgs::districts(c)?
                        .into_iter()
                        .find(|d| d.code == code)
                        .map_or(code, |d| d.name),
                ),
                None => None,
            };
            Ok((name, wijk))
        })
        .await?)
}

/// What an organisation's seat is chosen from, by name: the municipalities Rondom's
/// organisations are seated in, and each one's wijken as (code, name, municipality's
/// code).
pub async fn seat_choices(
    svc: &Services,
) -> Result<
    (
        Vec<crate::referral::agreements::Gemeente>,
        Vec<(String, String, String)>,
    ),
    Error,
> {
    let (all, districts) = svc
        .db
        .read(|c| Ok((orgs::list(c)?, orgs::districts(c)?)))
        .await?;
    let mut gemeenten = crate::referral::agreements::known_gemeenten(&all);
    for d in &districts {
        if !gemeenten.iter().any(|g| g.code == d.gemeente_code) {
            gemeenten.push(crate::referral::agreements::Gemeente {
                code: d.gemeente_code.clone(),
                name: d.gemeente_code.clone(),
            });
        }
    }
    let mut wijken: Vec<(String, String, String)> = districts
        .into_iter()
        .map(|d| (d.code, d.name, d.gemeente_code))
        .collect();
    wijken.sort_by(|a, b| (&a.2, &a.1).cmp(&(&b.2, &b.1)));
    Ok((gemeenten, wijken))
}

/// The organisation, for one who may change it (its form).
pub async fn for_update(
    svc: &Services,
    who: &impl Principal,
    id: &str,
) -> Result<Organisation, Error> {
    access::require(svc, who, Action::Update, Resource::Organisation(id)).await?;
    Ok(load(svc, id).await?.0)
}

/// Changes an organisation's fields (its kind stays), with the audit entry.
pub async fn update(
    svc: &Services,
    who: &impl Principal,
    id: &str,
    fields: &OrganisationFields,
) -> Result<Checked<()>, Error> {
    let org = for_update(svc, who, id).await?;
    let input = match check(fields, Some(org.kind)) {
        Ok(i) => i,
        Err(errors) => return Ok(Err(errors)),
    };
    let e = access::event(
        who,
        "organisation_update",
        Resource::Organisation(id),
        "allowed",
    );
    let oid = id.to_owned();
    let result = svc
        .db
        .write(move |c| {
            orgs::update(c, &oid, &input)?;
            audit::append(c, &e)?;
            Ok(())
        })
        .await;
    match result {
        Ok(()) => Ok(Ok(())),
        Err(e) => conflict_as_field(e).map(Err),
    }
}
