//! The sociale kaart as Open Referral HSDS 3.0: our vocabularies as one taxonomy, and
//! organisations, services and locations in the shapes of the compiled HSDS schemas.
//!
//! What HSDS has no field for (kind of help, access route, problem areas, waiting time,
//! capacity, contract period, kind of organisation, last-checked dates) travels as
//! `attributes` linking a term of our taxonomy, with a `value` where one is needed, so
//! that an export imports back without loss. Identifiers of derived records (addresses,
//! attributes, phones…) are UUID v5 of their owner and purpose: the same data exports
//! the same, byte for byte.

pub mod import;
pub mod records;

use rondom_db::directory::{AreaRow, Location, ServiceRow};
use rondom_db::organisations::Organisation;
use rondom_domain::OrganisationKind;
use rondom_domain::catalogue::{ACCESS_ROUTES, CATEGORIES, PROBLEM_AREAS};
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// Namespace of Rondom's derived identifiers.
const NAMESPACE: Uuid = Uuid::from_u128(0x5d1c_2b8e_7a43_4f0e_9c6d_3e1f_0a2b_4c5d);

pub fn derived_id(owner: &str, purpose: &str) -> String {
    Uuid::new_v5(&NAMESPACE, format!("{owner}/{purpose}").as_bytes()).to_string()
}

pub const TAXONOMY_NAME: &str = "Rondom sociale kaart";

pub fn taxonomy_id() -> String {
    derived_id("taxonomy", "rondom")
}

/// A term of our taxonomy. Groups are the top level; their terms have the group as
/// parent. Value terms carry their meaning in the attribute's `value`.
pub struct Term {
    pub group: &'static str,
    pub code: &'static str,
    pub name: &'static str,
}

impl Term {
    /// "categorie:preventief"; a group's own code is the group.
    pub fn full_code(&self) -> String {
        if self.code.is_empty() {
            self.group.to_owned()
        } else {
            format!("{}:{}", self.group, self.code)
        }
    }

    pub fn id(&self) -> String {
        derived_id("term", &self.full_code())
    }
}

const GROUPS: &[(&str, &str)] = &[
    ("categorie", "Soort hulp"),
    ("toegang", "Toegang"),
    ("probleemgebied", "Probleemgebied"),
    ("organisatietype", "Soort organisatie"),
    ("gegeven", "Gegevens van de sociale kaart"),
];

/// Terms whose attribute carries a value.
pub const VALUE_TERMS: &[(&str, &str)] = &[
    ("wachttijd_weken", "Wachttijd in weken"),
    ("wachttijd_gemeld", "Datum waarop de wachttijd is gemeld"),
    ("capaciteit", "Capaciteit (aantal plaatsen)"),
    ("contract_van", "Contract geldig vanaf"),
    ("contract_tot", "Contract geldig tot en met"),
    ("gecontroleerd", "Laatst gecontroleerd op"),
    (
        "werkgebied",
        "Werkgebied van de organisatie (soort en code)",
    ),
];

pub fn terms() -> Vec<Term> {
    let mut out: Vec<Term> = GROUPS
        .iter()
        .map(|(group, name)| Term {
            group,
            code: "",
            name,
        })
        .collect();
    let mut add = |group: &'static str, list: &[(&'static str, &'static str)]| {
        out.extend(list.iter().map(|(code, name)| Term { group, code, name }));
    };
    add("categorie", CATEGORIES);
    add("toegang", ACCESS_ROUTES);
    add("probleemgebied", PROBLEM_AREAS);
    let kinds: Vec<(&'static str, &'static str)> = OrganisationKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect();
    add("organisatietype", &kinds);
    add("gegeven", VALUE_TERMS);
    out
}

pub fn taxonomy_json() -> Value {
    json!({
        "id": taxonomy_id(),
        "name": TAXONOMY_NAME,
        "description": "De vaste lijsten van Rondom: soort hulp, toegang, probleemgebieden, soorten organisaties en de gegevens die HSDS zelf niet kent.",
        "version": "1",
    })
}

pub fn term_json(t: &Term) -> Value {
    let parent = (!t.code.is_empty()).then(|| derived_id("term", t.group));
    strip(json!({
        "id": t.id(),
        "code": t.full_code(),
        "name": t.name,
        "description": t.name,
        "parent_id": parent,
        "taxonomy": TAXONOMY_NAME,
        "taxonomy_id": taxonomy_id(),
        "language": "nl",
    }))
}

fn find_term(group: &str, code: &str) -> Option<Term> {
    terms()
        .into_iter()
        .find(|t| t.group == group && t.code == code)
}

