//! Importing HSDS 3.0 JSON: one organisation or service, a list of them, or an HSDS page
//! (`{"contents": [...]}`). Every record is checked first and every problem reported with
//! its record and field; only a file without problems is written, in one transaction.
//!
//! Every import names its source (a provider, a regional directory). An identifier that
//! exists already replaces that record only when it came from the same source (a
//! provider re-delivering its data); a record made in Rondom or by another source is
//! left alone and named as a problem, unless the import is told to `update` it, and then
//! the summary says what changed. New identifiers are created. An import never changes
//! what kind of organisation a record is, and never moves a service to another
//! organisation. Texts, websites and lengths are checked as the web forms check them.
//! Our own attributes (see the parent module) restore what HSDS has no field for; data
//! from elsewhere gets sensible defaults: open-access preventive help when no kind of
//! help is given, the gemeente given on the command line when the record names none.

use super::{area_kind, terms};
use rondom_db::directory::{self, Location};
use rondom_db::organisations::{self as orgs, OrganisationInput};
use rondom_db::{AnyConnection, DbError};
use rondom_domain::OrganisationKind;
use rondom_domain::area::{Area, valid_point};
use rondom_domain::validate::{Email, GemeenteCode, Postcode, WijkCode, limits, phone_ok};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// One problem in the file, in Dutch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// "organisatie 1 (Jeugd-GGZ Horizon)".
    pub record: String,
    /// The HSDS field, e.g. "services[2].minimum_age".
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, veld {}: {}", self.record, self.field, self.message)
    }
}

pub struct OrgPlan {
    pub id: String,
    pub input: OrganisationInput,
    pub description: Option<String>,
    pub website: Option<String>,
    pub last_checked_on: Option<String>,
    pub locations: Vec<Location>,
    /// (kind, code) of the areas the organisation covers.
    pub areas: Vec<(String, String)>,
    /// Only a reference to an organisation that must already exist.
    pub reference_only: bool,
    /// Met inside a service record: it creates the organisation when it is new, but
    /// never overwrites one that exists (such a record carries only a few fields).
    pub nested: bool,
}

pub struct ServicePlan {
    pub id: String,
    pub organisation_id: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub access_route: String,
    pub age_min: i32,
    pub age_max: i32,
    pub problem_areas: String,
    pub cost: Option<String>,
    pub wait_weeks: Option<i32>,
    pub wait_reported_on: Option<String>,
    pub last_checked_on: String,
    pub tariff_cents: Option<i32>,
    pub tariff_unit: Option<String>,
    pub contracted_by: Option<String>,
    pub contract_from: Option<String>,
    pub contract_until: Option<String>,
    pub capacity: Option<i32>,
    pub areas: Vec<(Option<String>, String, String)>,
    pub location_ids: Vec<String>,
}

#[derive(Default)]
pub struct Plan {
    pub organisations: Vec<OrgPlan>,
    pub services: Vec<ServicePlan>,
    /// Services left out because their status is not `active`.
    pub skipped: usize,
    /// What was taken over only in part.
    pub warnings: Vec<ImportError>,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub warnings: Vec<ImportError>,
    pub organisations: usize,
    pub services: usize,
    pub locations: usize,
    pub skipped: usize,
    /// What the import changes in records that were there before, one line each
    /// ("organisatie Jeugd-GGZ Horizon: naam, website").
    pub changes: Vec<String>,
    /// Whether it was written (false for a dry run).
    pub written: bool,
}

/// How an import may treat what exists already.
#[derive(Debug, Clone)]
pub struct Options {
    /// Who delivered the file; records it makes carry it, and only records carrying it
    /// are replaced.
    pub source: String,
    /// Also replace records from elsewhere (made in Rondom, or by another source).
    pub update: bool,
    /// Check and report, write nothing.
    pub dry_run: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            source: "hsds".into(),
            update: false,
            dry_run: false,
        }
    }
}

/// The longest text any field of an import may carry; fields with a form of their own
/// have that form's (smaller) bound.
const TEXT_MAX: usize = 10_000;

struct Ctx<'a> {
    errors: Vec<ImportError>,
    warnings: Vec<ImportError>,
    record: String,
    default_gemeente: Option<&'a str>,
    today: &'a str,
    /// term id → (group, code)
    terms: HashMap<String, (&'static str, &'static str)>,
    seen: HashSet<String>,
}

