//! A service as its owner types it in the sociale kaart's form, and the checks that
//! turn it into a `ServiceInput` (every problem reported at once, in Dutch, on the field
//! it is about). The page shows the form again with what was typed.

use super::index::AreaChoice;
use super::offer::ServiceInput;
use super::rows::{AreaRow, Location, ServiceRow};
use rondom_domain::area::Area;
use rondom_domain::catalogue::{self, ACCESS_ROUTES, CATEGORIES, PROBLEM_AREAS};
use rondom_domain::validate::{GemeenteCode, ValidationError, required_text};

/// The form as typed, so that it can be shown again with its errors.
#[derive(Default, Clone)]
pub struct ServiceForm {
    pub naam: String,
    pub beschrijving: String,
    pub categorie: String,
    pub toegang: String,
    pub leeftijd_van: String,
    pub leeftijd_tot: String,
    pub probleem: Vec<String>,
    pub kosten: String,
    pub tarief: String,
    pub tarief_eenheid: String,
    pub wachttijd: String,
    pub capaciteit: String,
    pub contract_gemeente: String,
    pub contract_van: String,
    pub contract_tot: String,
    /// Areas ticked from the list, as werkgebied lines ("wijk WK999901").
    pub gebied: Vec<String>,
    /// Areas typed, one per line: postcode ranges and areas outside the list.
    pub gebieden: String,
    pub locatie: Vec<String>,
}

/// Splits werkgebied lines into those on offer as ticks and the rest as typed lines, so
/// that a form shows each area where it can be changed.
pub fn split_areas(lines: Vec<String>, offered: &[AreaChoice]) -> (Vec<String>, String) {
    let (ticked, typed): (Vec<String>, Vec<String>) = lines
        .into_iter()
        .partition(|l| offered.iter().any(|c| c.value == *l));
    (ticked, typed.join("\n"))
}

/// A werkgebied from its ticked and typed areas; problems with typed lines name their
/// line (under the field `gebieden`).
pub fn parse_werkgebied(ticked: &[String], typed: &str) -> Result<Vec<Area>, Vec<ValidationError>> {
    let mut areas = parse_area_lines(&ticked.join("\n")).map_err(|_| {
        vec![ValidationError::new(
            "gebieden",
            "Kies de gebieden uit de lijst.",
        )]
    })?;
    for a in parse_area_lines(typed)? {
        if !areas.contains(&a) {
            areas.push(a);
        }
    }
    Ok(areas)
}

impl ServiceForm {
    pub fn has_problem(&self, code: &str) -> bool {
        self.probleem.iter().any(|p| p == code)
    }

    pub fn has_area(&self, value: &str) -> bool {
        self.gebied.iter().any(|g| g == value)
    }

    /// The form with its areas where they can be changed: those on the list ticked,
    /// the rest typed.
    pub fn with_offered(mut self, offered: &[AreaChoice]) -> Self {
        let mut lines = std::mem::take(&mut self.gebied);
        lines.extend(
            self.gebieden
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned),
        );
        let (ticked, typed) = split_areas(lines, offered);
        self.gebied = ticked;
        self.gebieden = typed;
        self
    }

    pub fn has_location(&self, id: &str) -> bool {
        self.locatie.iter().any(|l| l == id)
    }

    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            let slot = match k.as_str() {
                "naam" => &mut f.naam,
                "beschrijving" => &mut f.beschrijving,
                "categorie" => &mut f.categorie,
                "toegang" => &mut f.toegang,
                "leeftijd_van" => &mut f.leeftijd_van,
                "leeftijd_tot" => &mut f.leeftijd_tot,
                "kosten" => &mut f.kosten,
                "tarief" => &mut f.tarief,
                "tarief_eenheid" => &mut f.tarief_eenheid,
                "wachttijd" => &mut f.wachttijd,
                "capaciteit" => &mut f.capaciteit,
                "contract_gemeente" => &mut f.contract_gemeente,
                "contract_van" => &mut f.contract_van,
                "contract_tot" => &mut f.contract_tot,
                "gebieden" => &mut f.gebieden,
                "probleem" => {
                    f.probleem.push(v);
                    continue;
                }
                "gebied" => {
                    f.gebied.push(v);
                    continue;
                }
                "locatie" => {
                    f.locatie.push(v);
                    continue;
                }
                _ => continue,
            };
            *slot = v;
        }
        f
    }

    pub fn from_row(s: &ServiceRow, areas: &[AreaRow], locations: &[String]) -> Self {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let num = |v: Option<i32>| v.map(|n| n.to_string()).unwrap_or_default();
        Self {
            naam: s.name.clone(),
            beschrijving: s.description.clone(),
            categorie: s.category.clone(),
            toegang: s.access_route.clone(),
            leeftijd_van: s.age_min.to_string(),
            leeftijd_tot: if s.age_max >= 99 {
                String::new()
            } else {
                s.age_max.to_string()
            },
            probleem: catalogue::parse_areas(&s.problem_areas)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            kosten: opt(&s.cost),
            tarief: s
                .tariff_cents
                .map(|c| format!("{},{:02}", c / 100, c % 100))
                .unwrap_or_default(),
            tarief_eenheid: opt(&s.tariff_unit),
            wachttijd: num(s.wait_weeks),
            capaciteit: num(s.capacity),
            contract_gemeente: opt(&s.contracted_by),
            contract_van: s.contract_from.map(|d| d.to_string()).unwrap_or_default(),
            contract_tot: s.contract_until.map(|d| d.to_string()).unwrap_or_default(),
            gebied: areas
                .iter()
                .map(|a| format!("{} {}", a.kind, a.code))
                .collect(),
            gebieden: String::new(),
            locatie: locations.to_vec(),
        }
    }
}

