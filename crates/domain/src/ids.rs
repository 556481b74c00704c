//! Identifiers as types. Every row's id is a UUID in its canonical text form
//! (`0192f0c4-7a1e-7c3b-9d2e-5f6a7b8c9d0e`); an id that arrives from outside (a URL, a
//! form, a JSON body, an import file) is parsed into its type at the edge, so that no
//! malformed text (a NUL byte, a path, a 30 MB string) ever reaches a query, a log line or
//! the audit log. A malformed id is treated like an id that is not yours: not found.

use std::fmt;

/// Why a text is not an id. Carries nothing of the input: it may be anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not an id")]
pub struct InvalidId;

/// Whether `s` is a UUID in canonical hyphenated form (any case).
fn is_uuid_text(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Parses the canonical form, answering the lower-case spelling every id is stored in.
pub fn parse_uuid(s: &str) -> Result<String, InvalidId> {
    if is_uuid_text(s) {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(InvalidId)
    }
}

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[cfg_attr(feature = "diesel", derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow))]
        #[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
        #[serde(transparent)]
        pub struct $name(String);

        $crate::stored_as_text!($name);

        impl $name {
            pub fn parse(s: &str) -> Result<Self, InvalidId> {
                parse_uuid(s).map(Self)
            }
            /// For ids that come from our own storage (already well-formed).
            pub fn trusted(s: impl Into<String>) -> Self {
                Self(s.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                self == &other.0
            }
        }

        impl PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.0
            }
        }

        /// Reads a stored id: one that is not well-formed fails the read (a row with a
        /// damaged id is an error, never passed on as some other text).
        impl TryFrom<String> for $name {
            type Error = InvalidId;
            fn try_from(s: String) -> Result<Self, InvalidId> {
                if is_uuid_text(&s) && !s.bytes().any(|b| b.is_ascii_uppercase()) {
                    Ok(Self(s))
                } else {
                    Err(InvalidId)
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = InvalidId;
            fn from_str(s: &str) -> Result<Self, InvalidId> {
                Self::parse(s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::parse(&s).map_err(|_| serde::de::Error::custom(concat!(
                    "not a valid ", stringify!($name)
                )))
            }
        }
    )*};
}

ids! {
    /// A person with an account.
    UserId,
    /// An organisation in the sociale kaart (practice, team, provider, school ...).
    OrganisationId,
    /// A person's role in an organisation.
    MembershipId,
    /// An offer (aanbod) in the sociale kaart.
    ServiceId,
    /// An area a service covers.
    AreaId,
    /// A place where an organisation works or a service is given.
    LocationId,
    /// A person listed in the sociale kaart.
    PersonId,
    /// A team inside an organisation.
    TeamId,
    /// A link between a social team and a practice.
    PracticeLinkId,
    /// A consultation question.
    ConsultationId,
    /// A referral.
    ReferralId,
    /// A file attached to a referral.
    AttachmentId,
    /// A child known to Rondom.
    ChildId,
    /// The network around a child.
    NetworkId,
    /// A member of a child's network.
    MemberId,
    /// A family member's consent answer.
    ConsentId,
    /// A conversation in a child's network.
    ConversationId,
    /// A message in a conversation.
    MessageId,
    /// A document shared with a message.
    DocumentId,
    /// A saved version of a family plan.
    PlanVersionId,
    /// A case meeting.
    MeetingId,
    /// An item on a case meeting's agenda.
    MeetingItemId,
    /// A family's request to destroy a child's file.
    DeletionRequestId,
    /// An API token.
    TokenId,
    /// A version of a municipality's referral agreements.
    AgreementsId,
    /// A consultation hour of a linked consultant.
    HoursId,
    /// An HSDS taxonomy or taxonomy term (derived, stable ids).
    TaxonomyTermId,
    /// An HSDS service-at-location record (derived from the service and the location).
    ServiceAtLocationId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_canonical_uuid_form_is_an_id() {
        let id = "0192f0c4-7a1e-7c3b-9d2e-5f6a7b8c9d0e";
        assert_eq!(
            ReferralId::parse(id).map(|r| r.into_inner()),
            Ok(id.to_owned())
        );
        assert_eq!(
            ReferralId::parse(&id.to_uppercase()).map(|r| r.into_inner()),
            Ok(id.to_owned()),
            "stored in lower case"
        );
        for bad in [
            "",
            "a\0b",
            "0192f0c4-7a1e-7c3b-9d2e-5f6a7b8c9d0",
            "0192f0c4-7a1e-7c3b-9d2e-5f6a7b8c9d0e0",
            "0192f0c47a1e7c3b9d2e5f6a7b8c9d0e",
            "0192f0c4-7a1e-7c3b-9d2e-5f6a7b8c9d0\0",
            "0192f0c4_7a1e-7c3b-9d2e-5f6a7b8c9d0e",
            "../../../../etc/passwd",
            "0192f0c4-7a1e-7c3b-9d2e-5f6a7b8c9dé",
            "0192f0c4-7a1e-7c3b-9d2e-5f6a7b8c9d0g",
        ] {
            assert_eq!(ReferralId::parse(bad), Err(InvalidId), "{bad:?}");
        }
    }

    #[test]
    fn ids_deserialize_only_when_valid() {
        let ok: Result<OrganisationId, _> =
            serde_json::from_str("\"0192f0c4-7a1e-7c3b-9d2e-5f6a7b8c9d0e\"");
        assert!(ok.is_ok());
        let bad: Result<OrganisationId, _> = serde_json::from_str("\"a\\u0000b\"");
        assert!(bad.is_err());
    }
}