impl Ctx<'_> {
    fn err(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(ImportError {
            record: self.record.clone(),
            field: field.to_owned(),
            message: message.into(),
        });
    }

    fn warn(&mut self, field: &str, message: &str) {
        self.warnings.push(ImportError {
            record: self.record.clone(),
            field: field.to_owned(),
            message: message.to_owned(),
        });
    }

    fn text(&mut self, v: &Value, field: &str, path: &str) -> Option<String> {
        match v.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => {
                let t = s.trim();
                if t.chars().count() > TEXT_MAX {
                    self.err(
                        &format!("{path}{field}"),
                        format!("is langer dan {TEXT_MAX} tekens"),
                    );
                    return None;
                }
                if t.chars()
                    .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
                {
                    self.err(&format!("{path}{field}"), "bevat ongeldige tekens");
                    return None;
                }
                Some(t.to_owned()).filter(|s| !s.is_empty())
            }
            Some(_) => {
                self.err(&format!("{path}{field}"), "moet tekst zijn");
                None
            }
        }
    }

    /// A text with the bound its web form sets.
    fn bounded(&mut self, v: &Value, field: &str, path: &str, max: usize) -> Option<String> {
        let t = self.text(v, field, path)?;
        if t.chars().count() > max {
            self.err(
                &format!("{path}{field}"),
                format!("is langer dan {max} tekens"),
            );
            return None;
        }
        Some(t)
    }

    fn uuid(&mut self, v: &Value, field: &str, path: &str) -> Option<String> {
        let s = self.text(v, field, path)?;
        match uuid::Uuid::parse_str(&s) {
            Ok(u) => Some(u.to_string()),
            Err(_) => {
                self.err(
                    &format!("{path}{field}"),
                    format!("“{s}” is geen geldige UUID"),
                );
                None
            }
        }
    }

    fn date(&mut self, value: &str, field: &str) -> Option<String> {
        match chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d") {
            Ok(d) => Some(d.format("%Y-%m-%d").to_string()),
            Err(_) => {
                self.err(field, format!("“{value}” is geen datum (jjjj-mm-dd)"));
                None
            }
        }
    }

    fn unique(&mut self, id: &str, field: &str) -> bool {
        if !self.seen.insert(id.to_owned()) {
            self.err(
                field,
                format!("het id {id} komt twee keer voor in het bestand"),
            );
            return false;
        }
        true
    }

    /// Our attributes of a record: (group, code, value, index in the list).
    fn attributes(
        &mut self,
        v: &Value,
        path: &str,
    ) -> Vec<(&'static str, &'static str, Option<String>, usize)> {
        let mut out = Vec::new();
        let Some(list) = v.get("attributes") else {
            return out;
        };
        let Some(list) = list.as_array() else {
            self.err(&format!("{path}attributes"), "moet een lijst zijn");
            return out;
        };
        for (i, a) in list.iter().enumerate() {
            let term_id = a
                .get("taxonomy_term_id")
                .and_then(Value::as_str)
                .or_else(|| a.pointer("/taxonomy_term/id").and_then(Value::as_str));
            let by_code = a
                .pointer("/taxonomy_term/code")
                .and_then(Value::as_str)
                .and_then(|c| c.split_once(':'))
                .and_then(|(g, c)| {
                    self.terms
                        .values()
                        .find(|(tg, tc)| *tg == g && *tc == c)
                        .copied()
                });
            let found = term_id
                .and_then(|id| self.terms.get(id).copied())
                .or(by_code);
            if let Some((group, code)) = found {
                let value = a.get("value").and_then(Value::as_str).map(str::to_owned);
                out.push((group, code, value, i));
            }
        }
        out
    }

    fn int_value(&mut self, value: Option<&str>, field: &str, max: i32) -> Option<i32> {
        let v = value?;
        match v.trim().parse::<i32>() {
            Ok(n) if (0..=max).contains(&n) => Some(n),
            _ => {
                self.err(
                    field,
                    format!("“{v}” is geen geheel getal van 0 tot en met {max}"),
                );
                None
            }
        }
    }
}

/// The records of a file: one object, a list, or an HSDS page.
fn records(doc: &Value) -> Vec<&Value> {
    match doc {
        Value::Array(items) => items.iter().collect(),
        Value::Object(o) => match o.get("contents").and_then(Value::as_array) {
            Some(items) if !o.contains_key("name") => items.iter().collect(),
            _ => vec![doc],
        },
        _ => vec![],
    }
}

