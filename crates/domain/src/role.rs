use serde::{Deserialize, Serialize};

/// What kind of organisation takes part in the network around a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
pub enum OrganisationKind {
    Huisartsenpraktijk,
    SociaalTeam,
    Gemeente,
    Zorgaanbieder,
    School,
    Jgz,
    /// The operator of this Rondom installation; holds the platform admins.
    Platform,
}

impl OrganisationKind {
    pub const ALL: [OrganisationKind; 7] = [
        Self::Huisartsenpraktijk,
        Self::SociaalTeam,
        Self::Gemeente,
        Self::Zorgaanbieder,
        Self::School,
        Self::Jgz,
        Self::Platform,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Huisartsenpraktijk => "huisartsenpraktijk",
            Self::SociaalTeam => "sociaal_team",
            Self::Gemeente => "gemeente",
            Self::Zorgaanbieder => "zorgaanbieder",
            Self::School => "school",
            Self::Jgz => "jgz",
            Self::Platform => "platform",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Huisartsenpraktijk => "Huisartsenpraktijk",
            Self::SociaalTeam => "Sociaal team",
            Self::Gemeente => "Gemeente",
            Self::Zorgaanbieder => "Zorgaanbieder",
            Self::School => "School",
            Self::Jgz => "Jeugdgezondheidszorg (JGZ)",
            Self::Platform => "Platformbeheer",
        }
    }

    /// Practices and providers are identified nationally by their AGB code (Vektis).
    pub fn requires_agb(self) -> bool {
        matches!(self, Self::Huisartsenpraktijk | Self::Zorgaanbieder)
    }

    /// Everything but the platform's own organisation appears in the sociale kaart, in
    /// the lists to choose from and among the municipalities Rondom serves.
    pub fn is_public(self) -> bool {
        self != Self::Platform
    }

    /// A municipality: its staff keep the verwijskader.
    pub fn is_municipality(self) -> bool {
        self == Self::Gemeente
    }

    /// A municipal social team: takes referrals with a case director and refers on.
    pub fn is_social_team(self) -> bool {
        self == Self::SociaalTeam
    }

    /// A school: may be named on a referral and informed as the agreements say.
    pub fn is_school(self) -> bool {
        self == Self::School
    }
}

/// A person's role. Professionals hold roles through a membership of an organisation;
/// family members hold `OuderVerzorger` or `Jeugdige` without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
pub enum Role {
    /// Platform admin: manages organisations of the whole installation.
    Beheerder,
    /// Manages the members of one organisation.
    OrganisatieBeheerder,
    Huisarts,
    Poh,
    Consulent,
    Teamleider,
    Beleidsmedewerker,
    ZorgaanbiederMedewerker,
    School,
    Jgz,
    OuderVerzorger,
    Jeugdige,
}