/// An attribute of `link_id` naming term group:code, with an optional value.
fn attribute(
    link_id: &str,
    link_type: &str,
    group: &str,
    code: &str,
    value: Option<String>,
) -> Value {
    attribute_nth(link_id, link_type, group, code, value, None)
}

/// As `attribute`, for a term that occurs more than once on one record (`n` keeps the
/// identifiers apart).
fn attribute_nth(
    link_id: &str,
    link_type: &str,
    group: &str,
    code: &str,
    value: Option<String>,
    n: Option<usize>,
) -> Value {
    let Some(term) = find_term(group, code) else {
        return Value::Null;
    };
    strip(json!({
        "id": derived_id(
            link_id,
            &match n {
                Some(n) => format!("attribute/{}/{n}", term.full_code()),
                None => format!("attribute/{}", term.full_code()),
            },
        ),
        "link_id": link_id,
        "link_type": link_type,
        "link_entity": link_type,
        "taxonomy_term_id": term.id(),
        "value": value,
        "taxonomy_term": term_json(&term),
    }))
}

/// Removes nulls and empty arrays: HSDS fields are typed, so an absent value must be
/// left out rather than written as null.
pub fn strip(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter_map(|(k, v)| {
                    let v = strip(v);
                    match &v {
                        Value::Null => None,
                        Value::Array(a) if a.is_empty() => None,
                        _ => Some((k, v)),
                    }
                })
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(strip)
                .filter(|v| !v.is_null())
                .collect(),
        ),
        other => other,
    }
}

fn area_extent_type(kind: &str) -> &'static str {
    match kind {
        "gemeente" => "cbs_gemeente",
        "wijk" => "cbs_wijk",
        _ => "postcode_range",
    }
}

pub fn area_kind(extent_type: &str) -> Option<&'static str> {
    match extent_type {
        "cbs_gemeente" => Some("gemeente"),
        "cbs_wijk" => Some("wijk"),
        "postcode_range" => Some("postcode"),
        _ => None,
    }
}

pub fn location_json(l: &Location) -> Value {
    let (street, number) = (&l.street, &l.house_number);
    strip(json!({
        "id": l.id,
        "location_type": "physical",
        "organization_id": l.organisation_id,
        "name": l.name,
        "latitude": l.latitude,
        "longitude": l.longitude,
        "addresses": [{
            "id": derived_id(&l.id, "address"),
            "location_id": l.id,
            "address_1": format!("{street} {number}").trim(),
            "city": l.city,
            "state_province": "",
            "postal_code": l.postcode,
            "country": l.country,
            "address_type": "physical",
        }],
        "attributes": [attribute(&l.id, "location", "gegeven", "gecontroleerd", Some(crate::dates::iso_date(l.last_checked_on)))],
    }))
}

/// The organisation's own (registration) address, as a postal location.
fn postal_location_json(o: &Organisation) -> Value {
    let id = derived_id(&o.id, "postal");
    json!({
        "id": id,
        "location_type": "postal",
        "organization_id": o.id,
        "name": o.name,
        "addresses": [{
            "id": derived_id(&o.id, "postal/address"),
            "location_id": id,
            "address_1": format!("{} {}", o.street, o.house_number).trim(),
            "city": o.city,
            "state_province": "",
            "postal_code": o.postcode,
            "country": "NL",
            "address_type": "postal",
        }],
    })
}

/// The one-to-one fields of an organisation (the `organization_list` shape).
pub fn organization_brief(o: &Organisation) -> Value {
    strip(json!({
        "id": o.id,
        "name": o.name,
        "description": o.description.clone().unwrap_or_default(),
        "email": o.email,
        "website": o.website,
    }))
}