enum Kind {
    Organisation,
    Service,
    ServiceAtLocation,
    /// Something HSDS knows that is not imported here, with its Dutch name.
    Other(&'static str),
}

/// What a record is, by the fields only that kind of record has.
fn kind_of(v: &Value) -> Kind {
    let has = |k: &str| v.get(k).is_some();
    if has("location_type") {
        Kind::Other("een locatie zonder organisatie")
    } else if has("service") && (has("location") || has("location_id") || has("service_id")) {
        Kind::ServiceAtLocation
    } else if has("status") || has("organization_id") || has("service_areas") || has("organization")
    {
        Kind::Service
    } else if has("taxonomy_id") || has("parent_id") || has("term_uri") || has("code") {
        Kind::Other("een taxonomieterm")
    } else if has("version") && !has("services") {
        Kind::Other("een taxonomie of API-beschrijving")
    } else if has("id") || has("name") {
        Kind::Organisation
    } else {
        Kind::Other("geen organisatie of aanbod")
    }
}

/// Checks a whole file. `today` (yyyy-mm-dd) stands in for missing last-checked dates.
pub fn plan(
    doc: &Value,
    default_gemeente: Option<&str>,
    today: &str,
) -> Result<Plan, Vec<ImportError>> {
    let mut ctx = Ctx {
        errors: Vec::new(),
        warnings: Vec::new(),
        record: "bestand".into(),
        default_gemeente,
        today,
        terms: terms()
            .into_iter()
            .filter(|t| !t.code.is_empty())
            .map(|t| (t.id(), (t.group, t.code)))
            .collect(),
        seen: HashSet::new(),
    };
    let list = records(doc);
    if list.is_empty() {
        ctx.err(
            "(bestand)",
            "het bestand bevat geen HSDS-organisaties of -aanbod (verwacht: een object, een lijst of een pagina met contents)",
        );
    }
    let mut plan = Plan::default();
    for (i, rec) in list.iter().enumerate() {
        if !rec.is_object() {
            ctx.record = format!("record {}", i + 1);
            ctx.err("(record)", "moet een object zijn");
            continue;
        }
        let name = rec
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("zonder naam");
        let kind = kind_of(rec);
        if let Kind::Other(what) = kind {
            ctx.record = format!("record {}", i + 1);
            ctx.err(
                "(record)",
                format!("dit is {what}; importeer organisaties of aanbod (organizations, services of service_at_locations)"),
            );
            continue;
        }
        // A service at a location: the service, with this location attached.
        let owned;
        let rec = if let Kind::ServiceAtLocation = kind {
            let mut service = rec.get("service").cloned().unwrap_or(Value::Null);
            if let Some(obj) = service.as_object_mut() {
                let mut at = serde_json::Map::new();
                for k in ["id", "location_id", "location"] {
                    if let Some(v) = rec.get(k) {
                        at.insert(k.into(), v.clone());
                    }
                }
                obj.insert(
                    "service_at_locations".into(),
                    Value::Array(vec![Value::Object(at)]),
                );
            }
            owned = service;
            &owned
        } else {
            *rec
        };
        let name = rec.get("name").and_then(Value::as_str).unwrap_or(name);
        if !matches!(kind, Kind::Organisation) {
            ctx.record = format!("aanbod {} ({name})", i + 1);
            let org_id = rec
                .get("organization_id")
                .and_then(Value::as_str)
                .or_else(|| rec.pointer("/organization/id").and_then(Value::as_str))
                .map(str::to_owned);
            if let Some(o) = rec.get("organization").filter(|o| o.get("name").is_some()) {
                let before = ctx.record.clone();
                ctx.record = format!("{before}, organization");
                if let Some(op) = organisation(&mut ctx, o, "organization.", true)
                    && !plan.organisations.iter().any(|p| p.id == op.id)
                {
                    plan.organisations.push(op);
                }
                ctx.record = before;
            }
            match org_id {
                Some(org_id) => service(&mut ctx, &mut plan, rec, &org_id, ""),
                None => ctx.err(
                    "organization_id",
                    "ontbreekt: bij welke organisatie hoort dit aanbod?",
                ),
            }
        } else {
            ctx.record = format!("organisatie {} ({name})", i + 1);
            let Some(op) = organisation(&mut ctx, rec, "", false) else {
                continue;
            };
            let org_id = op.id.clone();
            plan.organisations.push(op);
            if let Some(services) = rec.get("services") {
                let Some(services) = services.as_array() else {
                    ctx.err("services", "moet een lijst zijn");
                    continue;
                };
                for (j, s) in services.iter().enumerate() {
                    service(&mut ctx, &mut plan, s, &org_id, &format!("services[{j}]."));
                }
            }
        }
    }
    if ctx.errors.is_empty() {
        plan.warnings = ctx.warnings;
        Ok(plan)
    } else {
        Err(ctx.errors)
    }
}

/// "Kerkstraat 12a" → ("Kerkstraat", "12a").
fn split_address(line: &str) -> (String, String) {
    let parts: Vec<&str> = line.split_whitespace().collect();
    match parts
        .iter()
        .position(|p| p.starts_with(|c: char| c.is_ascii_digit()))
    {
        Some(i) if i > 0 => (parts[..i].join(" "), parts[i..].join(" ")),
        _ => (line.trim().to_owned(), String::new()),
    }
}

struct Address {
    street: String,
    number: String,
    postcode: String,
    city: String,
    country: String,
}

fn address(ctx: &mut Ctx<'_>, loc: &Value, path: &str) -> Option<Address> {
    let a = loc.get("addresses").and_then(Value::as_array)?.first()?;
    let p = format!("{path}addresses[0].");
    let line = ctx.text(a, "address_1", &p).unwrap_or_default();
    let (street, number) = split_address(&line);
    let country = ctx
        .text(a, "country", &p)
        .unwrap_or_else(|| "NL".into())
        .to_uppercase();
    let raw = ctx.text(a, "postal_code", &p).unwrap_or_default();
    let postcode = if country == "NL" && !raw.is_empty() {
        match Postcode::parse(&raw) {
            Ok(pc) => pc.into_inner(),
            Err(e) => {
                ctx.err(&format!("{p}postal_code"), e.message);
                raw
            }
        }
    } else {
        raw
    };
    Some(Address {
        street,
        number,
        postcode,
        city: ctx.text(a, "city", &p).unwrap_or_default(),
        country,
    })
}

fn organisation(ctx: &mut Ctx<'_>, v: &Value, path: &str, nested: bool) -> Option<OrgPlan> {
    let id = ctx.uuid(v, "id", path);
    if id.is_none() && v.get("id").is_none() {
        ctx.err(&format!("{path}id"), "ontbreekt");
    }
    let before = ctx.errors.len();
    let name = ctx.bounded(v, "name", path, limits::ORGANISATION_NAME);
    if name.is_none() && ctx.errors.len() == before {
        ctx.err(&format!("{path}name"), "ontbreekt");
    }
    let email = ctx.text(v, "email", path);
    if let Some(e) = &email
        && Email::parse(e).is_err()
    {
        ctx.err(
            &format!("{path}email"),
            format!("“{e}” is geen e-mailadres"),
        );
    }
    let mut kind = OrganisationKind::Zorgaanbieder;
    let mut last_checked = None;
    let mut areas = Vec::new();
    for (group, code, value, i) in ctx.attributes(v, path) {
        match (group, code) {
            ("organisatietype", k) => {
                if let Some(k) = OrganisationKind::parse(k) {
                    kind = k;
                }
            }
            ("gegeven", "gecontroleerd") => {
                if let Some(d) = value {
                    last_checked = ctx.date(&d, &format!("{path}attributes[{i}].value"));
                }
            }
            ("gegeven", "werkgebied") => {
                let v = value.unwrap_or_default();
                let (k, c) = v.split_once(' ').unwrap_or((v.as_str(), ""));
                match Area::parse(k, c) {
                    Ok(a) => areas.push((a.kind().to_owned(), a.code())),
                    Err(e) => ctx.err(&format!("{path}attributes[{i}].value"), e.message),
                }
            }
            _ => {}
        }
    }
    let (mut gemeente, mut wijk, mut agb) = (None, None, None);
    if let Some(list) = v.get("organization_identifiers").and_then(Value::as_array) {
        for (i, ident) in list.iter().enumerate() {
            let field = format!("{path}organization_identifiers[{i}].identifier");
            let ty = ident
                .get("identifier_type")
                .and_then(Value::as_str)
                .unwrap_or("");
            let value = ident
                .get("identifier")
                .and_then(Value::as_str)
                .unwrap_or("");
            match ty.to_lowercase().as_str() {
                "gemeentecode" => match GemeenteCode::parse(value) {
                    Ok(g) => gemeente = Some(g.into_inner()),
                    Err(e) => ctx.err(&field, e.message),
                },
                "wijkcode" => match WijkCode::parse(value) {
                    Ok(w) => wijk = Some(w.into_inner()),
                    Err(e) => ctx.err(&field, e.message),
                },
                "agb-code" => match rondom_domain::validate::AgbCode::parse(value) {
                    Ok(a) => agb = Some(a.into_inner()),
                    Err(e) => ctx.err(&field, e.message),
                },
                _ => {}
            }
        }
    }
    let gemeente = gemeente.or_else(|| ctx.default_gemeente.map(str::to_owned));
    if gemeente.is_none() && !nested {
        ctx.err(
            &format!("{path}organization_identifiers"),
            "de gemeente ontbreekt: geef een identifier met identifier_type “gemeentecode” of importeer met --gemeente",
        );
    }
    let mut postal = None;
    let mut locations = Vec::new();
    if let Some(list) = v.get("locations").and_then(Value::as_array) {
        for (i, l) in list.iter().enumerate() {
            let p = format!("{path}locations[{i}].");
            if l.get("location_type").and_then(Value::as_str) == Some("postal") {
                postal = address(ctx, l, &p);
            } else if let Some(org_id) = &id
                && let Some(loc) = location(ctx, l, org_id, &p)
                && ctx.unique(&loc.id, &format!("{p}id"))
            {
                locations.push(loc);
            }
        }
    }
    // The registration address: the postal location, else the first physical one.
    let addr = postal.or_else(|| {
        locations.first().map(|l| Address {
            street: l.street.clone(),
            number: l.house_number.clone(),
            postcode: l.postcode.clone(),
            city: l.city.clone(),
            country: l.country.clone(),
        })
    });
    let phone = v
        .get("phones")
        .and_then(Value::as_array)
        .and_then(|p| p.first())
        .and_then(|p| p.get("number"))
        .and_then(Value::as_str)
        .map(|p| p.trim().to_owned());
    // A number the form would refuse is left out with a warning (directories write
    // numbers in many ways; the rest of the record is still worth having).
    let phone = match phone {
        Some(p) if !phone_ok(&p) => {
            ctx.warn(
                &format!("{path}phones[0].number"),
                "is geen telefoonnummer van minstens tien cijfers en is weggelaten",
            );
            None
        }
        other => other,
    };
    let description = ctx.bounded(v, "description", path, limits::ORGANISATION_DESCRIPTION);
    let website = match ctx.text(v, "website", path) {
        None => None,
        Some(w) => match rondom_domain::validate::website("website", &w) {
            Ok(w) => Some(w),
            Err(e) => {
                ctx.err(&format!("{path}website"), e.message);
                None
            }
        },
    };
    let id = id?;
    // Many services may carry the same organisation; only whole records must be unique.
    if !nested && !ctx.unique(&id, &format!("{path}id")) {
        return None;
    }
    let addr = addr.unwrap_or(Address {
        street: String::new(),
        number: String::new(),
        postcode: String::new(),
        city: String::new(),
        country: "NL".into(),
    });
    Some(OrgPlan {
        reference_only: nested && gemeente.is_none(),
        nested,
        input: OrganisationInput {
            name: name?,
            kind: kind.as_str().into(),
            agb_code: agb,
            gemeente_code: gemeente.unwrap_or_default(),
            wijk_code: wijk,
            street: addr.street,
            house_number: addr.number,
            postcode: addr.postcode,
            city: addr.city,
            phone,
            email,
        },
        id,
        description,
        website,
        last_checked_on: last_checked,
        locations,
        areas,
    })
}

pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn location(ctx: &mut Ctx<'_>, l: &Value, org_id: &str, path: &str) -> Option<Location> {
    let id = ctx.uuid(l, "id", path)?;
    let lat = l.get("latitude").and_then(Value::as_f64);
    let lon = l.get("longitude").and_then(Value::as_f64);
    // Coordinates are a help for nearness, not essential: wrong ones are left out with a
    // warning instead of stopping the import.
    let point = match (lat, lon) {
        // Six decimals is 0.1 m: more is noise, and it keeps exports stable.
        (Some(a), Some(b)) if valid_point(a, b) => Some((round6(a), round6(b))),
        (None, None) => None,
        _ => {
            ctx.warn(
                &format!("{path}latitude"),
                "ongeldige of halve coördinaten, de locatie is zonder coördinaten overgenomen",
            );
            None
        }
    };
    let mut checked = None;
    for (group, code, value, i) in ctx.attributes(l, path) {
        if (group, code) == ("gegeven", "gecontroleerd")
            && let Some(d) = value
        {
            checked = ctx.date(&d, &format!("{path}attributes[{i}].value"));
        }
    }
    let addr = address(ctx, l, path);
    let name = ctx
        .text(l, "name", path)
        .or_else(|| {
            addr.as_ref()
                .map(|a| format!("{} {}", a.street, a.number).trim().to_owned())
        })
        .unwrap_or_else(|| "Locatie".into());
    let a = addr.unwrap_or(Address {
        street: String::new(),
        number: String::new(),
        postcode: String::new(),
        city: String::new(),
        country: "NL".into(),
    });
    Some(Location {
        id,
        organisation_id: org_id.to_owned(),
        name,
        street: a.street,
        house_number: a.number,
        postcode: a.postcode,
        city: a.city,
        country: a.country,
        latitude: point.map(|p| p.0),
        longitude: point.map(|p| p.1),
        last_checked_on: checked.unwrap_or_else(|| ctx.today.to_owned()),
    })
}

fn service(ctx: &mut Ctx<'_>, plan: &mut Plan, v: &Value, org_id: &str, path: &str) {
    if !v.is_object() {
        ctx.err(path.trim_end_matches('.'), "moet een object zijn");
        return;
    }
    let before = ctx.record.clone();
    if !path.is_empty() {
        let name = v
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("zonder naam");
        ctx.record = format!("{before}, aanbod {}", name);
    }
    service_inner(ctx, plan, v, org_id, path);
    ctx.record = before;
}

fn service_inner(ctx: &mut Ctx<'_>, plan: &mut Plan, v: &Value, org_id: &str, path: &str) {
    let errors_before = ctx.errors.len();
    let id = ctx.uuid(v, "id", path);
    if v.get("id").is_none() {
        ctx.err(&format!("{path}id"), "ontbreekt");
    }
    let before = ctx.errors.len();
    let name = ctx.bounded(v, "name", path, limits::SERVICE_NAME);
    if name.is_none() && ctx.errors.len() == before {
        ctx.err(&format!("{path}name"), "ontbreekt");
    }
    let status = ctx
        .text(v, "status", path)
        .unwrap_or_else(|| "active".into());
    if !matches!(
        status.as_str(),
        "active" | "inactive" | "defunct" | "temporarily closed"
    ) {
        ctx.err(
            &format!("{path}status"),
            "moet active, inactive, defunct of temporarily closed zijn",
        );
    }
    let age = |ctx: &mut Ctx<'_>, field: &str| match v.get(field) {
        None | Some(Value::Null) => None,
        Some(n) => match n.as_f64() {
            Some(a) if a.fract() == 0.0 && (0.0..=130.0).contains(&a) => Some(a as i32),
            _ => {
                ctx.err(
                    &format!("{path}{field}"),
                    "moet een leeftijd in hele jaren zijn (0 tot 130)",
                );
                None
            }
        },
    };
    let age_min = age(ctx, "minimum_age").unwrap_or(0);
    let age_max = age(ctx, "maximum_age").map_or(99, |a| a.min(99));
    if age_min > age_max {
        ctx.err(&format!("{path}maximum_age"), "is lager dan minimum_age");
    }
    let last_checked = match ctx.text(v, "assured_date", path) {
        Some(d) => ctx.date(&d, &format!("{path}assured_date")),
        None => None,
    };
    let mut s = ServicePlan {
        id: id.clone().unwrap_or_default(),
        organisation_id: org_id.to_owned(),
        name: name.clone().unwrap_or_default(),
        description: ctx
            .bounded(v, "description", path, limits::SERVICE_DESCRIPTION)
            .unwrap_or_default(),
        category: String::new(),
        access_route: String::new(),
        age_min,
        age_max,
        problem_areas: String::new(),
        cost: ctx.bounded(v, "fees_description", path, limits::COST),
        wait_weeks: None,
        wait_reported_on: None,
        last_checked_on: last_checked.unwrap_or_else(|| ctx.today.to_owned()),
        tariff_cents: None,
        tariff_unit: None,
        contracted_by: None,
        contract_from: None,
        contract_until: None,
        capacity: None,
        areas: Vec::new(),
        location_ids: Vec::new(),
    };
    let mut problems = Vec::new();
    for (group, code, value, i) in ctx.attributes(v, path) {
        let field = format!("{path}attributes[{i}].value");
        match (group, code) {
            ("categorie", c) => s.category = c.to_owned(),
            ("toegang", c) => s.access_route = c.to_owned(),
            ("probleemgebied", c) => problems.push(c),
            ("gegeven", "wachttijd_weken") => {
                s.wait_weeks = ctx.int_value(value.as_deref(), &field, 520)
            }
            ("gegeven", "capaciteit") => {
                s.capacity = ctx.int_value(value.as_deref(), &field, 100_000)
            }
            ("gegeven", "wachttijd_gemeld") => {
                s.wait_reported_on = value.and_then(|d| ctx.date(&d, &field))
            }
            ("gegeven", "contract_van") => {
                s.contract_from = value.and_then(|d| ctx.date(&d, &field))
            }
            ("gegeven", "contract_tot") => {
                s.contract_until = value.and_then(|d| ctx.date(&d, &field))
            }
            _ => {}
        }
    }
    if s.category.is_empty() {
        s.category = "preventief".into();
    }
    if s.access_route.is_empty() {
        s.access_route = "vrij".into();
    }
    s.problem_areas = problems.join(",");
    if let (Some(a), Some(b)) = (&s.contract_from, &s.contract_until)
        && a > b
    {
        ctx.err(
            &format!("{path}attributes"),
            "het contract eindigt vóór het begint",
        );
    }
    if let Some(c) = v
        .get("cost_options")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
    {
        match c.get("amount").map(Value::as_f64) {
            None => {}
            Some(Some(a)) if (0.0..1_000_000.0).contains(&a) => {
                s.tariff_cents = Some((a * 100.0).round() as i32);
            }
            Some(_) => ctx.err(
                &format!("{path}cost_options[0].amount"),
                "moet een bedrag van 0 of meer zijn",
            ),
        }
        if let Some(cur) = c.get("currency").and_then(Value::as_str)
            && cur != "EUR"
        {
            s.tariff_cents = None;
            ctx.warn(
                &format!("{path}cost_options[0].currency"),
                "alleen bedragen in euro worden als tarief overgenomen; de kostenomschrijving blijft",
            );
        }
        s.tariff_unit = c
            .get("amount_description")
            .or_else(|| c.get("option"))
            .and_then(Value::as_str)
            .map(str::to_owned);
    }
    s.contracted_by = v
        .get("funding")
        .and_then(Value::as_array)
        .and_then(|f| f.first())
        .and_then(|f| f.get("source"))
        .and_then(Value::as_str)
        .and_then(|src| GemeenteCode::parse(src).ok())
        .map(GemeenteCode::into_inner);
    if let Some(list) = v.get("service_areas").and_then(Value::as_array) {
        for (i, a) in list.iter().enumerate() {
            let p = format!("{path}service_areas[{i}].");
            let Some(kind) = a
                .get("extent_type")
                .and_then(Value::as_str)
                .and_then(area_kind)
            else {
                continue;
            };
            let extent = a.get("extent").and_then(Value::as_str).unwrap_or("");
            match Area::parse(kind, extent) {
                Ok(area) => {
                    let id = ctx.uuid(a, "id", &p);
                    if let Some(i) = &id {
                        ctx.unique(i, &format!("{p}id"));
                    }
                    s.areas.push((id, area.kind().to_owned(), area.code()));
                }
                Err(e) => ctx.err(&format!("{p}extent"), e.message),
            }
        }
    }
    if let Some(list) = v.get("service_at_locations").and_then(Value::as_array) {
        for (i, sal) in list.iter().enumerate() {
            let p = format!("{path}service_at_locations[{i}].");
            let nested = sal.get("location").filter(|l| l.is_object());
            let loc_id = sal
                .get("location_id")
                .and_then(Value::as_str)
                .or_else(|| nested.and_then(|l| l.get("id")).and_then(Value::as_str))
                .map(str::to_owned);
            let Some(loc_id) = loc_id else {
                ctx.err(&format!("{p}location_id"), "ontbreekt");
                continue;
            };
            if let Some(l) = nested
                && let Some(loc) = location(ctx, l, org_id, &format!("{p}location."))
            {
                // A location first met here joins its organisation's locations.
                if let Some(op) = plan.organisations.iter_mut().find(|o| o.id == org_id)
                    && !op.locations.iter().any(|x| x.id == loc.id)
                {
                    op.locations.push(loc);
                }
            }
            if !s.location_ids.contains(&loc_id) {
                s.location_ids.push(loc_id);
            }
        }
    }
    let Some(id) = id else { return };
    if !ctx.unique(&id, &format!("{path}id")) || ctx.errors.len() > errors_before {
        return;
    }
    if status != "active" {
        plan.skipped += 1;
        return;
    }
    plan.services.push(s);
}