impl Role {
    pub const ALL: [Role; 12] = [
        Self::Beheerder,
        Self::OrganisatieBeheerder,
        Self::Huisarts,
        Self::Poh,
        Self::Consulent,
        Self::Teamleider,
        Self::Beleidsmedewerker,
        Self::ZorgaanbiederMedewerker,
        Self::School,
        Self::Jgz,
        Self::OuderVerzorger,
        Self::Jeugdige,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Beheerder => "beheerder",
            Self::OrganisatieBeheerder => "organisatiebeheerder",
            Self::Huisarts => "huisarts",
            Self::Poh => "poh",
            Self::Consulent => "consulent",
            Self::Teamleider => "teamleider",
            Self::Beleidsmedewerker => "beleidsmedewerker",
            Self::ZorgaanbiederMedewerker => "zorgaanbieder_medewerker",
            Self::School => "school",
            Self::Jgz => "jgz",
            Self::OuderVerzorger => "ouder_verzorger",
            Self::Jeugdige => "jeugdige",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Beheerder => "Platformbeheerder",
            Self::OrganisatieBeheerder => "Beheerder organisatie",
            Self::Huisarts => "Huisarts",
            Self::Poh => "POH-jeugd / POH-GGZ",
            Self::Consulent => "Consulent",
            Self::Teamleider => "Teamleider",
            Self::Beleidsmedewerker => "Beleidsmedewerker",
            Self::ZorgaanbiederMedewerker => "Medewerker zorgaanbieder",
            Self::School => "School (intern begeleider)",
            Self::Jgz => "Jeugdgezondheidszorg",
            Self::OuderVerzorger => "Ouder / verzorger",
            Self::Jeugdige => "Jeugdige",
        }
    }

    /// Family roles are not held through an organisation.
    pub fn is_family(self) -> bool {
        matches!(self, Self::OuderVerzorger | Self::Jeugdige)
    }

    /// Whether this role runs its organisation's affairs in Rondom (members, profile,
    /// and answering a team's request to link).
    pub fn administers(self) -> bool {
        matches!(self, Self::OrganisatieBeheerder)
    }

    /// Professionals and admins must use a second factor (OWASP ASVS L2, NEN 7510).
    pub fn requires_second_factor(self) -> bool {
        !self.is_family()
    }

    /// Which roles make sense in which kind of organisation, so an admin cannot make a
    /// school employee a "huisarts" by a slip of the mouse.
    pub fn fits(self, kind: OrganisationKind) -> bool {
        use OrganisationKind as K;
        match self {
            Self::Beheerder => kind == K::Platform,
            Self::OrganisatieBeheerder => true,
            Self::Huisarts | Self::Poh => kind == K::Huisartsenpraktijk,
            Self::Consulent | Self::Teamleider => kind == K::SociaalTeam,
            Self::Beleidsmedewerker => kind == K::Gemeente,
            Self::ZorgaanbiederMedewerker => kind == K::Zorgaanbieder,
            Self::School => kind == K::School,
            Self::Jgz => kind == K::Jgz,
            Self::OuderVerzorger | Self::Jeugdige => false,
        }
    }

    /// Roles an admin may grant inside an organisation of this kind.
    pub fn for_kind(kind: OrganisationKind) -> Vec<Role> {
        Self::ALL.into_iter().filter(|r| r.fits(kind)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        for k in OrganisationKind::ALL {
            assert_eq!(OrganisationKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Role::parse("admin"), None);
    }

    #[test]
    fn roles_fit_their_organisations() {
        assert!(Role::Huisarts.fits(OrganisationKind::Huisartsenpraktijk));
        assert!(!Role::Huisarts.fits(OrganisationKind::School));
        assert!(!Role::Beheerder.fits(OrganisationKind::Gemeente));
        assert!(Role::OrganisatieBeheerder.fits(OrganisationKind::School));
        assert!(!Role::OuderVerzorger.fits(OrganisationKind::SociaalTeam));
        assert!(Role::for_kind(OrganisationKind::SociaalTeam).contains(&Role::Consulent));
    }

    #[test]
    fn professionals_need_a_second_factor_family_does_not() {
        assert!(Role::Huisarts.requires_second_factor());
        assert!(Role::Beheerder.requires_second_factor());
        assert!(!Role::OuderVerzorger.requires_second_factor());
        assert!(!Role::Jeugdige.requires_second_factor());
    }
}

/// A stored kind or role that is none (a database changed by hand): the read fails.
#[derive(Debug, thiserror::Error)]
#[error("‘{code}’ is no {what}")]
pub struct UnknownCode {
    pub what: &'static str,
    pub code: String,
}

impl TryFrom<String> for OrganisationKind {
    type Error = UnknownCode;
    fn try_from(code: String) -> Result<Self, UnknownCode> {
        Self::parse(&code).ok_or(UnknownCode {
            what: "organisation kind",
            code,
        })
    }
}

impl TryFrom<String> for Role {
    type Error = UnknownCode;
    fn try_from(code: String) -> Result<Self, UnknownCode> {
        Self::parse(&code).ok_or(UnknownCode { what: "role", code })
    }
}

impl AsRef<str> for OrganisationKind {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Role {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

crate::stored_as_text!(OrganisationKind, Role);