/// A whole organisation with its locations and, when given, its services.
pub fn organization_full(
    o: &Organisation,
    locations: &[Location],
    areas: &[(String, String)],
    services: Option<Vec<Value>>,
) -> Value {
    let mut v = organization_brief(o);
    let mut identifiers = vec![json!({
        "id": derived_id(&o.id, "identifier/gemeente"),
        "organization_id": o.id,
        "identifier_scheme": "CBS",
        "identifier_type": "gemeentecode",
        "identifier": o.gemeente_code,
    })];
    if let Some(w) = &o.wijk_code {
        identifiers.push(json!({
            "id": derived_id(&o.id, "identifier/wijk"),
            "organization_id": o.id,
            "identifier_scheme": "CBS",
            "identifier_type": "wijkcode",
            "identifier": w,
        }));
    }
    if let Some(agb) = &o.agb_code {
        identifiers.push(json!({
            "id": derived_id(&o.id, "identifier/agb"),
            "organization_id": o.id,
            "identifier_scheme": "AGB",
            "identifier_type": "AGB-code",
            "identifier": agb,
        }));
    }
    let mut all_locations = vec![postal_location_json(o)];
    all_locations.extend(locations.iter().map(location_json));
    let mut attributes = vec![
        attribute(
            &o.id,
            "organization",
            "organisatietype",
            o.kind.as_str(),
            None,
        ),
        attribute(
            &o.id,
            "organization",
            "gegeven",
            "gecontroleerd",
            o.last_checked_on.map(crate::dates::iso_date),
        ),
    ];
    attributes.extend(areas.iter().enumerate().map(|(i, (kind, code))| {
        attribute_nth(
            &o.id,
            "organization",
            "gegeven",
            "werkgebied",
            Some(format!("{kind} {code}")),
            Some(i),
        )
    }));
    let extra = json!({
        "phones": o.phone.as_ref().map(|p| vec![json!({
            "id": derived_id(&o.id, "phone"),
            "organization_id": o.id,
            "number": p,
        })]),
        "organization_identifiers": identifiers,
        "locations": all_locations,
        "attributes": attributes,
        "services": services,
    });
    merge(&mut v, extra);
    strip(v)
}

fn merge(into: &mut Value, from: Value) {
    if let (Value::Object(a), Value::Object(b)) = (into, from) {
        a.extend(b);
    }
}

fn wait_text(s: &ServiceRow) -> Option<String> {
    let w = s.wait_weeks?;
    Some(match &s.wait_reported_on {
        Some(on) => format!("{w} weken (gemeld {on})"),
        None => format!("{w} weken"),
    })
}

/// The one-to-one fields of a service with its organisation (the `service_list` shape).
pub fn service_brief(s: &ServiceRow, org: Option<&Organisation>) -> Value {
    strip(json!({
        "id": s.id,
        "organization_id": s.organisation_id,
        "name": s.name,
        "description": s.description,
        "status": "active",
        "fees_description": s.cost,
        "wait_time": wait_text(s),
        "minimum_age": s.age_min,
        "maximum_age": (s.age_max < 99).then_some(s.age_max),
        "assured_date": s.last_checked_on,
        "organization": org.map(organization_brief),
    }))
}

/// A whole service: areas, locations, tariff, funding and our attributes.
pub fn service_full(
    s: &ServiceRow,
    org: Option<&Organisation>,
    areas: &[&AreaRow],
    locations: &[&Location],
) -> Value {
    let mut v = service_brief(s, org);
    let a = |group: &str, code: &str, value: Option<String>| {
        attribute(&s.id, "service", group, code, value)
    };
    let mut attributes = vec![
        a("categorie", &s.category, None),
        a("toegang", &s.access_route, None),
    ];
    attributes.extend(
        rondom_domain::catalogue::parse_areas(&s.problem_areas)
            .into_iter()
            .map(|p| a("probleemgebied", p, None)),
    );
    attributes.push(a(
        "gegeven",
        "wachttijd_weken",
        s.wait_weeks.map(|w| w.to_string()),
    ));
    attributes.push(a(
        "gegeven",
        "wachttijd_gemeld",
        s.wait_reported_on.map(crate::dates::iso_date),
    ));
    attributes.push(a(
        "gegeven",
        "capaciteit",
        s.capacity.map(|c| c.to_string()),
    ));
    attributes.push(a(
        "gegeven",
        "contract_van",
        s.contract_from.map(crate::dates::iso_date),
    ));
    attributes.push(a(
        "gegeven",
        "contract_tot",
        s.contract_until.map(crate::dates::iso_date),
    ));
    let extra = json!({
        "service_areas": areas.iter().map(|r| json!({
            "id": r.id,
            "service_id": s.id,
            "name": rondom_domain::area::Area::parse(&r.kind, &r.code).map(|x| x.label()).unwrap_or_else(|_| r.code.clone()),
            "extent": r.code,
            "extent_type": area_extent_type(&r.kind),
        })).collect::<Vec<_>>(),
        "service_at_locations": locations.iter().map(|l| json!({
            "id": derived_id(&s.id, &format!("at/{}", l.id)),
            "service_id": s.id,
            "location_id": l.id,
            "location": location_json(l),
        })).collect::<Vec<_>>(),
        "cost_options": s.tariff_cents.map(|cents| vec![json!({
            "id": derived_id(&s.id, "tariff"),
            "service_id": s.id,
            "option": s.tariff_unit,
            "currency": "EUR",
            "amount": f64::from(cents) / 100.0,
            "amount_description": s.tariff_unit,
        })]),
        "funding": s.contracted_by.as_ref().map(|g| vec![json!({
            "id": derived_id(&s.id, "funding"),
            "service_id": s.id,
            "source": g,
        })]),
        "attributes": attributes,
    });
    merge(&mut v, extra);
    strip(v)
}