/// Writes a checked plan; call inside one write transaction. Organisations that services
/// only refer to must exist already (`missing_organisations` tells which do not).
pub fn apply(
    conn: &mut AnyConnection,
    plan: &Plan,
    user_id: Option<&str>,
    source: &str,
) -> Result<Summary, DbError> {
    let mut summary = Summary {
        skipped: plan.skipped,
        warnings: plan.warnings.clone(),
        written: true,
        ..Default::default()
    };
    for o in plan.organisations.iter().filter(|o| !o.reference_only) {
        if o.nested && orgs::find(conn, &o.id)?.is_some() {
            // Only what is new is added: locations its services are given at.
            for l in &o.locations {
                if directory::find_location(conn, &l.id)?.is_none() {
                    directory::insert_location(conn, l)?;
                    summary.locations += 1;
                }
            }
            continue;
        }
        if let Some(w) = &o.input.wijk_code {
            orgs::ensure_district(conn, w, &o.input.gemeente_code)?;
        }
        if orgs::find(conn, &o.id)?.is_some() {
            orgs::update(conn, &o.id, &o.input)?;
            directory::delete_locations_of(conn, &o.id)?;
        } else {
            orgs::create_with_id(conn, &o.id, &o.input)?;
        }
        orgs::set_profile(
            conn,
            &o.id,
            o.description.as_deref(),
            o.website.as_deref(),
            o.last_checked_on.as_deref(),
        )?;
        orgs::set_import_source(conn, &o.id, Some(source))?;
        for l in &o.locations {
            directory::insert_location(conn, l)?;
            summary.locations += 1;
        }
        directory::set_organisation_areas(conn, &o.id, &o.areas)?;
        summary.organisations += 1;
    }
    let mut per_org: HashMap<&str, usize> = HashMap::new();
    // Services are written in bulk: a region's twenty thousand in a few statements.
    let ids: Vec<String> = plan.services.iter().map(|s| s.id.clone()).collect();
    let existing: Vec<String> = directory::existing_services(conn, &ids)?
        .into_keys()
        .collect();
    if !existing.is_empty() {
        directory::delete_services(conn, &existing)?;
    }
    let mut rows = Vec::with_capacity(plan.services.len());
    let mut areas = Vec::new();
    let mut links = Vec::new();
    for s in &plan.services {
        rows.push((
            s.id.as_str(),
            directory::NewService {
                organisation_id: &s.organisation_id,
                name: &s.name,
                description: &s.description,
                category: &s.category,
                access_route: &s.access_route,
                age_min: s.age_min,
                age_max: s.age_max,
                problem_areas: &s.problem_areas,
                cost: s.cost.as_deref(),
                wait_weeks: s.wait_weeks,
                wait_reported_on: s.wait_reported_on.as_deref(),
                last_checked_on: &s.last_checked_on,
                tariff_cents: s.tariff_cents,
                tariff_unit: s.tariff_unit.as_deref(),
                contracted_by: s.contracted_by.as_deref(),
                contract_from: s.contract_from.as_deref(),
                contract_until: s.contract_until.as_deref(),
                capacity: s.capacity,
            },
        ));
        for (id, kind, code) in &s.areas {
            areas.push((
                id.clone().unwrap_or_else(rondom_db::new_id),
                s.id.clone(),
                kind.clone(),
                code.clone(),
            ));
        }
        links.extend(s.location_ids.iter().map(|l| (s.id.clone(), l.clone())));
        *per_org.entry(&s.organisation_id).or_default() += 1;
        summary.services += 1;
    }
    directory::insert_services_bulk(conn, &rows, &areas, &links, Some(source))?;
    let mut touched: Vec<&str> = plan
        .organisations
        .iter()
        .filter(|o| !o.reference_only)
        .map(|o| o.id.as_str())
        .chain(per_org.keys().copied())
        .collect();
    touched.sort_unstable();
    touched.dedup();
    for org in touched {
        let n = per_org.get(org).copied().unwrap_or(0);
        directory::record_change(
            conn,
            org,
            "organisation",
            org,
            user_id,
            &format!("Geïmporteerd uit een HSDS-bestand ({n} aanbod)."),
        )?;
    }
    Ok(summary)
}