fn number(
    field: &'static str,
    input: &str,
    max: i32,
    message: &'static str,
    errors: &mut Vec<ValidationError>,
) -> Option<i32> {
    let t = input.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<i32>() {
        Ok(n) if (0..=max).contains(&n) => Some(n),
        _ => {
            errors.push(ValidationError::new(field, message));
            None
        }
    }
}

fn date(
    field: &'static str,
    input: &str,
    errors: &mut Vec<ValidationError>,
) -> Option<chrono::NaiveDate> {
    let t = input.trim();
    if t.is_empty() {
        return None;
    }
    match chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(ValidationError::new(
                field,
                "Vul een datum in als jjjj-mm-dd, bijvoorbeeld 2027-01-01.",
            ));
            None
        }
    }
}

/// "105", "105,50" or "€ 105.50" → cents.
pub fn euros(input: &str) -> Option<i32> {
    let t = input
        .trim()
        .trim_start_matches('€')
        .trim()
        .replace(',', ".");
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let cents = format!("{frac:0<2}").parse::<i64>().ok()?;
    let total = whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)?;
    i32::try_from(total).ok().filter(|c| *c < 100_000_000)
}

impl ServiceForm {
    /// Checks every field; `own_locations` are the organisation's (the only ones allowed).
    pub fn parse(&self, own_locations: &[Location]) -> Result<ServiceInput, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut take = |r: Result<String, ValidationError>| match r {
            Ok(v) => v,
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        let name = take(required_text("naam", "de naam", &self.naam, 200));
        let description = take(required_text(
            "beschrijving",
            "een beschrijving",
            &self.beschrijving,
            4000,
        ));
        if !CATEGORIES.iter().any(|(c, _)| *c == self.categorie) {
            errors.push(ValidationError::new("categorie", "Kies het soort hulp."));
        }
        if !ACCESS_ROUTES.iter().any(|(c, _)| *c == self.toegang) {
            errors.push(ValidationError::new(
                "toegang",
                "Kies hoe iemand toegang krijgt.",
            ));
        }
        let age_min = number(
            "leeftijd_van",
            &self.leeftijd_van,
            99,
            "Vul de leeftijd vanaf in als een getal van 0 tot en met 99.",
            &mut errors,
        )
        .unwrap_or(0);
        let age_max = number(
            "leeftijd_tot",
            &self.leeftijd_tot,
            99,
            "Vul de leeftijd tot en met in als een getal van 0 tot en met 99, of laat het leeg.",
            &mut errors,
        )
        .unwrap_or(99);
        if age_min > age_max {
            errors.push(ValidationError::new(
                "leeftijd_tot",
                "De leeftijd tot en met is lager dan de leeftijd vanaf.",
            ));
        }
        let mut areas_chosen = Vec::new();
        for p in &self.probleem {
            match PROBLEM_AREAS.iter().find(|(c, _)| c == p) {
                Some((c, _)) => areas_chosen.push(*c),
                None => errors.push(ValidationError::new(
                    "probleem",
                    "Kies probleemgebieden uit de lijst.",
                )),
            }
        }
        if areas_chosen.is_empty() {
            errors.push(ValidationError::new(
                "probleem",
                "Kies minstens één probleemgebied.",
            ));
        }
        let cost = Some(self.kosten.trim().to_owned()).filter(|c| !c.is_empty());
        if cost.as_ref().is_some_and(|c| c.chars().count() > 200) {
            errors.push(ValidationError::new(
                "kosten",
                "Houd de kosten korter dan 200 tekens.",
            ));
        }
        let tariff_cents = match self.tarief.trim() {
            "" => None,
            t => {
                let c = euros(t);
                if c.is_none() {
                    errors.push(ValidationError::new(
                        "tarief",
                        "Vul het tarief in euro in, bijvoorbeeld 105 of 105,50.",
                    ));
                }
                c
            }
        };
        let tariff_unit = Some(self.tarief_eenheid.trim().to_owned()).filter(|u| !u.is_empty());
        if tariff_cents.is_some() && tariff_unit.is_none() {
            errors.push(ValidationError::new(
                "tarief_eenheid",
                "Zeg waar het tarief voor is, bijvoorbeeld ‘per uur’ of ‘per traject’.",
            ));
        }
        let wait_weeks = number(
            "wachttijd",
            &self.wachttijd,
            520,
            "Vul de wachttijd in als een aantal weken (0 = geen wachttijd).",
            &mut errors,
        );
        let capacity = number(
            "capaciteit",
            &self.capaciteit,
            100_000,
            "Vul de capaciteit in als een aantal plaatsen.",
            &mut errors,
        );
        let contracted_by = match self.contract_gemeente.trim() {
            "" => None,
            g => match GemeenteCode::parse(g) {
                Ok(g) => Some(g.into_inner()),
                Err(_) => {
                    errors.push(ValidationError::new(
                        "contract_gemeente",
                        "Een gemeentecode is GM met vier cijfers, zoals GM0363.",
                    ));
                    None
                }
            },
        };
        let contract_from = date("contract_van", &self.contract_van, &mut errors);
        let contract_until = date("contract_tot", &self.contract_tot, &mut errors);
        if (contract_from.is_some() || contract_until.is_some())
            && contracted_by.is_none()
            && self.contract_gemeente.trim().is_empty()
        {
            errors.push(ValidationError::new(
                "contract_gemeente",
                "Vul de gemeente in die het contract heeft gesloten.",
            ));
        }
        if let (Some(a), Some(b)) = (&contract_from, &contract_until)
            && a > b
        {
            errors.push(ValidationError::new(
                "contract_tot",
                "Het contract eindigt vóór het begint.",
            ));
        }
        let areas = match parse_werkgebied(&self.gebied, &self.gebieden) {
            Ok(a) => a,
            Err(e) => {
                errors.extend(e);
                Vec::new()
            }
        };
        let mut locations = Vec::new();
        for l in &self.locatie {
            if own_locations.iter().any(|o| &o.id == l) {
                if !locations.contains(l) {
                    locations.push(l.clone());
                }
            } else {
                errors.push(ValidationError::new(
                    "locatie",
                    "Kies locaties van uw eigen organisatie.",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ServiceInput {
            name,
            description,
            category: self.categorie.clone(),
            access_route: self.toegang.clone(),
            age_min,
            age_max,
            problem_areas: areas_chosen.join(","),
            cost,
            tariff_cents,
            tariff_unit,
            wait_weeks,
            capacity,
            contracted_by,
            contract_from,
            contract_until,
            areas,
            locations,
        })
    }
}

/// A werkgebied as typed: one area per line, "gemeente GM0363", "wijk WK036301" or
/// "postcode 1011-1019"; problems name their line.
pub fn parse_area_lines(text: &str) -> Result<Vec<Area>, Vec<ValidationError>> {
    let mut areas = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text
        .lines()
        .map(str::trim)
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
    {
        let (kind, code) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        match Area::parse(&kind.to_lowercase(), code) {
            Ok(a) if !areas.contains(&a) => areas.push(a),
            Ok(_) => {}
            Err(e) => errors.push(ValidationError::new(
                "gebieden",
                format!("Regel {}: {}", i + 1, e.message),
            )),
        }
    }
    if errors.is_empty() {
        Ok(areas)
    } else {
        Err(errors)
    }
}
