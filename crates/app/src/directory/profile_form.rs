//! An organisation's profile and its locations as typed in their forms, and the checks
//! that turn them into what the use cases store.

use super::profile::Profile;
use super::rows::{Location, Organisation};
use rondom_domain::area::valid_point;
use rondom_domain::validate::{
    Email, Postcode, ValidationError, limits, optional_text, phone_ok, required_text,
};
use serde::Deserialize;

pub fn optional(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ProfileForm {
    pub beschrijving: String,
    pub website: String,
    pub telefoon: String,
    pub email: String,
    /// Areas ticked from the list, as werkgebied lines ("wijk WK999901").
    pub gebied: Vec<String>,
    /// Areas typed, one per line (see `service_form::parse_area_lines`).
    pub werkgebied: String,
    /// A social team's consultation line and when it is staffed.
    pub overleglijn_telefoon: String,
    pub overleglijn_tijden: String,
}

impl ProfileForm {
    pub fn from_org(o: &Organisation, areas: &[(String, String, String)]) -> Self {
        Self {
            beschrijving: o.description.clone().unwrap_or_default(),
            website: o.website.clone().unwrap_or_default(),
            telefoon: o.phone.clone().unwrap_or_default(),
            email: o.email.clone().unwrap_or_default(),
            gebied: areas.iter().map(|(_, k, c)| format!("{k} {c}")).collect(),
            werkgebied: String::new(),
            overleglijn_telefoon: o.overleglijn_phone.clone().unwrap_or_default(),
            overleglijn_tijden: o.overleglijn_hours.clone().unwrap_or_default(),
        }
    }

    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            let slot = match k.as_str() {
                "beschrijving" => &mut f.beschrijving,
                "website" => &mut f.website,
                "telefoon" => &mut f.telefoon,
                "email" => &mut f.email,
                "werkgebied" => &mut f.werkgebied,
                "overleglijn_telefoon" => &mut f.overleglijn_telefoon,
                "overleglijn_tijden" => &mut f.overleglijn_tijden,
                "gebied" => {
                    f.gebied.push(v);
                    continue;
                }
                _ => continue,
            };
            *slot = v;
        }
        f
    }

    pub fn has_area(&self, value: &str) -> bool {
        self.gebied.iter().any(|g| g == value)
    }

    /// The form with its areas where they can be changed (see `ServiceForm`).
    pub fn with_offered(mut self, offered: &[super::index::AreaChoice]) -> Self {
        let mut lines = std::mem::take(&mut self.gebied);
        lines.extend(
            self.werkgebied
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned),
        );
        let (ticked, typed) = super::service_form::split_areas(lines, offered);
        self.gebied = ticked;
        self.werkgebied = typed;
        self
    }

    pub fn parse(&self) -> Result<Profile, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let description = optional_text(
            "beschrijving",
            "de beschrijving",
            &self.beschrijving,
            limits::ORGANISATION_DESCRIPTION,
        )
        .unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let website = match optional(&self.website) {
            None => None,
            Some(w) => match rondom_domain::validate::website("website", &w) {
                Ok(w) => Some(w),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
        };
        let phone = optional(&self.telefoon);
        if let Some(p) = &phone
            && !phone_ok(p)
        {
            errors.push(ValidationError::new(
                "telefoon",
                "Vul een telefoonnummer in van minstens tien cijfers, zoals 0345 700 800.",
            ));
        }
        let email = match optional(&self.email) {
            None => None,
            Some(e) => match Email::parse(&e) {
                Ok(e) => Some(e.into_inner()),
                Err(err) => {
                    errors.push(ValidationError::new("email", err.message));
                    None
                }
            },
        };
        let line_phone = optional(&self.overleglijn_telefoon);
        if let Some(p) = &line_phone
            && !phone_ok(p)
        {
            errors.push(ValidationError::new(
                "overleglijn_telefoon",
                "Vul een telefoonnummer in van minstens tien cijfers, zoals 0345 700 800.",
            ));
        }
        let line_hours = optional(&self.overleglijn_tijden);
        if line_hours.as_ref().is_some_and(|h| h.chars().count() > 100) {
            errors.push(ValidationError::new(
                "overleglijn_tijden",
                "Houd de tijden korter dan 100 tekens.",
            ));
        }
        if line_hours.is_some() && line_phone.is_none() {
            errors.push(ValidationError::new(
                "overleglijn_telefoon",
                "Vul ook het nummer van de overleglijn in.",
            ));
        }
        let areas = match super::service_form::parse_werkgebied(&self.gebied, &self.werkgebied) {
            Ok(a) => a,
            Err(e) => {
                errors.extend(
                    e.into_iter()
                        .map(|e| ValidationError::new("werkgebied", e.message)),
                );
                Vec::new()
            }
        };
        if errors.is_empty() {
            Ok(Profile {
                description,
                website,
                phone,
                email,
                areas,
                overleglijn: (line_phone, line_hours),
            })
        } else {
            Err(errors)
        }
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct LocationForm {
    pub naam: String,
    pub straat: String,
    pub huisnummer: String,
    pub postcode: String,
    pub plaats: String,
    pub breedtegraad: String,
    pub lengtegraad: String,
}

impl LocationForm {
    pub fn from_location(l: &Location) -> Self {
        Self {
            naam: l.name.clone(),
            straat: l.street.clone(),
            huisnummer: l.house_number.clone(),
            postcode: l.postcode.clone(),
            plaats: l.city.clone(),
            breedtegraad: l.latitude.map(|v| v.to_string()).unwrap_or_default(),
            lengtegraad: l.longitude.map(|v| v.to_string()).unwrap_or_default(),
        }
    }

    /// A checked location of `organisation_id` under `id`.
    pub fn parse(&self, id: &str, organisation_id: &str) -> Result<Location, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut take = |r: Result<String, ValidationError>| match r {
            Ok(v) => v,
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        let name = take(required_text(
            "naam",
            "een naam voor de locatie",
            &self.naam,
            200,
        ));
        let street = take(required_text("straat", "de straat", &self.straat, 200));
        let house_number = take(required_text(
            "huisnummer",
            "het huisnummer",
            &self.huisnummer,
            20,
        ));
        let city = take(required_text("plaats", "de plaats", &self.plaats, 100));
        let postcode = take(
            Postcode::parse(&self.postcode)
                .map(Postcode::into_inner)
                .map_err(|e| ValidationError::new("postcode", e.message)),
        );
        let coordinate = |s: &str| s.trim().replace(',', ".").parse::<f64>().ok();
        let point = match (self.breedtegraad.trim(), self.lengtegraad.trim()) {
            ("", "") => None,
            (a, b) => match (coordinate(a), coordinate(b)) {
                (Some(lat), Some(lon)) if valid_point(lat, lon) => Some((
                    crate::directory::hsds::import::round6(lat),
                    crate::directory::hsds::import::round6(lon),
                )),
                _ => {
                    errors.push(ValidationError::new("breedtegraad", "Vul breedte- en lengtegraad allebei in als decimale getallen (bijv. 52.0907 en 5.1214), of laat beide leeg."));
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Location {
            id: rondom_domain::ids::LocationId::trusted(id),
            organisation_id: rondom_domain::ids::OrganisationId::trusted(organisation_id),
            name,
            street,
            house_number,
            postcode,
            city,
            country: "NL".into(),
            latitude: point.map(|p| p.0),
            longitude: point.map(|p| p.1),
            last_checked_on: crate::dates::today(),
        })
    }
}