/// Organisations the plan's services need that neither the file nor `existing` holds.
pub fn missing_organisations(plan: &Plan, existing: &HashSet<String>) -> Vec<ImportError> {
    let in_file: HashSet<&str> = plan
        .organisations
        .iter()
        .filter(|o| !o.reference_only)
        .map(|o| o.id.as_str())
        .collect();
    plan.services
        .iter()
        .filter(|s| {
            !in_file.contains(s.organisation_id.as_str()) && !existing.contains(&s.organisation_id)
        })
        .map(|s| ImportError {
            record: format!("aanbod {} ({})", s.id, s.name),
            field: "organization_id".into(),
            message: format!(
                "de organisatie {} staat niet in het bestand en niet in Rondom",
                s.organisation_id
            ),
        })
        .collect()
}

/// The locations a plan's services name must belong to the service's organisation.
pub fn foreign_locations(plan: &Plan, existing: &HashMap<String, String>) -> Vec<ImportError> {
    let mut owner: HashMap<&str, &str> = existing
        .iter()
        .map(|(l, o)| (l.as_str(), o.as_str()))
        .collect();
    for o in &plan.organisations {
        for l in &o.locations {
            owner.insert(&l.id, &o.id);
        }
    }
    plan.services
        .iter()
        .flat_map(|s| {
            let owner = &owner;
            s.location_ids
                .iter()
                .filter_map(move |l| match owner.get(l.as_str()) {
                    Some(o) if *o == s.organisation_id => None,
                    Some(_) => Some(ImportError {
                        record: format!("aanbod {} ({})", s.id, s.name),
                        field: "service_at_locations".into(),
                        message: format!("de locatie {l} hoort bij een andere organisatie"),
                    }),
                    None => Some(ImportError {
                        record: format!("aanbod {} ({})", s.id, s.name),
                        field: "service_at_locations".into(),
                        message: format!("de locatie {l} is onbekend"),
                    }),
                })
        })
        .collect()
}

