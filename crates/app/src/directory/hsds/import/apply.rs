//! Writing a checked plan in one transaction, and the checks that need the database: the
//! organisations a service names, the locations that belong to others, the records that
//! exist already (and from which source).

use super::*;
use rondom_domain::ids::{LocationId, OrganisationId};

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
            o.last_checked_on,
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
                wait_reported_on: s.wait_reported_on,
                last_checked_on: s.last_checked_on,
                tariff_cents: s.tariff_cents,
                tariff_unit: s.tariff_unit.as_deref(),
                contracted_by: s.contracted_by.as_deref(),
                contract_from: s.contract_from,
                contract_until: s.contract_until,
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
pub fn foreign_locations(
    plan: &Plan,
    existing: &HashMap<LocationId, OrganisationId>,
) -> Vec<ImportError> {
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
    existing: &HashMap<OrganisationId, orgs::Organisation>,
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
        let Some(old) = existing.get(o.id.as_str()) else {
            continue;
        };
        let record = format!("organisatie {} ({})", o.id, o.input.name);
        if old.kind != o.input.kind {
            errors.push(ImportError {
                record: record.clone(),
                field: "id".into(),
                message: format!(
                    "is in Rondom een {}; een import verandert niet wat voor organisatie iets is",
                    old.kind.label().to_lowercase()
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

/// Checks a file against the database and imports it, all or nothing; the import's
/// audit entry (`file` names where it came from) is written in the same transaction.
pub async fn import(
    db: &rondom_db::Db,
    doc: &Value,
    default_gemeente: Option<&str>,
    today: NaiveDate,
    user_id: Option<String>,
    file: &str,
    opts: &Options,
) -> Result<Result<Summary, Vec<ImportError>>, DbError> {
    let plan = match plan(doc, default_gemeente, today) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    let service_ids: Vec<String> = plan.services.iter().map(|s| s.id.clone()).collect();
    let (existing_orgs, existing_locations, existing_services) = db
        .read(move |c| {
            let orgs: HashMap<OrganisationId, orgs::Organisation> = orgs::list(c)?
                .into_iter()
                .map(|o| (o.id.clone(), o))
                .collect();
            let locations: HashMap<LocationId, OrganisationId> = directory::locations_of(c, None)?
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
    let ids: HashSet<String> = existing_orgs.keys().map(|k| k.to_string()).collect();
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
    let (file, update, replaced) = (file.to_owned(), opts.update, changes.len());
    let mut summary = db
        .write(move |c| {
            let s = apply(c, &plan, user_id.as_deref(), &source)?;
            let reason = format!(
                "HSDS {file} from source {source}: {} organisations, {} services, {replaced} replaced{}",
                s.organisations,
                s.services,
                if update { " (--update)" } else { "" }
            );
            crate::console::record_import(c, reason)?;
            Ok(s)
        })
        .await?;
    summary.changes = changes;
    Ok(Ok(summary))
}
