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

mod apply;
mod records;

pub use apply::{apply, check_existing, foreign_locations, import, missing_organisations};
pub use records::round6;

use super::{area_kind, terms};
use chrono::NaiveDate;
use records::{organisation, service};
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
    pub last_checked_on: Option<NaiveDate>,
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
    pub wait_reported_on: Option<NaiveDate>,
    pub last_checked_on: NaiveDate,
    pub tariff_cents: Option<i32>,
    pub tariff_unit: Option<String>,
    pub contracted_by: Option<String>,
    pub contract_from: Option<NaiveDate>,
    pub contract_until: Option<NaiveDate>,
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
    today: NaiveDate,
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

    fn date(&mut self, value: &str, field: &str) -> Option<NaiveDate> {
        match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
            Ok(d) => Some(d),
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
    today: NaiveDate,
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