/// An HSDS page around `contents`.
pub fn page(contents: Vec<Value>, total: usize, page: usize, per_page: usize) -> Value {
    let total_pages = total.div_ceil(per_page.max(1)).max(1);
    json!({
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": contents.len(),
        "first_page": page <= 1,
        "last_page": page >= total_pages,
        "empty": contents.is_empty(),
        "contents": contents,
    })
}

/// Everything needed to export (part of) the sociale kaart, read in one go.
pub struct Snapshot {
    pub organisations: Vec<Organisation>,
    /// (organisation id, kind, code)
    pub organisation_areas: Vec<(String, String, String)>,
    pub locations: Vec<Location>,
    pub services: Vec<ServiceRow>,
    pub areas: Vec<AreaRow>,
    pub links: Vec<(String, String)>,
}

impl Snapshot {
    /// The organisations of the sociale kaart (all but the platform's own) with their
    /// locations and services; `only` narrows to some organisations.
    pub fn load(
        conn: &mut rondom_db::AnyConnection,
        only: Option<&[String]>,
    ) -> Result<Self, rondom_db::DbError> {
        use rondom_db::directory as d;
        let organisations: Vec<Organisation> = match only {
            Some(ids) => rondom_db::organisations::list_by_ids(conn, ids)?,
            None => rondom_db::organisations::list(conn)?,
        }
        .into_iter()
        .filter(|o| o.kind != OrganisationKind::Platform)
        .collect();
        let ids: Vec<String> = organisations.iter().map(|o| o.id.to_string()).collect();
        let services = d::services_of_all(conn, &ids)?;
        let service_ids: Vec<String> = services.iter().map(|s| s.id.to_string()).collect();
        let whole = only.is_none();
        Ok(Self {
            organisation_areas: d::organisation_areas(conn, (!whole).then_some(&ids[..]))?,
            locations: d::locations_of(conn, (!whole).then_some(&ids[..]))?,
            areas: d::areas_of(conn, (!whole).then_some(&service_ids[..]))?,
            links: d::service_location_links(conn, (!whole).then_some(&service_ids[..]))?,
            services,
            organisations,
        })
    }

    pub fn organisation(&self, id: &str) -> Option<&Organisation> {
        self.organisations.iter().find(|o| o.id == id)
    }

    pub fn service_full(&self, s: &ServiceRow) -> Value {
        let areas: Vec<&AreaRow> = self.areas.iter().filter(|a| a.service_id == s.id).collect();
        let locations: Vec<&Location> = self
            .links
            .iter()
            .filter(|(sid, _)| *sid == s.id)
            .filter_map(|(_, lid)| self.locations.iter().find(|l| l.id == *lid))
            .collect();
        service_full(s, self.organisation(&s.organisation_id), &areas, &locations)
    }

    /// Every organisation, whole, with whole services: the export format of
    /// `rondom export hsds`, which `rondom import hsds` reads back.
    pub fn organizations_full(&self) -> Vec<Value> {
        let mut areas: std::collections::HashMap<&str, Vec<&AreaRow>> = Default::default();
        for a in &self.areas {
            areas.entry(a.service_id.as_str()).or_default().push(a);
        }
        let by_id: std::collections::HashMap<&str, &Location> =
            self.locations.iter().map(|l| (l.id.as_str(), l)).collect();
        let mut at: std::collections::HashMap<&str, Vec<&Location>> = Default::default();
        for (s, l) in &self.links {
            if let Some(loc) = by_id.get(l.as_str()) {
                at.entry(s.as_str()).or_default().push(loc);
            }
        }
        self.organisations
            .iter()
            .map(|o| {
                let services: Vec<Value> = self
                    .services
                    .iter()
                    .filter(|s| s.organisation_id == o.id)
                    .map(|s| {
                        service_full(
                            s,
                            None,
                            areas.get(s.id.as_str()).map_or(&[][..], |v| &v[..]),
                            at.get(s.id.as_str()).map_or(&[][..], |v| &v[..]),
                        )
                    })
                    .collect();
                let locations: Vec<Location> = self
                    .locations
                    .iter()
                    .filter(|l| l.organisation_id == o.id)
                    .cloned()
                    .collect();
                let areas: Vec<(String, String)> = self
                    .organisation_areas
                    .iter()
                    .filter(|a| a.0 == o.id)
                    .map(|a| (a.1.clone(), a.2.clone()))
                    .collect();
                organization_full(o, &locations, &areas, Some(services))
            })
            .collect()
    }
}
