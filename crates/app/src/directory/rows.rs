//! The sociale kaart's records as stored, for the pages and the API to show (the queries
//! that fill them stay in rondom-db, behind the use cases).

pub use rondom_db::directory::{
    AreaRow, Change, ConsultantLink, LinkedConsultant, Location, Person, ServiceRow, Team,
    TeamLink, TeamWithMembers,
};
pub use rondom_db::organisations::{Member, Organisation};