/// What a plan would do to the records that exist: the records it may not touch, and
/// what it changes in those it may. `existing` holds the organisations by id, `services`
/// the existing services by id (organisation, source).
pub fn check_existing(
    plan: &Plan,
    existing: &HashMap<String, orgs::Organisation>,
    services: &HashMap<String, (String, Option<String>)>,
    opts: &Options,
) -> (Vec<ImportError>, Vec<String>) {
    let mut errors = Vec::new();
    let mut changes = Vec::new();
    let foreign = |src: &Option<String>| src.as_deref() != Some(opts.source.as_str());
    let whose = |src: &Option<String>| match src {
        None => "in Rondom gemaakt".to_owned(),
        Some(s) => format!("uit de bron “{s}”"),
    };
    for o in plan
        .organisations
        .iter()
        .filter(|o| !o.reference_only && !o.nested)
    {
        let Some(old) = existing.get(&o.id) else {
            continue;
        };
        let record = format!("organisatie {} ({})", o.id, o.input.name);
        if old.kind != o.input.kind {
            errors.push(ImportError {
                record: record.clone(),
                field: "id".into(),
                message: format!(
                    "is in Rondom een {}; een import verandert niet wat voor organisatie iets is",
                    OrganisationKind::parse(&old.kind)
                        .map(|k| k.label().to_lowercase())
                        .unwrap_or_else(|| old.kind.clone())
                ),
            });
            continue;
        }
        if foreign(&old.import_source) && !opts.update {
            errors.push(ImportError {
                record,
                field: "id".into(),
                message: format!(
                    "bestaat al ({}, “{}”) en wordt niet overschreven; importeer met --update om het te vervangen",
                    whose(&old.import_source),
                    old.name
                ),
            });
            continue;
        }
        let mut what = Vec::new();
        let i = &o.input;
        for (changed, label) in [
            (old.name != i.name, "naam"),
            (old.agb_code != i.agb_code, "AGB-code"),
            (old.gemeente_code != i.gemeente_code, "gemeente"),
            (old.wijk_code != i.wijk_code, "wijk"),
            (
                (&old.street, &old.house_number, &old.postcode, &old.city)
                    != (&i.street, &i.house_number, &i.postcode, &i.city),
                "adres",
            ),
            (old.phone != i.phone, "telefoon"),
            (old.email != i.email, "e-mail"),
            (old.description != o.description, "beschrijving"),
            (old.website != o.website, "website"),
        ] {
            if changed {
                what.push(label);
            }
        }
        changes.push(format!(
            "organisatie “{}” ({}): {}",
            old.name,
            whose(&old.import_source),
            if what.is_empty() {
                "gegevens gelijk; locaties en werkgebied opnieuw".to_owned()
            } else {
                what.join(", ")
            }
        ));
    }
    for s in &plan.services {
        let Some((org, src)) = services.get(&s.id) else {
            continue;
        };
        let record = format!("aanbod {} ({})", s.id, s.name);
        if *org != s.organisation_id {
            errors.push(ImportError {
                record,
                field: "id".into(),
                message: "is in Rondom aanbod van een andere organisatie".into(),
            });
        } else if foreign(src) && !opts.update {
            errors.push(ImportError {
                record,
                field: "id".into(),
                message: format!(
                    "bestaat al ({}) en wordt niet overschreven; importeer met --update om het te vervangen",
                    whose(src)
                ),
            });
        } else {
            changes.push(format!("aanbod “{}” ({}): vervangen", s.name, whose(src)));
        }
    }
    (errors, changes)
}

