//! A person's entry and a team as typed in their forms, and their checks.

use super::people::PersonInput;
use super::profile_form::{ProfileForm, optional};
use super::rows as directory;
use rondom_domain::validate::{ValidationError, phone_ok, required_text};

#[derive(Default, Clone)]
pub struct PersonForm {
    pub functie: String,
    pub telefoon: String,
    pub werkdag: Vec<String>,
}

impl PersonForm {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "functie" => f.functie = v,
                "telefoon" => f.telefoon = v,
                "werkdag" => f.werkdag.push(v),
                _ => {}
            }
        }
        f
    }

    pub fn works_on(&self, day: &u8) -> bool {
        self.werkdag.iter().any(|d| d == &day.to_string())
    }

    /// (function, phone, ISO weekdays)
    pub fn parse(&self) -> Result<PersonInput, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let title = optional(&self.functie);
        if title.as_ref().is_some_and(|t| t.chars().count() > 100) {
            errors.push(ValidationError::new(
                "functie",
                "Houd de functie korter dan 100 tekens.",
            ));
        }
        let phone = optional(&self.telefoon);
        if let Some(p) = &phone
            && !phone_ok(p)
        {
            errors.push(ValidationError::new(
                "telefoon",
                "Vul een telefoonnummer in van minstens tien cijfers, zoals 0345 700 800.",
            ));
        }
        let mut days = Vec::new();
        for d in &self.werkdag {
            match d.parse::<i32>() {
                Ok(n) if (1..=7).contains(&n) => {
                    if !days.contains(&n) {
                        days.push(n);
                    }
                }
                _ => errors.push(ValidationError::new(
                    "werkdag",
                    "Kies werkdagen uit de lijst.",
                )),
            }
        }
        days.sort_unstable();
        if errors.is_empty() {
            Ok((title, phone, days))
        } else {
            Err(errors)
        }
    }
}

#[derive(Default, Clone)]
pub struct TeamForm {
    pub naam: String,
    pub beschrijving: String,
    pub telefoon: String,
    pub email: String,
    pub lid: Vec<String>,
}

impl TeamForm {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "naam" => f.naam = v,
                "beschrijving" => f.beschrijving = v,
                "telefoon" => f.telefoon = v,
                "email" => f.email = v,
                "lid" => f.lid.push(v),
                _ => {}
            }
        }
        f
    }

    pub fn has_member(&self, id: &str) -> bool {
        self.lid.iter().any(|l| l == id)
    }

    /// A checked team; members must work for the organisation.
    pub fn parse(
        &self,
        id: &str,
        organisation_id: &str,
        people: &[directory::Person],
    ) -> Result<(directory::Team, Vec<String>), Vec<ValidationError>> {
        let mut errors = Vec::new();
        let name =
            required_text("naam", "de naam van het team", &self.naam, 120).unwrap_or_else(|e| {
                errors.push(e);
                String::new()
            });
        let contact = ProfileForm {
            telefoon: self.telefoon.clone(),
            email: self.email.clone(),
            ..Default::default()
        }
        .parse();
        let (phone, email) = match contact {
            Ok(p) => (p.phone, p.email),
            Err(e) => {
                errors.extend(e);
                (None, None)
            }
        };
        let description = optional(&self.beschrijving);
        if description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 1000)
        {
            errors.push(ValidationError::new(
                "beschrijving",
                "Houd de beschrijving korter dan 1000 tekens.",
            ));
        }
        let mut members = Vec::new();
        for l in &self.lid {
            if !people.iter().any(|p| &p.id == l) {
                errors.push(ValidationError::new(
                    "lid",
                    "Kies teamleden uit de mensen van uw organisatie.",
                ));
            } else if !members.contains(l) {
                members.push(l.clone());
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok((
            directory::Team {
                id: rondom_domain::ids::TeamId::trusted(id),
                organisation_id: rondom_domain::ids::OrganisationId::trusted(organisation_id),
                name,
                description,
                phone,
                email,
                last_checked_on: crate::dates::today(),
            },
            members,
        ))
    }
}
