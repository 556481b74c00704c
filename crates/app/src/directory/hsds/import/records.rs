//! Reading one HSDS record (an organisation with its locations, a service) into what
//! the import would write, with every problem named by record and field.

use super::*;
use rondom_domain::ids::{LocationId, OrganisationId};

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

pub(super) fn organisation(
    ctx: &mut Ctx<'_>,
    v: &Value,
    path: &str,
    nested: bool,
) -> Option<OrgPlan> {
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
            kind,
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
        id: LocationId::trusted(id),
        organisation_id: OrganisationId::trusted(org_id),
        name,
        street: a.street,
        house_number: a.number,
        postcode: a.postcode,
        city: a.city,
        country: a.country,
        latitude: point.map(|p| p.0),
        longitude: point.map(|p| p.1),
        last_checked_on: checked.unwrap_or(ctx.today),
    })
}

pub(super) fn service(ctx: &mut Ctx<'_>, plan: &mut Plan, v: &Value, org_id: &str, path: &str) {
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
        last_checked_on: last_checked.unwrap_or(ctx.today),
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