/// Checks a file against the database and imports it, all or nothing.
pub async fn import(
    db: &rondom_db::Db,
    doc: &Value,
    default_gemeente: Option<&str>,
    today: &str,
    user_id: Option<String>,
    opts: &Options,
) -> Result<Result<Summary, Vec<ImportError>>, DbError> {
    let plan = match plan(doc, default_gemeente, today) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    let service_ids: Vec<String> = plan.services.iter().map(|s| s.id.clone()).collect();
    let (existing_orgs, existing_locations, existing_services) = db
        .read(move |c| {
            let orgs: HashMap<String, orgs::Organisation> = orgs::list(c)?
                .into_iter()
                .map(|o| (o.id.clone(), o))
                .collect();
            let locations: HashMap<String, String> = directory::locations_of(c, None)?
                .into_iter()
                .map(|l| (l.id, l.organisation_id))
                .collect();
            Ok((
                orgs,
                locations,
                directory::existing_services(c, &service_ids)?,
            ))
        })
        .await?;
    let ids: HashSet<String> = existing_orgs.keys().cloned().collect();
    let mut errors = missing_organisations(&plan, &ids);
    errors.extend(foreign_locations(&plan, &existing_locations));
    let (refused, changes) = check_existing(&plan, &existing_orgs, &existing_services, opts);
    errors.extend(refused);
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    if opts.dry_run {
        return Ok(Ok(Summary {
            warnings: plan.warnings.clone(),
            organisations: plan
                .organisations
                .iter()
                .filter(|o| !(o.reference_only || (o.nested && ids.contains(&o.id))))
                .count(),
            services: plan.services.len(),
            locations: plan.organisations.iter().map(|o| o.locations.len()).sum(),
            skipped: plan.skipped,
            changes,
            written: false,
        }));
    }
    let source = opts.source.clone();
    let mut summary = db
        .write(move |c| apply(c, &plan, user_id.as_deref(), &source))
        .await?;
    summary.changes = changes;
    Ok(Ok(summary))
}
